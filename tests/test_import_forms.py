"""The importer on plans of forms it was not written for (issue 15: "another real plan of a
different form … imports as cleanly").

Three documents, kept in tests/data as text and turned here into the files offices send:
  - Nghệ An's plan for a Prime Minister's directive, whose tasks are an annex table
    (TT | nhiệm vụ | chủ trì | phối hợp | thời gian | sản phẩm), as a Word file with a real
    table, the header and signature in borderless two-column tables, group rows merged;
  - Quảng Ninh's plan in Roman parts, Arabic sections and lettered items, tasks assigned inline
    ("Giao Sở Công Thương chủ trì …"), printed to PDF by LibreOffice with a page break inside a
    task;
  - Đồng Nai's short campaign plan with per-unit items under "TỔ CHỨC THỰC HIỆN", typed in Word
    with tabs between the header's columns.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.importer import import_plan
from bot.importer.deadlines import read_cell, read_deadlines
from bot.importer.units import catalogue_for
from bot.knowledge import load_plans, validate_plan

DATA = Path(__file__).parent / "data"
NGHE_AN = DATA / "plan_nghe_an_kh215_2026.txt"
QUANG_NINH = DATA / "plan_quang_ninh_kh96_2026.txt"
DONG_NAI = DATA / "plan_dong_nai_kh112_2026.txt"
RIGHT_COLUMN = re.compile(r"^(?:CỘNG HÒA|Độc lập|.+, ngày .+ năm \d{4}$)")
SIGN = re.compile(r"^(?:TM\.|KT\.|CHỦ TỊCH|PHÓ CHỦ TỊCH)")


# --- the documents as offices send them ----------------------------------------------------


def _paragraphs(spec: Path) -> list[str]:
    return [ln.strip() for ln in spec.read_text(encoding="utf-8").split("\n") if ln.strip()]


def _two_columns(doc, left: list[str], right: list[str]) -> None:
    """A borderless one-row table, the way the header and the signature are laid out."""
    from docx.shared import Cm

    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    widths = (Cm(7), Cm(10))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for cell, lines, width in zip(table.rows[0].cells, (left, right), widths, strict=True):
        cell.width = width
        cell.paragraphs[0].text = lines[0] if lines else ""
        for line in lines[1:]:
            cell.add_paragraph(line)


def _table(doc, rows: list[list[str]]) -> None:
    """A bordered table; a group row ("I | Theme | | …") merged across the task's columns."""
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        cells = table.rows[r].cells
        if r and not any(row[2:]):
            merged = cells[1].merge(cells[-1])
            merged.text = row[1]
            cells[0].text = row[0]
            continue
        for cell, text in zip(cells, row, strict=True):
            cell.text = text


def _body_paragraph(doc, text: str) -> None:
    """One paragraph of the body, first line indented; a form feed in it is where the page
    breaks (the rest goes on at the next page's margin)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    first, *rest = text.split("\f")
    p = doc.add_paragraph(first.strip())
    p.paragraph_format.first_line_indent = Cm(1.27)
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for piece in rest:
        q = doc.add_paragraph(piece.strip())
        q.paragraph_format.page_break_before = True
        q.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def _page_numbers(section) -> None:
    """A page number at the top of every page but the first, as Nghị định 30/2020 wants."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml

    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p._p.append(parse_xml('<w:fldSimple xmlns:w="http://schemas.openxmlformats.org/'
                          'wordprocessingml/2006/main" w:instr="PAGE"><w:r><w:t>1</w:t></w:r>'
                          '</w:fldSimple>'))


