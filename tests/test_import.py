"""The importer: a plan document (.txt, .docx, .pdf) into a plan file the loader accepts.

Held to the hand-checked knowledge/kh147.json (its seed text imported gives the same sections,
leads, partners, tasks and deadlines), to the real 2026 plan of Lào Cai (tests/data, the
theme-organised layout with per-unit items under "TỔ CHỨC THỰC HIỆN"), and to a plan of a third
form (lettered items, an annex table, a report "qua" a department).
"""
from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.importer import import_plan
from bot.importer.deadlines import read_cell, read_deadlines
from bot.knowledge import DEFAULT_PATH, KnowledgeError, load_plan, validate_plan

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "knowledge" / "kh147_seed.txt"
LAOCAI = Path(__file__).parent / "data" / "plan_laocai_kh134_2026.txt"
THAINGUYEN = Path(__file__).parent / "data" / "plan_thai_nguyen_kh88_2026.txt"


@pytest.fixture(scope="module")
def hand() -> dict:
    return json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seed_plan() -> dict:
    return import_plan(SEED).plan


@pytest.fixture(scope="module")
def laocai():
    return import_plan(LAOCAI)


def _by_id(items: list[dict]) -> dict[str, dict]:
    return {x["id"]: x for x in items}


def _rule(d: dict) -> tuple:
    return (d["source"], d["due"], d.get("month"), d.get("day"), d.get("from_year"),
            d.get("to_year"))


# --- KH147: the seed against the hand-checked file ----------------------------------------


def test_seed_gives_the_sections_of_the_hand_checked_plan(seed_plan, hand):
    got, want = _by_id(seed_plan["sections"]), _by_id(hand["sections"])
    assert list(got) == list(want)  # 56 sections, same ids, same order
    for sid, s in want.items():
        assert got[sid]["lead"] == s["lead"], sid
        assert got[sid]["partners"] == s["partners"], sid
        assert got[sid]["text"] == s["text"], sid
        assert got[sid]["binds_all"] == s["binds_all"], sid
        assert got[sid]["part"] == s["part"] and got[sid]["group"] == s["group"], sid


def test_seed_gives_the_tasks_verbatim_with_leads_and_partners(seed_plan, hand):
    got, want = _by_id(seed_plan["tasks"]), _by_id(hand["tasks"])
    assert list(got) == list(want)  # 82 tasks
    for tid, t in want.items():
        assert got[tid]["text"] == t["text"], tid  # page-break splits joined ("Trung Sơn-")
        assert got[tid]["lead"] == t["lead"], tid
        assert got[tid]["partners"] == t["partners"], tid


def test_seed_gives_the_deadlines_the_text_writes(seed_plan, hand):
    got = {_rule(d): d for d in seed_plan["deadlines"]}
    want = {_rule(d): d for d in hand["deadlines"]}
    # 4.2-2025 is the builder's reading ("triển khai ngay" after the 2021 dossier), not a
    # date the text writes: the importer does not invent it
    assert {w["id"] for k, w in want.items() if k not in got} == {"4.2-2025"}
    for key, d in got.items():
        assert key in want, d
        assert d["report_to"] == want[key]["report_to"], d["id"]
    assert got[("IV.3", None, 6, 15, 2021, 2030)]["report_to"] == "sct"
    g_tasks, w_tasks = _by_id(seed_plan["tasks"]), _by_id(hand["tasks"])
    g_rules = {d["id"]: _rule(d) for d in seed_plan["deadlines"]}
    w_rules = {d["id"]: _rule(d) for d in hand["deadlines"]}
    differ = [tid for tid, t in w_tasks.items()
              if [w_rules[x] for x in t["deadlines"]] != [g_rules[x] for x in
                                                          g_tasks[tid]["deadlines"]]]
    assert differ == ["4.2.1"]


def test_seed_gives_the_document_and_the_reporting_regime(seed_plan, hand):
    doc, want = seed_plan["document"], hand["document"]
    for key in ("number", "title", "issued_by", "date", "date_iso", "signer", "signer_title",
                "sign_block", "implements", "implements_short", "period", "preamble",
                "recipients", "parts", "number_display"):
        assert doc[key] == want[key], key
    assert doc["reporting"]["report_to"] == "sct"
    assert set(doc["reporting"]["deadlines"]) == {"IV.3-6m", "IV.3-year"}
    assert {a["id"] for a in seed_plan["agencies"]} == {a["id"] for a in hand["agencies"]}


