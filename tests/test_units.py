"""Issue 12 in the chat workflow, through dispatch on both engines: today's units register,
report on what they hold today (own and inherited), former names are mapped with a note or
asked back, members left under a former unit are moved (or asked once which successor)."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from bot import reminders, units
from bot.core import ChatRef, Request
from bot.db import repo
from bot.db.models import Chat, Membership, StatusUpdate, Subscription
from bot.senders import SendResult
from handlers import dispatch

ADMIN_TG = ChatRef("telegram", "900")


def tg(user: str, text: str = "", callback: str | None = None) -> Request:
    return Request(channel="telegram", user_id=user, chat_id=user, text=text, callback=callback,
                   user_name=f"Cán bộ {user}")


def admin(text: str = "", callback: str | None = None) -> Request:
    return Request(channel="telegram", user_id="900", chat_id="900", text=text,
                   callback=callback, user_name="Quản trị", is_admin=True)


async def register(svc, user: str, agency_text: str) -> list:
    replies = await dispatch(tg(user, f"/dangky {agency_text}"), svc)
    to_admin = next(r for r in replies if r.chat == ADMIN_TG)
    ok = next(c for c in to_admin.choices if c.label.startswith("Duyệt"))
    await dispatch(admin(callback=ok.data), svc)
    return replies


async def _leave_under(svc, user: str, former: str) -> None:
    """As a deployment before migration 0005 left it: the member's row names a former unit."""
    async with svc.sessions() as s, s.begin():
        await s.execute(update(Membership).where(Membership.state == repo.APPROVED)
                        .values(agency_id=former))


async def _saved(svc) -> list[tuple[str, str]]:
    async with svc.sessions() as s:
        rows = await s.execute(select(StatusUpdate.agency_id, StatusUpdate.item_id)
                               .order_by(StatusUpdate.id))
        return [tuple(r) for r in rows]


async def test_a_former_name_registers_under_todays_unit_with_a_note(svc):
    replies = await register(svc, "21", "Sở KH&ĐT")
    mine = next(r for r in replies if r.chat is None)
    assert mine.text.startswith("Sở Kế hoạch và Đầu tư nay là Sở Tài chính (từ 01/3/2025); đã "
                                "ghi nhận đăng ký vào Sở Tài chính.")
    assert await repo.member_agency(svc.sessions, "telegram", "21") == "stc"


async def test_the_collective_asks_for_the_commune(svc):
    [r] = await dispatch(tg("22", "/dangky UBND cấp xã"), svc)
    assert "Xin ghi tên xã, phường" in r.text and len(r.choices) == 10  # the former districts
    [r] = await dispatch(tg("22", callback=r.choices[7].data), svc)  # Việt Yên
    assert "UBND phường Nếnh" in [c.label for c in r.choices]


async def test_inherited_duties_are_reported_by_the_successor(svc):
    await register(svc, "23", "Sở Xây dựng")
    [r] = await dispatch(tg("23", "/capnhat 5.4.1 đang thực hiện Khảo sát tuyến"), svc)
    assert r.text.startswith("Đã lưu: 5.4.1 — Đang thực hiện (Sở Xây dựng)")
    [r] = await dispatch(tg("23", "/capnhat 2.1.1 xong"), svc)
    assert r.text.startswith("Mục 2.1.1 do Sở Tài chính chủ trì, không thuộc Sở Xây dựng")
    assert await _saved(svc) == [("sxd", "5.4.1")]


async def test_a_split_units_member_is_asked_once_then_reports_its_share(svc):
    await register(svc, "24", "Sở Nội vụ")
    await _leave_under(svc, "24", "sldtbxh")
    [q] = await dispatch(tg("24", "/capnhat 8.1 đang thực hiện"), svc)
    assert "Đồng chí thuộc cơ quan nào?" in q.text and "Sở Nội vụ (8.1.4)" in q.text
    assert await _saved(svc) == []  # nothing saved before the choice
    pick = next(c for c in q.choices if c.label == "Sở Nội vụ")
    [r] = await dispatch(tg("24", callback=pick.data), svc)
    assert "nay là cán bộ đầu mối của Sở Nội vụ" in r.text
    [r] = await dispatch(tg("24", "/capnhat 8.1 đang thực hiện Rà soát lao động"), svc)
    assert r.text.startswith("Đã lưu: 8.1.4") or "(8.1.4)" in r.text
    assert await _saved(svc) == [("snv", "8.1.4")]  # the section update: only its share