def spec_docx(spec: Path, out: Path, tabs: bool = False) -> Path:
    """The text of a plan as Word lays it out: header and signature in two columns (tables,
    or with `tabs` one paragraph per line with a tab between the columns), the body one
    paragraph per line, an annex's "| … |" rows as a Word table on a landscape page."""
    from docx import Document
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.name = "Times New Roman"
    doc.styles["Normal"].font.size = Pt(13)
    _page_numbers(doc.sections[0])
    paras = _paragraphs(spec)
    kind = paras.index("KẾ HOẠCH")
    head = paras[:kind]
    left = [x for x in head if not RIGHT_COLUMN.match(x)]
    right = [x for x in head if RIGHT_COLUMN.match(x)]
    if tabs:
        for k in range(max(len(left), len(right))):
            cells = [left[k] if k < len(left) else "", right[k] if k < len(right) else ""]
            doc.add_paragraph("\t\t".join(cells).strip())
    else:
        _two_columns(doc, left, right)
    i = kind
    while i < len(paras):
        text = paras[i]
        if text.startswith("Nơi nhận"):
            end = i
            while end < len(paras) and not paras[end].upper().startswith("PHỤ LỤC"):
                end += 1
            block = paras[i:end]
            name = block[-1]
            sign = [x for x in block if SIGN.match(x)] + [name]
            _two_columns(doc, [x for x in block if x not in sign], sign)
            i = end
            continue
        if text.upper().startswith("PHỤ LỤC"):
            section = doc.add_section(WD_SECTION.NEW_PAGE)
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = section.page_height, section.page_width
        if text.startswith("|"):
            rows = []
            while i < len(paras) and paras[i].startswith("|"):
                cells = [c.strip() for c in paras[i].strip("|").split("|")]
                if not all(re.fullmatch(r"-*", c) for c in cells):
                    rows.append(cells)
                i += 1
            _table(doc, rows)
            continue
        if i <= kind + 1 or text.isupper():
            doc.add_paragraph(text).alignment = 1  # centred: the kind, title, headings
        else:
            _body_paragraph(doc, text)
        i += 1
    doc.save(out)
    return out


def spec_pdf(spec: Path, outdir: Path) -> Path:
    docx = spec_docx(spec, outdir / (spec.stem + ".docx"))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(outdir),
                    str(docx)], check=True, capture_output=True, timeout=180)
    return outdir / (spec.stem + ".pdf")


# --- the imports, once per module ------------------------------------------------------------

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                   reason="LibreOffice (apt libreoffice-writer-nogui) prints "
                                          "the PDF")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("forms")


@pytest.fixture(scope="module")
def nghe_an(folder):
    return import_plan(spec_docx(NGHE_AN, folder / "kh215.docx"))


@pytest.fixture(scope="module")
def quang_ninh_pdf(folder) -> Path:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (apt libreoffice-writer-nogui) prints the PDF")
    return spec_pdf(QUANG_NINH, folder)


@pytest.fixture(scope="module")
def quang_ninh(quang_ninh_pdf):
    return import_plan(quang_ninh_pdf)


@pytest.fixture(scope="module")
def dong_nai(folder):
    return import_plan(spec_docx(DONG_NAI, folder / "kh112.docx", tabs=True))


def _by_id(items: list[dict]) -> dict[str, dict]:
    return {x["id"]: x for x in items}


def _deadline_of(plan: dict, task_id: str) -> dict:
    task = _by_id(plan["tasks"])[task_id]
    return _by_id(plan["deadlines"])[task["deadline"]]


def _unknown(result) -> list[str]:
    return [r.text for r in result.review if r.what == "tên đơn vị chưa nhận ra"]


# --- Nghệ An: a directive's plan whose tasks are the annex's Word table ---------------------


def test_nghe_an_fixture_is_a_word_file_with_a_real_table(folder, nghe_an):
    from docx import Document

    tables = Document(str(folder / "kh215.docx")).tables
    grid = [t for t in tables if len(t.columns) == 6]
    assert len(grid) == 1 and grid[0].rows[0].cells[5].text == "Sản phẩm"
    assert len(grid[0].rows) == 32  # the head, 7 group rows, 24 tasks


def test_nghe_an_document(nghe_an):
    d = nghe_an.plan["document"]
    assert (d["number"], d["date_iso"], d["issued_by"]) == ("215/KH-UBND", "2026-03-18",
                                                              "UBND tỉnh Nghệ An")
    assert (d["signer"], d["signer_title"]) == ("Bùi Thanh An", "Phó Chủ tịch UBND tỉnh")
    assert d["implements_short"] == "Chỉ thị số 08/CT-TTg"
    assert d["title"].endswith("trên địa bàn tỉnh Nghệ An")
    assert nghe_an.plan_id == "kh215"


