"""Registration under attack: a stale "1" on Zalo, simultaneous and repeated /dangky."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.core import ChatRef, Request
from bot.db import repo
from bot.db.models import Membership
from handlers import dispatch

ADMIN_TG = ChatRef("telegram", "900")
ADMIN_ZALO = ChatRef("zalo", "z900")
START = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội, a Monday


def at(svc, minutes: float = 0) -> None:
    svc.clock = lambda: START + timedelta(minutes=minutes)


def zalo_user(uid: str, text: str, name: str) -> Request:
    return Request(channel="zalo", user_id=uid, chat_id=uid, text=text, user_name=name)


def zalo_admin(text: str) -> Request:
    return Request(channel="zalo", user_id="z900", chat_id="z900", text=text,
                   user_name="Lê Thị Hoa", is_admin=True)


async def _pending_ids(svc) -> list[int]:
    return [r.id for r in await repo.list_pending(svc.sessions)]


async def _two_requests(svc) -> None:
    at(svc)
    await dispatch(zalo_user("z1", "/dangky SXD", "Nguyễn Văn Thật"), svc)
    at(svc, 1)  # arrives while the admin reads the first notice
    await dispatch(zalo_user("z2", "/dangky SCT", "Kẻ Mạo Danh"), svc)


async def test_a_bare_number_with_two_notices_approves_nobody_and_asks(svc):
    await _two_requests(svc)
    at(svc, 2)
    [asked] = await dispatch(zalo_admin("1"), svc)
    assert await repo.member_agency(svc.sessions, "zalo", "z1") is None
    assert await repo.member_agency(svc.sessions, "zalo", "z2") is None
    assert "chưa có gì được thực hiện" in asked.text
    assert "Nguyễn Văn Thật (Zalo, mã z1) xin tham gia Sở Xây dựng" in asked.text
    assert "Kẻ Mạo Danh (Zalo, mã z2) xin tham gia Sở Công Thương" in asked.text
    assert [c.label for c in asked.choices] == [
        "Duyệt yêu cầu số 1", "Từ chối yêu cầu số 1", "Duyệt yêu cầu số 2",
        "Từ chối yêu cầu số 2"]
    # the list given in answer is what the admin now reads: its "1" is request 1
    out = await dispatch(zalo_admin("1"), svc)
    assert out[0].text.startswith("Đã duyệt yêu cầu số 1: Nguyễn Văn Thật")
    assert await repo.member_agency(svc.sessions, "zalo", "z1") == "sxd"
    assert await repo.member_agency(svc.sessions, "zalo", "z2") is None
    assert await _pending_ids(svc) == [2]


async def test_typing_the_request_number_acts_on_that_request(svc):
    await _two_requests(svc)
    out = await dispatch(zalo_admin("duyet 1"), svc)
    assert out[0].text.startswith("Đã duyệt yêu cầu số 1")
    out = await dispatch(zalo_admin("từ chối 2"), svc)
    assert out[0].text.startswith("Đã từ chối yêu cầu số 2")
    assert await repo.member_agency(svc.sessions, "zalo", "z2") is None


async def test_one_notice_alone_is_answered_by_its_number(svc):
    at(svc)
    sent = await dispatch(zalo_user("z1", "/dangky SXD", "Nguyễn Văn Thật"), svc)
    [to_zalo] = [r for r in sent if r.chat == ADMIN_ZALO]
    assert to_zalo.text.startswith("Yêu cầu đăng ký số 1: Nguyễn Văn Thật")
    assert "/duyet 1" in to_zalo.text  # a way to name it that no later notice changes
    assert [c.label for c in to_zalo.choices] == ["Duyệt yêu cầu số 1", "Từ chối yêu cầu số 1"]
    [to_tg] = [r for r in sent if r.chat == ADMIN_TG]
    assert "/duyet" not in to_tg.text  # buttons there
    out = await dispatch(zalo_admin("1"), svc)
    assert out[0].text.startswith("Đã duyệt yêu cầu số 1")


async def test_a_notice_that_arrives_after_the_admins_own_list_does_not_change_it(svc):
    at(svc)
    await dispatch(zalo_user("z1", "/dangky SXD", "Nguyễn Văn Thật"), svc)
    [listing] = await dispatch(zalo_admin("/duyet"), svc)  # replaces the notice the admin read
    assert [c.label for c in listing.choices] == ["Duyệt yêu cầu số 1"]
    at(svc, 1)
    await dispatch(zalo_user("z2", "/dangky SCT", "Kẻ Mạo Danh"), svc)  # its "1" is request 2
    [asked] = await dispatch(zalo_admin("1"), svc)
    assert "chưa có gì được thực hiện" in asked.text
    assert await _pending_ids(svc) == [1, 2]


async def test_the_admins_own_list_replaces_the_notices_read_before(svc):
    await _two_requests(svc)
    [listing] = await dispatch(zalo_admin("/duyet"), svc)
    assert [c.label for c in listing.choices] == ["Duyệt yêu cầu số 1", "Duyệt yêu cầu số 2"]
    out = await dispatch(zalo_admin("2"), svc)  # number 2 of the list just shown
    assert out[0].text.startswith("Đã duyệt yêu cầu số 2")
    assert await _pending_ids(svc) == [1]


async def test_a_request_decided_elsewhere_is_not_offered_again(svc):
    await _two_requests(svc)
    tg_admin = Request(channel="telegram", user_id="900", chat_id="900",
                       callback="reg:no:1", user_name="Quản trị", is_admin=True)
    await dispatch(tg_admin, svc)  # another admin rejects request 1 on Telegram
    [asked] = await dispatch(zalo_admin("1"), svc)  # the Zalo admin was reading notice 1
    assert await repo.member_agency(svc.sessions, "zalo", "z2") is None  # not the newcomer
    assert "(đã được xử lý)" in asked.text
    assert [c.label for c in asked.choices] == ["Duyệt yêu cầu số 2", "Từ chối yêu cầu số 2"]


async def test_digit_like_signs_as_a_choice_get_one_line(svc):
    await _two_requests(svc)
    for sign in ("①", "²", "⑴"):
        [r] = await dispatch(zalo_admin(sign), svc)
        assert r.text == "Xin gõ số của lựa chọn bằng chữ số thường, ví dụ: 1."
    assert await _pending_ids(svc) == [1, 2]


# ---------------------------------------------------------------- simultaneous /dangky

async def test_simultaneous_identical_requests_make_one_request_and_one_notice(svc):
    at(svc)
    outs = await asyncio.gather(*(
        dispatch(zalo_user("z7", "/dangky SXD", "Phạm Văn Bảy"), svc) for _ in range(6)))
    async with svc.sessions() as s:
        count = (await s.execute(select(func.count()).select_from(Membership))).scalar()
    assert count == 1
    notices = [r for out in outs for r in out if r.chat is not None]
    assert sorted(r.chat.channel for r in notices) == ["telegram", "zalo"]  # one per admin
    for out in outs:
        [mine] = [r for r in out if r.chat is None]
        assert "yêu cầu" in mine.text and "số 1" in mine.text
    out = await dispatch(zalo_admin("1"), svc)  # the admin's Zalo list holds that one notice
    assert out[0].text.startswith("Đã duyệt yêu cầu số 1")


async def test_simultaneous_requests_from_many_users_all_reach_the_admin(svc):
    at(svc)
    outs = await asyncio.gather(*(
        dispatch(zalo_user(f"z{i}", "/dangky SXD", f"Cán bộ {i}"), svc) for i in range(10)))
    assert sum(r.chat == ADMIN_ZALO for out in outs for r in out) == 10
    assert len(await _pending_ids(svc)) == 10
    # every notice kept its own numbers: a bare "1" is ambiguous, "duyet N" is not
    [asked] = await dispatch(zalo_admin("1"), svc)
    assert "10 danh sách" in asked.text
    out = await dispatch(zalo_admin("duyet 7"), svc)
    assert out[0].text.startswith("Đã duyệt yêu cầu số 7")


# ---------------------------------------------------------------- flooding

async def test_a_flood_of_requests_notifies_the_admins_once(svc):
    notices = 0
    for i in range(60):
        at(svc, i / 60)  # 60 requests within one minute, alternating agencies
        out = await dispatch(zalo_user("z9", f"/dangky {'SXD' if i % 2 else 'SCT'}", "X"), svc)
        notices += sum(r.chat == ADMIN_ZALO for r in out)
    assert notices == 1
    assert "xin gửi yêu cầu mới sau 09:02 ngày 30/11/2026" in out[0].text
    async with svc.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Membership))).scalar() == 1


async def test_requests_are_capped_per_day(svc):
    told = []
    for i in range(8):
        at(svc, 10 * i)  # past the gap each time
        out = await dispatch(zalo_user("z9", f"/dangky {'SXD' if i % 2 else 'SCT'}", "X"), svc)
        told.append(sum(r.chat == ADMIN_ZALO for r in out))
    assert told == [1, 1, 1, 1, 1, 0, 0, 0]
    assert "5 yêu cầu trong 24 giờ qua" in out[0].text
    assert len(await _pending_ids(svc)) == 1  # one pending request per user, ever
