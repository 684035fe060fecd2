"""Membership as officials and admins live it: /dangky, Duyệt/Từ chối, /thanhvien, removal."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.core import ChatRef, Request
from bot.db import repo
from bot.db.models import Chat, Membership, User
from handlers import dispatch

ADMIN_TG = ChatRef("telegram", "900")
ADMIN_ZALO = ChatRef("zalo", "z900")


def tg(user: str, text: str = "", callback: str | None = None, **kw) -> Request:
    kw.setdefault("chat_id", user)
    return Request(channel="telegram", user_id=user, text=text, callback=callback,
                   user_name=kw.pop("user_name", f"Cán bộ {user}"), **kw)


def admin(text: str = "", callback: str | None = None) -> Request:
    return Request(channel="telegram", user_id="900", chat_id="900", text=text,
                   callback=callback, user_name="Quản trị", is_admin=True)


async def _count(svc, model) -> int:
    async with svc.sessions() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar()


async def register(svc, user: str, agency_text: str) -> int:
    """/dangky then an admin presses "Duyệt"; the membership id."""
    replies = await dispatch(tg(user, f"/dangky {agency_text}"), svc)
    to_admin = next(r for r in replies if r.chat == ADMIN_TG)
    approve = next(c for c in to_admin.choices if c.label.startswith("Duyệt"))
    await dispatch(admin(callback=approve.data), svc)
    return int(approve.data.rsplit(":", 1)[1])


async def test_registration_notifies_every_admin_and_approval_tells_the_user(svc):
    replies = await dispatch(tg("11", "/dangky SXD", user_name="Trần Văn Nam"), svc)
    mine = [r for r in replies if r.chat is None]
    assert len(mine) == 1 and "Sở Xây dựng" in mine[0].text
    to_admins = [r for r in replies if r.chat is not None]
    assert {r.chat for r in to_admins} == {ADMIN_TG, ADMIN_ZALO}
    for r in to_admins:
        assert "Trần Văn Nam (Telegram, mã 11) xin tham gia Sở Xây dựng" in r.text
        labels = [c.label for c in r.choices]
        assert labels[0].startswith("Duyệt") and labels[1].startswith("Từ chối")
        assert all(len(c.data.encode()) <= 64 for c in r.choices)
    assert await repo.member_agency(svc.sessions, "telegram", "11") is None

    ok = to_admins[0].choices[0].data
    outcome = await dispatch(admin(callback=ok), svc)
    assert any(r.chat is None and "Đã duyệt" in r.text for r in outcome)
    told = [r for r in outcome if r.chat == ChatRef("telegram", "11")]
    assert len(told) == 1 and "đã được duyệt" in told[0].text
    assert await repo.member_agency(svc.sessions, "telegram", "11") == "sxd"

    again = await dispatch(admin(callback=ok), svc)  # a second press changes nothing
    assert len(again) == 1 and again[0].text.startswith(f"Yêu cầu số {ok.rsplit(':', 1)[1]} "
                                                        "đã được Quản trị duyệt lúc ")


async def test_a_late_press_names_who_decided_and_when(svc):
    svc.clock = lambda: datetime(2026, 11, 30, 3, 21, tzinfo=UTC)  # 10:21 in Hà Nội
    replies = await dispatch(tg("31", "/dangky SXD"), svc)
    ok, no = (c.data for c in next(r for r in replies if r.chat == ADMIN_TG).choices)
    await dispatch(admin(callback=ok), svc)
    zalo_admin = Request(channel="zalo", user_id="z900", chat_id="z900", callback=no,
                         user_name="Lê Thị Hoa", is_admin=True)
    [late] = await dispatch(zalo_admin, svc)
    assert late.text == "Yêu cầu số 1 đã được Quản trị duyệt lúc 10:21 ngày 30/11/2026."
    assert await repo.member_agency(svc.sessions, "telegram", "31") == "sxd"

    replies = await dispatch(tg("32", "/dangky SCT"), svc)
    no = next(r for r in replies if r.chat == ADMIN_TG).choices[1].data
    await dispatch(replace(zalo_admin, callback=no), svc)
    [late] = await dispatch(admin(callback=no), svc)
    assert late.text == "Yêu cầu số 2 đã bị Lê Thị Hoa từ chối lúc 10:21 ngày 30/11/2026."


async def test_asking_again_while_pending_notifies_nobody(svc):
    first = await dispatch(tg("33", "/dangky SXD"), svc)
    assert sum(r.chat is not None for r in first) == 2
    again = await dispatch(tg("33", "/dangky Sở Xây dựng"), svc)
    assert [(r.text, r.chat) for r in again] == [
        ("Đồng chí đã có yêu cầu số 1 tham gia Sở Xây dựng đang chờ duyệt.", None)]
    assert [p.id for p in await repo.list_pending(svc.sessions)] == [1]
    await dispatch(admin("/duyet 1"), svc)
    [r] = await dispatch(tg("33", "/dangky SXD"), svc)
    assert r.text == "Đồng chí đã là cán bộ đầu mối của Sở Xây dựng."
    assert await _count(svc, Membership) == 1


def at_minute(svc, minute: int) -> None:
    """The services' clock at 09:00 + `minute` on a working day (Hà Nội time)."""
    svc.clock = lambda: datetime(2026, 11, 30, 2, minute, tzinfo=UTC)