def test_seed_lists_for_review_what_it_inferred(seed_plan):
    whats = [r["what"] for r in seed_plan["review"]]
    assert any("chưa có số" in w for w in whats)  # "Số: /KH-UBND"
    assert any("suy ra" in w for w in whats)  # the issuer read from the number and place
    assert any(r["where"] == "II.6-2025" for r in seed_plan["review"])  # target, no unit


def test_imported_seed_passes_the_loader_like_kh147(seed_plan, tmp_path):
    path = tmp_path / "kh147_imported.json"
    path.write_text(json.dumps(seed_plan, ensure_ascii=False), encoding="utf-8")
    kb = load_plan(path)
    assert kb.general_section_ids == ("1", "IV.1", "IV.3")
    assert [s.id for s in kb.sections_led_by("sct")] == ["2.3", "3.3", "5.2", "6.3", "IV.2"]


# --- the same document as .docx and .pdf ---------------------------------------------------


def _seed_docx(path: Path) -> Path:
    """The seed as a Word file the way offices type plans: one paragraph per paragraph,
    a first-line indent, Times New Roman 13."""
    import re

    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    doc.styles["Normal"].font.name = "Times New Roman"
    doc.styles["Normal"].font.size = Pt(13)
    for block in re.split(r"\n\s*\n", SEED.read_text(encoding="utf-8")):
        for line in block.strip().splitlines():
            p = doc.add_paragraph(line.strip())
            p.paragraph_format.first_line_indent = Cm(1.27)
    doc.save(path)
    return path


def _same_plan(a: dict, b: dict) -> None:
    a, b = copy.deepcopy(a), copy.deepcopy(b)
    for p in (a, b):
        p["document"].pop("source_file")
    assert a == b


def test_docx_imports_the_same_as_the_text(seed_plan, tmp_path):
    _same_plan(import_plan(_seed_docx(tmp_path / "kh147.docx")).plan, seed_plan)


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (apt libreoffice-writer-nogui) renders the PDF")
def test_pdf_imports_the_same_as_the_text(seed_plan, tmp_path):
    docx = _seed_docx(tmp_path / "kh147.docx")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(docx)], check=True, capture_output=True, timeout=120)
    _same_plan(import_plan(tmp_path / "kh147.pdf").plan, seed_plan)


# --- the real 2026 plan of Lào Cai: themes, then per-unit items -----------------------------


def test_laocai_plan_leaves_no_unit_unknown(laocai):
    assert not [r for r in laocai.review if "đơn vị" in r.what and "chưa nhận ra" in r.what]
    assert laocai.plan_id == "kh134"


def test_laocai_plan_document(laocai):
    doc = laocai.plan["document"]
    assert doc["number"] == "134/KH-UBND"
    assert doc["date"] == "26/3/2026" and doc["date_iso"] == "2026-03-26"
    assert doc["issued_by"] == "UBND tỉnh Lào Cai"
    assert doc["signer"] == "Nguyễn Thế Phước" and doc["signer_title"] == "Phó Chủ tịch UBND tỉnh"
    assert doc["implements_short"] == "Nghị quyết số 34-NQ/TU"
    assert doc["title"].startswith("Thực hiện Nghị quyết số 34-NQ/TU")
    assert doc["title"].endswith("trên địa bàn tỉnh Lào Cai năm 2026")
    assert [p["id"] for p in doc["parts"]] == ["I", "II", "III", "IV", "V", "VI"]
    assert doc["layout"] == "by_theme"
    assert doc["closing"].startswith("Trên đây là Kế hoạch")


def test_laocai_plan_sections(laocai):
    secs = _by_id(laocai.plan["sections"])
    assert [s for s in secs if s[0].isdigit()] == [str(k) for k in range(1, 8)]  # II: themes
    assert [s for s in secs if s.startswith("V.")] == [f"V.{k}" for k in range(1, 11)]
    assert [s for s in secs if s.startswith("VI.")] == ["VI.1", "VI.2"]
    assert secs["2"]["title"] == "Thành lập mới khoảng trên 500ha các khu, cụm công nghiệp"
    leads = {sid: secs[sid]["lead"] for sid in secs if sid.startswith("V.")}
    assert leads == {"V.1": "sct", "V.2": "stc", "V.3": "snnmt", "V.4": "sxd", "V.5": "skhcn",
                     "V.6": "sgddt", "V.7": "bqlkkt", "V.8": None, "V.9": "ubnd_cap_xa",
                     "V.10": "chu_dau_tu_ha_tang"}
    assert secs["V.7"]["leads"] == ["bqlkkt", "bqlkcn"]  # two boards head item 7 together
    assert secs["V.8"]["binds_all"] and secs["VI.1"]["binds_all"]
    assert secs["4"]["lead"] == "phuong_lao_cai" and secs["4"]["partners"] == ["sxd", "bqlkkt"]


