"""The inbox (bot/channels/inbox.py) on both engines: stored once, claimed by one worker,
answered once, one chat in order, claims of a dead worker taken over."""
from __future__ import annotations

import asyncio
import json

from sqlalchemy import func, select

from bot.channels import inbox as inbox_mod
from bot.channels.inbox import Inbox
from bot.db.models import InboxUpdate


class Recorder:
    def __init__(self, delay: float = 0.0, slow: dict[str, float] | None = None):
        self.seen: list[str] = []
        self.delay, self.slow = delay, slow or {}

    async def __call__(self, body: dict) -> None:
        await asyncio.sleep(self.slow.get(body["id"], self.delay))
        self.seen.append(body["id"])


async def _until(cond, within: float = 10.0) -> None:
    async def wait():
        while not cond():  # noqa: ASYNC110 (a plain poll of a plain list)
            await asyncio.sleep(0.01)
    await asyncio.wait_for(wait(), within)


def _items(n: int, chats: int | None = None, prefix: str = "u") -> list:
    return [(f"{prefix}{i}", f"c{i % chats if chats else i}", {"id": f"{prefix}{i}"})
            for i in range(n)]


async def _states(svc) -> dict[str, int]:
    async with svc.sessions() as s:
        rows = (await s.execute(select(InboxUpdate.state, func.count())
                                .group_by(InboxUpdate.state))).all()
    return dict(rows)


async def test_a_replayed_update_is_stored_once(svc):
    box = Inbox(svc, "telegram", Recorder())
    assert await box.store(_items(3)) == 3
    assert await box.store(_items(4)) == 1  # three of them came again
    assert await _states(svc) == {"new": 4}


async def test_two_workers_answer_every_update_exactly_once(svc):
    a, b = Recorder(delay=0.002), Recorder(delay=0.002)
    one, two = Inbox(svc, "zalo", a), Inbox(svc, "zalo", b)
    await one.store(_items(200, chats=40))
    await one.start()
    await two.start()
    try:
        await _until(lambda: len(a.seen) + len(b.seen) >= 200, within=30)
        await asyncio.sleep(0.3)
    finally:
        await one.stop()
        await two.stop()
    both = a.seen + b.seen
    assert sorted(both) == sorted(f"u{i}" for i in range(200))
    assert await _states(svc) == {"done": 200}


async def test_one_chat_is_answered_in_order_beside_thousands_of_others(svc):
    # the first message of chat X is slow; its second must still come after it, however many
    # other chats were seen in between (the old per-chat locks were dropped past 1,000 chats)
    rec = Recorder(slow={"x0": 0.3})
    box = Inbox(svc, "zalo", rec)
    await box.store([("x0", "X", {"id": "x0"})])
    await box.store(_items(1200))
    await box.store([("x1", "X", {"id": "x1"})])
    await box.start()
    try:
        await _until(lambda: "x1" in rec.seen, within=30)
    finally:
        await box.stop()
    assert rec.seen.index("x0") < rec.seen.index("x1")


async def test_a_stop_keeps_what_was_not_answered_for_the_next_start(svc):
    slow = Recorder(delay=0.05)
    box = Inbox(svc, "telegram", slow, concurrency=2)
    await box.store(_items(100))
    await box.start()
    await _until(lambda: len(slow.seen) >= 5)
    await box.stop(grace=0.2)
    answered = len(slow.seen)
    assert (await _states(svc)).get("claimed", 0) == 0  # given back, not left claimed
    rest = Recorder()
    again = Inbox(svc, "telegram", rest)
    await again.start()
    try:
        await _until(lambda: answered + len(rest.seen) >= 100)
    finally:
        await again.stop()
    assert sorted(slow.seen + rest.seen) == sorted(f"u{i}" for i in range(100))


async def test_claims_of_a_dead_worker_here_are_taken_over_at_once(svc, monkeypatch):
    box = Inbox(svc, "zalo", Recorder())
    await box.store(_items(3))
    host = box.me.rsplit(":", 3)[0]
    dead = f"{host}:999999:deadbeef:aa"  # no such pid
    live_elsewhere = "other-host:1:cafe:bb"
    async with svc.sessions() as s, s.begin():
        rows = (await s.execute(select(InboxUpdate).order_by(InboxUpdate.id))).scalars().all()
        rows[0].state, rows[0].claimed_by, rows[0].claimed_at = "claimed", dead, svc.now()
        rows[1].state, rows[1].claimed_by = "claimed", live_elsewhere
        rows[1].claimed_at = svc.now()
    rec = Recorder()
    box.handle = rec
    await box.start()
    try:
        await _until(lambda: len(rec.seen) >= 2)
        await asyncio.sleep(0.3)
    finally:
        await box.stop()
    assert sorted(rec.seen) == ["u0", "u2"]  # u1's worker may be alive: its lease holds
    assert inbox_mod.dead_here(dead, box.me) and not inbox_mod.dead_here(live_elsewhere, box.me)


async def test_bodies_round_trip_with_any_text(svc):
    rec: list[dict] = []

    async def handle(body):
        rec.append(body)

    box = Inbox(svc, "zalo", handle)
    body = {"id": "q", "text": "Sở Xây dựng “ngoặc” \n\t emoji 🙂"}
    await box.store([("q", "c", body)])
    await box.start()
    try:
        await _until(lambda: rec)
    finally:
        await box.stop()
    assert rec == [json.loads(json.dumps(body))]
