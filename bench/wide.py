"""What the desk, export and report benchmarks share: the widest plan (KH147 with every task
given to a collective of N member units), its periods, and a run on each engine (a fresh SQLite
file, then PostgreSQL in a throw-away schema)."""
from __future__ import annotations

import asyncio
import json
import os
import random
import tempfile
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text

from bot.config import Settings
from bot.db import repo
from bot.db.models import Base, StatusUpdate
from bot.knowledge import load_knowledge, parse_knowledge
from bot.periods import half_year, year_period
from bot.services import build_services

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
    """The `n` latest periods (years and halves) that began by NOW."""
    tz = svc.settings.tz
    out = []
    for year in range(2026, 2015, -1):
        for p in (year_period(year, tz), half_year(year, tz)):
            if p.start <= NOW and len(out) < n:
                out.append(p)
    return out


async def fill_updates(svc, units: int, periods: int, fields) -> int:
    """One update a (unit, task, period) at a random moment of the period's window, stored in
    bulk; `fields(rnd, period)` gives the rest of the row (status, note, ...). Returns the count."""
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
                row = fields(rnd, p)  # drawn before the moment: keeps the seeded sequence
                rows.append(dict(row, item_id=task.id, agency_id=agency, user_id=users[agency],
                                 channel="telegram",
                                 created_at=p.start + timedelta(seconds=rnd.random() * span)))
    async with svc.engine.begin() as conn:
        for i in range(0, len(rows), 5000):
            await conn.execute(insert(StatusUpdate), rows[i:i + 5000])
    return len(rows)


def pct(values: list[float], q: float) -> float:
    """The `q` quantile of `values` (nearest rank)."""
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


async def on_sqlite(run, args, **settings) -> None:
    """`await run(svc, "SQLite", args)` on a fresh SQLite file."""
    with tempfile.TemporaryDirectory() as tmp:
        svc = build_services(Settings(_env_file=None,
                                      DATABASE_URL=f"sqlite+aiosqlite:///{tmp}/bench.db",
                                      **settings))
        async with svc.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        try:
            await run(svc, "SQLite", args)
        finally:
            await svc.close()


async def on_postgres(run, args, url: str, **settings) -> None:
    """`await run(svc, "PostgreSQL", args)` in a throw-away schema; no server: say so."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    svc = build_services(Settings(_env_file=None, DATABASE_URL=url, **settings), schema=schema)
    try:
        async with svc.engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            await conn.run_sync(Base.metadata.create_all)
    except Exception as e:  # noqa: BLE001 — no server or no database: one line, then stop
        print(f"[PostgreSQL] skipped: {type(e).__name__}: {e}")
        await svc.close()
        return
    try:
        await run(svc, "PostgreSQL", args)
    finally:
        async with svc.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await svc.close()


def on_each_engine(run, args, sqlite: bool = True, postgres: bool = True, **settings) -> None:
    """`run` on a fresh SQLite file, then on PostgreSQL (TEST_POSTGRES_URL, else DEFAULT_PG)."""
    if sqlite:
        asyncio.run(on_sqlite(run, args, **settings))
    if postgres:
        url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_PG)
        asyncio.run(on_postgres(run, args, url, **settings))
