"""Status updates as members send them: /capnhat (one line or guided), /trangthai."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.core import Request
from bot.db import repo
from bot.db.models import StatusUpdate
from bot.export import agency_tasks
from bot.knowledge import load_knowledge
from bot.statuses import parse_status
from handlers import dispatch
from handlers.status import shorten

NOW = datetime(2026, 11, 30, 3, 15, tzinfo=UTC)  # 10:15 in Hà Nội


def tg(user: str, text: str = "", callback: str | None = None, **kw) -> Request:
    kw.setdefault("chat_id", user)
    return Request(channel="telegram", user_id=user, text=text, callback=callback,
                   user_name=f"Cán bộ {user}", **kw)


async def member(svc, user: str, agency_id: str, channel: str = "telegram") -> None:
    row = await repo.request_membership(svc.sessions, channel, user, agency_id,
                                        display_name=f"Cán bộ {user}")
    await repo.decide_membership(svc.sessions, row.id, True, by_channel="telegram",
                                 by_external_id="900")


async def rows(svc) -> list[StatusUpdate]:
    async with svc.sessions() as s:
        return list((await s.execute(select(StatusUpdate).order_by(StatusUpdate.id))).scalars())


@pytest.fixture
async def sxd(svc):
    svc.clock = lambda: NOW
    await member(svc, "1", "sxd")
    return svc


@pytest.mark.parametrize("text,code,note", [
    ("chua", "chua", ""), ("chưa làm", "chua", ""), ("chưa thực hiện", "chua", ""),
    ("Chưa thực hiện do thiếu vốn", "chua", "do thiếu vốn"),
    ("đang làm", "dang", ""), ("dang thuc hien", "dang", ""), ("Đang thực hiện", "dang", ""),
    ("xong", "xong", ""), ("đã xong", "xong", ""), ("hoàn thành", "xong", ""),
    ("hoan thanh", "xong", ""), ("HOÀN THÀNH: đúng hạn", "xong", "đúng hạn"),
    ("vướng", "vuong", ""), ("vướng mắc", "vuong", ""), ("khó khăn", "vuong", ""),
    ("kho khan ve mat bang", "vuong", "ve mat bang"), ("vướng -5% vốn", "vuong", "-5% vốn"),
])
def test_status_vocabulary(text, code, note):
    assert parse_status(text) == (code, note)


@pytest.mark.parametrize("text", ["", "   ", "tốt", "ok xong"])
def test_unknown_status(text):
    assert parse_status(text)[0] is None


async def test_update_is_saved_and_confirmed(sxd):
    [r] = await dispatch(tg("1", "/capnhat 2.2.1 đang làm Đã phê duyệt 2 đồ án"), sxd)
    assert "2.2.1" in r.text and "Đang thực hiện" in r.text
    assert "10:15" in r.text and "30/11/2026" in r.text  # local time (BOT_TIMEZONE)
    [row] = await rows(sxd)
    assert (row.item_id, row.agency_id, row.status, row.note, row.channel) == (
        "2.2.1", "sxd", "dang", "Đã phê duyệt 2 đồ án", "telegram")
    assert row.created_at == NOW


async def test_section_and_general_duties(sxd):
    for text in ("/capnhat 2.2 đang thực hiện Đã phê duyệt 2 đồ án", "/capnhat 1.1 xong",
                 "/capnhat 1 hoàn thành", "/capnhat IV.3 vướng mắc", "/capnhat iv.1 xong",
                 "/capnhat 4.3.1 chưa làm"):
        [r] = await dispatch(tg("1", text), sxd)
        assert r.text.startswith("Đã lưu"), (text, r.text)
    # a section-level update is stored for each of its tasks, at one instant
    assert [x.item_id for x in await rows(sxd)] == [
        "2.2.1", "2.2.2", "2.2.3", "2.2.4", "1.1", "1.1", "1.2", "1.3", "IV.3.1", "IV.1.1",
        "4.3.1"]


async def test_markup_in_a_note_is_stored_as_typed(sxd):
    note = "<b>đậm</b> *sao* _gạch_ [link](http://x) =1+1 & <script>"
    [r] = await dispatch(tg("1", f"/capnhat 2.2.2 xong {note}"), sxd)
    assert note in r.text
    assert (await rows(sxd))[0].note == note


@pytest.mark.parametrize("text,expect", [
    ("/capnhat 2.3.1 xong", "Sở Công Thương"),  # another agency's task: say whose
    ("/capnhat 2.3 xong", "Sở Công Thương"),
    ("/capnhat 9.9 xong", "Không có mục"),
    ("/capnhat abc xong", "Không có mục"),
    ("/capnhat II.6 xong", "không giao riêng"),
    ("/capnhat 2.2.1", "Thiếu trạng thái"),
    ("/capnhat 2.2.1 tốt lắm", "Không hiểu trạng thái"),
    ("/capnhat 2.2.1 xong " + "x" * 1001, "tối đa 1.000"),
])
async def test_refusals_change_nothing(sxd, text, expect):
    out = await dispatch(tg("1", text), sxd)
    assert len(out) == 1 and expect in out[0].text and "\n" not in out[0].text
    assert await rows(sxd) == []


async def test_too_long_note_is_refused_in_plain_vietnamese(sxd):
    [r] = await dispatch(tg("1", "/capnhat 2.2.1 xong " + "x" * 1001), sxd)
    assert r.text == ("Ghi chú dài 1.001 ký tự, vượt mức tối đa 1.000 ký tự; chưa lưu gì. "
                      "Xin rút gọn ghi chú.")


async def test_usage_examples_use_the_members_own_task(svc):
    await member(svc, "3", "phuong_nenh")  # a ward: the former district's duties (issue 12)
    [r] = await dispatch(tg("3", "/capnhat 2.7.1"), svc)
    assert "/capnhat 2.7.1 đang thực hiện" in r.text and "2.2.1" not in r.text
    [r] = await dispatch(tg("3", "/capnhat 2.7.1 tốt lắm"), svc)
    assert r.text.startswith("Không hiểu trạng thái “tốt lắm”") and "/capnhat 2.7.1" in r.text
    [r] = await dispatch(tg("3", "/capnhat 9.9 xong"), svc)
    assert "ví dụ đúng: 2.7 hoặc 2.7.1" in r.text
    assert await rows(svc) == []


async def test_note_of_exactly_1000_characters_is_accepted(sxd):
    [r] = await dispatch(tg("1", "/capnhat 2.2.1 xong " + "y" * 1000), sxd)
    assert r.text.startswith("Đã lưu")
    assert len((await rows(sxd))[0].note) == 1000


async def test_non_members_are_refused(svc):
    svc.clock = lambda: NOW
    out = await dispatch(tg("2", "/capnhat 2.2.1 xong"), svc)
    assert [r.text for r in out] == [
        "Chỉ cán bộ đầu mối đã được duyệt mới cập nhật được tiến độ; xin đăng ký bằng lệnh "
        "/dangky TÊN CƠ QUAN."]
    assert await rows(svc) == []


async def test_a_waiting_registrant_is_told_the_request_waits(svc):
    """Not "register again": which request, since when, and who decides it."""
    svc.clock = lambda: NOW
    await repo.upsert_user(svc.sessions, "telegram", "900", "Trần Quản Trị")  # the admin
    row = await repo.request_membership(svc.sessions, "telegram", "2", "sxd", now=NOW)
    for text in ("/capnhat 2.2.1 xong", "/capnhat", "/sua xong", "/rut"):
        [r] = await dispatch(tg("2", text), svc)
        assert r.text.startswith(f"Yêu cầu số {row.id} tham gia Sở Xây dựng của Đồng chí đang "
                                 "chờ duyệt (gửi lúc 10:15 ngày 30/11/2026)"), r.text
        assert "Trần Quản Trị" in r.text and "không cần đăng ký lại" in r.text
        assert not r.choices
    assert await rows(svc) == []


async def test_district_member_reports_for_the_district(svc):
    # since 1/7/2025 each commune or ward reports the former district's duties on its own
    await member(svc, "3", "phuong_nenh")
    [r] = await dispatch(tg("3", "/capnhat 2.7.1 hoàn thành"), svc)
    assert "UBND phường Nếnh" in r.text
    [r] = await dispatch(tg("3", "/capnhat 2.2.1 xong"), svc)
    assert "Sở Xây dựng" in r.text
    assert [(x.item_id, x.agency_id) for x in await rows(svc)] == [("2.7.1", "phuong_nenh")]


async def test_guided_flow(sxd):
    [pick] = await dispatch(tg("1", "/capnhat"), sxd)
    datas = [c.data for c in pick.choices]
    assert "cn:t:2.2.1" in datas and "cn:t:4.3.1" in datas and "cn:t:2.3.1" not in datas
    [statuses] = await dispatch(tg("1", callback="cn:t:2.2.3"), sxd)
    assert [c.data for c in statuses.choices] == [
        "cn:s:2.2.3:chua", "cn:s:2.2.3:dang", "cn:s:2.2.3:xong", "cn:s:2.2.3:vuong"]
    [ask] = await dispatch(tg("1", callback="cn:s:2.2.3:vuong"), sxd)
    assert "khó khăn, vướng mắc" in ask.text  # a blocked task: what is the obstacle?
    assert await rows(sxd) == []
    [ask] = await dispatch(tg("1", "Thiếu vốn đối ứng"), sxd)
    assert ask.text.startswith("Kiến nghị, đề xuất")  # ... and what is proposed?
    assert await rows(sxd) == []
    [done] = await dispatch(tg("1", "Đề nghị tỉnh bố trí vốn năm 2027"), sxd)
    assert done.text.startswith("Đã lưu") and "Vướng mắc" in done.text
    assert "Khó khăn, vướng mắc: Thiếu vốn đối ứng" in done.text
    assert "Kiến nghị, đề xuất: Đề nghị tỉnh bố trí vốn năm 2027" in done.text
    [row] = await rows(sxd)
    assert (row.item_id, row.status, row.obstacles, row.proposals, row.result) == (
        "2.2.3", "vuong", "Thiếu vốn đối ứng", "Đề nghị tỉnh bố trí vốn năm 2027", "")

    await dispatch(tg("1", callback="cn:s:2.2.4:xong"), sxd)
    [done] = await dispatch(tg("1", "bỏ qua"), sxd)
    assert done.text.startswith("Đã lưu")
    assert (await rows(sxd))[-1].note == ""

    # a pressed button of another agency's task is refused, even if crafted
    [r] = await dispatch(tg("1", callback="cn:s:2.3.1:xong"), sxd)
    assert "Sở Công Thương" in r.text


async def test_confirmation_names_the_task(sxd):
    [r] = await dispatch(tg("1", "/capnhat 2.2.3 xong Đã ban hành"), sxd)
    summary = shorten(load_knowledge().task("2.2.3").text)
    assert r.text.splitlines()[1] == f"Nhiệm vụ: {summary}"
    [r] = await dispatch(tg("1", "/capnhat 2.2.1 đang thực hiện"), sxd)
    [r] = await dispatch(tg("1", "/capnhat 2.2 đang thực hiện"), sxd)  # 2.2.3 is finished
    assert r.text.startswith("Mục 2.2 có 4 nhiệm vụ; đã hoàn thành: 2.2.3 (báo cáo ngày "
                             "30/11/2026).")
    [r] = await dispatch(tg("1", callback=r.choices[0].data), sxd)
    assert r.text.startswith("Đã lưu cho 3 nhiệm vụ của mục 2.2 (2.2.1, 2.2.2, 2.2.4) — Đang "
                             "thực hiện (Sở Xây dựng)")
    assert "Giữ nguyên (đã hoàn thành): 2.2.3 (báo cáo ngày 30/11/2026)." in r.text


async def test_guided_flow_in_a_group_saves_without_waiting_for_a_note(sxd):
    """A group delivers plain text only when it mentions the bot: no note step there."""
    def grp(**kw):
        return tg("1", chat_id="-100500", chat_type="group", **kw)

    [pick] = await dispatch(grp(text="/capnhat"), sxd)
    assert pick.choices[0].data == "cn:t:2.2.1"
    await dispatch(grp(callback="cn:t:2.2.1"), sxd)
    [done] = await dispatch(grp(callback="cn:s:2.2.1:dang"), sxd)
    assert done.text.startswith("Đã lưu: 2.2.1 — Đang thực hiện")
    assert done.text.endswith("Để kèm kết quả, khó khăn, kiến nghị, gõ: /capnhat 2.2.1 đang "
                              "thực hiện NỘI DUNG")
    [row] = await rows(sxd)
    assert (row.item_id, row.status, row.note) == ("2.2.1", "dang", "")
    # nothing waits: the official's next words in the group are not taken as a note
    assert await dispatch(grp(text="cảm ơn", addressed=False), sxd) == []
    assert len(await rows(sxd)) == 1


@pytest.mark.parametrize("cancel", ["/huy", "huỷ", "Hủy", "huy"])
async def test_guided_flow_can_be_cancelled(sxd, cancel):
    [ask] = await dispatch(tg("1", callback="cn:s:2.2.1:xong"), sxd)
    assert "/huy" in ask.text
    [r] = await dispatch(tg("1", cancel), sxd)
    assert r.text.startswith("Đã hủy") and "không có gì được lưu" in r.text
    assert await rows(sxd) == []
    [after] = await dispatch(tg("1", "Đã ban hành kế hoạch"), sxd)  # no longer a note
    assert not after.text.startswith("Đã lưu")
    assert await rows(sxd) == []


async def test_huy_drops_numbered_choices_on_zalo(svc):
    await member(svc, "z1", "sxd", channel="zalo")

    def z(text):
        return Request(channel="zalo", user_id="z1", chat_id="z1", text=text)

    await dispatch(z("/capnhat"), svc)
    [r] = await dispatch(z("/huy"), svc)
    assert r.text.startswith("Đã hủy")
    [after] = await dispatch(z("1"), svc)  # the picker's "1" no longer picks a task
    assert not after.choices or after.choices[0].data != "cn:s:2.2.1:chua"
    assert await rows(svc) == []


async def test_guided_flow_with_numbers_on_zalo(svc):
    await member(svc, "z1", "sxd", channel="zalo")

    def z(text):
        return Request(channel="zalo", user_id="z1", chat_id="z1", text=text)

    [pick] = await dispatch(z("/capnhat"), svc)
    assert pick.choices[0].data == "cn:t:2.2.1"
    await dispatch(z("1"), svc)  # task 2.2.1
    await dispatch(z("3"), svc)  # "Hoàn thành"
    [done] = await dispatch(z("-"), svc)
    assert done.text.startswith("Đã lưu") and "Hoàn thành" in done.text
    [row] = await rows(svc)
    assert (row.item_id, row.status, row.note, row.channel) == ("2.2.1", "xong", "", "zalo")


async def test_too_long_note_in_guided_flow_keeps_waiting(sxd):
    await dispatch(tg("1", callback="cn:s:2.2.1:dang"), sxd)
    [r] = await dispatch(tg("1", "z" * 1200), sxd)
    assert r.text.startswith("Ghi chú dài 1.200 ký tự, vượt mức tối đa 1.000 ký tự; chưa lưu gì.")
    assert "/huy" in r.text and await rows(sxd) == []
    [r] = await dispatch(tg("1", "ngắn gọn"), sxd)
    assert r.text.startswith("Đã lưu")


async def test_trangthai_shows_latest_status_with_date(sxd):
    await dispatch(tg("1", "/capnhat 2.2.1 chưa làm"), sxd)
    await dispatch(tg("1", "/capnhat 2.2.1 đang làm Đã phê duyệt 2 đồ án"), sxd)
    [own] = await dispatch(tg("1", "/trangthai"), sxd)
    assert "Sở Xây dựng" in own.text
    line = next(x for x in own.text.splitlines() if x.startswith("• 2.2.1"))
    assert "Đang thực hiện" in line and "30/11/2026" in line and "Đã phê duyệt" in line
    kb = load_knowledge()
    summary = shorten(kb.task("2.2.2").text)  # which task it is, not only its number
    assert summary.endswith("…") and len(summary) <= 60
    assert f"• 2.2.2 {summary} — Chưa có cập nhật" in own.text.splitlines()
    [other] = await dispatch(tg("5", "/trangthai SXD"), sxd)
    assert f"• 2.2.1 {shorten(kb.task('2.2.1').text)} — Đang thực hiện" in other.text
    [overview] = await dispatch(tg("5", "/trangthai"), sxd)
    assert overview.text.startswith("Tình trạng cập nhật của các cơ quan, đơn vị (đến "
                                    "30/11/2026), kỳ báo cáo năm 2026:")
    held = [t.id for t in agency_tasks(kb, "sxd")]  # 2.2.1-2.2.4, 4.3.1 (and inherited ones)
    line = next(x for x in overview.text.splitlines() if x.startswith("• Sở Xây dựng"))
    assert (f": đã báo cáo 1/{len(held)} nhiệm vụ; còn thiếu {', '.join(held[1:])} "
            "(1 đang thực hiện)") in line
    assert "UBND phường Nếnh" in overview.text  # the communes report, not the districts
    [districts] = await dispatch(tg("5", "/trangthai UBND huyện"), sxd)
    assert districts.text.startswith(
        "UBND huyện, thành phố nay là UBND cấp xã (từ 01/7/2025)\nTình trạng cập nhật của các "
        "xã, phường (UBND cấp xã), theo từng đơn vị (đến 30/11/2026), kỳ báo cáo năm 2026:")
    assert districts.text.count("• UBND") == 58
    [r] = await dispatch(tg("5", "/trangthai Bộ Ngoại giao Pháp"), sxd)
    assert r.text == "Không tìm thấy cơ quan “Bộ Ngoại giao Pháp” trong Kế hoạch."


def test_shorten_cuts_at_a_word_boundary():
    text = "Rà soát, điều chỉnh, bổ sung quy hoạch chung, quy hoạch xây dựng vùng huyện đảm bảo"
    short = shorten(text)
    assert short == "Rà soát, điều chỉnh, bổ sung quy hoạch chung, quy hoạch…"
    assert shorten("ngắn gọn") == "ngắn gọn"


async def test_section_update_speaks_for_its_tasks(sxd):
    await dispatch(tg("1", "/capnhat 2.2.1 chưa làm"), sxd)
    later = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    sxd.clock = lambda: later
    await dispatch(tg("1", "/capnhat 2.2 đang thực hiện"), sxd)
    [own] = await dispatch(tg("1", "/trangthai"), sxd)
    lines = own.text.splitlines()
    assert any(x.startswith("• 2.2.1 ") and x.endswith("— Đang thực hiện (01/12/2026)")
               for x in lines)
    assert any(x.startswith("• 2.2.4 ") and "— Đang thực hiện" in x for x in lines)


async def test_500_concurrent_updates_from_50_officials(svc, monkeypatch):
    """All stored, none twice; each acknowledgement only after its row is committed."""
    svc.clock = lambda: NOW
    agencies = ["sxd", "sct", "stc", "bqlkcn_bn", "phuong_nenh"]  # today's units
    tasks = {"sxd": "2.2.1", "sct": "2.3.1", "stc": "2.1.1", "bqlkcn_bn": "2.4.1",
             "phuong_nenh": "2.7.1"}
    officials = [(f"{100 + i}", agencies[i % 5]) for i in range(50)]
    for uid, agency in officials:
        await member(svc, uid, agency)

    seen_before_ack: list[int] = []
    original = repo.add_status

    async def checked_add_status(sessions, **kw):
        row = await original(sessions, **kw)
        async with svc.sessions() as other:  # a separate session must already see it
            found = await other.get(StatusUpdate, row.id)
        assert found is not None and found.result == kw["result"]
        seen_before_ack.append(row.id)
        return row

    monkeypatch.setattr(repo, "add_status", checked_add_status)

    async def send(n: int):
        uid, agency = officials[n % 50]
        return await dispatch(tg(uid, f"/capnhat {tasks[agency]} đang làm lần {n}"), svc)

    results = await asyncio.gather(*(send(n) for n in range(500)))
    assert all(len(r) == 1 and r[0].text.startswith("Đã lưu") for r in results)
    assert len(seen_before_ack) == 500 == len(set(seen_before_ack))
    async with svc.sessions() as s:
        total = (await s.execute(select(func.count()).select_from(StatusUpdate))).scalar()
        notes = (await s.execute(select(StatusUpdate.note))).scalars().all()
    assert total == 500
    assert sorted(notes) == sorted(f"lần {n}" for n in range(500))
    for n, replies in enumerate(results):  # each official got the answer to their own update
        assert f"\nKết quả: lần {n}\n" in replies[0].text
