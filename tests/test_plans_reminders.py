"""Reminders of an imported plan beside KH147: its own deadlines and reporting regime, to the
chats subscribed to it, naming the plan and the units still missing in its own rows; each
(plan, deadline occurrence, chat, offset) once, across a restart and two processes.

kh134 (tests/data, Lào Cai) reports monthly, before the 20th, to Sở Công Thương, in 2026:
the report of 20/11/2026 (a Friday) is reminded 3 days before, on Tuesday 17/11 at 08:00, a
week in which KH147 (15/6 and 15/12) reminds of nothing. kh88 (Thái Nguyên) also has a yearly
report before 10/12 that only Sở Nông nghiệp và Môi trường owes, and sends its monthly one to
"UBND tỉnh (qua Sở Nông nghiệp và Môi trường)"."""
from __future__ import annotations

import asyncio
import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.core import Request
from bot.db import models, repo
from bot.export import agency_tasks
from bot.importer import import_plan
from bot.knowledge import load_knowledge, load_plans
from bot.periods import current_regime_period, period_for, regime_period
from bot.reminders import run_pass
from handlers import dispatch
from tests.test_reminders import FakeSender, twin

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.clock

REMIND_134 = datetime(2026, 11, 17, 9, 0, tzinfo=TZ)  # 3 days before kh134's 20/11 report
HEAD_134 = "Nhắc hạn — Kế hoạch số 134/KH-UBND: Báo cáo tháng kết quả thực hiện"


@pytest.fixture(scope="module")
def plans_dir(tmp_path_factory) -> Path:
    """kh134 and kh88 as the importer writes them, and kh135: kh134 under another number,
    so two plans hold the same deadline id (VI.1-month)."""
    folder = tmp_path_factory.mktemp("plans")
    kh134 = import_plan(DATA / "plan_laocai_kh134_2026.txt").plan
    kh88 = import_plan(DATA / "plan_thai_nguyen_kh88_2026.txt").plan
    kh135 = json.loads(json.dumps(kh134))
    kh135["document"]["number"] = "135/KH-UBND"
    for pid, plan in (("kh134", kh134), ("kh135", kh135), ("kh88", kh88)):
        (folder / f"{pid}.json").write_text(json.dumps(plan, ensure_ascii=False), "utf-8")
    return folder


@pytest.fixture
async def psvc(svc, plans_dir):
    """The `svc` of tests/conftest.py (each engine, a clean database) serving KH147, kh134,
    kh135 and kh88; `await psvc.restart()` builds another on the same database (another
    process, or the bot after a restart)."""
    svc.settings.PLANS_DIR = str(plans_dir)
    made = []

    async def restart():
        made.append(await twin(svc))
        return made[-1]

    svc.restart = restart
    yield svc
    for other in made:
        await other.close()


async def subscribe(svc, ext: str, *plans: tuple[str, str]) -> int:
    """A group subscribed to (plan, agency) pairs well before the instants tested."""
    async with svc.sessions() as s, s.begin():
        chat = models.Chat(channel="telegram", external_id=ext, kind="group",
                           title=f"nhóm {ext}")
        s.add(chat)
        await s.flush()
        s.add_all(models.Subscription(chat_id=chat.id, agency_id=agency, plan_id=pid,
                                      created_at=datetime(2026, 11, 1, tzinfo=TZ))
                  for pid, agency in plans)
    return chat.id


async def member(svc, ext: str, agency: str) -> None:
    async with svc.sessions() as s, s.begin():
        user = models.User(channel="telegram", external_id=ext)
        s.add(user)
        await s.flush()
        s.add(models.Membership(user_id=user.id, agency_id=agency, state="approved",
                                decided_at=datetime(2026, 11, 1, tzinfo=TZ)))
        s.add(models.Chat(channel="telegram", external_id=ext, kind="private"))


async def report(svc, plan_id: str, agency: str, when: datetime) -> None:
    """An update on every task the agency leads in that plan."""
    kb = load_plans(svc.settings.PLANS_DIR).get(plan_id) if plan_id != "kh147" else svc.kb
    async with svc.sessions() as s, s.begin():
        user = models.User(channel="telegram",
                           external_id=f"rep-{plan_id}-{agency}-{when.timestamp()}")
        s.add(user)
        await s.flush()
        s.add_all(models.StatusUpdate(item_id=t.id, agency_id=agency, status="dang",
                                      user_id=user.id, channel="telegram", created_at=when,
                                      plan_id=plan_id)
                  for t in agency_tasks(kb, agency))


