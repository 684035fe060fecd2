"""The reminder engine, with the clock set by `at`: once, on time, to the right chats."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text, update

from bot import remind_cli, reminders
from bot.core import Reply
from bot.db.models import (
    Broadcast,
    Chat,
    Membership,
    ReminderDelivery,
    StatusUpdate,
    Subscription,
    User,
)
from bot.reminders import run_pass
from bot.senders import SendResult
from bot.services import build_services

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.clock


def local(m: int, d: int, h: int = 8, mi: int = 0, y: int = 2026) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=TZ)


class FakeSender:
    """Records what it delivers; can fail, report a block, or hang after some sends."""

    name = "telegram"

    def __init__(self, *, raise_after: int | None = None, hang_after: int | None = None,
                 answer: SendResult | None = None) -> None:
        self.sent: list[tuple[str, str]] = []
        self.raise_after = raise_after
        self.hang_after = hang_after
        self.answer = answer
        self.calls = 0

    async def send(self, chat_id: str, reply: Reply) -> SendResult:
        self.calls += 1
        await asyncio.sleep(0.001)  # let concurrent passes interleave
        if self.hang_after is not None and len(self.sent) >= self.hang_after:
            await asyncio.Event().wait()
        if self.raise_after is not None and len(self.sent) >= self.raise_after:
            raise ConnectionError("network down")
        if self.answer is not None:
            return self.answer
        self.sent.append((chat_id, reply.text))
        return SendResult(ok=True)

    def to(self, chat_id: str) -> list[str]:
        return [t for c, t in self.sent if c == chat_id]


async def add_chat(svc, ext: str, agency: str | None = "*", kind: str = "group",
                   channel: str = "telegram") -> int:
    async with svc.sessions() as s, s.begin():
        chat = Chat(channel=channel, external_id=ext, kind=kind, title=f"chat {ext}")
        s.add(chat)
        await s.flush()
        if agency:  # subscribed well before the instants the tests send at
            s.add(Subscription(chat_id=chat.id, agency_id=agency, created_at=local(11, 1)))
    return chat.id


async def add_member(svc, ext: str, agency: str, *, private_reminders: bool = True) -> int:
    async with svc.sessions() as s, s.begin():
        user = User(channel="telegram", external_id=ext, private_reminders=private_reminders)
        s.add(user)
        await s.flush()
        s.add(Membership(user_id=user.id, agency_id=agency, state="approved",
                         decided_at=local(11, 1)))
        s.add(Chat(channel="telegram", external_id=ext, kind="private"))
    return user.id


async def report(svc, agency: str, when: datetime, item: str | None = None) -> None:
    """An update for `item`, or for every task of the agency: only that makes a unit count
    as having reported (bot.progress counts tasks, as /tonghop does)."""
    from bot.export import agency_tasks

    items = [item] if item else [t.id for t in agency_tasks(svc.kb, agency)]
    async with svc.sessions() as s, s.begin():
        user = User(channel="telegram", external_id=f"rep-{agency}-{when.timestamp()}")
        s.add(user)
        await s.flush()
        s.add_all(StatusUpdate(item_id=i, agency_id=agency, status="dang", user_id=user.id,
                               channel="telegram", created_at=when) for i in items)


async def deliveries(svc) -> list[ReminderDelivery]:
    async with svc.sessions() as s:
        return list((await s.execute(select(ReminderDelivery))).scalars())


async def twin(svc):
    """A second Services (own engine and pool) on the same database, like another process."""
    schema = None
    if svc.engine.dialect.name == "postgresql":
        async with svc.engine.connect() as conn:
            schema = (await conn.execute(text("select current_schema()"))).scalar()
    other = build_services(svc.settings, schema=schema)
    other.clock = svc.clock  # one clock for both: a claim's age reads the same in each
    return other


# ---- timing ----------------------------------------------------------------------------------

EXPECTED = [(14, local(12, 1)), (7, local(12, 8)), (3, local(12, 11)),  # Sat 12/12 -> Fri 11/12
            (1, local(12, 14)), (0, local(12, 15))]


async def test_every_offset_fires_once_at_its_local_time(svc):
    await add_chat(svc, "-100")
    sender = FakeSender()
    senders = {"telegram": sender}
    for offset, moment in EXPECTED:
        early = await run_pass(svc, senders, moment - timedelta(minutes=1))
        assert early.sent == 0, (offset, "sent before its time")
        on_time = await run_pass(svc, senders, moment)
        assert on_time.sent == 1, offset
        [p] = on_time.planned
        assert (p.deadline_id, p.offset_days) == ("IV.3-year", offset)
        again = await run_pass(svc, senders, moment + timedelta(hours=3))
        assert again.sent == 0 and again.skipped_already_sent == 1
    # the Saturday a naive 3-day reminder would use sends nothing new
    assert (await run_pass(svc, senders, local(12, 12))).sent == 0
    texts = sender.to("-100")
    assert len(texts) == 5
    first = texts[0]
    assert "Báo cáo năm" in first and "Thứ Ba, 15/12/2026" in first
    assert "còn 14 ngày" in first and "Mục IV.3" in first
    assert "còn 4 ngày" in texts[2]  # the Friday reminder counts real days
    assert "hôm nay" in texts[4]
    rows = await deliveries(svc)
    assert sorted(r.offset_days for r in rows) == [0, 1, 3, 7, 14]
    assert all(r.state == "sent" and r.attempts == 1 for r in rows)


async def test_same_pass_twice_sends_nothing_new(svc):
    for i in range(3):
        await add_chat(svc, f"-10{i}")
    sender = FakeSender()
    first = await run_pass(svc, {"telegram": sender}, local(12, 8, 8, 5))
    second = await run_pass(svc, {"telegram": sender}, local(12, 8, 8, 5))
    assert (first.due, first.sent) == (3, 3)
    assert (second.due, second.sent, second.skipped_already_sent) == (3, 0, 3)
    assert len(sender.sent) == 3


async def test_reminder_older_than_a_day_is_not_sent_late(svc):
    await add_chat(svc, "-100")
    sender = FakeSender()
    late = await run_pass(svc, {"telegram": sender}, local(12, 2, 8, 1))
    assert (late.due, late.sent) == (0, 0) and sender.sent == []
    # exactly 24 h after its moment (8:00 on 1/12) is the last moment it still goes out
    in_time = await run_pass(svc, {"telegram": sender}, local(12, 2, 8, 0))
    assert in_time.sent == 1 and "còn 13 ngày" in sender.sent[0][1]


async def test_iso_instant_without_offset_is_local():
    at = remind_cli.parse_at("2026-12-01T08:00", TZ)
    assert at == local(12, 1)


# ---- exactly once ----------------------------------------------------------------------------


async def test_two_concurrent_passes_send_each_reminder_once(svc):
    for i in range(25):
        await add_chat(svc, f"-2{i:02d}")
    other = await twin(svc)
    sender = FakeSender()
    try:
        a, b = await asyncio.gather(run_pass(svc, {"telegram": sender}, local(12, 14, 9)),
                                    run_pass(other, {"telegram": sender}, local(12, 14, 9)))
    finally:
        await other.close()
    counts = Counter(c for c, _ in sender.sent)
    assert len(counts) == 25 and set(counts.values()) == {1}
    assert a.sent + b.sent == 25
    assert a.skipped_already_sent + b.skipped_already_sent == 25
    assert {r.state for r in await deliveries(svc)} == {"sent"}


async def test_pass_that_fails_midway_resumes_without_repeats(svc):
    for i in range(10):
        await add_chat(svc, f"-3{i}")
    at = local(12, 8, 8, 30)
    broken = FakeSender(raise_after=4)
    first = await run_pass(svc, {"telegram": broken}, at)
    assert first.sent == 4 and first.failed == 6
    healthy = FakeSender()
    second = await run_pass(svc, {"telegram": healthy}, at + timedelta(minutes=1))
    assert second.sent == 6 and second.skipped_already_sent == 4
    got = Counter(c for c, _ in broken.sent + healthy.sent)
    assert len(got) == 10 and set(got.values()) == {1}
    rows = await deliveries(svc)
    assert {r.state for r in rows} == {"sent"}
    assert sorted(r.attempts for r in rows) == [1] * 4 + [2] * 6


async def test_killed_pass_resumes_and_stale_claims_wait(svc):
    for i in range(10):
        await add_chat(svc, f"-4{i}")
    at = local(12, 8, 8, 30)
    hanging = FakeSender(hang_after=3)
    task = asyncio.create_task(run_pass(svc, {"telegram": hanging}, at))
    for _ in range(500):
        await asyncio.sleep(0.01)
        # all ten claimed, and the three that went out recorded as sent (on a slower engine
        # the last record may still be on its way)
        if hanging.calls >= 10 and sum(r.state == "sent" for r in await deliveries(svc)) == 3:
            break
    task.cancel()  # the process dies with 7 sends in flight (claimed, outcome unknown)
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(hanging.sent) == 3
    rows = await deliveries(svc)
    assert Counter(r.state for r in rows) == {"sent": 3, "claimed": 7}
    rerun = FakeSender()
    soon = await run_pass(svc, {"telegram": rerun}, at + timedelta(minutes=1))
    assert soon.sent == 0 and rerun.sent == []  # in-flight claims are not taken over at once
    # ten minutes later (wall clock) the stuck claims are retried, once
    real = svc.clock
    svc.clock = lambda: real() + reminders.CLAIM_STALE + timedelta(seconds=1)
    later = await run_pass(svc, {"telegram": rerun}, at + timedelta(minutes=11))
    again = await run_pass(svc, {"telegram": rerun}, at + timedelta(minutes=12))
    assert later.sent == 7 and again.sent == 0
    assert len({c for c, _ in hanging.sent + rerun.sent}) == 10
    assert Counter(c for c, _ in rerun.sent).most_common(1)[0][1] == 1


async def test_transient_failure_is_retried_on_next_pass(svc):
    await add_chat(svc, "-500")
    down = FakeSender(answer=SendResult(ok=False, error="502 Bad Gateway"))
    first = await run_pass(svc, {"telegram": down}, local(12, 14, 8))
    assert first.failed == 1
    [row] = await deliveries(svc)
    assert row.state == "failed" and "502" in row.error
    up = FakeSender()
    second = await run_pass(svc, {"telegram": up}, local(12, 14, 8, 1))
    assert second.sent == 1 and len(up.sent) == 1


async def test_blocked_chat_is_dropped_and_marked_inactive(svc):
    chat_pk = await add_chat(svc, "555", kind="private")
    blocked = FakeSender(answer=SendResult(ok=False, blocked=True, error="403 blocked"))
    s1 = await run_pass(svc, {"telegram": blocked}, local(12, 8))
    assert s1.dropped == 1
    async with svc.sessions() as s:
        assert (await s.get(Chat, chat_pk)).active is False
    [row] = await deliveries(svc)
    assert row.state == "dropped"
    later = FakeSender()
    s2 = await run_pass(svc, {"telegram": later}, local(12, 14))
    assert s2.due == 0 and later.sent == []


# ---- content and recipients ------------------------------------------------------------------


async def test_agencies_that_reported_drop_out_of_missing(svc):
    await add_chat(svc, "-600")
    await report(svc, "sxd", local(11, 20, 10))
    await report(svc, "xa_hiep_hoa", local(12, 2, 10))  # a commune of today's organisation
    await report(svc, "sct", local(12, 10, 12, y=2025))  # previous period: does not count
    sender = FakeSender()
    await run_pass(svc, {"telegram": sender}, local(12, 8))
    [msg] = sender.to("-600")
    assert "Đã báo cáo kỳ năm 2026: 2/71 cơ quan." in msg
    missing = msg.split("Chưa báo cáo (69): ", 1)[1].split("\n")[0]
    assert "Sở Xây dựng" not in missing and "xã Hiệp Hoà" not in missing
    assert "Sở Công Thương" in missing and "Sở Tài chính" in missing  # took over Sở KH&ĐT
    assert "UBND huyện, thành phố" not in missing  # the collective is counted by commune
    assert "/capnhat" in msg


async def test_agency_subscription_shows_only_that_agency(svc):
    await add_chat(svc, "-700", agency="sxd")
    await add_chat(svc, "-701", agency="sct")
    await report(svc, "sxd", local(11, 20, 10))
    sender = FakeSender()
    await run_pass(svc, {"telegram": sender}, local(12, 8))
    [sxd] = sender.to("-700")
    [sct] = sender.to("-701")
    assert "Sở Xây dựng, kỳ năm 2026: đã báo cáo 6/6 nhiệm vụ." in sxd and "/capnhat" not in sxd
    assert "Sở Công Thương" not in sxd.split("Gửi báo cáo về: Sở Công Thương.")[1]
    assert "Sở Công Thương, kỳ năm 2026: đã báo cáo 0/" in sct and "/capnhat" in sct


async def test_overdue_goes_to_missing_agencies_and_a_summary_to_admins(svc):
    await add_chat(svc, "-800", agency="*")  # a general group: chases everyone still missing
    await add_chat(svc, "-801", agency="sxd")  # reported
    await add_chat(svc, "-802", agency="sct")  # missing
    await add_chat(svc, "900", agency=None, kind="private")  # an admin's private chat
    await add_member(svc, "42", "snv")  # a member of a missing agency, private reminders on
    await report(svc, "sxd", local(12, 10, 10))
    sender = FakeSender()
    s1 = await run_pass(svc, {"telegram": sender}, local(12, 16, 9))
    got = {c for c, _ in sender.sent}
    assert got == {"-800", "-802", "900", "42"}
    [sct] = sender.to("-802")
    assert sct.startswith("Quá hạn: Báo cáo năm") and "(đã quá hạn 1 ngày)" in sct
    assert "Sở Công Thương, kỳ năm 2026: đã báo cáo 0/" in sct
    summary = sender.to("900")[0]
    assert summary.startswith("Tổng hợp quá hạn") and "Sở Công Thương" in summary
    assert "Sở Xây dựng;" not in summary and "Chưa báo cáo (70)" in summary
    assert s1.sent == 4
    await report(svc, "sct", local(12, 17, 10))
    s3 = await run_pass(svc, {"telegram": sender}, local(12, 18, 8))
    assert "-802" not in {c for c, _ in sender.sent[4:]}  # sct reported late: no more chasing
    assert {c for c, _ in sender.sent[4:]} == {"-800", "900", "42"} and s3.sent == 3


async def test_members_get_private_reminders_unless_turned_off(svc):
    await add_member(svc, "51", "sxd")
    await add_member(svc, "52", "sxd", private_reminders=False)
    sender = FakeSender()
    await run_pass(svc, {"telegram": sender}, local(12, 1))
    assert [c for c, _ in sender.sent] == ["51"]
    assert "Sở Xây dựng, kỳ năm 2026: đã báo cáo 0/6 nhiệm vụ; còn thiếu 2.2.1" in sender.sent[0][1]


async def test_dry_run_lists_and_claims_nothing(svc):
    await add_chat(svc, "-900")
    await add_chat(svc, "z1", channel="zalo")
    dry = await run_pass(svc, {"telegram": FakeSender(), "zalo": FakeSender()}, local(12, 1),
                         dry_run=True)
    assert dry.due == 2 and len(dry.planned) == 2 and dry.sent == 0
    assert await deliveries(svc) == []


async def test_chats_of_an_unserved_channel_wait_for_it(svc):
    await add_chat(svc, "z2", channel="zalo")
    s1 = await run_pass(svc, {"telegram": FakeSender()}, local(12, 1))
    assert s1.no_sender == 1 and await deliveries(svc) == []


async def test_a_broadcast_is_for_its_audience_when_written(svc):
    await add_chat(svc, "-970")
    async with svc.sessions() as s, s.begin():
        s.add(Broadcast(text="Họp giao ban lúc 14h", created_at=local(11, 30, 11, 30)))
    late = await add_chat(svc, "-971")
    async with svc.sessions() as s, s.begin():  # this group subscribed after the message
        await s.execute(update(Subscription).where(Subscription.chat_id == late)
                        .values(created_at=local(11, 30, 15)))
    sender = FakeSender()
    await run_pass(svc, {"telegram": sender}, local(11, 30, 16))
    assert [c for c, _ in sender.sent] == ["-970"]


async def test_broadcast_rows_are_sent_once_by_the_pass(svc):
    for i in range(3):
        await add_chat(svc, f"-95{i}")
    await add_chat(svc, "-960", agency=None)  # known chat without a subscription
    async with svc.sessions() as s, s.begin():
        s.add(Broadcast(text="Họp giao ban ngày 5/12", created_at=local(11, 30, 9)))
    sender = FakeSender()
    s1 = await run_pass(svc, {"telegram": sender}, local(11, 30, 9, 1))
    s2 = await run_pass(svc, {"telegram": sender}, local(11, 30, 9, 2))
    assert s1.sent == 3 and s2.sent == 0
    assert sorted(c for c, _ in sender.sent) == ["-950", "-951", "-952"]
    assert "Họp giao ban ngày 5/12" in sender.sent[0][1]


async def test_loop_runs_passes_until_stopped(sqlite_svc):
    await add_chat(sqlite_svc, "-990")
    sqlite_svc.clock = lambda: local(12, 1, 8, 0)
    sender = FakeSender()
    stop = asyncio.Event()
    task = asyncio.create_task(reminders.run_loop(sqlite_svc, {"telegram": sender}, stop))
    for _ in range(200):
        await asyncio.sleep(0.01)
        if sender.sent:
            break
    stop.set()
    await asyncio.wait_for(task, 5)
    assert len(sender.sent) == 1


# ---- the command line, end to end through the Telegram stand-in ------------------------------


async def cli_database(tmp_path, *chats: str) -> str:
    """The URL of a migrated SQLite file holding the chats `chats`, subscribed to every unit."""
    from bot.db.migrate import upgrade
    from tests.conftest import make_settings

    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    await upgrade(url)
    svc = build_services(make_settings(tmp_path, DATABASE_URL=url))
    try:
        for ext in chats:
            await add_chat(svc, ext)
    finally:
        await svc.close()
    return url


async def remind_cli_run(tmp_path, url: str, stub, *extra: str, **env: str):
    """`python -m bot remind --at 2026-12-01T08:00 *extra` on `url` through the Telegram
    stand-in: (exit status, stdout, stderr)."""
    import os
    import sys

    env = {**os.environ, "DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": stub.token,
           "TELEGRAM_API_BASE_URL": stub.base_url, **env}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "remind", "--at", "2026-12-01T08:00", *extra,
        env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 90)
    return proc.returncode, out.decode(), err.decode()


async def test_cli_remind_sends_through_telegram_once(tmp_path):
    from tests.tg_stub import TelegramStub

    stub = TelegramStub()
    await stub.start()
    url = await cli_database(tmp_path, "-1009")

    async def remind(*extra: str) -> str:
        rc, out, err = await remind_cli_run(tmp_path, url, stub, *extra,
                                            BOT_TIMEZONE="Asia/Ho_Chi_Minh")
        assert rc == 0, err
        return out

    try:
        dry = await remind("--dry-run")
        assert "remind: due 1, sent 0" in dry and "IV.3-year" in dry
        assert stub.calls_to("sendMessage") == []
        first = await remind()
        second = await remind()
    finally:
        await stub.stop()
    assert "remind: due 1, sent 1, already sent 0" in first
    assert "remind: due 1, sent 0, already sent 1" in second
    [call] = stub.calls_to("sendMessage")
    assert str(call["chat_id"]) == "-1009" and "15/12/2026" in call["text"]


async def test_cli_rejects_a_bad_instant(capsys):
    assert remind_cli.cli_remind("mai", dry_run=True) == 2
    assert "ISO 8601" in capsys.readouterr().err


async def test_reminder_days_and_time_come_from_settings(tmp_path):
    from bot.db.models import Base
    from tests.conftest import make_settings

    svc = build_services(make_settings(tmp_path, REMINDER_DAYS="2", REMINDER_TIME="17:30"))
    svc.clock = lambda: local(12, 11, 17, 30)
    try:
        async with svc.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        await add_chat(svc, "-1")
        sender = FakeSender()
        # 13/12/2026 is a Sunday: the 2-day reminder goes out on Friday 11/12 at 17:30
        assert (await run_pass(svc, {"telegram": sender}, local(12, 11, 17, 29))).sent == 0
        s1 = await run_pass(svc, {"telegram": sender}, local(12, 11, 17, 30))
        assert s1.sent == 1 and s1.planned[0].offset_days == 2
        assert (await run_pass(svc, {"telegram": sender}, local(12, 14, 8))).sent == 0
    finally:
        await svc.close()


# ---- overdue chasing in "all deadlines" chats, late catch-ups ---------------------------------


async def report_all(svc, when: datetime, but: tuple[str, ...] = ()) -> None:
    from bot.periods import reporting_agencies

    for agency in reporting_agencies(svc.kb):
        if agency not in but:
            await report(svc, agency, when)


async def test_all_deadlines_group_is_chased_at_plus_one_and_plus_three(svc):
    group = await add_chat(svc, "-1100")  # a provincial coordination group, every deadline
    await report_all(svc, local(12, 10, 10), but=("sct", "xa_luc_ngan"))
    sender = FakeSender()
    senders = {"telegram": sender}
    for when in (local(12, 16, 8), local(12, 16, 15), local(12, 17, 8),  # +1 once
                 local(12, 18, 8), local(12, 18, 9), local(12, 19, 8)):  # +3 once
        await run_pass(svc, senders, when)
    plus_one, plus_three = sender.to("-1100")
    for msg, late in ((plus_one, 1), (plus_three, 3)):
        assert msg.startswith("Quá hạn: Báo cáo năm")
        assert f"Thứ Ba, 15/12/2026 (đã quá hạn {late} ngày)" in msg
        assert "Đã báo cáo kỳ năm 2026: 69/71 cơ quan." in msg
        assert "Chưa báo cáo (2): Sở Công Thương; UBND xã Lục Ngạn." in msg
        assert "/capnhat" in msg
    rows = [r for r in await deliveries(svc) if r.chat_id == group]
    assert Counter(r.offset_days for r in rows) == {-1: 1, -3: 1}


async def test_all_deadlines_group_gets_no_overdue_once_everyone_reported(svc):
    await add_chat(svc, "-1101")
    await report_all(svc, local(12, 10, 10))
    sender = FakeSender()
    for when in (local(12, 16, 8), local(12, 18, 8)):
        assert (await run_pass(svc, {"telegram": sender}, when)).due == 0
    assert sender.sent == []


async def test_catch_up_after_the_deadline_reads_as_overdue(svc):
    """The bot was down from the deadline day's 8:00 until 7:30 the next morning."""
    await add_chat(svc, "-1200", agency="sct")  # missing
    await add_chat(svc, "-1201", agency="sxd")  # reported on the day
    await add_chat(svc, "-1202")  # every deadline; 26 agencies missing
    await report(svc, "sxd", local(12, 15, 10))
    sender = FakeSender()
    s1 = await run_pass(svc, {"telegram": sender}, local(12, 16, 7, 30))
    assert s1.sent == 2 and {c for c, _ in sender.sent} == {"-1200", "-1202"}
    for chat in ("-1200", "-1202"):
        [msg] = sender.to(chat)
        assert msg.startswith("Quá hạn: Báo cáo năm") and "Nhắc hạn" not in msg
        assert "(đã quá hạn 1 ngày)" in msg
    assert "Sở Công Thương, kỳ năm 2026: đã báo cáo 0/" in sender.to("-1200")[0]
    assert sender.to("-1201") == []  # its agency reported: no overdue message at all


