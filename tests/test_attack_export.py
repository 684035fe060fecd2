"""Formula injection in exports: nothing an official typed becomes a live formula."""
from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from bot.db import repo
from bot.db.models import StatusUpdate
from bot.export import export_bytes, neutralise

AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
EVIL = '=HYPERLINK("http://evil.example","bấm")'
# C0 controls a sheet cannot hold: openpyxl drops them, which used to happen after the check
CONTROLS = ["\x01", "\x08", "\x0e", "\x0f", "\x1b", "\x1f", "\x00"]
ATTACKS = ([c + EVIL for c in CONTROLS]
           + ["＝1+1", "＋84", "－5", "＠SUM(A1)", "﹦1+1", "  =1+1", "\t=1+1", " \t =1+1",
              "\u3000=1+1", "\x01 =1+1", "\ud800=1+1", "=1+1"])


def _no_formula_in_xlsx(content: bytes) -> list[str]:
    """Every text cell of every sheet; fails on a formula cell."""
    wb = load_workbook(io.BytesIO(content))
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.lstrip().startswith("="), cell.value
                    texts.append(cell.value)
    return texts


@pytest.mark.parametrize("value", ATTACKS)
def test_a_dangerous_cell_is_quoted_after_cleaning(value):
    out = neutralise(value)
    assert out.startswith("'")
    assert not any(c in out for c in CONTROLS)


def test_no_letter_or_digit_folds_to_a_formula_start():
    """neutralise lets a cell starting with a letter or digit through unchecked (the fast
    path of 200,000 cells): true only while no such character's NFKC form starts with one of
    = + - @ tab CR. Checked over every code point."""
    import sys
    import unicodedata

    from bot.export import _DANGEROUS

    starts = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isalnum()
              and unicodedata.normalize("NFKC", c).startswith(_DANGEROUS)]
    assert starts == []
    assert neutralise("x\x01=1") == "x=1" and neutralise("\x01x") == "x"


def test_ordinary_text_is_left_alone():
    assert neutralise("Đã phê duyệt 2 đồ án\nđạt 100%") == "Đã phê duyệt 2 đồ án\nđạt 100%"
    assert neutralise("Nguyễn  Văn A") == "Nguyễn  Văn A"


async def test_stored_attacks_export_as_text(sqlite_svc):
    """Rows as an old database may hold them (written before input was cleaned), in the
    notes and in the officials' display names, every sheet and the CSV."""
    svc = sqlite_svc
    svc.clock = lambda: NOW
    row = await repo.request_membership(svc.sessions, "telegram", "1", "sxd", now=AT)
    await repo.decide_membership(svc.sessions, row.id, True, by_channel="telegram",
                                 by_external_id="900", now=AT)
    from sqlalchemy import update

    from bot.db.models import User
    async with svc.sessions() as s, s.begin():
        await s.execute(update(User).where(User.id == row.user_id)
                        .values(display_name="\x08" + EVIL))
        tasks = ["2.2.1", "2.2.2", "2.2.3", "2.2.4", "4.3.1"]
        for i, note in enumerate(ATTACKS[:-2]):  # no lone surrogate: SQLite's encoder refuses
            s.add(StatusUpdate(item_id=tasks[i % len(tasks)], agency_id="sxd", status="vuong",
                               note=note, user_id=row.user_id, channel="telegram",
                               created_at=AT))
    xlsx = await export_bytes(svc, "xlsx")
    texts = _no_formula_in_xlsx(xlsx.content)
    assert any(t.startswith("'") and EVIL in t for t in texts)  # still readable, as text
    data = (await export_bytes(svc, "csv")).content.decode("utf-8-sig")
    for line in csv.reader(io.StringIO(data)):
        for cell in line:
            assert not any(c in cell for c in CONTROLS)
            assert not cell.lstrip().startswith(("=", "+", "@", "＝", "＋", "＠")), cell


# ---------------------------------------------------------------- escaping of the XML itself

# text Excel and LibreOffice read as an escaped character (_xHHHH_) in a shared string, XML's
# own markup, a CDATA end, C1 controls, direction marks, and the spliced report's marker
ODD = ["_x003D_HYPERLINK(1)", "a_x0001_b_X000d_c", "]]><x/>&amp;<!--", "\x85\x9f\u202e",
       "</w:t></w:r></w:p><w:p><w:r><w:t>chèn", "kh147-splice-0", '"\'<>&', "🇻🇳" * 3]
