"""One conversation record per message: the user's flow or last subject and the chat's numbered
lists are read from the `pending` table once, before any handler runs, and written back at
most once per row, only when changed (both engines); concurrent writers lose nothing."""
from __future__ import annotations

import asyncio
import re
from contextlib import contextmanager

from sqlalchemy import event

from bot.core import Request
from bot.db import pending, repo
from handlers import dispatch

_PENDING_SQL = re.compile(r"\b(?:from|into|update)\s+(?:\S+\.)?\"?pending\"?\b", re.I)


@contextmanager
def pending_statements(svc):
    """The statements sent to the pending table meanwhile, as (verb, sql)."""
    seen: list[tuple[str, str]] = []

    def spy(conn, cursor, statement, parameters, context, executemany):
        if _PENDING_SQL.search(statement):
            seen.append((statement.split(None, 1)[0].upper(), statement))

    engine = svc.engine.sync_engine
    event.listen(engine, "before_cursor_execute", spy)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", spy)


def reads(seen) -> int:
    return sum(1 for verb, _ in seen if verb == "SELECT")


def writes(seen) -> int:
    return sum(1 for verb, _ in seen if verb != "SELECT")


def zalo(text: str, user: str = "z1") -> Request:
    return Request(channel="zalo", user_id=user, chat_id=user, text=text,
                   user_name=f"Cán bộ {user}")


async def counted(svc, text: str, user: str = "z1"):
    with pending_statements(svc) as seen:
        replies = await dispatch(zalo(text, user), svc)
    return replies, seen


async def test_a_question_and_its_follow_up_read_the_conversation_once(svc):
    [first], seen = await counted(svc, "hạn báo cáo của Sở Y tế")
    assert "Sở Y tế" in first.text
    assert reads(seen) == 1 and writes(seen) <= 2  # the subject; a list if choices were given
    [follow], seen = await counted(svc, "còn Sở Công Thương thì sao?")
    assert follow.text.startswith("Sở Công Thương") and "15/12" in follow.text
    assert reads(seen) == 1 and writes(seen) <= 2


async def test_a_numbered_answer_reads_once_and_writes_the_lists_once(svc):
    [picker], _ = await counted(svc, "/nhiemvu")
    assert len(picker.choices) > 2
    [duties], seen = await counted(svc, "2")
    assert duties.text.startswith(f"Nhiệm vụ của {picker.choices[1].label}")
    assert reads(seen) == 1
    assert writes(seen) == 1  # the used list dropped, the answer's own pushed: one statement
    [again], _ = await counted(svc, "2")  # used once: now "2" is just a question
    assert not again.text.startswith("Nhiệm vụ của")


async def test_a_guided_flow_step_reads_once(svc):
    row = await repo.request_membership(svc.sessions, "zalo", "z1", "sxd", display_name="A")
    await repo.decide_membership(svc.sessions, row.id, True, by_channel="zalo",
                                 by_external_id="z900")
    await dispatch(zalo("/capnhat"), svc)
    await dispatch(zalo("1"), svc)  # task 2.2.1
    [prompt], seen = await counted(svc, "3")  # "Hoàn thành": the flow now waits for a note
    assert reads(seen) == 1
    [done], seen = await counted(svc, "Đã ban hành hướng dẫn")
    assert done.text.startswith("Đã lưu") and "2.2.1" in done.text
    assert reads(seen) == 1 and writes(seen) == 1  # the flow's row removed, nothing else


async def test_a_message_that_changes_nothing_writes_nothing(svc):
    tg = Request(channel="telegram", user_id="7", chat_id="7", text="/trogiup")
    with pending_statements(svc) as seen:
        await dispatch(tg, svc)
    assert reads(seen) == 1 and writes(seen) == 0
    group = Request(channel="telegram", user_id="7", chat_id="-100", text="chào cả nhà",
                    chat_type="group", addressed=False)
    with pending_statements(svc) as seen:
        assert await dispatch(group, svc) == []
    assert seen == []  # chatter not meant for the bot costs no read at all


async def test_a_notice_arriving_meanwhile_keeps_its_list(svc):
    """The admin's own message was read with one list; a registration notice is pushed into
    the same chat before the admin's reply is written: both lists stay, each its own number."""
    conv = await pending.load(svc.sessions, "zalo", "z900", "z900", svc.now())
    assert conv.lists == []
    await pending.push_choices(svc.sessions, "zalo", "z900", [["Duyệt", "reg:a:1"]],
                               title="Yêu cầu số 1", now=svc.now())
    conv.push_list([["Một", "x:1"]], to="z900", title="Chọn")
    await conv.save()
    seen = await pending.load(svc.sessions, "zalo", "z900", "z900", svc.now())
    assert [e["title"] for e in seen.lists] == ["Yêu cầu số 1", "Chọn"]
    assert [e["seq"] for e in seen.lists] == [1, 2] and seen.mark == 2


async def test_concurrent_writers_to_one_chat_lose_no_list(svc):
    loaded = [await pending.load(svc.sessions, "zalo", "c1", f"u{i}", svc.now())
              for i in range(6)]
    for i, conv in enumerate(loaded):
        conv.push_list([[f"L{i}", f"x:{i}"]], to=f"u{i}", title=f"list {i}")
    await asyncio.gather(*(c.save() for c in loaded),
                         *(pending.push_choices(svc.sessions, "zalo", "c1", [["N", f"n:{i}"]],
                                                title=f"notice {i}", now=svc.now())
                           for i in range(3)))
    final = await pending.load(svc.sessions, "zalo", "c1", "u0", svc.now())
    assert sorted(e["title"] for e in final.lists) == sorted(
        [f"list {i}" for i in range(6)] + [f"notice {i}" for i in range(3)])
    assert sorted(e["seq"] for e in final.lists) == list(range(1, 10))  # no number given twice


async def test_a_stale_number_never_answers_a_newer_notice(svc):
    """A list the admin has seen is replaced by the admin's next reply; a notice pushed after
    the admin wrote keeps its meaning, so the admin's "1" is asked back, not acted on."""
    conv = await pending.load(svc.sessions, "zalo", "z900", "z900", svc.now())
    conv.push_list([["Một", "x:1"]], to="z900", title="Chọn")
    await conv.save()
    await pending.push_choices(svc.sessions, "zalo", "z900", [["Duyệt", "reg:a:7"]],
                               title="Yêu cầu số 7", now=svc.now())
    [r] = await dispatch(Request(channel="zalo", user_id="z900", chat_id="z900", text="1",
                                 is_admin=True), svc)
    assert "chưa rõ" in r.text and "chưa có gì được thực hiện" in r.text