async def deliveries(svc) -> list[tuple]:
    async with svc.sessions() as s:
        rows = (await s.execute(select(models.ReminderDelivery))).scalars()
        return sorted((r.plan_id, r.deadline_id, r.occurrence, r.offset_days, r.state)
                      for r in rows)


def group(text_: str, **kw) -> Request:
    return Request(channel="telegram", user_id="5", chat_id="-1001", text=text_,
                   chat_type="group", chat_title="Tổ công tác", is_chat_admin=True, **kw)


# ---- the engine ------------------------------------------------------------------------------


async def test_a_kh134_chat_is_reminded_of_its_deadline_naming_the_plan_and_who_is_missing(
        psvc):
    await subscribe(psvc, "-134", ("kh134", "*"))
    await subscribe(psvc, "-147", ("kh147", "*"))
    await report(psvc, "kh134", "stc", datetime(2026, 11, 2, 10, tzinfo=TZ))  # in the period
    await report(psvc, "kh134", "sxd", datetime(2026, 10, 15, 10, tzinfo=TZ))  # the one before
    await report(psvc, "kh147", "sct", datetime(2026, 11, 2, 10, tzinfo=TZ))  # KH147's row
    sender = FakeSender()
    summary = await run_pass(psvc, {"telegram": sender}, REMIND_134)
    assert (summary.sent, summary.failed) == (1, 0)
    [msg] = sender.to("-134")
    lines = msg.splitlines()
    assert lines[0] == HEAD_134
    assert lines[1] == "Hạn: Thứ Sáu, 20/11/2026 (còn 3 ngày)."
    assert "Theo Mục VI.1 của Kế hoạch số 134/KH-UBND." in lines
    assert "Gửi báo cáo về: Sở Công Thương." in lines
    assert "Đã báo cáo kỳ tháng 11/2026: 1/11 cơ quan." in lines
    missing = next(x for x in lines if x.startswith("Chưa báo cáo (10): "))
    # a KH147 row does not count for kh134; a report of the month before does not either
    assert "Sở Công Thương" in missing and "Sở Xây dựng" in missing
    assert "Sở Tài chính" not in missing
    assert lines[-1].startswith("Báo cáo bằng lệnh: /capnhat kế hoạch 134 MỤC TRẠNG THÁI")
    assert sender.to("-147") == []  # a KH147-only chat gets none of kh134's
    assert await deliveries(psvc) == [("kh134", "VI.1-month", date(2026, 11, 20), 3, "sent")]
    again = await run_pass(psvc, {"telegram": sender}, REMIND_134)
    assert (again.sent, again.skipped_already_sent) == (0, 1)


async def test_a_kh147_deadline_does_not_reach_a_kh134_chat(psvc):
    await subscribe(psvc, "-134", ("kh134", "*"))
    await subscribe(psvc, "-147", ("kh147", "*"))
    sender = FakeSender()
    await run_pass(psvc, {"telegram": sender}, datetime(2026, 12, 8, 8, 0, tzinfo=TZ))
    assert [t.splitlines()[0] for t in sender.to("-147")] == [
        "Nhắc hạn: Báo cáo năm kết quả thực hiện"]  # KH147's own words, unchanged
    assert sender.to("-134") == []


async def test_the_same_deadline_id_in_two_plans_is_two_reminders_each_once(psvc):
    await subscribe(psvc, "-2", ("kh134", "*"), ("kh135", "*"))
    first, second = FakeSender(), FakeSender()
    other = await psvc.restart()  # a second process on the same database, passing at once
    a, b = await asyncio.gather(run_pass(psvc, {"telegram": first}, REMIND_134),
                                run_pass(other, {"telegram": second}, REMIND_134))
    texts = first.to("-2") + second.to("-2")
    assert sorted(t.splitlines()[0] for t in texts) == [
        HEAD_134, HEAD_134.replace("134/KH", "135/KH")]
    assert a.sent + b.sent == 2 and a.failed + b.failed == 0
    assert await deliveries(psvc) == [
        ("kh134", "VI.1-month", date(2026, 11, 20), 3, "sent"),
        ("kh135", "VI.1-month", date(2026, 11, 20), 3, "sent")]
    restarted = FakeSender()  # the bot restarted later that morning
    later = REMIND_134.replace(hour=11)
    summary = await run_pass(await psvc.restart(), {"telegram": restarted}, later)
    assert (summary.sent, summary.skipped_already_sent, restarted.sent) == (0, 2, [])


