"""Follow-ups through the chat: the last subject is kept per chat and user in the database
(both engines), survives a restart, never replaces a guided flow; and in `python -m bot chat`."""
from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import text as sql

from bot.core import Request
from bot.db import pending
from bot.services import build_services
from handlers import dispatch


def zalo(text: str, user: str = "u1", chat: str | None = None) -> Request:
    return Request(channel="zalo", user_id=user, chat_id=chat or user, text=text)


async def say(svc, text: str, **kw) -> str:
    [r] = await dispatch(zalo(text, **kw), svc)
    return r.text


async def test_another_agency_keeps_the_deadline_question(svc):
    await say(svc, "hạn báo cáo của Sở Y tế")
    text = await say(svc, "còn Sở Công Thương thì sao?")
    assert "Sở Công Thương" in text and "15/12" in text and "Nhiệm vụ của" not in text


async def test_they_are_the_agency_asked_about_last(svc):
    await say(svc, "Sở Y tế phải làm gì")
    text = await say(svc, "hạn chót của họ")
    assert text.startswith("Các hạn sắp tới của Sở Y tế")


async def test_each_user_has_their_own_subject(svc):
    await say(svc, "Sở Y tế phải làm gì", user="a")
    await say(svc, "Sở Xây dựng phải làm gì", user="b")
    assert "Sở Y tế" in await say(svc, "hạn chót của họ", user="a")


async def test_the_subject_survives_a_restart(svc):
    await say(svc, "mục 2.2 nói gì")
    schema = None
    if svc.engine.dialect.name == "postgresql":  # the test's own schema on the shared server
        async with svc.engine.connect() as conn:
            schema = (await conn.execute(sql("SHOW search_path"))).scalar()
    fresh = build_services(svc.settings, schema=schema)
    fresh.clock = svc.clock
    try:
        text = await say(fresh, "ai chủ trì mục đó?")
    finally:
        await fresh.close()
    assert "Sở Xây dựng" in text and "2.2" in text


async def test_a_follow_up_through_hoi_works_too(svc):
    await say(svc, "/hoi hạn báo cáo của Sở Y tế")
    assert "Sở Công Thương" in await say(svc, "/hoi còn Sở Công Thương thì sao?")


async def test_the_subject_never_replaces_a_guided_flow(svc):
    # a question's conversation is read; meanwhile another process starts the user's flow
    conv = await pending.load(svc.sessions, "zalo", "u9", "u9", svc.now())
    await pending.put(svc.sessions, "zalo", "u9", "u9", "flow_x", {"step": 1}, now=svc.now())
    conv.keep_subject({"question": "q", "intent": "agency"})
    await conv.save()
    assert await pending.get(svc.sessions, "zalo", "u9", "u9") == ("flow_x", {"step": 1})
    again = await pending.load(svc.sessions, "zalo", "u9", "u9", svc.now())
    assert again.subject() is None and again.flow(pending.SUBJECT_TTL) == ("flow_x", {"step": 1})


def test_two_turns_in_the_terminal_chat(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TELEGRAM_", "ZALO_", "ADMIN_", "DATABASE_URL"))}
    p = subprocess.run([sys.executable, "-m", "bot", "chat"], cwd=tmp_path, env=env,
                       input="Sở Y tế phải làm gì\nhạn chót của họ\n", capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "Nhiệm vụ của Sở Y tế" in p.stdout and "Các hạn sắp tới của Sở Y tế" in p.stdout
