"""Status updates stored per second through the `/capnhat` handler.

    python bench/status.py [--updates 2000] [--officials 50] [--concurrency 50]

Two paths are timed: the status handler itself (membership check, parsing, the append-only
insert, the acknowledgement) and the whole dispatcher (`handlers.dispatch`, which also looks up the official's
unfinished guided flow before each command).

Runs on a fresh SQLite file, then on PostgreSQL when TEST_POSTGRES_URL is set or a local
server answers on 127.0.0.1:5432 (a throw-away schema, dropped afterwards). Every update is
checked to be stored exactly once.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text  # noqa: E402

from bot.config import Settings  # noqa: E402
from bot.core import Request  # noqa: E402
from bot.db import repo  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.models import StatusUpdate  # noqa: E402
from bot.export import agency_tasks  # noqa: E402
from bot.periods import reporting_agencies  # noqa: E402
from bot.services import build_services  # noqa: E402
from handlers import dispatch  # noqa: E402
from handlers.registry import COMMANDS  # noqa: E402

DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
PATHS = ("handler", "dispatch")
STATUSES = ("đang thực hiện", "hoàn thành", "vướng mắc", "chưa thực hiện")


async def seed_members(svc, officials: int) -> list[tuple[str, str]]:
    """`officials` approved members spread over the reporting agencies: (user id, task id)."""
    agencies = reporting_agencies(svc.kb)
    out = []
    for i in range(officials):
        agency = agencies[i % len(agencies)]
        uid = f"{1000 + i}"
        row = await repo.request_membership(svc.sessions, "telegram", uid, agency,
                                            display_name=f"Cán bộ {i}")
        await repo.decide_membership(svc.sessions, row.id, True, by_channel="telegram",
                                     by_external_id="900")
        out.append((uid, agency_tasks(svc.kb, agency)[0].id))
    return out


async def run(url: str, updates: int, officials: int, concurrency: int,
              schema: str | None = None, path: str = "handler") -> float:
    settings = Settings(_env_file=None, DATABASE_URL=url, ADMIN_TELEGRAM_IDS="900")
    await upgrade(url, schema)
    svc = build_services(settings, schema=schema)
    try:
        members = await seed_members(svc, officials)
        gate = asyncio.Semaphore(concurrency)

        async def one(n: int) -> None:
            uid, task = members[n % len(members)]
            req = Request("telegram", uid, uid,
                          text=f"/capnhat {task} {STATUSES[n % 4]} lần {n}")
            async with gate:
                if path == "handler":
                    replies = await COMMANDS["capnhat"](req, svc, req.text.split(" ", 1)[1])
                else:
                    replies = await dispatch(req, svc)
            assert replies and replies[0].text.startswith("Đã lưu"), replies

        start = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(updates)))
        elapsed = time.perf_counter() - start
        async with svc.sessions() as s:
            stored = (await s.execute(select(func.count()).select_from(StatusUpdate))).scalar()
            distinct = (await s.execute(select(func.count(func.distinct(StatusUpdate.note)))
                                        )).scalar()
        assert stored == updates == distinct, (stored, distinct, updates)
        return updates / elapsed
    finally:
        await svc.close()


async def pg_reachable(url: str) -> bool:
    from bot.db.session import make_engine

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        await engine.dispose()


async def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--updates", type=int, default=2000)
    p.add_argument("--officials", type=int, default=50)
    p.add_argument("--concurrency", type=int, default=50)
    args = p.parse_args(argv)
    setup = (f"{args.updates} updates, {args.officials} officials, {args.concurrency} at once")
    for path in PATHS:
        with tempfile.TemporaryDirectory() as tmp:
            rate = await run(f"sqlite+aiosqlite:///{tmp}/bench.db", args.updates,
                             args.officials, args.concurrency, path=path)
        print(f"SQLite     {path:<8} {rate:8.0f} updates/s ({setup})")
    pg_url = os.environ.get("TEST_POSTGRES_URL") or DEFAULT_PG
    if not await pg_reachable(pg_url):
        print("PostgreSQL skipped: no server at TEST_POSTGRES_URL or 127.0.0.1:5432")
        return 0
    from bot.db.session import make_engine

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(pg_url)
    try:
        for path in PATHS:
            async with admin.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            rate = await run(pg_url, args.updates, args.officials, args.concurrency, schema,
                             path=path)
            print(f"PostgreSQL {path:<8} {rate:8.0f} updates/s ({setup})")
    finally:
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
