"""/hanchot, /nhacnho and /guitatca as users type them, through handlers.dispatch."""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot import reminders
from bot.core import Request
from bot.db.models import Broadcast, Chat, Subscription, User
from handlers import dispatch
from tests.test_reminders import FakeSender, add_chat, add_member

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.clock


def at(svc, y, m, d, h=9, mi=0) -> None:
    moment = datetime(y, m, d, h, mi, tzinfo=TZ)
    svc.clock = lambda: moment


def group(text: str, user: str = "5", **kw) -> Request:
    return Request(channel="telegram", user_id=user, chat_id="-1001", text=text,
                   chat_type="group", chat_title="Tổ công tác NQ 147", **kw)


def private(text: str, user: str = "7", channel: str = "telegram", **kw) -> Request:
    return Request(channel=channel, user_id=user, chat_id=user, text=text, **kw)


async def subs(svc) -> dict[str, list[str]]:
    async with svc.sessions() as s:
        rows = await s.execute(select(Chat.external_id, Subscription.agency_id).join(
            Subscription, Subscription.chat_id == Chat.id).order_by(Subscription.id))
    out: dict[str, list[str]] = {}
    for chat, agency in rows:
        out.setdefault(chat, []).append(agency)
    return out


# ---- /hanchot --------------------------------------------------------------------------------


async def test_hanchot_lists_upcoming_nearest_first(svc):
    at(svc, 2026, 11, 30)
    [r] = await dispatch(private("/hanchot"), svc)
    lines = r.text.splitlines()
    assert "Thứ Hai, 30/11/2026" in lines[0]
    assert lines[1] == "1. Thứ Ba, 15/12/2026 — còn 15 ngày"
    assert "Báo cáo năm" in lines[2] and "(Mục IV.3)" in lines[2]
    assert lines[3].startswith("2. Thứ Ba, 15/06/2027") and "6 tháng" in lines[4]
    assert "Thứ Bảy, 15/12/2029 — còn 1.111 ngày" in r.text  # thousands separator


async def test_hanchot_shows_a_report_just_missed(svc):
    at(svc, 2026, 12, 17)
    [r] = await dispatch(private("/hanchot"), svc)
    assert "15/12/2026 — đã quá hạn 2 ngày" in r.text
    assert r.text.index("15/12/2026") < r.text.index("15/06/2027")


async def test_hanchot_after_the_plan_ends(svc):
    at(svc, 2031, 3, 1)
    [r] = await dispatch(private("/hanchot"), svc)
    assert "Không còn hạn nào" in r.text


# ---- /nhacnho --------------------------------------------------------------------------------


async def test_group_member_cannot_subscribe_the_group(svc):
    [r] = await dispatch(group("/nhacnho"), svc)
    assert "quản trị viên" in r.text and "\n" not in r.text
    assert await subs(svc) == {}


async def test_group_admin_subscribes_narrows_and_turns_off(svc):
    [r] = await dispatch(group("/nhacnho", is_chat_admin=True), svc)
    assert "\n" not in r.text and "mọi hạn" in r.text
    assert await subs(svc) == {"-1001": ["*"]}
    [r] = await dispatch(group("/nhacnho SXD", is_chat_admin=True), svc)
    assert "Sở Xây dựng" in r.text and await subs(svc) == {"-1001": ["sxd"]}
    [r] = await dispatch(group("/nhacnho so cong thuong", is_admin=True), svc)
    assert "Sở Xây dựng, Sở Công Thương" in r.text
    assert await subs(svc) == {"-1001": ["sxd", "sct"]}
    [r] = await dispatch(group("/nhacnho tat", is_chat_admin=True), svc)
    assert "Đã tắt" in r.text and await subs(svc) == {}
    [r] = await dispatch(group("/nhacnho tat"), svc)  # an ordinary member cannot
    assert "quản trị viên" in r.text


async def test_unknown_agency_changes_nothing(svc):
    await dispatch(group("/nhacnho", is_chat_admin=True), svc)
    [r] = await dispatch(group("/nhacnho qwxz zzkq", is_chat_admin=True), svc)
    assert r.text.startswith("Không tìm thấy cơ quan “qwxz zzkq”.") and "\n" not in r.text
    assert await subs(svc) == {"-1001": ["*"]}


async def test_unknown_agency_in_a_new_chat_stores_nothing(svc):
    [r] = await dispatch(private("/nhacnho Sở Không Tồn Tại", user="8"), svc)
    assert "Không tìm thấy cơ quan “Sở Không Tồn Tại”" in r.text and "\n" not in r.text
    async with svc.sessions() as s:
        assert (await s.execute(select(Chat))).first() is None
        assert (await s.execute(select(Subscription))).first() is None


async def test_group_member_refusal_stores_nothing(svc):
    [r] = await dispatch(group("/nhacnho Sở Xây dựng"), svc)
    assert "\n" not in r.text and "quản trị viên" in r.text
    async with svc.sessions() as s:
        assert (await s.execute(select(Chat))).first() is None


async def test_private_subscribe_and_turn_off_private_reminders(svc):
    [r] = await dispatch(private("/nhacnho"), svc)
    assert "cuộc trò chuyện này" in r.text and await subs(svc) == {"7": ["*"]}
    [r] = await dispatch(private("/nhacnho tắt"), svc)
    assert r.text == ("Đã tắt nhắc hạn gửi riêng cho Đồng chí (kể cả nhắc hạn của cơ quan). "
                      "Bật lại bằng lệnh /nhacnho.")
    assert await subs(svc) == {}
    async with svc.sessions() as s:
        user = (await s.execute(select(User).where(User.external_id == "7"))).scalar_one()
    assert user.private_reminders is False


