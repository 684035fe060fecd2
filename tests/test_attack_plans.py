"""Attacks on the several-plans surfaces: the chat's default plan (/kehoach chon), odd plan
names echoed back, the numbered "which plan?" answer in a shared chat, a chat's numbered lists
written by two messages at once, and reminders for subscriptions a plan no longer backs."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import pytest

from bot.core import Request
from bot.db import pending, repo
from bot.reminders import run_pass
from tests.test_import_plans import plans_dir  # noqa: F401 (fixture of `two`)
from tests.test_plans_desk_export import two  # noqa: F401 (fixture)
from tests.test_plans_reminders import REMIND_134, TZ, subscribe
from tests.test_plans_reminders import plans_dir as reminder_plans  # noqa: F401 (fixture)
from tests.test_plans_status import group, one, saved
from tests.test_reminders import FakeSender
from tests.test_status import member, tg

BIDI = "\u202e\u2066\u200f\u061c"


@pytest.fixture
def psvc(svc, request):
    """`svc` (both engines) serving KH147, kh134, kh135 and kh88."""
    folder = request.getfixturevalue("reminder_plans")
    svc.settings = svc.settings.model_copy(update={"PLANS_DIR": str(folder)})
    return svc


# ---------------------------------------------------------------- /kehoach and its echo

SPOOF = "abc\nĐã đổi xong kế hoạch mặc định của nhóm này"


@pytest.mark.parametrize("line", [f"/kehoach chon {SPOOF}", f"/kehoach {SPOOF}",
                                  f"/kehoach chon x{BIDI}431 hk", "/kehoach chon " + "ự" * 500])
async def test_an_unknown_plan_is_echoed_on_its_own_line_short_and_without_direction_marks(
        psvc, line):
    """A name the bot does not know comes back inside «», but never as a line of its own
    (a forged "Đã chọn …" in a group), never reversing the text after it, never long."""
    r = await one(psvc, group("7", line, is_chat_admin=True))
    quoted = r.text.split("«", 1)[1].split("»", 1)[0]
    assert "\n" not in quoted
    assert not any(c in quoted for c in BIDI)
    assert len(quoted) <= 60
    assert r.text.splitlines()[0].startswith("Không có kế hoạch «")
    assert not any(x.startswith("Đã chọn") for x in r.text.splitlines())
    assert await repo.chat_plan(psvc.sessions, "telegram", "-100") == "kh147"


async def test_chon_takes_a_plans_name_not_a_sentence_that_mentions_one(psvc):
    """"/kehoach chon không phải kh134" changes nothing: the words after "chon" must name
    a plan, as "kh134", "134" or "kế hoạch 134" do."""
    for line in ("/kehoach chon không phải kh134", "/kehoach chon abc\nĐã chọn kh134 rồi"):
        r = await one(psvc, group("7", line, is_chat_admin=True))
        assert r.text.startswith("Không có kế hoạch «") and "chưa thay đổi gì" in r.text
        assert await repo.chat_plan(psvc.sessions, "telegram", "-100") == "kh147"
    for line in ("/kehoach chon kh134", "/kehoach chon 134", "/kehoach chon kế hoạch 134",
                 "/kehoach chon KH 134"):
        r = await one(psvc, group("7", line, is_chat_admin=True))
        assert r.text.startswith("Đã chọn Kế hoạch số 134/KH-UBND (kh134)"), line
    assert await repo.chat_plan(psvc.sessions, "telegram", "-100") == "kh134"


async def test_a_member_who_is_no_admin_cannot_change_a_groups_plan_in_any_spelling(psvc):
    for line in ("/kehoach chon kh134", "/kehoach chọn kh134", "/KEHOACH CHỌN 134",
                 "/kehoach chon kế hoạch 134"):
        r = await one(psvc, group("8", line))
        assert r.text.startswith("Trong nhóm, chỉ quản trị viên"), line
    assert await repo.chat_plan(psvc.sessions, "telegram", "-100") == "kh147"


# ---------------------------------------------------------------- the "which plan?" number

def zalo_group(user: str, text: str) -> Request:
    return Request(channel="zalo", user_id=user, chat_id="zg", user_name=f"Cán bộ {user}",
                   text=text, chat_type="group", chat_title="Tổ Zalo", addressed=True)


async def test_another_members_number_saves_nothing_and_the_askers_choice_still_counts(psvc):
    """A asks "which plan?" in a Zalo group; B's "2" must not save A's update (nor B's), and
    A's own "2" afterwards still saves under kh134, the plan A picked."""
    await member(psvc, "za", "sct", channel="zalo")
    await member(psvc, "zb", "sxd", channel="zalo")
    q = await one(psvc, zalo_group("za", "/capnhat 2.3 xong"))
    assert "kế hoạch nào" in q.text
    r = await one(psvc, zalo_group("zb", "2"))
    assert not r.text.startswith("Đã lưu")
    assert await saved(psvc) == []
    r = await one(psvc, zalo_group("za", "2"))
    assert r.text.startswith("Đã lưu vào Kế hoạch số 134/KH-UBND (kh134): 2.3")
    assert await saved(psvc) == [("kh134", "2.3", "sct", "xong", False)]


async def test_a_stale_plan_button_saves_nothing_after_a_new_question(psvc):
    await member(psvc, "1", "sct")
    old = await one(psvc, tg("1", "/capnhat 2.3 xong"))
    new = await one(psvc, tg("1", "/capnhat 2.3 đang thực hiện"))
    r = await one(psvc, tg("1", callback=old.choices[1].data))
    assert not r.text.startswith("Đã lưu") and await saved(psvc) == []
    r = await one(psvc, tg("1", callback=new.choices[1].data))
    assert await saved(psvc) == [("kh134", "2.3", "sct", "dang", False)]


async def test_capnhat_naming_a_plan_the_unit_has_no_task_in_saves_nothing(psvc):
    await member(psvc, "2", "syt")
    for line in ("/capnhat kh134 V.8 xong", "/capnhat kế hoạch 134 2.3 xong",
                 "/capnhat kh88 1 xong"):
        r = await one(psvc, tg("2", line))
        assert "\n" not in r.text and "chưa lưu gì" in r.text, (line, r.text)
    assert await saved(psvc) == []


# ---------------------------------------------------------------- a chat's numbered lists

async def test_two_messages_of_one_chat_at_once_keep_both_lists_with_their_own_numbers(svc):
    """Two messages of one chat loaded before either saves (two processes): both lists stay,
    numbered apart; a third writer that drops one of them leaves the other."""
    now = datetime(2026, 11, 20, 3, 0, tzinfo=TZ)
    a = await pending.load(svc.sessions, "zalo", "g", "ua", now)
    b = await pending.load(svc.sessions, "zalo", "g", "ub", now)
    a.push_list([["Lựa chọn A", "x:a"]], to="ua", title="A")
    b.push_list([["Lựa chọn B", "x:b"]], to="ub", title="B")
    await asyncio.gather(a.save(), b.save())
    seen = await pending.load(svc.sessions, "zalo", "g", "uc", now)
    assert sorted(e["title"] for e in seen.lists) == ["A", "B"]
    assert len({e["seq"] for e in seen.lists}) == 2
    seq_a = next(e["seq"] for e in seen.lists if e["title"] == "A")
    c = await pending.load(svc.sessions, "zalo", "g", "ua", now)
    d = await pending.load(svc.sessions, "zalo", "g", "ud", now)
    c.drop_lists({seq_a})
    d.push_list([["Lựa chọn D", "x:d"]], to="ud", title="D")
    await d.save()
    await c.save()  # its swap fails (D came meanwhile): the locked fallback keeps D
    after = await pending.load(svc.sessions, "zalo", "g", "ue", now)
    assert sorted(e["title"] for e in after.lists) == ["B", "D"]
    assert len({e["seq"] for e in after.lists}) == 2


async def test_one_users_subject_or_flow_is_not_read_by_another_user_of_the_group(svc):
    now = datetime(2026, 11, 20, 3, 0, tzinfo=TZ)
    a = await pending.load(svc.sessions, "zalo", "g", "ua", now)
    a.start_flow("draft", {"item": "2.3"})
    await a.save()
    b = await pending.load(svc.sessions, "zalo", "g", "ub", now + timedelta(minutes=1))
    assert b.flow(timedelta(hours=1)) is None and b.subject() is None


# ---------------------------------------------------------------- reminders per plan

async def test_subscriptions_no_plan_backs_do_not_stop_the_pass(psvc, caplog):
    """A chat subscribed to a plan whose file was taken out, and to a unit kh134 does not
    name: the pass goes on and the kh134 chat is reminded as usual."""
    await subscribe(psvc, "-gone", ("gone", "*"), ("kh134", "no_such_unit"),
                    ("kh147", "no_such_unit"))
    await subscribe(psvc, "-134", ("kh134", "*"))
    sender = FakeSender()
    with caplog.at_level(logging.INFO):
        summary = await run_pass(psvc, {"telegram": sender}, REMIND_134)
    assert summary.failed == 0
    assert [m.splitlines()[0] for m in sender.to("-134")] == [
        "Nhắc hạn — Kế hoạch số 134/KH-UBND: Báo cáo tháng kết quả thực hiện"]


async def test_a_plan_that_fails_in_a_pass_is_logged_and_the_other_plans_still_go(
        psvc, caplog, monkeypatch):
    """One plan's reminders failing (here: its status read breaks) must not stop the other
    plans' reminders: the pass logs a line naming the plan and goes on."""
    from bot import reminders

    real = reminders.report_state

    async def broken(svc, dl, occ, at, plan_id="kh147"):
        if plan_id == "kh135":
            raise RuntimeError("a row this plan cannot read")
        return await real(svc, dl, occ, at, plan_id)

    monkeypatch.setattr(reminders, "report_state", broken)
    await subscribe(psvc, "-135", ("kh135", "*"))
    await subscribe(psvc, "-134", ("kh134", "*"))
    sender = FakeSender()
    with caplog.at_level(logging.INFO):
        summary = await run_pass(psvc, {"telegram": sender}, REMIND_134)
    assert len(sender.to("-134")) == 1 and sender.to("-135") == []
    assert summary.sent == 1
    assert any("kh135" in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)


# ---------------------------------------------------------------- the desk's ?plan= and ?ky=

BAD_KY = ["2026\r\nSet-Cookie: x=1", '2026"; filename="x.exe', "../../etc/passwd",
          "VI.1-month@2026-11-20/../x", "VI.1-month@9999-12-20", "VI.1-month@2026-11-20\x00",
          "<script>alert(1)</script>", "9" * 5000, "VI.1-month@" + "2" * 3000,
          "năm 2026" * 300, "VI.1-month@2026-02-30"]


@pytest.mark.parametrize("ky", BAD_KY)
async def test_a_forged_period_is_refused_quickly_and_echoes_nothing(two, ky):  # noqa: F811
    from urllib.parse import quote

    from tests.test_desk import signed_in

    async with signed_in(two) as cl:
        for path in ("/desk/matran", "/desk/tai/csv", "/desk/tai/xlsx"):
            for plan in ("", "kh134"):
                started = asyncio.get_running_loop().time()
                r = await cl.get(f"{path}?ky={quote(ky)}&plan={plan}")
                body = await r.text()
                assert r.status in (400, 404, 414), (path, plan, r.status)
                assert asyncio.get_running_loop().time() - started < 2
                assert "Content-Disposition" not in r.headers
                assert "script>" not in body and "Set-Cookie" not in body
                assert "Traceback" not in body and "passwd" not in body


async def test_a_download_names_its_file_with_safe_characters_only(two):  # noqa: F811
    import re

    from tests.test_desk import signed_in

    async with signed_in(two) as cl:
        for path in ("/desk/tai/csv?plan=kh134&ky=VI.1-month%402026-11-20",
                     "/desk/tai/xlsx?plan=kh134", "/desk/tai/docx?plan=kh134",
                     "/desk/tai/csv?ky=2026-6T"):
            r = await cl.get(path)
            assert r.status == 200, path
            name = re.fullmatch(r'attachment; filename="([^"]+)"',
                                r.headers["Content-Disposition"]).group(1)
            assert re.fullmatch(r"[A-Za-z0-9._-]+", name), name