def test_nghe_an_parts_and_the_annex_holds_the_tasks(nghe_an):
    p = nghe_an.plan
    assert [x["id"] for x in p["document"]["parts"]] == ["I", "II", "III", "IV"]
    assert p["shape"]["parts"] == ["I", "II", "III", "IV", "PL"]
    secs = _by_id(p["sections"])
    assert [s for s in secs if s.isdigit()] == [str(k) for k in range(1, 8)]
    # part II sums up the annex ("Chi tiết nhiệm vụ tại Phụ lục"): its themes are no tasks
    assert not [t for t in p["tasks"] if t["section"].isdigit()]
    annex = [t for t in p["tasks"] if t["section"] == "PL1"]
    assert len(annex) == 24  # the group rows, merged across the columns, are no tasks
    assert {t["group"] for t in annex} >= {"CẢI CÁCH THỂ CHẾ, CẮT GIẢM THỦ TỤC HÀNH CHÍNH"}
    assert not any(t["text"].isupper() for t in annex)


def test_nghe_an_annex_leads_partners_deadlines_products(nghe_an):
    p = nghe_an.plan
    t = _by_id(p["tasks"])
    assert (t["PL1.1"]["lead"], t["PL1.1"]["partners"]) == ("stc", ["vpubnd", "hhdn"])
    assert _deadline_of(p, "PL1.1")["due"] == "2026-06-30"  # Quý II/2026
    assert t["PL1.1"]["product"] == "Hội nghị quán triệt"
    assert t["PL1.2"]["lead"] == "baotinh"  # "Báo và Phát thanh, Truyền hình Nghệ An"
    assert t["PL1.2"]["deadline"] is None and t["PL1.2"]["timing"] == "Thường xuyên"
    assert t["PL1.3"]["lead"] == "hhdn" and t["PL1.3"]["deadline"] is None  # "Hằng năm"
    assert _deadline_of(p, "PL1.4")["due"] == "2026-09-30"  # Tháng 9/2026
    assert _deadline_of(p, "PL1.9")["due"] == "2027-12-31"  # Năm 2027
    assert _deadline_of(p, "PL1.10")["due"] == "2028-12-31"  # 2026 - 2028
    assert _deadline_of(p, "PL1.21")["due"] == "2026-12-31"
    assert t["PL1.8"]["partners"] == ["bqlkkt", "sct", "ubnd_cap_xa"]
    dialogue = [_by_id(p["deadlines"])[d] for d in t["PL1.16"]["deadlines"]]
    assert [(d["month"], d["day"]) for d in dialogue] == [(6, 30), (12, 31)]  # Quý II và IV
    assert all(d["applies_to"] == ["vpubnd"] for d in dialogue)


def test_nghe_an_units_go_by_the_names_the_plan_gives(nghe_an):
    ags = _by_id(nghe_an.plan["agencies"])
    assert ags["bqlkkt"]["name"] == "Ban Quản lý Khu kinh tế Đông Nam"
    assert ags["nhnn"]["name"] == "Ngân hàng Nhà nước Khu vực 10"
    assert ags["hhdn"]["kind"] == "association"
    org = {u["id"]: u for u in nghe_an.plan["organisation"]["units"]}
    assert org["bqlkkt"]["name"] == "Ban Quản lý Khu kinh tế Đông Nam"
    assert nghe_an.plan["organisation"]["province"]["name"] == "tỉnh Nghệ An"


def test_nghe_an_reporting_six_months_and_yearly_via_the_finance_department(nghe_an):
    p = nghe_an.plan
    rep = p["document"]["reporting"]
    assert (rep["report_to"], rep["final_recipient"]) == ("stc", "UBND tỉnh")
    due = [_by_id(p["deadlines"])[d] for d in rep["deadlines"]]
    assert [(d["month"], d["day"], d["period"]) for d in due] == [(6, 15, "6T"),
                                                                   (12, 15, "year")]
    # the directive names no end: the regime runs to the last year a task is due, said so
    assert {d["to_year"] for d in due} == {2030}
    assert any("2030" in r.what for r in nghe_an.review)


def test_nghe_an_review_lists_only_the_unit_it_does_not_know(nghe_an):
    assert _unknown(nghe_an) == ["Trường Đại học Vinh"]
    assert not [r for r in nghe_an.review if "thời gian" in r.what or "phụ lục" in r.where]


def test_nghe_an_text_and_word_file_give_the_same_tasks(nghe_an):
    text = import_plan(NGHE_AN).plan
    assert [(t["id"], t["lead"], t["partners"], t["deadlines"]) for t in text["tasks"]] == \
        [(t["id"], t["lead"], t["partners"], t["deadlines"]) for t in nghe_an.plan["tasks"]]


# --- Quảng Ninh: Roman parts, "Giao Sở … chủ trì", printed to PDF ---------------------------