def test_laocai_theme_tasks_keep_their_own_leads(laocai):
    tasks = _by_id(laocai.plan["tasks"])
    assert tasks["1.1"]["leads"] == ["bqlkkt", "bqlkcn"]
    assert tasks["1.2"]["lead"] == "ubnd_cap_xa"  # "Ủy ban nhân dân cấp xã: đầu tư, …"
    assert tasks["2.3"]["lead"] == "sct"
    assert tasks["3.2"]["lead"] == "chu_dau_tu_ha_tang"
    assert tasks["V.4.3"]["partners"] == ["ubnd_cap_xa"]
    assert tasks["V.9.4"]["partners"] == ["phuong_van_phu"]
    assert tasks["V.1.1"]["text"].startswith("Là cơ quan thường trực, có trách nhiệm tổng hợp")
    assert "\n" not in tasks["V.1.1"]["text"]  # wrapped lines joined into one paragraph
    assert laocai.plan["shape"]["task_leads"] == "own"


def test_laocai_units_and_their_organisation_entries(laocai):
    ids = [a["id"] for a in laocai.plan["agencies"]]
    assert set(ids) == {"sct", "stc", "snnmt", "sxd", "skhcn", "sgddt", "bqlkkt", "bqlkcn",
                        "ubnd_cap_xa", "chu_dau_tu_ha_tang", "phuong_lao_cai",
                        "phuong_yen_bai", "phuong_van_phu"}
    agencies = _by_id(laocai.plan["agencies"])
    assert agencies["phuong_yen_bai"]["parent"] == "ubnd_cap_xa"
    assert "Sở Công Thương tỉnh Lào Cai" in agencies["sct"]["aliases"]
    org = laocai.plan["organisation"]
    assert org["province"]["name"] == "tỉnh Lào Cai"
    assert {u["id"] for u in org["units"]} == set(ids)


def test_laocai_reporting_deadline(laocai):
    doc = laocai.plan["document"]
    assert doc["reporting"]["report_to"] == "sct"
    monthly = _by_id(laocai.plan["deadlines"])[doc["reporting"]["deadlines"][0]]
    assert (monthly["frequency"], monthly["day"], monthly["from_year"], monthly["to_year"]) == \
        ("monthly", 20, 2026, 2026)
    assert monthly["applies_to"] == "all" and monthly["source"] == "VI.1"
    dues = {d["source"]: d["due"] for d in laocai.plan["deadlines"] if d["due"]}
    assert dues == {"4": "2026-12-31", "5": "2026-12-31", "6": "2026-12-31",
                    "V.9": "2026-12-31"}


def test_laocai_plan_passes_the_loader(laocai, tmp_path):
    path = tmp_path / "kh134.json"
    path.write_text(json.dumps(laocai.plan, ensure_ascii=False), encoding="utf-8")
    kb = load_plan(path)
    assert [s.id for s in kb.sections_held_by("sct")] == ["2", "V.1"]
    assert "V.7.5" in {t.id for t in kb.tasks_held_by("bqlkcn")}  # a co-lead of item 7
    assert kb.deadline("VI.1-month").frequency == "monthly"


def test_laocai_review_names_the_missing_annexes(laocai):
    lines = [r.line() for r in laocai.review]
    assert any("phụ lục" in x and "01 (1)" in x for x in lines)


# --- a plan of a third form ---------------------------------------------------------------