async def test_an_agency_subscription_follows_that_unit_in_that_plan(psvc):
    [r] = await dispatch(group("/nhacnho Sở Công Thương kế hoạch 134"), psvc)
    assert r.text == ("Đã bật nhắc hạn cho nhóm này: Kế hoạch số 134/KH-UBND: các hạn của Sở "
                      "Công Thương. Tắt bằng lệnh /nhacnho tat.")
    sender = FakeSender()
    await run_pass(psvc, {"telegram": sender}, REMIND_134)
    [msg] = sender.to("-1001")
    assert ("Sở Công Thương, kỳ tháng 11/2026: đã báo cáo 0/4 nhiệm vụ; còn thiếu 2.3, V.1.1, "
            "V.1.2, V.1.3.") in msg
    assert "/capnhat kế hoạch 134 2 đang thực hiện" in msg  # a section it leads there


async def test_members_follow_another_plan_only_for_a_unit_it_names(psvc):
    await member(psvc, "701", "sct")  # leads kh134's V.1
    await member(psvc, "702", "syt")  # Sở Y tế: not in kh134
    sender = FakeSender()
    await run_pass(psvc, {"telegram": sender}, REMIND_134)
    [msg] = [m for m in sender.to("701") if m.startswith(HEAD_134)]  # kh135 sends its own
    assert "Sở Công Thương, kỳ tháng 11/2026: đã báo cáo 0/4 nhiệm vụ" in msg
    assert sender.to("702") == []


async def test_a_yearly_report_only_one_unit_owes_names_that_unit(psvc):
    """kh88: Sở Nông nghiệp và Môi trường reports before 10/12 each year; its period opens the
    day after the last one's due day, 11/12/2025, so a report of 1/12/2025 does not count."""
    await subscribe(psvc, "-88", ("kh88", "*"))
    await report(psvc, "kh88", "snnmt", datetime(2025, 12, 1, 10, tzinfo=TZ))
    await report(psvc, "kh88", "sxd", datetime(2026, 1, 5, 10, tzinfo=TZ))
    sender = FakeSender()
    await run_pass(psvc, {"telegram": sender}, datetime(2026, 12, 3, 8, 5, tzinfo=TZ))
    [msg] = sender.to("-88")
    assert msg.startswith("Nhắc hạn — Kế hoạch số 88/KH-UBND: Báo cáo năm kết quả thực hiện")
    assert "Sở Nông nghiệp và Môi trường, kỳ năm 2026: đã báo cáo 0/" in msg
    assert "Sở Xây dựng" not in msg  # it owes the monthly report, not this one
    await report(psvc, "kh88", "snnmt", datetime(2026, 12, 3, 9, tzinfo=TZ))
    sender = FakeSender()
    await run_pass(psvc, {"telegram": sender}, datetime(2026, 12, 7, 8, 5, tzinfo=TZ))
    [msg] = sender.to("-88")  # 3 days before: reported now
    assert "Sở Nông nghiệp và Môi trường, kỳ năm 2026: đã báo cáo 3/3 nhiệm vụ." in msg


async def test_a_report_sent_through_a_department_names_both(psvc):
    await subscribe(psvc, "-88", ("kh88", "*"))
    sender = FakeSender()
    await run_pass(psvc, {"telegram": sender}, datetime(2026, 12, 4, 8, 5, tzinfo=TZ))
    [msg] = sender.to("-88")  # 14 days before Sunday 20/12: Friday 4/12
    assert msg.startswith("Nhắc hạn — Kế hoạch số 88/KH-UBND: Báo cáo tháng kết quả thực hiện")
    assert "Gửi báo cáo về: UBND tỉnh (qua Sở Nông nghiệp và Môi trường)." in msg.splitlines()