LONG = "Ghi chú dài " + "ữ" * 40_000 + "🇻🇳"  # past Excel's 32,767 characters a cell


async def _store_notes(svc, notes: list[str]) -> None:
    svc.clock = lambda: NOW
    row = await repo.request_membership(svc.sessions, "telegram", "1", "sxd", now=AT,
                                        display_name="]]>_x0041_ <b>Cán bộ</b>")
    await repo.decide_membership(svc.sessions, row.id, True, by_channel="telegram",
                                 by_external_id="900", now=AT)
    tasks = ["2.2.1", "2.2.2", "2.2.3", "2.2.4", "4.3.1"]
    async with svc.sessions() as s, s.begin():
        for i, note in enumerate(notes):
            s.add(StatusUpdate(item_id=tasks[i % len(tasks)], agency_id="sxd", status="vuong",
                               note=note, obstacles=note, user_id=row.user_id,
                               channel="telegram", created_at=AT))


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2  # how Excel counts a cell's characters


async def test_odd_text_reads_back_as_typed_in_openpyxl_and_libreoffice(sqlite_svc, tmp_path):
    """Every odd note comes back character for character: openpyxl and LibreOffice (which
    decodes "_x0001_" in a shared string into a control character unless escaped)."""
    import shutil
    import subprocess

    await _store_notes(sqlite_svc, ODD)
    content = (await export_bytes(sqlite_svc, "xlsx")).content
    texts = _no_formula_in_xlsx(content)
    for note in ODD:
        assert any(neutralise(note) in t for t in texts), note
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    src = tmp_path / "x.xlsx"
    src.write_bytes(content)
    command = ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
               "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,"
               "false,false,false,-1", "--outdir", str(tmp_path), str(src)]  # every sheet
    await asyncio.to_thread(subprocess.run, command, check=True, capture_output=True,
                            timeout=180)
    sheets = "".join(p.read_text("utf-8") for p in tmp_path.glob("x*.csv"))
    for note in ODD:
        assert neutralise(note).replace('"', '""') in sheets, note
    assert "\x01" not in sheets and "_x0041_" in sheets


async def test_a_cell_longer_than_excel_takes_is_cut_and_marked(sqlite_svc):
    """Excel refuses a file with a cell over 32,767 characters (it "repairs" it, dropping the
    sheet's text): a long note from an old row is cut there, the cut marked with "…"."""
    await _store_notes(sqlite_svc, [LONG])
    texts = _no_formula_in_xlsx((await export_bytes(sqlite_svc, "xlsx")).content)
    assert max(map(_utf16, texts)) <= 32_767
    cut = [t for t in texts if t.startswith("Ghi chú dài ")]
    assert cut and all(t.endswith("…") and len(t) > 30_000 for t in cut)
    data = (await export_bytes(sqlite_svc, "csv")).content.decode("utf-8-sig")
    cells = [c for line in csv.reader(io.StringIO(data)) for c in line]
    assert max(map(_utf16, cells)) <= 32_767
    assert neutralise("ngắn") == "ngắn" and neutralise(LONG[:100]) == LONG[:100]


async def test_the_report_quotes_odd_notes_and_names_as_text(sqlite_svc):
    """The DOCX's body is spliced into word/document.xml as text: a note that looks like
    WordprocessingML, a CDATA end or the splice marker stays text; the file opens."""
    import docx

    from bot.report import report_attachment

    notes = [ODD[4], ODD[2], ODD[5], ODD[0], ODD[6]]  # one a task: each is the task's latest
    await _store_notes(sqlite_svc, notes)
    content = (await report_attachment(sqlite_svc)).content
    d = docx.Document(io.BytesIO(content))
    text = "\n".join([p.text for p in d.paragraphs]
                     + [c.text for t in d.tables for r in t.rows for c in r.cells])
    for note in notes:
        assert note in text, note
    assert "]]>_x0041_ <b>Cán bộ</b>" in text  # the reporter, as named
    assert text.count("kh147-splice-") == text.count(ODD[5])  # no marker left behind