async def test_reminder_on_the_eve_reads_tomorrow_without_nested_brackets(svc):
    await add_chat(svc, "-1300")
    sender = FakeSender()
    await run_pass(svc, {"telegram": sender}, local(12, 14, 8))
    [msg] = sender.to("-1300")
    assert msg.startswith("Nhắc hạn: Báo cáo năm")
    assert "Hạn: Thứ Ba, 15/12/2026 (ngày mai)." in msg and "((" not in msg
    assert "))" not in msg


# ---- broadcasts reach members too ------------------------------------------------------------


async def test_broadcast_reaches_subscribed_chats_and_members_each_once(svc):
    await add_chat(svc, "-1400")  # a subscribed group
    await add_member(svc, "61", "sxd")  # a member: private chat, not subscribed
    await add_member(svc, "62", "sct")  # a member whose private chat is also subscribed
    async with svc.sessions() as s, s.begin():
        chat = (await s.execute(select(Chat).where(Chat.external_id == "62"))).scalar_one()
        s.add(Subscription(chat_id=chat.id, agency_id="sct"))
    await add_member(svc, "63", "snv", private_reminders=False)  # turned them off
    async with svc.sessions() as s, s.begin():  # an agency with two approved members' ids
        user = (await s.execute(select(User).where(User.external_id == "61"))).scalar_one()
        s.add(Membership(user_id=user.id, agency_id="hiep_hoa", state="approved"))
        pending = User(channel="telegram", external_id="64")  # not approved yet
        s.add(pending)
        await s.flush()
        s.add(Membership(user_id=pending.id, agency_id="sxd", state="pending"))
        s.add(Chat(channel="telegram", external_id="64", kind="private"))
        s.add(Broadcast(text="Đề nghị các cơ quan gửi báo cáo năm", created_at=local(11, 30, 9)))
    audience = await reminders.broadcast_audience(svc)
    assert (audience.subscribed, audience.members) == (2, 1)
    sender = FakeSender()
    s1 = await run_pass(svc, {"telegram": sender}, local(11, 30, 9, 1))
    s2 = await run_pass(svc, {"telegram": sender}, local(11, 30, 9, 2))
    assert s1.sent == 3 and s2.sent == 0
    assert sorted(c for c, _ in sender.sent) == ["-1400", "61", "62"]
    assert all("Đề nghị các cơ quan gửi báo cáo năm" in t for _, t in sender.sent)


