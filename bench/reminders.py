"""Bench: an admin broadcast to many chats through TelegramChannel.send and the loopback
Telegram stand-in (tests/tg_stub.py), with a share of sends answered 429. The audience mixes
subscribed chats and approved members' private chats, some both (each must get one message).

    .venv/bin/python -m bench.reminders [--chats 1000] [--fraction 0.05] [--retry-after 1]

Checks that every chat gets exactly one message and prints the time taken against the floor
the flood limit sets (chats / 30 messages per second). DATABASE_URL may point at PostgreSQL;
by default a fresh SQLite file in a temporary folder.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text  # noqa: E402

from bot import reminders  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db.models import Base, Broadcast, Chat, Membership, Subscription, User  # noqa: E402
from bot.services import build_services  # noqa: E402
from tests.tg_stub import TelegramStub  # noqa: E402

FLOOD_RATE = 30.0  # messages per second, Telegram's overall limit for a bot


async def seed(svc, chats: int) -> int:
    """`chats` private chats: the first 90 % subscribed to every deadline, the last 20 %
    approved members of an agency (so 10 % are both); and one broadcast; its id."""
    subscribed, members_from = chats * 9 // 10, chats * 8 // 10
    ext = [str(100000 + i) for i in range(chats)]
    async with svc.sessions() as s, s.begin():
        await s.execute(insert(Chat), [
            {"channel": "telegram", "external_id": e, "kind": "private", "title": "",
             "active": True, "created_at": svc.now()} for e in ext])
        await s.execute(insert(User), [
            {"channel": "telegram", "external_id": e, "private_reminders": True}
            for e in ext[members_from:]])
    async with svc.sessions() as s, s.begin():
        ids = (await s.execute(select(Chat.id).where(Chat.external_id.in_(
            ext[:subscribed])))).scalars()
        await s.execute(insert(Subscription), [
            {"chat_id": i, "agency_id": "*", "created_at": svc.now()} for i in ids])
        users = (await s.execute(select(User.id))).scalars()
        await s.execute(insert(Membership), [
            {"user_id": u, "agency_id": "sxd", "state": "approved"} for u in users])
        b = Broadcast(text="Đề nghị các cơ quan gửi báo cáo năm 2026 trước ngày 15/12/2026.",
                      created_at=svc.now())
        s.add(b)
    return b.id


async def main(chats: int, fraction: float, retry_after: int) -> int:
    from bot.channels.telegram import TelegramChannel

    stub = TelegramStub()
    await stub.start()
    tmp = tempfile.mkdtemp(prefix="kh147-bench-")
    url = os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{tmp}/bench.db"
    schema = f"bench_{uuid.uuid4().hex[:8]}" if url.startswith("postgresql") else None
    settings = Settings(_env_file=None, DATABASE_URL=url, TELEGRAM_BOT_TOKEN=stub.token,
                        TELEGRAM_API_BASE_URL=stub.base_url)
    svc = build_services(settings, schema=schema)
    async with svc.engine.begin() as conn:
        if schema:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await conn.run_sync(Base.metadata.create_all)
    channel = TelegramChannel(svc)
    try:
        await channel.app.initialize()  # getMe only: no polling, no webhook
        broadcast_id = await seed(svc, chats)
        stub.fail("sendMessage", "429", times=None, fraction=fraction, retry_after=retry_after)
        t0 = time.monotonic()
        summary = await reminders.broadcast(svc, {"telegram": channel}, broadcast_id)
        took = time.monotonic() - t0
        again = await reminders.broadcast(svc, {"telegram": channel}, broadcast_id)
    finally:
        await channel.app.shutdown()
        if schema:
            async with svc.engine.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await svc.close()
        await stub.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    got = Counter(c["chat_id"] for c in stub.calls_to("sendMessage"))
    refused = len(stub.calls_to("sendMessage", ok=False))
    once = len(got) == chats and set(got.values()) == {1}
    floor = chats / FLOOD_RATE
    print(f"broadcast to {chats} chats on {svc.engine.dialect.name}: {took:.1f} s; floor at "
          f"{FLOOD_RATE:.0f} msg/s {floor:.1f} s ({(took / floor - 1) * 100:+.1f} %); "
          f"429 answered {refused}; {summary.line()}; "
          f"each chat exactly once: {'yes' if once else 'NO'}; second run sent {again.sent}")
    return 0 if once and summary.sent == chats and again.sent == 0 else 1


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--chats", type=int, default=1000)
    p.add_argument("--fraction", type=float, default=0.05)
    p.add_argument("--retry-after", type=int, default=1)
    a = p.parse_args()
    sys.exit(asyncio.run(main(a.chats, a.fraction, a.retry_after)))
