"""The table of realistic one-line updates (tests/data/status_updates.tsv), each through
handlers.dispatch on an empty database, on SQLite and PostgreSQL: what is stored, or the
question asked back (then nothing is stored), or the one-line refusal."""
from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core import Request
from bot.db import repo
from bot.db.models import StatusUpdate
from handlers import dispatch

NOW = datetime(2026, 11, 30, 3, 15, tzinfo=UTC)
TABLE = Path(__file__).parent / "data" / "status_updates.tsv"


def load_cases() -> list[dict]:
    lines = [line for line in TABLE.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


CASES = load_cases()


def test_the_table_has_forty_cases_or_more():
    assert len(CASES) >= 40
    assert {c["outcome"] for c in CASES} == {"saved", "ask", "refused"}


@pytest.mark.parametrize("case", CASES, ids=[c["text"][9:40] for c in CASES])
async def test_one_line_update(svc, case):
    svc.clock = lambda: NOW
    row = await repo.request_membership(svc.sessions, "telegram", "1", "sxd",
                                        display_name="Cán bộ 1", now=NOW)
    await repo.decide_membership(svc.sessions, row.id, True, by_channel="telegram",
                                 by_external_id="900", now=NOW)
    replies = await dispatch(Request(channel="telegram", user_id="1", chat_id="1",
                                     text=case["text"]), svc)
    assert len(replies) == 1
    reply = replies[0]
    async with svc.sessions() as s:
        stored = list((await s.execute(select(StatusUpdate).order_by(StatusUpdate.id)))
                      .scalars())
    if case["outcome"] != "saved":
        assert stored == [], case["text"]  # nothing saved before the intent is clear
    if case["outcome"] == "ask":
        labels = [c.label for c in reply.choices]
        assert labels == case["choices_or_reply"].split("|") + ["Hủy, không lưu"], reply.text
        return
    if case["outcome"] == "refused":
        assert case["choices_or_reply"] in reply.text and "\n" not in reply.text
        assert not reply.choices
        return
    assert reply.text.startswith("Đã lưu"), reply.text
    item = case["text"].split()[1]
    expected_rows = 4 if item in ("2.2", "2,2") else 1
    assert len(stored) == expected_rows, [r.item_id for r in stored]
    for r in stored:
        got = (r.status, r.note, r.result, r.obstacles, r.proposals)
        want = tuple(case[k] for k in ("status", "note", "result", "obstacles", "proposals"))
        assert got == want, case["text"]