async def test_subscribed_group_then_gets_the_reminder(svc):
    await dispatch(group("/nhacnho BQL KCN", is_chat_admin=True), svc)
    sender = FakeSender()
    summary = await reminders.run_pass(svc, {"telegram": sender},
                                       datetime(2026, 12, 8, 8, 0, tzinfo=TZ))
    assert summary.sent == 1
    [(chat, text)] = sender.sent
    assert chat == "-1001"
    assert "Ban Quản lý các KCN tỉnh Bắc Ninh, kỳ năm 2026: đã báo cáo 0/" in text  # today's name


# ---- /guitatca -------------------------------------------------------------------------------


async def test_broadcast_is_for_admins_only(svc):
    [r] = await dispatch(private("/guitatca Họp giao ban"), svc)
    assert "quản trị viên" in r.text
    async with svc.sessions() as s:
        assert (await s.execute(select(Broadcast))).first() is None


async def test_broadcast_needs_text(svc):
    at(svc, 2026, 12, 20)
    [r] = await dispatch(private("/guitatca", user="900"), svc)
    assert "nội dung" in r.text and "trước ngày 15/12/2027." in r.text
    async with svc.sessions() as s:
        assert (await s.execute(select(Broadcast))).first() is None


async def test_broadcast_sends_once_to_every_subscribed_chat(svc):
    at(svc, 2026, 11, 20, 10)  # no deadline reminder due: the pass could only resend it
    for i in range(4):
        await add_chat(svc, f"-77{i}")
    await add_chat(svc, "-780", agency=None)  # not subscribed
    sender = FakeSender()
    svc.senders = {"telegram": sender}
    [r] = await dispatch(private("/guitatca Họp giao ban sáng thứ Sáu", user="900",
                                 is_admin=True), svc)
    assert "tới 4/4 cuộc trò chuyện (4 đã đăng ký nhắc hạn, 0 cán bộ cơ quan nhận riêng)." \
        in r.text
    counts = Counter(c for c, _ in sender.sent)
    assert sorted(counts) == ["-770", "-771", "-772", "-773"] and set(counts.values()) == {1}
    assert "Họp giao ban sáng thứ Sáu" in sender.sent[0][1]
    # the reminder pass must not send it again
    again = await reminders.run_pass(svc, {"telegram": sender}, svc.now())
    assert again.sent == 0 and len(sender.sent) == 4


async def test_broadcast_without_running_channel_waits_for_the_pass(svc):
    at(svc, 2026, 11, 20, 10)
    await add_chat(svc, "-790")
    [r] = await dispatch(private("/guitatca Nhắc chung", user="900", is_admin=True), svc)
    assert "sẽ gửi tới 1 cuộc trò chuyện" in r.text
    sender = FakeSender()
    s1 = await reminders.run_pass(svc, {"telegram": sender}, svc.now())
    assert s1.sent == 1 and "Nhắc chung" in sender.sent[0][1]


async def test_broadcast_on_a_reminder_day_is_sent_once_beside_the_reminders(svc):
    """1/12/2026 08:30: the 14-day reminder before 15/12 is due as the admin writes."""
    at(svc, 2026, 12, 1, 8, 30)
    for i in range(2):
        await add_chat(svc, f"-79{i}")
    sender = FakeSender()
    svc.senders = {"telegram": sender}
    [r] = await dispatch(private("/guitatca Họp giao ban", user="900", is_admin=True), svc)
    assert r.text.startswith("Đã gửi thông báo số 1 tới 2/2 cuộc trò chuyện")
    again = await reminders.run_pass(svc, {"telegram": sender}, svc.now())
    assert {p.deadline_id for p in again.planned} == {"IV.3-year"} and again.sent == 2
    heads = Counter(t.splitlines()[0].split(" kết quả")[0] for _, t in sender.sent)
    assert heads == {"Thông báo từ quản trị viên:": 2, "Nhắc hạn: Báo cáo năm": 2}


async def test_broadcast_reaches_approved_members_in_private(svc):
    at(svc, 2026, 11, 20, 10)
    await add_chat(svc, "-1500")  # the coordination group
    await add_member(svc, "71", "sxd")
    await add_member(svc, "72", "sct")
    await add_member(svc, "73", "snv", private_reminders=False)  # turned reminders off
    sender = FakeSender()
    svc.senders = {"telegram": sender}
    # member 72 also subscribes their own private chat: still one message
    await dispatch(private("/nhacnho", user="72"), svc)
    [r] = await dispatch(private("/guitatca Đề nghị các cơ quan gửi báo cáo năm", user="900",
                                 is_admin=True), svc)
    assert r.text == ("Đã gửi thông báo số 1 tới 3/3 cuộc trò chuyện (2 đã đăng ký nhắc hạn, "
                      "1 cán bộ cơ quan nhận riêng).")
    counts = Counter(c for c, _ in sender.sent)
    assert counts == {"-1500": 1, "71": 1, "72": 1}
    assert all(t == "Thông báo từ quản trị viên:\nĐề nghị các cơ quan gửi báo cáo năm"
               for _, t in sender.sent)


async def test_broadcast_with_nobody_to_reach_says_so(svc):
    at(svc, 2026, 11, 20, 10)
    [r] = await dispatch(private("/guitatca Nhắc chung", user="900", is_admin=True), svc)
    assert "chưa có nơi nhận" in r.text and "\n" not in r.text