async def test_a_request_for_another_agency_replaces_the_pending_one(svc):
    at_minute(svc, 0)
    await dispatch(tg("34", "/dangky SYT"), svc)
    at_minute(svc, 5)  # past the two minutes between two requests of one user
    replies = await dispatch(tg("34", "/dangky SXD"), svc)
    mine = next(r for r in replies if r.chat is None)
    assert "Yêu cầu số 1 (tham gia Sở Y tế) không còn hiệu lực" in mine.text
    to_admin = next(r for r in replies if r.chat == ADMIN_TG)
    assert "số 2" in to_admin.text and "thay cho yêu cầu số 1" in to_admin.text
    assert [(p.id, p.agency_id) for p in await repo.list_pending(svc.sessions)] == [(2, "sxd")]
    [late] = await dispatch(admin("/duyet 1"), svc)
    assert late.text == "Yêu cầu số 1 không còn hiệu lực vì cán bộ đã gửi yêu cầu mới (số 2)."
    assert await repo.member_agency(svc.sessions, "telegram", "34") is None


async def test_registration_without_admins_says_whom_to_contact(tmp_path):
    from bot.db.models import Base
    from bot.services import build_services
    from tests.conftest import make_settings

    svc = build_services(make_settings(tmp_path))
    async with svc.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    try:
        out = await dispatch(tg("35", "/dangky SXD"), svc)
    finally:
        await svc.close()
    assert [(r.text, r.chat) for r in out] == [(
        "Đã ghi nhận yêu cầu số 1 tham gia Sở Xây dựng; hiện chưa có quản trị viên trên kênh "
        "này, xin liên hệ Sở Công Thương để được duyệt.", None)]


async def test_registration_stores_user_and_private_chat(svc):
    await dispatch(tg("12", "/dangky Sở Công Thương"), svc)
    async with svc.sessions() as s:
        user = (await s.execute(select(User).where(User.external_id == "12"))).scalar_one()
        chat = (await s.execute(select(Chat).where(Chat.external_id == "12"))).scalar_one()
    assert user.display_name == "Cán bộ 12" and chat.kind == "private" and chat.active


async def test_only_admins_decide(svc):
    replies = await dispatch(tg("13", "/dangky SCT"), svc)
    ok = next(r for r in replies if r.chat == ADMIN_TG).choices[0].data
    refused = await dispatch(tg("13", callback=ok), svc)
    assert len(refused) == 1 and "quản trị" in refused[0].text
    mid = ok.rsplit(":", 1)[1]
    refused = await dispatch(tg("13", f"/duyet {mid}"), svc)
    assert len(refused) == 1 and "quản trị" in refused[0].text
    assert await repo.member_agency(svc.sessions, "telegram", "13") is None
    assert [p.id for p in await repo.list_pending(svc.sessions)] == [int(mid)]


async def test_zalo_admin_rejects_with_text_command(svc):
    replies = await dispatch(tg("14", "/dangky so xay dung"), svc)
    ok = next(r for r in replies if r.chat == ADMIN_ZALO).choices[0].data
    mid = ok.rsplit(":", 1)[1]
    zalo_admin = Request(channel="zalo", user_id="z900", chat_id="z900", text=f"/tuchoi {mid}")
    out = await dispatch(zalo_admin, svc)
    assert any("Đã từ chối" in r.text for r in out if r.chat is None)
    told = [r for r in out if r.chat == ChatRef("telegram", "14")]
    assert len(told) == 1 and "chưa được chấp thuận" in told[0].text
    assert await repo.member_agency(svc.sessions, "telegram", "14") is None


async def test_zalo_admin_approves_by_number(svc):
    """Zalo shows the request's choices as numbered lines; "1" means "Duyệt"."""
    await dispatch(tg("15", "/dangky SXD"), svc)
    out = await dispatch(Request(channel="zalo", user_id="z900", chat_id="z900", text="1"), svc)
    assert any("Đã duyệt" in r.text for r in out)
    assert await repo.member_agency(svc.sessions, "telegram", "15") == "sxd"


async def test_registration_in_a_group_is_refused(svc):
    out = await dispatch(tg("16", "/dangky SXD", chat_id="-1001", chat_type="group"), svc)
    assert [r.text for r in out] == ["Xin đăng ký trong tin nhắn riêng với bot."]
    assert await _count(svc, Membership) == 0


