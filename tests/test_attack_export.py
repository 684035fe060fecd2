"""Formula injection in exports: nothing an official typed becomes a live formula."""
from __future__ import annotations

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