async def test_a_merged_units_member_is_moved_with_a_note(svc):
    await register(svc, "25", "Sở Tài chính")
    await _leave_under(svc, "25", "skhdt")
    [r] = await dispatch(tg("25", "/capnhat 2.1.1 xong Đã ban hành"), svc)
    assert r.text.startswith("Sở Kế hoạch và Đầu tư nay là Sở Tài chính (từ 01/3/2025); Đồng "
                             "chí nay là cán bộ đầu mối của Sở Tài chính.\nĐã lưu: 2.1.1")
    assert await _saved(svc) == [("stc", "2.1.1")]
    assert await repo.member_agency(svc.sessions, "telegram", "25") == "stc"


async def test_old_rows_of_a_former_agency_count_for_its_successor(svc):
    await register(svc, "26", "Sở Tài chính")
    await dispatch(tg("26", "/capnhat 2.1.1 xong"), svc)
    async with svc.sessions() as s, s.begin():  # as saved before the reorganisation
        await s.execute(update(StatusUpdate).values(agency_id="skhdt"))
    [r] = await dispatch(admin("/tonghop"), svc)
    assert "• Sở Tài chính (KH: Sở Kế hoạch và Đầu tư): đã báo cáo 1/14 nhiệm vụ" in r.text


async def test_trangthai_of_a_former_name_and_district(svc):
    [r] = await dispatch(tg("27", "/trangthai Sở Giao thông vận tải"), svc)
    assert r.text.startswith("Sở Giao thông vận tải nay là Sở Xây dựng (từ 01/3/2025)\n"
                             "Tình trạng nhiệm vụ của Sở Xây dựng (KH: Sở Xây dựng; Sở Giao "
                             "thông vận tải)")
    [r] = await dispatch(tg("27", "/trangthai huyện Việt Yên"), svc)
    lines = r.text.splitlines()
    assert lines[0].startswith("UBND huyện Việt Yên nay do các xã, phường sau thực hiện")
    assert [ln.split(" (KH")[0] for ln in lines[1:5]] == [
        "• UBND phường Tự Lạn", "• UBND phường Việt Yên", "• UBND phường Nếnh",
        "• UBND phường Vân Hà"]


async def test_nhacnho_follows_todays_unit_and_reaches_communes(svc):
    [r] = await dispatch(tg("28", "/nhacnho Sở GTVT"), svc)
    assert r.text.startswith("Sở Giao thông vận tải nay là Sở Xây dựng (từ 01/3/2025). Đã bật "
                             "nhắc hạn")
    async with svc.sessions() as s:
        assert (await s.execute(select(Subscription.agency_id))).scalars().all() == ["sxd"]
    kb = svc.kb
    reporting = units.reporting_units(kb, [])
    assert "phuong_nenh" in reporting and "skhdt" not in reporting
    assert reminders.applies_to(kb, kb.deadline("5.6-2025"), "phuong_nenh")
    assert reminders.applies_to(kb, kb.deadline("3.1-2021"), "bqlkcn_bn")
    assert not reminders.applies_to(kb, kb.deadline("5.6-2025"), "stc")
    # a subscription left under a former district reaches the wards that cover it
    assert reminders.status_agencies(kb, "viet_yen", reporting) == [
        "phuong_tu_lan", "phuong_viet_yen", "phuong_nenh", "phuong_van_ha"]


class _Sender:
    name = "telegram"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, chat_id: str, reply) -> SendResult:
        self.sent.append((chat_id, reply.text))
        return SendResult(ok=True)


async def _group(svc, ext: str, agency: str) -> None:
    async with svc.sessions() as s, s.begin():
        chat = Chat(channel="telegram", external_id=ext, kind="group", title=f"nhóm {ext}")
        s.add(chat)
        await s.flush()
        s.add(Subscription(chat_id=chat.id, agency_id=agency,
                           created_at=datetime(2026, 11, 1, tzinfo=UTC)))


async def test_reminders_name_todays_units_and_reach_a_wards_group(svc):
    await _group(svc, "-901", "phuong_nenh")  # a ward's group
    await _group(svc, "-902", "viet_yen")  # subscribed before the reorganisation
    await _group(svc, "-903", "*")
    sender = _Sender()
    at = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)  # 08:00 on 8/12: 7 days before 15/12
    await reminders.run_pass(svc, {"telegram": sender}, at)
    got = {c: t for c, t in sender.sent}
    assert "UBND phường Nếnh, kỳ năm 2026: đã báo cáo 0/6 nhiệm vụ; còn thiếu 2.7.1" in got[
        "-901"]
    assert "/capnhat 2.7 đang thực hiện" in got["-901"]  # its own section as the example
    assert "UBND phường Nếnh" in got["-902"] and "UBND phường Vân Hà" in got["-902"]
    assert "Sở Tài chính" in got["-903"] and "Sở Kế hoạch và Đầu tư" not in got["-903"]