# ---- never at night: late messages wait for working hours (REMINDER_WORKING_HOURS) -----------


async def test_catch_up_after_a_night_restart_waits_for_working_hours(svc):
    """The bot was down from 1/12 07:50 until 01:58 on 2/12: the 14-day reminder of 1/12 08:00
    is late; it goes out at 07:30 (the start of working hours), not at night, and once."""
    await add_chat(svc, "-1500")
    sender = FakeSender()
    senders = {"telegram": sender}
    for night in (local(12, 2, 1, 58), local(12, 2, 5, 0), local(12, 2, 7, 29)):
        held = await run_pass(svc, senders, night)
        assert (held.due, held.sent, held.held) == (1, 0, 1), night
    assert sender.sent == [] and await deliveries(svc) == []  # nothing claimed while held
    morning = await run_pass(svc, senders, local(12, 2, 7, 30))
    assert morning.sent == 1 and morning.held == 0
    [msg] = sender.to("-1500")
    assert msg.startswith("Nhắc hạn: Báo cáo năm") and "(còn 13 ngày)" in msg
    assert (await run_pass(svc, senders, local(12, 2, 9))).sent == 0  # once
    assert len(sender.sent) == 1


async def test_on_time_reminder_and_dry_run_show_what_is_held(svc):
    await add_chat(svc, "-1501")
    dry = await run_pass(svc, {"telegram": FakeSender()}, local(12, 1, 19), dry_run=True)
    assert (dry.due, dry.held, dry.planned) == (1, 1, [])
    assert "held until working hours 1" in dry.line()
    on_time = await run_pass(svc, {"telegram": FakeSender()}, local(12, 1, 8, 4))
    assert on_time.sent == 1  # within ON_TIME of 08:00: not "late"


