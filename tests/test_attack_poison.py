"""One official's poisoned note must not cost the others their updates (group commit)."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

from bot.db import repo
from bot.db.models import StatusUpdate

AT = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
POISONS = ["lone \ud800 surrogate", "NUL \x00 inside", "\udfff", "bell \x07 and \x1b[31m"]


async def _members(svc, n: int) -> list[int]:
    ids = []
    for i in range(n):
        row = await repo.request_membership(svc.sessions, "zalo", f"p{i}", "sxd", now=AT)
        await repo.decide_membership(svc.sessions, row.id, True, by_channel="zalo",
                                     by_external_id="z900", now=AT)
        ids.append(row.user_id)
    return ids


async def test_poisoned_notes_in_a_burst_fail_no_honest_update(svc):
    users = await _members(svc, 8)

    def note(i: int) -> str:
        return POISONS[i // 40] if i % 40 == 7 else f"Cập nhật số {i}"

    async def one(i: int):
        return await repo.add_status(svc.sessions, user_id=users[i % 8], agency_id="sxd",
                                     item_id="2.2.1", status="dang", note=note(i),
                                     channel="zalo", at=AT)

    results = await asyncio.gather(*(one(i) for i in range(160)), return_exceptions=True)
    failed = [r for r in results if isinstance(r, BaseException)]
    assert failed == []  # the poisoned ones too: they are cleaned, not refused
    async with svc.sessions() as s:
        notes = set((await s.execute(select(StatusUpdate.note))).scalars())
    assert {f"Cập nhật số {i}" for i in range(160) if i % 40 != 7} <= notes
    assert {"lone  surrogate", "NUL  inside", "", "bell  and [31m"} <= notes
    assert len(notes) == 160 - 4 + 4


async def test_a_row_the_database_refuses_fails_alone(svc):
    """A batched INSERT that fails is retried row by row: only the bad row's caller fails."""
    [user] = await _members(svc, 1)

    async def one(i: int, user_id: int):
        return await repo.add_status(svc.sessions, user_id=user_id, agency_id="sxd",
                                     item_id="2.2.1", status="dang", note=f"n{i}",
                                     channel="zalo", at=AT)

    # user 999999 does not exist: its row breaks the foreign key, the others must not care
    results = await asyncio.gather(*(one(i, 999_999 if i == 5 else user) for i in range(40)),
                                   return_exceptions=True)
    failed = [i for i, r in enumerate(results) if isinstance(r, BaseException)]
    assert failed == [5]
    async with svc.sessions() as s:
        saved = set((await s.execute(select(StatusUpdate.note))).scalars())
    assert saved == {f"n{i}" for i in range(40) if i != 5}