def test_third_form_lettered_items_annex_table_and_report_via():
    r = import_plan(THAINGUYEN)
    p = r.plan
    tasks = _by_id(p["tasks"])
    assert tasks["1.1"]["lead"] == "svhttdl" and tasks["1.1"]["partners"] == ["baotinh"]
    assert tasks["2.1"]["partners"] == ["cat", "ubnd_cap_xa"]
    assert tasks["2.3"]["lead"] == "thue" and tasks["2.3"]["partners"] == ["stc"]
    assert tasks["III.2.1"]["lead"] == "bchqst"
    # the annex table: TT | nhiệm vụ | chủ trì | phối hợp | thời gian
    assert (tasks["PL01.1"]["lead"], tasks["PL01.1"]["partners"]) == ("sxd",
                                                                        ["snnmt", "ubnd_cap_xa"])
    assert tasks["PL01.1"]["group"] == "Quy hoạch và hạ tầng"
    deadlines = _by_id(p["deadlines"])
    assert deadlines[tasks["PL01.1"]["deadline"]]["due"] == "2026-09-30"  # Quý III/2026
    assert deadlines[tasks["1.1"]["deadline"]]["due"] == "2026-06-30"  # Quý II/2026
    assert tasks["PL01.3"]["deadline"] is None and tasks["PL01.3"]["timing"] == "Thường xuyên"
    reporting = p["document"]["reporting"]
    assert reporting["report_to"] == "snnmt" and reporting["final_recipient"] == "UBND tỉnh"
    # a unit the catalogue does not know is listed, never guessed
    assert tasks["2.2"]["lead"] is None
    assert any("chưa nhận ra" in x.what and "Ban Chỉ đạo Làng nghề" in x.text for x in r.review)
    validate_plan(p)


# --- deadlines in the forms plans use ------------------------------------------------------


@pytest.mark.parametrize("text,want", [
    ("hoàn thành trong tháng 9 năm 2021", {"due": "2021-09-30"}),
    ("Báo cáo 6 tháng gửi trước ngày 15/6", {"frequency": "yearly", "month": 6, "day": 15,
                                              "period": "6T"}),
    ("định kỳ hàng năm (trước ngày 10/12)", {"frequency": "yearly", "month": 12, "day": 10}),
    ("hoàn thành trong Quý II/2026", {"due": "2026-06-30"}),
    ("hoàn thành trong quý IV năm 2026", {"due": "2026-12-31"}),
    ("Trước mắt, trong năm 2021, đôn đốc", {"due": "2021-12-31"}),
    ("Từ nay đến năm 2025, hoàn thành", {"due": "2025-12-31"}),
    ("gửi về Sở Công Thương trước ngày 20 hằng tháng", {"frequency": "monthly", "day": 20}),
    ("báo cáo hằng tháng trước ngày 20, gửi", {"frequency": "monthly", "day": 20}),
    ("hoàn thành trước ngày 15/3/2026", {"due": "2026-03-15"}),
    ("báo cáo hằng quý trước ngày 20", {"frequency": "quarterly", "day": 20}),
    ("gửi trước ngày 25 của tháng cuối quý", {"frequency": "quarterly", "day": 25}),
    ("Báo cáo 6 tháng (trước ngày 15 tháng 6)", {"frequency": "yearly", "month": 6, "day": 15}),
])
def test_deadline_forms(text, want):
    found, unread = read_deadlines(text)
    assert len(found) == 1 and not unread
    for key, value in want.items():
        assert getattr(found[0], key) == value


def test_deadline_phrases_that_are_no_deadline():
    for text in ("Quy hoạch tỉnh thời kỳ 2021-2030, tầm nhìn đến năm 2050",
                 "giai đoạn 2021 - 2025", "Quyết định số 35/2021/QĐ-UBND ngày 03/8/2021",
                 "thường xuyên rà soát"):
        assert read_deadlines(text) == ([], []), text


def test_a_time_limit_without_a_date_is_reviewed():
    found, unread = read_deadlines("hoàn thành chậm nhất sau khi có quyết định")
    assert not found and unread


@pytest.mark.parametrize("cell,due", [("Năm 2025", "2025-12-31"), ("Quý II/2026", "2026-06-30"),
                                      ("Tháng 6/2026", "2026-06-30"), ("2027", "2027-12-31")])
def test_table_time_cells(cell, due):
    assert read_cell(cell)[0].due == due


# --- the loader is as strict with an imported file ----------------------------------------