async def test_no_reminder_of_a_report_due_before_the_plan_was_issued(psvc):
    """kh134 was issued on 26/3/2026 and reports "trước ngày 20 hằng tháng" in 2026: its
    first report is April's; January's, February's and March's dates are not its own."""
    await subscribe(psvc, "-134", ("kh134", "*"))
    for before in (datetime(2026, 1, 19, 8, 5, tzinfo=TZ),
                   datetime(2026, 3, 17, 8, 5, tzinfo=TZ), datetime(2026, 3, 20, 8, 5, tzinfo=TZ)):
        sender = FakeSender()
        await run_pass(psvc, {"telegram": sender}, before)
        assert sender.to("-134") == [], before
    sender = FakeSender()  # 3 days and 1 day before Monday 20/4/2026: both Friday 17/4
    await run_pass(psvc, {"telegram": sender}, datetime(2026, 4, 17, 8, 5, tzinfo=TZ))
    [msg] = sender.to("-134")
    assert msg.startswith(HEAD_134) and "Hạn: Thứ Hai, 20/04/2026 (còn 3 ngày)." in msg
    assert await deliveries(psvc) == [("kh134", "VI.1-month", date(2026, 4, 20), 1, "sent")]


async def test_kh147_is_reminded_of_its_first_dates_after_its_issue(psvc):
    """KH147 (8/2021): the IV.1 plan due 30/9/2021 and the annual report of 15/12/2021."""
    await subscribe(psvc, "-147", ("kh147", "*"))
    for moment, due in ((datetime(2021, 9, 23, 8, 5, tzinfo=TZ), "30/09/2021"),
                        (datetime(2021, 12, 8, 8, 5, tzinfo=TZ), "15/12/2021")):
        sender = FakeSender()
        await run_pass(psvc, {"telegram": sender}, moment)
        [msg] = sender.to("-147")
        assert f"{due} (còn 7 ngày)" in msg and "134" not in msg


def test_a_plans_issue_date(plans_dir):
    from bot.periods import issued_on

    plans = load_plans(str(plans_dir))
    assert issued_on(plans.get("kh134")) == date(2026, 3, 26)
    assert issued_on(load_knowledge()) == date(2021, 8, 1)  # "tháng 8 năm 2021": no day


# ---- periods of a reporting regime -----------------------------------------------------------


def test_a_monthly_report_closes_the_month_since_the_last_due_day(plans_dir):
    dl = load_plans(str(plans_dir)).get("kh134").deadline("VI.1-month")
    p = period_for(dl.id, date(2026, 3, 20), TZ, dl)
    assert (p.start, p.end.date(), p.label) == (datetime(2026, 2, 21, tzinfo=TZ),
                                                date(2026, 3, 20), "tháng 3/2026")
    assert p.contains(datetime(2026, 3, 20, 23, 59, tzinfo=TZ))
    assert not p.contains(datetime(2026, 2, 20, 23, 59, tzinfo=TZ))


def test_a_quarterly_report_and_a_short_month(plans_dir):
    from dataclasses import replace

    dl = load_plans(str(plans_dir)).get("kh134").deadline("VI.1-month")
    quarterly = replace(dl, frequency="quarterly", day=31)
    p = regime_period(quarterly, date(2026, 6, 30), TZ)
    assert (p.start.date(), p.label) == (date(2026, 4, 1), "quý II/2026")  # after 31/3
    monthly = replace(dl, day=31)
    assert regime_period(monthly, date(2026, 3, 31), TZ).start.date() == date(2026, 3, 1)


def test_the_current_period_of_a_plans_regime(plans_dir):
    plans = load_plans(str(plans_dir))
    now = current_regime_period(plans.get("kh134"), date(2026, 11, 21), TZ)
    assert (now.label, now.start.date(), now.due.date()) == (
        "tháng 12/2026", date(2026, 11, 21), date(2026, 12, 20))
    assert current_regime_period(plans.get("kh134"), date(2026, 11, 20), TZ).label == \
        "tháng 11/2026"  # its due day still belongs to it
    assert current_regime_period(plans.get("kh134"), date(2027, 3, 1), TZ).label == \
        "tháng 12/2026"  # after the plan's last report: that one
    assert current_regime_period(plans.get("kh88"), date(2026, 12, 1), TZ).label == \
        "năm 2026"  # its yearly report (10/12) is due before the monthly one (20/12)


def test_kh147_periods_are_unchanged_when_the_deadline_is_passed():
    kb = load_knowledge()
    for did, label in (("IV.3-6m", "6 tháng năm 2026"), ("IV.3-year", "năm 2026")):
        dl = kb.deadline(did)
        occ = date(2026, dl.month, dl.day)
        assert period_for(did, occ, TZ, dl) == period_for(did, occ, TZ)
        assert period_for(did, occ, TZ, dl).label == label
        assert period_for(did, occ, TZ).start == datetime(2025, 12, 16, tzinfo=TZ)


