"""The compiled DOCX report (bot/report.py) on a full database: 60 units x 82 tasks x 10
periods of updates (~49,000 rows).

    python bench/report.py [--units 60] [--periods 10] [--runs 7]

The plan is KH147 with every task given to a collective of `--units` member units, so each
unit answers for all 82 tasks: the widest report there can be (4,920 unit-task entries, each
quoted in part II and listed in Biểu 01). Each (unit, task, period) gets one update inside the
period's window, with a result and, for some, obstacles and proposals. Timed on a fresh SQLite
file, then on PostgreSQL (TEST_POSTGRES_URL or 127.0.0.1:5432, in a throw-away schema): the
whole `build_report` (read the history, compile, render) min / median / p95 over `--runs`,
and apart the reading-and-compiling and the rendering. Aim: under 1 s.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from bot import report  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import repo  # noqa: E402
from bot.db.models import Base, StatusUpdate  # noqa: E402
from bot.knowledge import load_knowledge, parse_knowledge  # noqa: E402
from bot.periods import half_year, year_period  # noqa: E402
from bot.services import build_services  # noqa: E402

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 5, 20, 3, 0, tzinfo=UTC)  # inside period 2026-6T
STATUSES = ("chua", "dang", "xong", "vuong")


def wide_plan(units: int):
    """KH147 with every section and task led by one collective of `units` member units."""
    raw = json.loads(json.dumps(load_knowledge().raw))
    raw["agencies"].append({"id": "dv", "name": "Các đơn vị", "kind": "collective",
                            "short": "các đơn vị", "parent": None, "aliases": ["các đơn vị"]})
    for i in range(1, units + 1):
        raw["agencies"].append({"id": f"dv{i:02d}", "name": f"Đơn vị thử số {i:02d}",
                                "kind": "district", "short": f"đơn vị {i:02d}", "parent": "dv",
                                "aliases": [f"đơn vị thử {i:02d}"]})
    with_tasks = {t["section"] for t in raw["tasks"]}
    for s in raw["sections"]:
        if s.get("lead") or s["id"] in with_tasks:
            s["lead"] = "dv"
    for t in raw["tasks"]:
        t["lead"] = "dv"
    return parse_knowledge(raw)


def the_periods(svc, n: int):
    tz = svc.settings.tz
    out = []
    for year in range(2026, 2015, -1):
        for p in (year_period(year, tz), half_year(year, tz)):
            if p.start <= NOW and len(out) < n:
                out.append(p)
    return out


async def fill(svc, units: int, periods: int) -> int:
    rnd = random.Random(147)
    ids = [f"dv{i:02d}" for i in range(1, units + 1)]
    users = {a: (await repo.upsert_user(svc.sessions, "telegram", f"9{i:03d}",
                                        f"Cán bộ đơn vị {i:02d}")).id
             for i, a in enumerate(ids, 1)}
    rows = []
    for p in the_periods(svc, periods):
        end = min(p.end, NOW - timedelta(hours=1))
        span = (end - p.start).total_seconds()
        for agency in ids:
            for task in svc.kb.tasks:
                status = rnd.choice(STATUSES)
                result = f"Kỳ {p.id}: tiến độ {rnd.randint(0, 100)}%, đã làm việc với các đơn vị."
                rows.append(dict(
                    item_id=task.id, agency_id=agency, status=status, note=result,
                    result=result, user_id=users[agency], channel="telegram",
                    obstacles="Thiếu kinh phí thực hiện" if status == "vuong" else "",
                    proposals="Đề nghị bố trí vốn" if rnd.random() < 0.1 else "",
                    created_at=p.start + timedelta(seconds=rnd.random() * span)))
    async with svc.engine.begin() as conn:
        for i in range(0, len(rows), 5000):
            await conn.execute(insert(StatusUpdate), rows[i:i + 5000])
    return len(rows)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def line(name: str, ms: list[float]) -> str:
    return (f"  {name:<28} min {min(ms):7.0f} ms   median {statistics.median(ms):7.0f} ms   "
            f"p95 {pct(ms, 0.95):7.0f} ms")


async def run(svc, label: str, args) -> None:
    svc.kb = wide_plan(args.units)
    svc.clock = lambda: NOW
    t = time.perf_counter()
    n = await fill(svc, args.units, args.periods)
    print(f"[{label}] {n:,} updates stored in {time.perf_counter() - t:.1f} s "
          f"({args.units} units x {len(svc.kb.tasks)} tasks x {args.periods} periods)")
    whole, compiled, rendered, size = [], [], [], 0
    for _ in range(args.runs):
        t0 = time.perf_counter()
        c = await report.compile_period(svc, "6T/2026")
        t1 = time.perf_counter()
        data = report.render(c)
        t2 = time.perf_counter()
        compiled.append((t1 - t0) * 1000)
        rendered.append((t2 - t1) * 1000)
        t3 = time.perf_counter()
        data = await report.build_report(svc, "6T/2026")
        whole.append((time.perf_counter() - t3) * 1000)
        size = len(data)
    print(f"  entries {len(c.entries):,}, DOCX {size / 1024:,.0f} KiB")
    print(line("build_report (whole)", whole))
    print(line("read history + compile", compiled))
    print(line("render DOCX", rendered))


async def on_sqlite(args) -> None:
    with tempfile.TemporaryDirectory() as d:
        s = Settings(_env_file=None, DATABASE_URL=f"sqlite+aiosqlite:///{d}/bench.db")
        svc = build_services(s)
        async with svc.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        try:
            await run(svc, "SQLite", args)
        finally:
            await svc.close()


async def on_postgres(args, url: str) -> None:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    svc = build_services(Settings(_env_file=None, DATABASE_URL=url), schema=schema)
    try:
        async with svc.engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            await conn.run_sync(Base.metadata.create_all)
    except (OSError, Exception) as e:  # no server: say so and stop
        print(f"[PostgreSQL] skipped: {type(e).__name__}: {e}")
        await svc.close()
        return
    try:
        await run(svc, "PostgreSQL", args)
    finally:
        async with svc.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await svc.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--units", type=int, default=60)
    p.add_argument("--periods", type=int, default=10)
    p.add_argument("--runs", type=int, default=7)
    args = p.parse_args()
    asyncio.run(on_sqlite(args))
    asyncio.run(on_postgres(args, os.environ.get("TEST_POSTGRES_URL", DEFAULT_PG)))


if __name__ == "__main__":
    main()
