"""Which plan a chat talks about (/kehoach chon, stored per chat) and status updates on any
plan: /capnhat, /sua, /rut and /trangthai on an imported plan beside KH147."""
from __future__ import annotations

from bot.db import repo


async def test_a_chat_plan_is_kh147_until_chosen_and_cleared_by_kh147(svc):
    assert await repo.chat_plan(svc.sessions, "telegram", "-100") == "kh147"
    assert await repo.chat_plan(svc.sessions, "telegram", "-100", default=None) is None
    await repo.set_chat_plan(svc.sessions, "telegram", "-100", "kh134", kind="group")
    assert await repo.chat_plan(svc.sessions, "telegram", "-100") == "kh134"
    assert await repo.chat_plan(svc.sessions, "zalo", "-100") == "kh147"  # another channel
    await repo.set_chat_plan(svc.sessions, "telegram", "-100", "kh147")
    assert await repo.chat_plan(svc.sessions, "telegram", "-100", default=None) is None