def test_quang_ninh_pdf_breaks_pages_inside_two_tasks(quang_ninh_pdf):
    from pypdf import PdfReader

    pages = [" ".join(pg.extract_text().split()) for pg in PdfReader(str(quang_ninh_pdf)).pages]
    assert len(pages) >= 5
    ends = [k for k, pg in enumerate(pages) if pg.endswith("các cơ quan thuộc")]
    assert ends and pages[ends[0] + 1].split(None, 1)[1].startswith("Bộ Chỉ huy Bộ đội")


def test_quang_ninh_document(quang_ninh):
    d = quang_ninh.plan["document"]
    assert (d["number"], d["date_iso"], d["issued_by"]) == ("96/KH-UBND", "2026-01-22",
                                                              "UBND tỉnh Quảng Ninh")
    # the title centred over two lines of the PDF is one title
    assert d["title"] == ("Phòng, chống buôn lậu, gian lận thương mại và hàng giả trên địa "
                          "bàn tỉnh Quảng Ninh năm 2026")
    assert d["implements_short"] == "Kế hoạch số 19/KH-BCĐ389"
    assert (d["signer"], d["signer_title"]) == ("Nghiêm Xuân Cường", "Phó Chủ tịch UBND tỉnh")


def test_quang_ninh_sections_and_numbering(quang_ninh):
    p = quang_ninh.plan
    assert [x["id"] for x in p["document"]["parts"]] == ["I", "II", "III", "IV"]
    secs = _by_id(p["sections"])
    assert [s for s in secs if s.isdigit()] == [str(k) for k in range(1, 9)]
    assert secs["2"]["title"] == "Đấu tranh trên tuyến biên giới đất liền, vùng biển"
    tasks = [t["id"] for t in p["tasks"] if t["section"] == "3"]
    assert tasks == ["3.1", "3.2", "3.3", "3.4"]  # the lettered items a) … d)
    assert secs["I.1"]["title"] == "Mục đích" and not [t for t in p["tasks"]
                                                        if t["section"].startswith("I.")]


def test_quang_ninh_inline_leads_and_partners(quang_ninh):
    p = quang_ninh.plan
    t = _by_id(p["tasks"])
    assert (t["1.1"]["lead"], t["1.1"]["partners"]) == ("sct", ["cat", "bdbp", "haiquan"])
    assert _deadline_of(p, "1.1")["due"] == "2026-03-31"  # trong Quý I/2026
    assert (t["2.1"]["lead"], t["2.1"]["partners"]) == ("bdbp", ["bchqst", "cat",
                                                                 "ubnd_cap_xa"])
    assert t["2.3"]["lead"] == "bchqst" and t["3.3"]["lead"] == "qltt"
    assert t["3.4"]["lead"] == "thue" and t["4.1"]["lead"] == "ttt"
    assert (t["4.2"]["lead"], t["4.2"]["partners"]) == ("stc", ["kbnn"])
    assert t["5.1"]["lead"] == "baotinh" and t["5.2"]["lead"] == "ubnd_cap_xa"
    assert t["6.1"]["lead"] == "hhdn"
    assert t["6.2"]["lead"] is None and t["6.2"]["outside_lead"] == "Các doanh nghiệp"
    # two tasks of a theme due the same day, led by different units: two deadlines
    assert _deadline_of(p, "7.1")["applies_to"] == ["bdbp"]
    assert _deadline_of(p, "7.3")["applies_to"] == ["stp"]
    assert _deadline_of(p, "4.1")["due"] == "2026-10-15"  # ngày 15 tháng 10 năm 2026


def test_quang_ninh_page_breaks_joined_verbatim(quang_ninh):
    t = _by_id(quang_ninh.plan["tasks"])
    assert "các cơ quan thuộc Bộ Chỉ huy Bộ đội Biên phòng tỉnh, Chi cục" in t["3.1"]["text"]
    assert "cán bộ, công chức có hành vi bao che" in t["4.1"]["text"]
    assert not any("\f" in x["text"] or "  " in x["text"] for x in t.values())


def test_quang_ninh_units_of_a_region_keep_their_names(quang_ninh):
    ags = _by_id(quang_ninh.plan["agencies"])
    assert ags["haiquan"]["name"] == "Chi cục Hải quan khu vực VIII"
    assert ags["kbnn"]["name"] == "Kho bạc Nhà nước khu vực V"
    assert {"cat", "bchqst", "bdbp", "thue", "ttt", "qltt", "hhdn", "baotinh"} <= set(ags)