# ---- the commands ----------------------------------------------------------------------------


def at(svc, moment: datetime) -> None:
    svc.clock = lambda: moment


async def test_hanchot_of_a_plan_named_or_the_chats_default(psvc):
    at(psvc, REMIND_134)
    [r] = await dispatch(group("/hanchot kế hoạch 134"), psvc)
    lines = r.text.splitlines()
    assert lines[0] == ("Các hạn sắp tới của Kế hoạch số 134/KH-UBND (hôm nay Thứ Ba, "
                        "17/11/2026):")
    assert lines[1] == "1. Thứ Sáu, 20/11/2026 — còn 3 ngày"
    assert lines[-1] == "Đăng ký nhận nhắc hạn: /nhacnho kế hoạch 134"
    [r] = await dispatch(group("/hanchot"), psvc)
    assert "1. Thứ Ba, 15/12/2026 — còn 28 ngày" in r.text and "134" not in r.text
    await repo.set_chat_plan(psvc.sessions, "telegram", "-1001", "kh134", "group")
    [r] = await dispatch(group("/hanchot"), psvc)
    assert r.text.startswith("Các hạn sắp tới của Kế hoạch số 134/KH-UBND")
    [r] = await dispatch(group("/hanchot kh147"), psvc)
    assert r.text.startswith("Các hạn sắp tới (hôm nay")


@pytest.mark.parametrize("line", ["/hanchot kế hoạch 999", "/hanchot ngày mai"])
async def test_hanchot_with_a_plan_it_does_not_serve_is_one_line(psvc, line):
    [r] = await dispatch(group(line), psvc)
    assert "\n" not in r.text and "/kehoach" in r.text


async def test_nhacnho_per_plan_lists_and_turns_off_one_plan(psvc):
    [r] = await dispatch(group("/nhacnho"), psvc)
    assert r.text == ("Đã bật nhắc hạn cho nhóm này: mọi hạn của Kế hoạch. Tắt bằng lệnh "
                      "/nhacnho tat.")  # KH147 alone: as it always read
    [r] = await dispatch(group("/nhacnho SCT KH134"), psvc)
    assert r.text == ("Đã bật nhắc hạn cho nhóm này: KH147: mọi hạn; Kế hoạch số 134/KH-UBND: "
                      "các hạn của Sở Công Thương. Tắt bằng lệnh /nhacnho tat.")
    [r] = await dispatch(group("/nhacnho kế hoạch 88"), psvc)
    assert r.text.endswith("; Kế hoạch số 88/KH-UBND: mọi hạn. Tắt bằng lệnh /nhacnho tat.")
    [r] = await dispatch(group("/nhacnho tat kế hoạch 134"), psvc)
    assert r.text == ("Đã tắt nhắc hạn Kế hoạch số 134/KH-UBND cho nhóm này. Bật lại bằng lệnh "
                      "/nhacnho kế hoạch 134.")
    assert await subs(psvc) == [("kh147", "*"), ("kh88", "*")]
    [r] = await dispatch(group("/nhacnho tat"), psvc)
    assert r.text.startswith("Đã tắt nhắc hạn cho nhóm này.") and await subs(psvc) == []


async def test_nhacnho_without_a_plan_follows_the_chats_default(psvc):
    await repo.set_chat_plan(psvc.sessions, "telegram", "-1001", "kh134", "group")
    [r] = await dispatch(group("/nhacnho Sở Tài chính"), psvc)
    assert "Kế hoạch số 134/KH-UBND: các hạn của Sở Tài chính" in r.text
    assert await subs(psvc) == [("kh134", "stc")]


@pytest.mark.parametrize("line,says", [
    ("/nhacnho kế hoạch 999", "Không có kế hoạch 999"),
    ("/nhacnho Sở Y tế kế hoạch 134", "Không tìm thấy cơ quan “Sở Y tế” trong Kế hoạch số "
                                      "134/KH-UBND"),
])
async def test_nhacnho_a_bad_plan_or_a_unit_the_plan_lacks_changes_nothing(psvc, line, says):
    [r] = await dispatch(group(line), psvc)
    assert r.text.startswith(says) and "\n" not in r.text
    assert await subs(psvc) == []


async def subs(svc) -> list[tuple[str, str]]:
    async with svc.sessions() as s:
        sub = models.Subscription
        rows = await s.execute(select(sub.plan_id, sub.agency_id).order_by(sub.id))
        return [tuple(r) for r in rows]