async def test_a_send_that_failed_in_the_evening_is_retried_next_morning(svc):
    await add_chat(svc, "-1502")
    down = FakeSender(answer=SendResult(ok=False, error="502 Bad Gateway"))
    assert (await run_pass(svc, {"telegram": down}, local(12, 1, 8))).failed == 1
    up = FakeSender()
    evening = await run_pass(svc, {"telegram": up}, local(12, 1, 21))
    assert (evening.sent, evening.held) == (0, 1) and up.sent == []
    morning = await run_pass(svc, {"telegram": up}, local(12, 2, 7, 31))
    assert morning.sent == 1 and len(up.sent) == 1
    [row] = await deliveries(svc)
    assert (row.state, row.attempts) == ("sent", 2)


async def test_a_broadcast_goes_out_at_once_but_a_missed_one_waits_for_morning(svc):
    await add_chat(svc, "-1503")
    async with svc.sessions() as s, s.begin():
        s.add(Broadcast(text="Họp khẩn lúc 21h", created_at=local(11, 25, 21)))
        s.add(Broadcast(text="Họp giao ban sáng mai", created_at=local(11, 25, 22)))
    sender = FakeSender()
    first = await run_pass(svc, {"telegram": sender}, local(11, 25, 22, 1))
    assert [t for _, t in sender.sent] == ["Thông báo từ quản trị viên:\nHọp giao ban sáng mai"]
    assert first.held == 1  # the 21:00 one was missed by an hour: not sent at night
    await run_pass(svc, {"telegram": sender}, local(11, 26, 7, 30))
    assert [t.split("\n")[1] for _, t in sender.sent] == ["Họp giao ban sáng mai",
                                                          "Họp khẩn lúc 21h"]