def test_quang_ninh_reporting_quarterly_and_yearly_to_the_trade_department(quang_ninh):
    p = quang_ninh.plan
    rep = p["document"]["reporting"]
    assert (rep["report_to"], rep["report_to_name"]) == ("sct", "Sở Công Thương")
    kb_deadlines = _by_id(p["deadlines"])
    quarterly, yearly = (kb_deadlines[d] for d in rep["deadlines"])
    assert (quarterly["frequency"], quarterly["day"]) == ("quarterly", 20)
    assert validate_plan(p).deadline(quarterly["id"]).months() == (3, 6, 9, 12)
    assert (yearly["due"], yearly["kind"], yearly["report_to"]) == ("2026-12-10", "report",
                                                                     "sct")
    # the treasury's own quarterly report to Sở Tài chính is its deadline, not the regime
    treasury = _deadline_of(p, "4.3")
    assert (treasury["report_to"], treasury["applies_to"]) == ("stc", ["kbnn"])
    assert treasury["id"] not in rep["deadlines"]


def test_quang_ninh_review(quang_ninh):
    assert _unknown(quang_ninh) == ["Ban Chỉ đạo 389 tỉnh"]  # one line, where it stands
    unknown = next(r for r in quang_ninh.review if r.text == "Ban Chỉ đạo 389 tỉnh")
    assert unknown.where.startswith("1.1, 4.2")
    unread = [r for r in quang_ninh.review if r.what == "có hạn nhưng chưa đọc được ngày"]
    assert [r.where for r in unread] == ["5.2"] and "Tết Nguyên đán" in unread[0].text
    assert not [r for r in quang_ninh.review if "không nêu đơn vị chủ trì" in r.what]


# --- Đồng Nai: a short campaign plan, per-unit items under TỔ CHỨC THỰC HIỆN ----------------


def test_dong_nai_document_from_a_header_typed_with_tabs(dong_nai):
    d = dong_nai.plan["document"]
    assert (d["number"], d["date_iso"], d["issued_by"]) == ("112/KH-UBND", "2026-05-12",
                                                              "UBND tỉnh Đồng Nai")
    assert d["implements_short"] == "Quyết định số 1095/QĐ-TTg"
    assert (d["signer"], d["signer_title"]) == ("Lê Trường Sơn", "Phó Chủ tịch UBND tỉnh")
    assert d["title"].startswith("Tổ chức triển khai Chiến dịch")


def test_dong_nai_per_unit_items(dong_nai):
    p = dong_nai.plan
    secs = _by_id(p["sections"])
    units = {f"III.{k}": secs[f"III.{k}"]["lead"] for k in range(1, 16)}
    assert units == {"III.1": "vpubnd", "III.2": "skhcn", "III.3": "cat", "III.4": "tthcc",
                     "III.5": "snv", "III.6": "stc", "III.7": "baotinh", "III.8": "buudien",
                     "III.9": "tinhdoan", "III.10": "ubnd_cap_xa", "III.11": "sgddt",
                     "III.12": "syt", "III.13": "thue", "III.14": "sct", "III.15": "ldld"}
    assert secs["III.12"]["leads"] == ["syt", "bhxh"]
    assert secs["III.16"]["binds_all"] and secs["III.17"]["binds_all"]
    t = _by_id(p["tasks"])
    assert t["III.1.2"]["partners"] == ["skhcn"]
    assert t["III.8.1"]["partners"] == ["tthcc", "ubnd_cap_xa"]
    assert "timing" not in t["III.6.1"]  # "nguồn chi thường xuyên" is a budget, not a timing
    # the campaign's time and scope are no one's task
    assert not [x for x in p["tasks"] if x["section"] in ("1", "2")]


def test_dong_nai_deadlines_and_monthly_report_to_the_office(dong_nai):
    p = dong_nai.plan
    one_off = _deadline_of(p, "III.1.2")
    assert (one_off["due"], one_off["applies_to"]) == ("2026-06-30", ["vpubnd"])
    assert _deadline_of(p, "III.9.1")["applies_to"] == ["tinhdoan"]
    rep = p["document"]["reporting"]
    assert (rep["report_to"], rep["report_to_name"]) == ("vpubnd", "Văn phòng UBND tỉnh")
    monthly, final = (_by_id(p["deadlines"])[d] for d in rep["deadlines"])
    assert (monthly["frequency"], monthly["day"], monthly["applies_to"]) == ("monthly", 25,
                                                                             "all")
    assert (final["due"], final["kind"], final["report_to"]) == ("2026-07-05", "report",
                                                                  "vpubnd")