async def test_unknown_agency_is_refused_in_one_line(svc):
    out = await dispatch(tg("17", "/dangky Bộ Quốc phòng Hoa Kỳ"), svc)
    assert len(out) == 1 and "\n" not in out[0].text and "Không tìm thấy" in out[0].text
    assert await _count(svc, Membership) == 0
    out = await dispatch(tg("17", "/dangky"), svc)
    assert len(out) == 1 and await _count(svc, Membership) == 0


async def test_collective_asks_for_the_district_then_the_ward(svc):
    # since 1/7/2025 the communes and wards hold the district duties, each on its own
    out = await dispatch(tg("18", "/dangky UBND huyện, thành phố"), svc)
    assert len(out) == 1 and len(out[0].choices) == 10
    assert all(c.data.startswith("dk:") for c in out[0].choices)
    assert await _count(svc, Membership) == 0
    pick = next(c for c in out[0].choices if "Việt Yên" in c.label)
    [wards] = await dispatch(tg("18", callback=pick.data), svc)
    assert await _count(svc, Membership) == 0
    nenh = next(c for c in wards.choices if c.label == "UBND phường Nếnh")
    out = await dispatch(tg("18", callback=nenh.data), svc)
    assert any(r.chat == ADMIN_TG and "UBND phường Nếnh" in r.text for r in out)

    await register(svc, "19", "UBND phường Nếnh")
    assert await repo.member_agency(svc.sessions, "telegram", "19") == "phuong_nenh"


async def test_ambiguous_name_offers_choices(svc):
    out = await dispatch(tg("20", "/dangky Sở Giao"), svc)
    assert len(out) == 1 and len(out[0].choices) >= 2
    ids = {c.data for c in out[0].choices}
    assert {"dk:sgtvt", "dk:sgddt"} <= ids
    assert await _count(svc, Membership) == 0


async def test_one_agency_at_a_time(svc):
    at_minute(svc, 0)
    await register(svc, "21", "SXD")
    at_minute(svc, 10)
    await register(svc, "21", "SCT")
    assert await repo.member_agency(svc.sessions, "telegram", "21") == "sct"
    members = await repo.list_members(svc.sessions)
    assert [(m.external_id, m.agency_id) for m in members] == [("21", "sct")]


async def test_members_list_and_removal(svc):
    mid = await register(svc, "22", "SXD")
    await register(svc, "23", "UBND phường Yên Dũng")
    out = await dispatch(tg("22", "/thanhvien"), svc)
    assert len(out) == 1 and "quản trị" in out[0].text

    [listing] = await dispatch(admin("/thanhvien"), svc)
    assert listing.text.startswith("Cán bộ đầu mối đã được duyệt (2):")
    assert "Cán bộ 22 (Telegram, mã 22) — Sở Xây dựng" in listing.text
    assert "Cán bộ 23" in listing.text and "Xóa một cán bộ đầu mối" in listing.text
    [listing] = await dispatch(admin("/thanhvien UBND huyện"), svc)  # the collective: communes
    assert "Cán bộ 23" in listing.text and "Cán bộ 22" not in listing.text

    out = await dispatch(admin(f"/xoathanhvien {mid}"), svc)
    assert [r.text for r in out if r.chat is None] == [
        "Đã xóa Cán bộ 22 khỏi danh sách cán bộ đầu mối của Sở Xây dựng."]
    told = [r.text for r in out if r.chat == ChatRef("telegram", "22")]
    assert len(told) == 1 and "không còn là cán bộ đầu mối của Sở Xây dựng" in told[0]
    [late] = await dispatch(admin(f"/duyet {mid}"), svc)
    assert late.text.startswith(f"Yêu cầu số {mid} đã được Quản trị duyệt lúc ")
    assert late.text.endswith("; sau đó cán bộ đã bị xóa khỏi danh sách cán bộ đầu mối.")
    assert await repo.member_agency(svc.sessions, "telegram", "22") is None
    out = await dispatch(admin(f"/xoathanhvien {mid}"), svc)
    assert len(out) == 1 and "Không có" in out[0].text
    out = await dispatch(admin("/xoathanhvien abc"), svc)
    assert len(out) == 1
    [r] = await dispatch(admin("/thanhvien Bộ Quốc phòng"), svc)
    assert r.text == "Không tìm thấy cơ quan “Bộ Quốc phòng” trong Kế hoạch."


async def test_pending_list_for_admins(svc):
    await dispatch(tg("24", "/dangky SXD"), svc)
    [r] = await dispatch(admin("/duyet"), svc)
    assert "Cán bộ 24 (Telegram, mã 24) — Sở Xây dựng" in r.text
    assert r.choices[0].label.startswith("Duyệt")


async def test_approval_tells_a_district_official_their_own_example(svc):
    replies = await dispatch(tg("25", "/dangky UBND phường Nếnh"), svc)
    ok = next(r for r in replies if r.chat == ADMIN_TG).choices[0].data
    out = await dispatch(admin(callback=ok), svc)
    [told] = [r.text for r in out if r.chat == ChatRef("telegram", "25")]
    assert "/capnhat 2.7.1 đang thực hiện" in told and "2.2.1" not in told