async def test_working_hours_setting(tmp_path):
    from tests.conftest import make_settings

    settings = make_settings(tmp_path, REMINDER_WORKING_HOURS="08:00 - 17:00")
    assert [t.isoformat("minutes") for t in settings.reminder_hours] == ["08:00", "17:00"]
    assert make_settings(tmp_path).REMINDER_WORKING_HOURS == "07:30-17:30"  # the default


@pytest.mark.parametrize(("env", "line"), [
    ({"REMINDER_WORKING_HOURS": "17:30-07:30"},
     "Lỗi cấu hình: REMINDER_WORKING_HOURS: cần giờ làm việc dạng HH:MM-HH:MM trong một ngày, "
     "ví dụ 07:30-17:30"),
    ({"REMINDER_WORKING_HOURS": "sáng"},
     "Lỗi cấu hình: REMINDER_WORKING_HOURS: cần giờ làm việc dạng HH:MM-HH:MM trong một ngày, "
     "ví dụ 07:30-17:30"),
    ({"REMINDER_TIME": "06:00"},
     "Lỗi cấu hình: REMINDER_WORKING_HOURS: REMINDER_TIME 06:00 nằm ngoài giờ làm việc "
     "07:30-17:30: đặt giờ nhắc trong giờ làm việc"),
])
async def test_bad_working_hours_stop_start_up_with_one_line(tmp_path, env, line):
    import os
    import sys

    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "remind", "--at", "2026-12-01T08:00", "--dry-run",
        env={**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db", **env},
        cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2 and out == b""
    assert err.decode().strip() == line


# ---- `remind` tells cron when sends failed ---------------------------------------------------


def test_remind_exit_status_follows_the_sends(capsys):
    from bot.remind_cli import report

    assert report(reminders.PassSummary(due=3, sent=2, skipped_already_sent=1), False) == 0
    assert report(reminders.PassSummary(due=2, held=2), False) == 0
    capsys.readouterr()
    assert report(reminders.PassSummary(due=3, sent=1, failed=2), False) == 1
    out, err = capsys.readouterr()
    assert "failed 2" in out
    assert err.strip() == ("Lỗi: 2/3 tin không gửi được; lượt sau sẽ gửi lại "
                           "(trong vòng 24 giờ kể từ giờ nhắc).")


async def test_cli_remind_exits_non_zero_when_every_send_fails(tmp_path):
    from tests.tg_stub import TelegramStub

    stub = TelegramStub()
    await stub.start()
    url = await cli_database(tmp_path, "-1601", "-1602")
    stub.fail("sendMessage", "502", times=None)  # Telegram down: every send fails
    try:
        rc, out, err = await remind_cli_run(tmp_path, url, stub)
    finally:
        await stub.stop()
    assert rc == 1, out + err
    assert "remind: due 2, sent 0, already sent 0, failed 2" in out
    assert "Lỗi: 2/2 tin không gửi được" in err