def test_dong_nai_review(dong_nai):
    assert _unknown(dong_nai) == []
    weekly = [r for r in dong_nai.review if r.what == "có hạn nhưng chưa đọc được ngày"]
    assert [r.where for r in weekly] == ["III.4.2"] and "hằng tuần" in weekly[0].text
    leadless = [r for r in dong_nai.review if "không nêu đơn vị chủ trì" in r.what]
    assert [r.what for r in leadless] == ["3 nhiệm vụ không nêu đơn vị chủ trì (mục 3); để "
                                          "trống"]


# --- all three load like kh147.json --------------------------------------------------------


def test_the_imported_plans_load_from_plans_dir(nghe_an, quang_ninh, dong_nai, tmp_path):
    for r in (nghe_an, quang_ninh, dong_nai):
        assert not [x for x in r.review if x.where == "tệp"]  # the loader accepted it
        (tmp_path / f"{r.plan_id}.json").write_text(json.dumps(r.plan, ensure_ascii=False),
                                                    encoding="utf-8")
    plans = load_plans(str(tmp_path))
    assert plans.ids == ("kh147", "kh112", "kh215", "kh96")
    # the market inspectorate leads task 3.3 of a theme and shares IV.3 with the forces
    assert [s.id for s in plans.get("kh96").sections_led_by("qltt")] == ["3", "IV.3"]
    assert plans.get("kh215").agency("hhdn").name == "Hiệp hội Doanh nghiệp tỉnh"
    assert plans.get("kh112").deadline("III.17-month").months() == tuple(range(1, 13))


# --- forms the three documents share with others -------------------------------------------


@pytest.mark.parametrize("text, want", [
    ("hoàn thành trước 30/6/2026.", ("2026-06-30", None, None)),  # "ngày" left out
    ("chậm nhất 15/12/2026", ("2026-12-15", None, None)),
    ("Báo cáo 6 tháng đầu năm (trước ngày 10/6) và báo cáo năm (trước ngày 10/12)",
     (None, 6, "6T")),
    ("hằng tháng, báo cáo trước ngày 20 gửi Sở Tài chính", (None, None, "month")),
])
def test_deadline_forms_of_other_plans(text, want):
    found, unread = read_deadlines(text)
    assert (found[0].due, found[0].month, found[0].period) == want and not unread


def test_a_fraction_after_truoc_is_no_date():
    assert read_deadlines("hỗ trợ trước 2/3 số hộ") == ([], [])


@pytest.mark.parametrize("cell, due", [
    ("06/2026", "2026-06-30"), ("Trước 30/6/2026", "2026-06-30"), ("2026 - 2028", "2028-12-31"),
    ("Giai đoạn 2026-2030", "2030-12-31"), ("Đến năm 2030", "2030-12-31"),
])
def test_table_time_cells_of_other_plans(cell, due):
    assert [d.due for d in read_cell(cell)] == [due]


def test_units_outside_the_administration_and_units_of_every_province():
    cat = catalogue_for("Nghệ An")
    kinds = [(m.kind, m.unit) for m in cat.mentions(
        "Đề nghị Ban Tuyên giáo và Dân vận Tỉnh ủy, Viện kiểm sát nhân dân tỉnh, Tòa án nhân "
        "dân tỉnh, Thống kê tỉnh Nghệ An, Hội Liên hiệp Phụ nữ tỉnh và Tỉnh đoàn")]
    assert kinds == [("outside", None), ("unit", "vksnd"), ("unit", "tand"), ("unit", "tkt"),
                     ("unit", "hlhpn"), ("unit", "tinhdoan")]
    # a name it does not know is reported whole, "phát triển" and all
    assert [m.text for m in cat.mentions("Trung tâm Phát triển quỹ đất tỉnh triển khai")] == \
        ["Trung tâm Phát triển quỹ đất tỉnh"]


def test_dong_nai_implements_stops_before_the_issuers_words(dong_nai):
    assert dong_nai.plan["document"]["implements"] == (
        "Quyết định số 1095/QĐ-TTg ngày 28/4/2026 của Thủ tướng Chính phủ phê duyệt Chiến dịch "
        "\"Toàn dân sử dụng dịch vụ công trực tuyến\" năm 2026")
