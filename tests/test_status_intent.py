"""Issue 11 through handlers.dispatch: updates record what the official meant.

Ambiguous phrases are asked back (nothing saved until answered), a section-level update spares
finished tasks, one progress sentence everywhere, corrections and withdrawals supersede."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from bot.core import Request
from bot.db import repo
from bot.db.models import StatusUpdate, User
from bot.export import agency_tasks
from bot.periods import year_period
from bot.progress import unit_progress
from bot.reminders import reminder_text, report_state
from handlers import dispatch

NOW = datetime(2026, 11, 30, 3, 15, tzinfo=UTC)  # 10:15 in Hà Nội


def tg(user: str, text: str = "", callback: str | None = None, **kw) -> Request:
    kw.setdefault("chat_id", user)
    return Request(channel="telegram", user_id=user, text=text, callback=callback,
                   user_name=f"Cán bộ {user}", **kw)


def zalo(user: str, text: str) -> Request:
    return Request(channel="zalo", user_id=user, chat_id=user, text=text)


async def member(svc, user: str, agency_id: str = "sxd", channel: str = "telegram") -> None:
    row = await repo.request_membership(svc.sessions, channel, user, agency_id,
                                        display_name=f"Cán bộ {user}", now=svc.now())
    await repo.decide_membership(svc.sessions, row.id, True, by_channel="telegram",
                                 by_external_id="900", now=svc.now())


async def rows(svc) -> list[StatusUpdate]:
    async with svc.sessions() as s:
        return list((await s.execute(select(StatusUpdate).order_by(StatusUpdate.id))).scalars())


def sxd_line(text: str) -> str:
    return next(x for x in text.splitlines() if x.startswith("• Sở Xây dựng"))


def later(svc, minutes: float) -> None:
    at = NOW + timedelta(minutes=minutes)
    svc.clock = lambda: at


async def ready(svc):
    svc.clock = lambda: NOW
    await member(svc, "1")
    return svc


# ---------------------------------------------------------------- ambiguity

async def test_chua_hoan_thanh_is_asked_back_and_saved_as_chosen(svc):
    await ready(svc)
    [q] = await dispatch(tg("1", "/capnhat 2.2.1 chưa hoàn thành"), svc)
    assert q.text.startswith("“chưa hoàn thành” có thể hiểu theo nhiều cách")
    assert "Chưa lưu gì" in q.text
    assert [c.label for c in q.choices] == ["Chưa thực hiện", "Đang thực hiện", "Hủy, không lưu"]
    assert await rows(svc) == []
    [done] = await dispatch(tg("1", callback=q.choices[1].data), svc)
    assert done.text.startswith("Đã lưu: 2.2.1 — Đang thực hiện")
    [row] = await rows(svc)
    assert (row.status, row.note, row.result) == ("dang", "", "")  # "hoàn thành" is no note
    [again] = await dispatch(tg("1", callback=q.choices[0].data), svc)  # pressed twice
    assert again.text.startswith("Lựa chọn này không còn hiệu lực")
    assert len(await rows(svc)) == 1


async def test_an_obstacle_after_an_ambiguous_phrase_offers_vuong_mac(svc):
    await ready(svc)
    [q] = await dispatch(tg("1", "/capnhat 2.2.2 chưa hoàn thành, còn vướng GPMB"), svc)
    assert [c.label for c in q.choices][:3] == ["Chưa thực hiện", "Đang thực hiện", "Vướng mắc"]
    [done] = await dispatch(tg("1", callback=q.choices[2].data), svc)
    assert "Khó khăn, vướng mắc: còn vướng GPMB" in done.text
    [row] = await rows(svc)
    assert (row.status, row.obstacles, row.result) == ("vuong", "còn vướng GPMB", "")


async def test_cancel_button_saves_nothing(svc):
    await ready(svc)
    [q] = await dispatch(tg("1", "/capnhat 2.2.1 chưa xong"), svc)
    [r] = await dispatch(tg("1", callback=q.choices[-1].data), svc)
    assert r.text == "Đã hủy cập nhật 2.2.1; không có gì được lưu."
    assert await rows(svc) == []


async def test_on_zalo_the_question_is_answered_by_number_or_words(svc):
    svc.clock = lambda: NOW
    await member(svc, "z1", channel="zalo")
    [q] = await dispatch(zalo("z1", "/capnhat 2.2.1 chưa xong"), svc)
    assert len(q.choices) == 3
    [r] = await dispatch(zalo("z1", "7"), svc)  # out of range: asked again, nothing saved
    assert r.text.startswith("Chưa lưu gì. Xin chọn một số từ 1 đến 3")
    [r] = await dispatch(zalo("z1", "1"), svc)
    assert r.text.startswith("Đã lưu: 2.2.1 — Chưa thực hiện")
    [q] = await dispatch(zalo("z1", "/capnhat 2.2.2 chưa hoàn thành"), svc)
    [r] = await dispatch(zalo("z1", "đang làm"), svc)  # the status typed out
    assert r.text.startswith("Đã lưu: 2.2.2 — Đang thực hiện")
    [q] = await dispatch(zalo("z1", "/capnhat 2.2.3 chưa hoàn thành"), svc)
    [r] = await dispatch(zalo("z1", "hủy"), svc)
    assert "không có gì được lưu" in r.text
    assert [(x.item_id, x.status) for x in await rows(svc)] == [("2.2.1", "chua"),
                                                                 ("2.2.2", "dang")]


async def test_natural_forms_are_accepted(svc):
    await ready(svc)
    for text, item in (("/capnhat mục 2.2.2 đang làm", "2.2.2"),
                       ("/capnhat xong 2.2.1", "2.2.1"),
                       ("/capnhat nhiệm vụ 2.2.4 đang thực hiện", "2.2.4"),
                       ("/capnhat 4,3,1 chưa thực hiện", "4.3.1")):
        [r] = await dispatch(tg("1", text), svc)
        assert r.text.startswith(f"Đã lưu: {item} — "), (text, r.text)
    [r] = await dispatch(tg("1", "/capnhat 2,2 đang thực hiện"), svc)  # decimal comma
    assert r.text.startswith("Mục 2.2 có 4 nhiệm vụ; đã hoàn thành: 2.2.1")  # said just above


async def test_leftover_status_words_never_become_the_note(svc):
    await ready(svc)
    await dispatch(tg("1", "/capnhat 2.2 xong roi"), svc)
    assert {(x.status, x.note) for x in await rows(svc)} == {("xong", "")}


# ---------------------------------------------------------------- section-level updates

async def test_a_section_update_never_silently_overwrites_a_finished_task(svc):
    await ready(svc)
    await dispatch(tg("1", "/capnhat 2.2.1 xong Đã ban hành quy hoạch"), svc)
    later(svc, 60)
    [q] = await dispatch(tg("1", "/capnhat 2.2 đang thực hiện Đang rà soát"), svc)
    assert q.text.startswith("Mục 2.2 có 4 nhiệm vụ; đã hoàn thành: 2.2.1 (báo cáo ngày "
                             "30/11/2026).")
    assert [c.label for c in q.choices] == [
        "Chỉ 2.2.2, 2.2.3, 2.2.4 (giữ nguyên nhiệm vụ đã hoàn thành)",
        "Cả 4 nhiệm vụ, kể cả 2.2.1", "Hủy, không lưu"]
    assert len(await rows(svc)) == 1  # nothing saved yet
    [done] = await dispatch(tg("1", callback=q.choices[0].data), svc)
    assert done.text.startswith("Đã lưu cho 3 nhiệm vụ của mục 2.2 (2.2.2, 2.2.3, 2.2.4)")
    assert "Giữ nguyên (đã hoàn thành): 2.2.1" in done.text
    latest = await repo.effective_latest(svc.sessions, svc.kb, ["sxd"])
    assert latest[("sxd", "2.2.1")].status == "xong"
    assert latest[("sxd", "2.2.1")].note == "Đã ban hành quy hoạch"
    assert {latest[("sxd", t)].status for t in ("2.2.2", "2.2.3", "2.2.4")} == {"dang"}


async def test_a_section_update_covers_a_finished_task_only_when_confirmed(svc):
    await ready(svc)
    await dispatch(tg("1", "/capnhat 2.2.1 xong"), svc)
    later(svc, 60)
    [q] = await dispatch(tg("1", "/capnhat 2.2 vướng mắc thiếu vốn"), svc)
    [done] = await dispatch(tg("1", callback=q.choices[1].data), svc)
    assert done.text.startswith("Đã lưu cho 4 nhiệm vụ của mục 2.2 (2.2.1, 2.2.2, 2.2.3, "
                                "2.2.4) — Vướng mắc")
    assert [(x.item_id, x.status) for x in await rows(svc)][-4:] == [
        ("2.2.1", "vuong"), ("2.2.2", "vuong"), ("2.2.3", "vuong"), ("2.2.4", "vuong")]


async def test_a_section_update_without_finished_tasks_says_where_it_went(svc):
    await ready(svc)
    [r] = await dispatch(tg("1", "/capnhat 2.2 đang thực hiện"), svc)
    assert r.text.startswith("Đã lưu cho 4 nhiệm vụ của mục 2.2 (2.2.1, 2.2.2, 2.2.3, 2.2.4) — "
                             "Đang thực hiện (Sở Xây dựng)")


# ---------------------------------------------------------------- one progress sentence

async def test_reminders_trangthai_and_tonghop_say_the_same(svc):
    """After 1 of its 5 tasks: never "đã báo cáo kỳ năm 2026"."""
    await ready(svc)
    await dispatch(tg("1", "/capnhat 2.2.1 đang thực hiện"), svc)
    held = [t.id for t in agency_tasks(svc.kb, "sxd")]  # 2.2.1-2.2.4, 4.3.1 (and inherited)
    sentence = f"đã báo cáo 1/{len(held)} nhiệm vụ; còn thiếu {', '.join(held[1:])}"
    assert held[:5] == ["2.2.1", "2.2.2", "2.2.3", "2.2.4", "4.3.1"]
    [own] = await dispatch(tg("1", "/trangthai"), svc)
    assert f"Kỳ báo cáo năm 2026: {sentence}." in own.text
    [overview] = await dispatch(tg("5", "/trangthai"), svc)
    assert f": {sentence} (1 đang thực hiện)" in sxd_line(overview.text)
    [summary] = await dispatch(tg("900", "/tonghop"), svc)
    assert f": {sentence}." in sxd_line(summary.text)
    dl = svc.kb.deadline("IV.3-year")
    occurrence = datetime(2026, 12, 15).date()
    state = await report_state(svc, dl, occurrence, NOW)
    assert "sxd" in state.missing
    text = reminder_text(svc.kb, dl, occurrence, 14, NOW.date(), frozenset({"sxd"}), state)
    assert f"Sở Xây dựng, kỳ năm 2026: {sentence}." in text
    assert "đã báo cáo kỳ" not in text
    progress = await unit_progress(svc, year_period(2026, svc.settings.tz), ["sxd"])
    assert progress["sxd"].text() == sentence


# ---------------------------------------------------------------- result, obstacles, proposals

async def test_guided_flow_for_done_asks_for_the_result_and_reads_labels(svc):
    await ready(svc)
    [ask] = await dispatch(tg("1", callback="cn:s:2.2.1:xong"), svc)
    assert "kết quả thực hiện" in ask.text and "Khó khăn: …" in ask.text
    [done] = await dispatch(tg("1", "Đã ban hành 3 quy hoạch. Kiến nghị: bổ sung kinh phí"),
                            svc)
    assert "Kết quả: Đã ban hành 3 quy hoạch" in done.text
    [row] = await rows(svc)
    assert (row.result, row.obstacles, row.proposals) == (
        "Đã ban hành 3 quy hoạch", "", "bổ sung kinh phí")


async def test_a_blocked_update_without_obstacle_says_how_to_add_it(svc):
    await ready(svc)
    [r] = await dispatch(tg("1", "/capnhat 2.2.3 vướng mắc"), svc)
    assert "/sua vướng mắc Khó khăn: … Kiến nghị: …" in r.text


async def test_export_has_the_detail_columns_and_the_history(svc):
    await ready(svc)
    await dispatch(tg("1", "/capnhat 2.2.4 đang thực hiện. Kết quả: rà soát 5 vị trí. Khó "
                           "khăn: thiếu quỹ đất. Kiến nghị: tỉnh bố trí vốn"), svc)
    await dispatch(tg("1", "/capnhat 2.2.1 xong"), svc)  # the same instant: a separate update
    later(svc, 5)
    await dispatch(tg("1", "/sua đang thực hiện"), svc)
    [r] = await dispatch(tg("900", "/xuat"), svc)
    wb = load_workbook(io.BytesIO(r.file.content))
    ws = wb["Theo nhiệm vụ"]
    header = [c.value for c in ws[1]]
    tasks = {row[2]: dict(zip(header, row, strict=True))
             for row in ws.iter_rows(min_row=2, values_only=True) if row[1] == "Sở Xây dựng"}
    assert (tasks["2.2.4"]["Kết quả"], tasks["2.2.4"]["Khó khăn, vướng mắc"],
            tasks["2.2.4"]["Kiến nghị, đề xuất"]) == ("rà soát 5 vị trí", "thiếu quỹ đất",
                                                       "tỉnh bố trí vốn")
    assert tasks["2.2.1"]["Trạng thái mới nhất"] == "Đang thực hiện"  # the correction
    hist = wb["Lịch sử cập nhật"]
    header = [c.value for c in hist[1]]
    lines = [dict(zip(header, row, strict=True))
             for row in hist.iter_rows(min_row=2, values_only=True)]
    assert [(x["Mục"], x["Trạng thái"], x["Hiệu lực"]) for x in lines] == [
        ("2.2.4", "Đang thực hiện", "Đang hiệu lực"),
        ("2.2.1", "Hoàn thành", f"Đã sửa bởi bản ghi số {lines[2]['Mã bản ghi']}"),
        ("2.2.1", "Đang thực hiện", "Đang hiệu lực")]
    assert lines[2]["Thay cho bản ghi"] == lines[1]["Mã bản ghi"]


# ---------------------------------------------------------------- corrections

async def test_the_last_update_can_be_corrected_within_30_minutes(svc):
    await ready(svc)
    [ack] = await dispatch(tg("1", "/capnhat 2.2.1 xong Đã ban hành"), svc)
    assert ("Nếu có nhầm lẫn, trong 30 phút (đến 10:45) Đồng chí có thể sửa bằng /sua "
            "TRẠNG THÁI [GHI CHÚ] hoặc rút lại bằng /rut.") in ack.text
    later(svc, 10)
    [show] = await dispatch(tg("1", "/sua"), svc)
    assert show.text.startswith("Cập nhật gần nhất: 2.2.1 — Hoàn thành, lúc 10:15")
    [fixed] = await dispatch(tg("1", "/sua đang thực hiện Đang trình ban hành"), svc)
    assert fixed.text.startswith("Đã sửa: 2.2.1 — Đang thực hiện")
    first, second = await rows(svc)
    assert (second.supersedes_id, second.status, second.note) == (first.id, "dang",
                                                                  "Đang trình ban hành")
    assert (first.status, first.note) == ("xong", "Đã ban hành")  # history stays
    latest = await repo.effective_latest(svc.sessions, svc.kb, ["sxd"])
    assert latest[("sxd", "2.2.1")].id == second.id
    history = await repo.status_history(svc.sessions, ["sxd"])
    assert [h.id for h in history] == [second.id]
    assert len(await repo.status_history(svc.sessions, ["sxd"], include_superseded=True)) == 2


async def test_a_correction_to_another_item_withdraws_the_mistyped_one(svc):
    await ready(svc)
    await dispatch(tg("1", "/capnhat 2.2.1 xong"), svc)
    later(svc, 2)
    [r] = await dispatch(tg("1", "/sua 2.2.2 xong"), svc)
    assert r.text.startswith("Đã sửa: 2.2.2 — Hoàn thành")
    latest = await repo.effective_latest(svc.sessions, svc.kb, ["sxd"])
    assert set(latest) == {("sxd", "2.2.2")}
    wrong, *_ = await rows(svc)
    assert any(x.withdrawn and x.supersedes_id == wrong.id for x in await rows(svc))


async def test_withdrawal_and_its_limits(svc):
    await ready(svc)
    await dispatch(tg("1", "/capnhat 2.2.1 đang làm"), svc)
    later(svc, 1)
    await dispatch(tg("1", "/capnhat 2.2.1 xong"), svc)
    later(svc, 3)
    [r] = await dispatch(tg("1", "/rut"), svc)
    assert r.text.startswith("Đã rút lại cập nhật 2.2.1 — Hoàn thành, lúc 10:16")
    assert "Trạng thái hiện hành: 2.2.1: Đang thực hiện (cập nhật lúc 10:15" in r.text
    [r] = await dispatch(tg("1", "/rut"), svc)
    assert r.text.startswith("Cập nhật gần nhất của Đồng chí đã được rút lại")
    assert len(await rows(svc)) == 3  # append-only: the withdrawal is a row
    await member(svc, "2")  # a colleague cannot correct someone else's update
    [r] = await dispatch(tg("2", "/sua xong"), svc)
    assert r.text.startswith("Đồng chí chưa có cập nhật nào để sửa")
    later(svc, 10)
    await dispatch(tg("1", "/capnhat 2.2.3 xong"), svc)
    later(svc, 41)
    [r] = await dispatch(tg("1", "/sua đang làm"), svc)
    assert "đã lưu quá 30 phút, không sửa được nữa" in r.text
    [r] = await dispatch(tg("1", "/rut"), svc)
    assert "không rút lại được nữa" in r.text
    assert len(await rows(svc)) == 4


async def test_a_section_update_is_corrected_whole(svc):
    await ready(svc)
    await dispatch(tg("1", "/capnhat 2.2 đang thực hiện"), svc)
    later(svc, 1)
    [r] = await dispatch(tg("1", "/sua chưa thực hiện"), svc)
    assert r.text.startswith("Đã sửa cho 4 nhiệm vụ của mục 2.2")
    latest = await repo.effective_latest(svc.sessions, svc.kb, ["sxd"])
    assert {latest[("sxd", t)].status for t in ("2.2.1", "2.2.2", "2.2.3", "2.2.4")} == {"chua"}


async def test_effective_latest_reads_legacy_section_rows_for_each_task(svc):
    """Rows saved under a section id (older versions) speak for its tasks."""
    async with svc.sessions() as s, s.begin():
        user = User(channel="telegram", external_id="old")
        s.add(user)
        await s.flush()
        s.add_all([StatusUpdate(item_id="2.2.1", agency_id="sxd", status="xong",
                                user_id=user.id, channel="telegram", created_at=NOW),
                   StatusUpdate(item_id="2.2", agency_id="sxd", status="dang",
                                user_id=user.id, channel="telegram",
                                created_at=NOW + timedelta(hours=1))])
    latest = await repo.effective_latest(svc.sessions, svc.kb, ["sxd"])
    assert {k: v.status for k, v in latest.items()} == {
        ("sxd", "2.2.1"): "dang", ("sxd", "2.2.2"): "dang", ("sxd", "2.2.3"): "dang",
        ("sxd", "2.2.4"): "dang"}
    raw = await repo.effective_latest(svc.sessions, None, ["sxd"],
                                      since=NOW + timedelta(minutes=1))
    assert set(raw) == {("sxd", "2.2")}
