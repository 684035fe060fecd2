"""The fast period read (repo.period_history) gives /tonghop, the CSV and reminders the very
picture the whole history gives: carried-over completions, corrections and withdrawals,
updates of a whole section and rows of former agencies included."""
from __future__ import annotations

import asyncio
import csv
import io
import random
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import export
from bot.db import repo
from bot.periods import half_year, year_period

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
STATUSES = ("chua", "dang", "xong", "xong", "vuong")


async def fill(svc) -> None:
    rnd = random.Random(14)
    kb = svc.kb
    uid = (await repo.upsert_user(svc.sessions, "telegram", "77", "Cán bộ thử")).id
    agencies = [a.id for a in kb.agencies][:12]
    items = [t.id for t in kb.tasks][:25] + [s.id for s in kb.sections][:4]
    start = datetime(2022, 1, 1, tzinfo=UTC)
    rows = []
    for _ in range(900):
        rows.append(dict(user_id=uid, agency_id=rnd.choice(agencies), item_id=rnd.choice(items),
                         status=rnd.choice(STATUSES), note=f"ghi chú {rnd.randint(0, 99)}",
                         channel="telegram",
                         at=start + timedelta(hours=rnd.randint(0, 5 * 365 * 24))))
    saved = await repo.add_statuses(svc.sessions, rows)
    fixes = []
    for old in rnd.sample(saved, 60):  # corrections and withdrawals, some days later
        withdrawn = rnd.random() < 0.4
        fixes.append(dict(user_id=uid, agency_id=old.agency_id, item_id=old.item_id,
                          status="chua" if withdrawn else rnd.choice(STATUSES),
                          note="sửa", channel="telegram", supersedes_id=old.id,
                          withdrawn=withdrawn, at=old.created_at + timedelta(days=3)))
    await repo.add_statuses(svc.sessions, fixes)


async def test_the_period_read_gives_the_whole_historys_picture(svc):
    await fill(svc)
    svc.clock = lambda: NOW
    tz = svc.settings.tz
    for year in (2023, 2024, 2025, 2026):
        for period in (half_year(year, tz), year_period(year, tz)):
            fast = await export.collect(svc, period, history=False)
            as_of = export.report_instant(svc, period)
            every = await repo.status_history(svc.sessions, until=as_of,
                                              include_superseded=True)
            whole = export.build_report(svc.kb, repo.effective(every), period, as_of, tz)
            whole.history = [r for r in every if r.created_at >= period.start]
            assert fast.rows == whole.rows, period.id
            assert fast.agencies == whole.agencies, period.id
            assert (export.task_table(svc.kb, fast, tz)
                    == export.task_table(svc.kb, whole, tz)), period.id
            assert not fast.history  # the XLSX's history sheet is read only when asked for
            with_sheet = await export.collect(svc, period)
            assert [r.id for r in with_sheet.history] == [r.id for r in whole.history]
    # and the figures are not empty: the test compares something
    assert any(a.reported for a in whole.agencies)
    assert any(a.carried for a in whole.agencies)


async def test_csv_and_xlsx_agree_on_the_tasks(svc):
    await fill(svc)
    svc.clock = lambda: NOW
    csv_file = await export.export_bytes(svc, "csv")
    xlsx_file = await export.export_bytes(svc, "xlsx")
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(xlsx_file.content))
    sheet = [[("" if v is None else str(v)) for v in r]
             for r in wb["Theo nhiệm vụ"].iter_rows(values_only=True)]
    rows = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert sheet == rows
    assert wb["Theo nhiệm vụ"].freeze_panes == "A2"
    period = export.current_period(NOW.astimezone(svc.settings.tz).date(), svc.settings.tz)
    every = await repo.status_history(svc.sessions, until=NOW, include_superseded=True)
    of_period = [r for r in every if r.created_at >= period.start]
    # the period's updates and corrections, each on its own line; earlier periods' are not
    assert 0 < len(of_period) < len(every)
    assert wb["Lịch sử cập nhật"].max_row == 1 + len(of_period)
    body = wb["Lịch sử cập nhật"]["F2"]
    assert body.alignment.wrap_text and not body.font.bold
    assert wb["Theo nhiệm vụ"]["A1"].font.bold


def _calc() -> str | None:
    """soffice with its spreadsheet module (libreoffice-calc-nogui), else None."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found and (Path(found).resolve().parent / "libsclo.so").exists():
        return found
    return None


async def test_a_spreadsheet_application_reads_the_xlsx_as_the_csv(svc, tmp_path):
    """The XLSX is written by bot.export itself: LibreOffice Calc opens it and finds every
    sheet, and the task sheet's cells are the CSV's (Vietnamese, markup characters, a
    neutralised formula and line breaks included)."""
    calc = _calc()
    if calc is None:
        pytest.skip("LibreOffice Calc is absent (apt-get install libreoffice-calc-nogui)")
    await fill(svc)
    uid = (await repo.upsert_user(svc.sessions, "telegram", "77", "Cán bộ thử")).id
    await repo.add_status(svc.sessions, user_id=uid, agency_id=svc.kb.agencies[0].id,
                          item_id=svc.kb.tasks[0].id, status="vuong", channel="telegram",
                          note='=HYPERLINK("x") & <b>đậm</b>\n  dòng hai "trích"',
                          at=NOW - timedelta(days=1))
    svc.clock = lambda: NOW
    src = tmp_path / "tien_do.xlsx"
    src.write_bytes((await export.export_bytes(svc, "xlsx")).content)
    ours = (await export.export_bytes(svc, "csv")).content.decode("utf-8-sig")
    # 44,34,76: comma, double quote, UTF-8; the last token -1: every sheet to its own file
    out = tmp_path / "out"
    await asyncio.to_thread(subprocess.run, [
        calc, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
        "--outdir", str(out), str(src)], check=True, timeout=180, capture_output=True)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"tien_do-{t}.csv" for t in ("Theo nhiệm vụ", "Lịch sử cập nhật",
                                                           "Tổng hợp theo cơ quan"))
    theirs = (out / "tien_do-Theo nhiệm vụ.csv").read_text(encoding="utf-8")
    read = list(csv.reader(io.StringIO(theirs)))
    assert read == list(csv.reader(io.StringIO(ours)))
    assert any(cell.startswith("'=HYPERLINK") and "<b>đậm</b>" in cell
               for row in read for cell in row)
