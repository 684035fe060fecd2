"""Every plan its own: a status saved under an imported plan (kh134) shows in that plan's
export, /tonghop block, report and desk, and never in KH147's; and the other way round."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import docx
import pytest

from bot import export
from bot.core import Request
from bot.db import repo
from bot.periods import parse_period
from handlers import dispatch
from tests.test_desk import signed_in
from tests.test_import_plans import plans_dir  # noqa: F401  (kh134 and kh88, imported)

MARCH = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
NOTE_134 = "Đã rà soát quy hoạch cụm công nghiệp (ghi chú KH134)"
NOTE_147 = "Đã phê duyệt 2 đồ án (ghi chú KH147)"


@pytest.fixture
async def two(svc, plans_dir):  # noqa: F811  (the fixture imported above)
    """KH147, kh134 and kh88 loaded; Sở Công Thương (`sct` in both) reported once in each: on
    kh134's V.1.1 and on KH147's 2.3.1, plus a KH147 row on item "2.3", which is a section of
    KH147 and a task of kh134 (the same id must not cross plans)."""
    svc.settings = svc.settings.model_copy(update={
        "PLANS_DIR": str(plans_dir), "PUBLIC_BASE_URL": "http://127.0.0.1:8080"})
    user = await repo.upsert_user(svc.sessions, "telegram", "7", "Cán bộ Bảy")
    common = dict(user_id=user.id, agency_id="sct", channel="telegram", at=MARCH)
    await repo.add_status(svc.sessions, item_id="V.1.1", status="dang", note=NOTE_134,
                          plan_id="kh134", **common)
    await repo.add_status(svc.sessions, item_id="2.3.1", status="dang", note=NOTE_147,
                          **common)
    await repo.add_status(svc.sessions, item_id="2.3", status="vuong", note=NOTE_147,
                          **common)
    svc.clock = lambda: NOW
    return svc


def year(svc):
    return parse_period("2026", svc.settings.tz, NOW.date())


def _csv_rows(att) -> list[dict]:
    return list(csv.DictReader(io.StringIO(att.content.decode("utf-8-sig"))))


async def test_collect_reads_one_plan(two):
    other = await export.collect(two, year(two), plan_id="kh134", history=True)
    mine = await export.collect(two, year(two), history=True)
    assert {r.task_id for r in other.rows} >= {"V.1.1", "2.3"}
    assert "2.3.1" not in {r.task_id for r in other.rows}
    noted = {r.task_id: r.latest.note for r in other.rows if r.latest}
    assert noted == {"V.1.1": NOTE_134}  # KH147's row on "2.3" stays KH147's
    assert [r.plan_id for r in other.history] == ["kh134"]
    assert {r.latest.note for r in mine.rows if r.latest} == {NOTE_147}
    assert all(r.plan_id == "kh147" for r in mine.history) and len(mine.history) == 2
    assert other.agencies[0].agency_id == "stc"  # kh134's own units, in its order
    with pytest.raises(export.UnknownPlan, match="/kehoach"):
        await export.collect(two, year(two), plan_id="kh999")


async def test_export_files_are_the_plans_own(two):
    csv134 = await export.export_bytes(two, "csv", year(two), plan_id="kh134")
    assert csv134.filename == "kh134_tien_do_2026.csv"
    rows = _csv_rows(csv134)
    assert [r["Ghi chú"] for r in rows if r["Ghi chú"]] == [NOTE_134]
    assert {r["Mã nhiệm vụ"] for r in rows} >= {"V.1.1", "V.2.1"}
    csv147 = await export.export_bytes(two, "csv", year(two))
    assert csv147.filename == "kh147_tien_do_2026.csv"
    notes = {r["Ghi chú"] for r in _csv_rows(csv147) if r["Ghi chú"]}
    assert notes == {NOTE_147}
    assert "V.1.1" not in {r["Mã nhiệm vụ"] for r in _csv_rows(csv147)}


async def test_progress_is_the_plans_own(two):
    from bot.progress import unit_progress

    other = await unit_progress(two, year(two), ["sct"], plan_id="kh134")
    mine = await unit_progress(two, year(two), ["sct"])
    assert "V.1.1" not in other["sct"].missing and "V.1.2" in other["sct"].missing
    assert "2.3.1" not in mine["sct"].missing and "V.1.1" not in mine["sct"].missing


def admin(text: str) -> Request:
    return Request(channel="telegram", user_id="900", chat_id="900", text=text,
                   user_name="Quản trị", is_admin=True)


def _sct_line(block: str) -> str:
    return next(line for line in block.splitlines() if line.startswith("• Sở Công Thương"))


async def test_summary_has_one_block_per_plan_kh147_first(two):
    blocks = [r.text for r in await dispatch(admin("/tonghop 2026"), two)]
    assert [b.split(" – ")[0] for b in blocks] == ["KH147", "KH134", "KH88"]
    assert blocks[1].startswith("KH134 – Kế hoạch số 134/KH-UBND thực hiện Nghị quyết số "
                                "34-NQ/TU\nTổng hợp kỳ báo cáo năm 2026")
    # kh134: V.1.1 reported; KH147's row on "2.3" (a task id of kh134 too) is not kh134's
    assert _sct_line(blocks[1]).startswith(
        "• Sở Công Thương: đã báo cáo 1/4 nhiệm vụ; còn thiếu 2.3, V.1.2, V.1.3. Đang thực "
        "hiện trong hạn 1;")
    assert "2.3.1" not in blocks[1] and "Đã báo cáo: 1/11 cơ quan" in blocks[1]
    # KH147: its own two rows (2.3.1, and 2.3 for the section's three tasks), not kh134's
    assert _sct_line(blocks[0]).startswith("• Sở Công Thương: đã báo cáo 3/12 nhiệm vụ; còn "
                                           "thiếu 3.3.1, 3.3.2, 5.2.1")
    assert "Đang thực hiện trong hạn" not in _sct_line(blocks[0])
    assert "Đã báo cáo: 0/7 cơ quan" in blocks[2]  # kh88: nobody reported on it


async def test_summary_of_the_plan_named(two):
    for text in ("/tonghop kế hoạch 134 2026", "/tonghop kh134 2026", "/tonghop 2026 KH 134",
                 "/tonghop 134/KH-UBND năm 2026"):
        [one] = await dispatch(admin(text), two)
        assert one.text.startswith("KH134 – ") and "kỳ báo cáo năm 2026" in one.text, text
    [mine] = await dispatch(admin("/tonghop kế hoạch 147 2026"), two)
    assert mine.text.startswith("KH147 – ") and "V.1.1" not in mine.text
    [half] = await dispatch(admin("/tonghop kh134 6T/2026"), two)
    assert "kỳ báo cáo 6 tháng năm 2026" in half.text
    assert "Sở Công Thương: đã báo cáo 1/4" in half.text  # 10/3 is in the first half too


@pytest.mark.parametrize("command", ["/tonghop", "/xuat csv", "/baocao"])
async def test_an_unknown_plan_is_one_line_naming_kehoach(two, command):
    [r] = await dispatch(admin(f"{command} kế hoạch 999 2026"), two)
    assert "/kehoach" in r.text and "\n" not in r.text and r.file is None
    assert "kế hoạch 999" in r.text


async def test_export_of_the_plan_named(two):
    [r] = await dispatch(admin("/xuat csv kế hoạch 134 2026"), two)
    assert r.file.filename == "kh134_tien_do_2026.csv" and "KH134" in r.text
    rows = _csv_rows(r.file)
    assert [x["Ghi chú"] for x in rows if x["Ghi chú"]] == [NOTE_134]
    [own] = await dispatch(admin("/xuat csv 2026"), two)
    assert own.file.filename == "kh147_tien_do_2026.csv"
    assert NOTE_134 not in own.file.content.decode("utf-8-sig")
    assert NOTE_147 in own.file.content.decode("utf-8-sig")
    [x] = await dispatch(admin("/xuat kh134 2026"), two)  # XLSX by default
    assert x.file.filename == "kh134_tien_do_2026.xlsx"


def _docx_text(content: bytes) -> str:
    doc = docx.Document(io.BytesIO(content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


async def test_report_of_the_plan_named(two):
    [r] = await dispatch(admin("/baocao kế hoạch 134 2026"), two)
    assert r.file.filename == "bao_cao_kh134_2026.docx" and "KH134" in r.text
    text = _docx_text(r.file.content)
    assert NOTE_134 in text and NOTE_147 not in text
    assert "Kế hoạch số 134/KH-UBND" in text
    [own] = await dispatch(admin("/baocao 2026"), two)
    assert own.file.filename == "bao_cao_kh147_2026.docx"
    text = _docx_text(own.file.content)
    assert NOTE_147 in text and NOTE_134 not in text


async def test_desk_pages_and_downloads_are_the_plans_own(two):
    async with signed_in(two) as cl:
        other = await (await cl.get("/desk/matran?plan=kh134&ky=2026")).text()
        assert NOTE_134 in other and NOTE_147 not in other
        assert "V.1.1" in other and "2.3.1" not in other
        assert '<select id="plan" name="plan">' in other  # the chooser, beside the period
        assert "/desk/donvi/sct?ky=2026&amp;plan=kh134" in other  # links keep the plan
        mine = await (await cl.get("/desk/matran?ky=2026")).text()
        assert NOTE_147 in mine and NOTE_134 not in mine and "V.1.1" not in mine
        unit = await (await cl.get("/desk/donvi/sct?plan=kh134&ky=2026")).text()
        assert NOTE_134 in unit and NOTE_147 not in unit
        task = await cl.get("/desk/nhiemvu/V.1.1?plan=kh134&ky=2026")
        assert task.status == 200 and NOTE_134 in await task.text()
        assert (await cl.get("/desk/nhiemvu/V.1.1?ky=2026")).status == 404  # not KH147's
        csv_134 = await (await cl.get("/desk/tai/csv?plan=kh134&ky=2026")).read()
        assert NOTE_134 in csv_134.decode("utf-8-sig") and NOTE_147 not in csv_134.decode()
        report = await cl.get("/desk/tai/docx?plan=kh134&ky=2026")
        assert "bao_cao_kh134_2026.docx" in report.headers["Content-Disposition"]
        assert NOTE_134 in _docx_text(await report.read())


@pytest.mark.parametrize("path", ["/desk/?plan=kh999", "/desk/matran?plan=%3Cb%3Ex",
                                  "/desk/tai/csv?plan=kh999&ky=2026"])
async def test_desk_unknown_plan_is_not_found_and_says_nothing_of_it(two, path):
    async with signed_in(two) as cl:
        r = await cl.get(path)
        body = await r.text()
        assert r.status == 404 and "Không tìm thấy" in body
        assert "kh999" not in body and "<b>x" not in body and "Traceback" not in body


async def test_without_a_period_each_plan_takes_its_own_next_report(two):
    """kh134 reports monthly (before the 20th): on 30/11/2026 its next report is December's,
    21/11 – 20/12, while KH147's is the year 2026 (due 15/12)."""
    kh147, kh134 = [r.text for r in await dispatch(admin("/tonghop"), two)][:2]
    assert "kỳ báo cáo năm 2026" in kh147
    assert "21/11/2026" in kh134 and "20/12/2026" in kh134 and "năm 2026 (" not in kh134
    [typed] = await dispatch(admin("/tonghop kh134 2026"), two)
    assert "kỳ báo cáo năm 2026" in typed.text  # a typed period is read as for KH147
    [sheet] = await dispatch(admin("/xuat csv kh134"), two)
    assert "20/12/2026" in sheet.text and sheet.file.filename.startswith("kh134_tien_do_")
    assert sheet.file.filename == "kh134_tien_do_VI.1-month_2026-12-20.csv"
    [draft] = await dispatch(admin("/baocao kh134"), two)
    assert "tháng 12/2026" in draft.text and draft.file.filename.endswith("_2026-12-20.docx")
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(draft.file.content)).paragraphs)
    assert "134/KH-UBND ngày 26/3/2026" in body and "tháng 26/3/2026" not in body