def test_loader_rejects_a_broken_imported_file(laocai):
    broken = copy.deepcopy(laocai.plan)
    broken["tasks"][0]["lead"] = "so_khong_co"
    with pytest.raises(KnowledgeError, match="unknown agency id 'so_khong_co'"):
        validate_plan(broken)
    broken = copy.deepcopy(laocai.plan)
    broken["deadlines"][-1]["day"] = 40
    with pytest.raises(KnowledgeError, match="monthly deadline"):
        validate_plan(broken)
    broken = copy.deepcopy(laocai.plan)
    broken["shape"]["general_sections"] = ["V.1"]
    with pytest.raises(KnowledgeError, match="binds_all"):
        validate_plan(broken)


# --- the command ---------------------------------------------------------------------------


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "import", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_command_writes_the_plan_file_and_prints_the_review(tmp_path):
    out = tmp_path / "kh134.json"
    res = _run(str(LAOCAI), "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert "58 nhiệm vụ" in res.stdout and "Cần người kiểm tra" in res.stdout
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert plan["review"] and plan["document"]["number"] == "134/KH-UBND"


def test_command_never_overwrites_the_default_plan():
    before = DEFAULT_PATH.read_bytes()
    res = _run(str(SEED))  # its id would be kh147
    assert res.returncode == 2 and "mặc định" in res.stderr
    assert DEFAULT_PATH.read_bytes() == before


def test_command_refuses_what_it_cannot_read(tmp_path):
    odd = tmp_path / "plan.odt"
    odd.write_text("x", encoding="utf-8")
    res = _run(str(odd))
    assert res.returncode == 2 and res.stderr.strip().count("\n") == 0
    assert ".txt, .docx hoặc .pdf" in res.stderr
    empty = tmp_path / "empty.txt"
    empty.write_text("Xin chào\n", encoding="utf-8")
    res = _run(str(empty))
    assert res.returncode == 2 and "không thấy các phần" in res.stderr


def test_docx_automatic_numbering_is_read(tmp_path):
    """Word's list numbering and bullets are not in a paragraph's text: they are counted."""
    from docx import Document

    d = Document()
    for t in ("ỦY BAN NHÂN DÂN", "TỈNH LÀO CAI", "Số: 12/KH-UBND",
              "Lào Cai, ngày 3 tháng 4 năm 2026", "KẾ HOẠCH",
              "Thực hiện Chỉ thị số 01-CT/TU ngày 02/3/2026 của Tỉnh ủy về chuyển đổi số",
              "I. MỤC ĐÍCH, YÊU CẦU", "Triển khai kịp thời Chỉ thị.", "II. TỔ CHỨC THỰC HIỆN"):
        d.add_paragraph(t)
    d.add_paragraph("Sở Khoa học và Công nghệ", style="List Number")
    d.add_paragraph("Chủ trì xây dựng nền tảng số, hoàn thành trong Quý III/2026.",
                    style="List Bullet")
    d.add_paragraph("Phối hợp với Sở Tài chính bố trí kinh phí.", style="List Bullet")
    d.add_paragraph("Sở Nội vụ", style="List Number")
    d.add_paragraph("Đào tạo kỹ năng số cho cán bộ, công chức.", style="List Bullet")
    for t in ("Nơi nhận:", "- Lưu: VT.", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Hoàng Minh Tuấn"):
        d.add_paragraph(t)
    d.save(tmp_path / "kh12.docx")
    p = import_plan(tmp_path / "kh12.docx").plan
    secs, tasks = _by_id(p["sections"]), _by_id(p["tasks"])
    assert (secs["II.1"]["lead"], secs["II.2"]["lead"]) == ("skhcn", "snv")
    assert list(tasks) == ["II.1.1", "II.1.2", "II.2.1"]
    assert tasks["II.1.2"]["partners"] == ["stc"]
    assert p["document"]["layout"] == "by_unit" and p["document"]["signer"] == "Hoàng Minh Tuấn"


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (apt libreoffice-writer-nogui) renders the PDF")
def test_laocai_plan_as_pdf_imports_the_same_as_its_text(laocai, tmp_path):
    """The theme-organised plan typed into Word (header lines, first-line indents) and printed
    to PDF: wrapped lines, page breaks and lines in capitals ("CCN.") read back the same."""
    from docx import Document
    from docx.shared import Cm

    from bot.importer.read import Para, read_document

    doc = Document()
    for b in read_document(LAOCAI):
        if isinstance(b, Para) and b.columns:
            for cell in b.columns:
                doc.add_paragraph(cell)
        elif isinstance(b, Para):
            doc.add_paragraph(b.text).paragraph_format.first_line_indent = Cm(1.27)
    doc.save(tmp_path / "kh134.docx")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(tmp_path / "kh134.docx")], check=True, capture_output=True, timeout=120)
    _same_plan(import_plan(tmp_path / "kh134.pdf").plan, laocai.plan)


OTHER_NUMBERING = """ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ

Số: 301/KH-UBND

Phú Thọ, ngày 9 tháng 6 năm 2026

KẾ HOẠCH

Triển khai thực hiện Kết luận số 77-KL/TU ngày 20/5/2026 của Ban Thường vụ Tỉnh ủy về phát triển du lịch cộng đồng năm 2026

PHẦN I. MỤC ĐÍCH, YÊU CẦU

Phát triển du lịch cộng đồng gắn với bảo tồn văn hóa.

PHẦN II. NHIỆM VỤ CỤ THỂ

1. Các sở, ngành

1.1. Sở Văn hóa, Thể thao và Du lịch

1.1.1. Xây dựng sản phẩm du lịch

1) Chủ trì khảo sát các điểm du lịch cộng đồng, hoàn thành trong tháng 8 năm 2026.

2) Phối hợp với Sở Công Thương tổ chức hội chợ sản phẩm OCOP.

1.2. Sở Tài chính

* Tham mưu bố trí kinh phí thực hiện Kế hoạch.

PHẦN III. TỔ CHỨC THỰC HIỆN

Các sở, ngành, UBND các xã, phường báo cáo kết quả hằng quý trước ngày 20, gửi Sở Văn hóa, Thể thao và Du lịch để tổng hợp.

Nơi nhận:
- Lưu: VT.

TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH

Bùi Văn Quang
"""


def test_other_numbering_parts_three_levels_numbered_points_quarterly_report(tmp_path):
    path = tmp_path / "kh301.txt"
    path.write_text(OTHER_NUMBERING, encoding="utf-8")
    r = import_plan(path)
    p = r.plan
    secs, tasks = _by_id(p["sections"]), _by_id(p["tasks"])
    assert [x["id"] for x in p["document"]["parts"]] == ["I", "II", "III"]
    assert p["document"]["issued_by"] == "UBND tỉnh Phú Thọ"
    assert p["document"]["implements_short"] == "Kết luận số 77-KL/TU"
    assert secs["1.1.1"]["group"] == "1.1" and secs["1.1"]["lead"] == "svhttdl"
    assert tasks["1.1.1.1"]["text"].startswith("Chủ trì khảo sát")
    assert tasks["1.1.1.2"]["partners"] == ["sct"]
    assert tasks["1.2.1"]["lead"] == "stc"
    deadlines = _by_id(p["deadlines"])
    assert deadlines[tasks["1.1.1.1"]["deadline"]]["due"] == "2026-08-31"
    report = deadlines[p["document"]["reporting"]["deadlines"][0]]
    assert (report["frequency"], report["day"], report["report_to"]) == ("quarterly", 20,
                                                                         "svhttdl")
    kb = validate_plan(p)
    assert kb.deadline(report["id"]).months() == (3, 6, 9, 12)


def test_annex_table_laid_out_in_columns_of_spaces():
    """pdftotext -layout prints a table as columns of spaces, a cell wrapping over lines."""
    r = import_plan(Path(__file__).parent / "data" / "plan_ha_giang_kh45_2026.txt")
    tasks = _by_id(r.plan["tasks"])
    assert tasks["PL1.1"]["text"] == "Rà soát quy hoạch các khu kinh tế cửa khẩu"
    assert (tasks["PL1.1"]["lead"], tasks["PL1.1"]["partners"]) == ("sxd", ["stc", "bqlkkt"])
    assert (tasks["PL1.2"]["lead"], tasks["PL1.2"]["partners"]) == ("bqlkkt", ["cat", "bdbp"])
    assert tasks["PL1.3"]["lead"] == "thue" and tasks["PL1.3"]["timing"] == "Thường xuyên"
    deadlines = _by_id(r.plan["deadlines"])
    assert deadlines[tasks["PL1.1"]["deadline"]]["due"] == "2026-06-30"
    assert r.plan["document"]["reporting"]["report_to"] == "sct"
    assert r.plan["document"]["title"].endswith("kinh tế cửa khẩu năm 2026")
    validate_plan(r.plan)
