"""Summaries (/tonghop) and exports (/xuat, `python -m bot export`) of reported progress."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from bot.core import Request
from bot.db import repo
from bot.export import cli_export, neutralise
from bot.knowledge import load_knowledge
from handlers import dispatch

MARCH = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # inside both 2026 windows
NOV = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # after the 6-month report, before the annual
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
FORMULA = '=HYPERLINK("http://evil.example","bấm")'


def tg(user: str, text: str, **kw) -> Request:
    kw.setdefault("chat_id", user)
    return Request(channel="telegram", user_id=user, text=text, user_name=f"Cán bộ {user}", **kw)


def admin(text: str, **kw) -> Request:
    kw.setdefault("chat_id", "900")
    return Request(channel="telegram", user_id="900", text=text, user_name="Quản trị",
                   is_admin=True, **kw)


async def member(svc, user: str, agency_id: str) -> None:
    row = await repo.request_membership(svc.sessions, "telegram", user, agency_id,
                                        display_name=f"Cán bộ {user}")
    await repo.decide_membership(svc.sessions, row.id, True, by_channel="telegram",
                                 by_external_id="900")


async def at(svc, moment: datetime, user: str, text: str) -> None:
    svc.clock = lambda: moment
    [r] = await dispatch(tg(user, text), svc)
    assert r.text.startswith("Đã lưu"), r.text


@pytest.fixture
async def reported(svc):
    """SXD, BQL KCN and Việt Yên have reported; everyone else is silent."""
    await member(svc, "1", "sxd")
    await member(svc, "2", "bqlkcn")
    await member(svc, "3", "viet_yen")
    await at(svc, MARCH, "1", "/capnhat 2.2.1 đang làm Đã phê duyệt 2 đồ án")
    await at(svc, NOV, "1", "/capnhat 2.2.1 hoàn thành")
    await at(svc, NOV, "1", f"/capnhat 2.2.2 vướng mắc {FORMULA}")
    await at(svc, MARCH, "2", "/capnhat 3.1.1 xong")  # own deadline: end of 2021 -> late
    await at(svc, NOV, "3", "/capnhat 2.7.1 đang thực hiện")
    svc.clock = lambda: NOW
    return svc


async def test_summary_is_for_admins_only(reported):
    out = await dispatch(tg("1", "/tonghop"), reported)
    assert len(out) == 1 and "quản trị" in out[0].text and "\n" not in out[0].text
    out = await dispatch(admin("/tonghop quý 5"), reported)
    assert len(out) == 1 and "Không hiểu kỳ" in out[0].text


async def test_summary_of_the_current_period(reported):
    [r] = await dispatch(admin("/tonghop"), reported)
    text = r.text
    assert "năm 2026" in text and "15/12/2026" in text
    assert "Đã báo cáo: 3/27" in text
    sxd = next(line for line in text.splitlines() if line.startswith("• Sở Xây dựng"))
    assert "báo cáo 2/5" in sxd and "thiếu: 2.2.3, 2.2.4, 4.3.1" in sxd
    assert "vướng mắc: 2.2.2" in sxd and "Hoàn thành đúng hạn 1" in sxd
    assert "Đang thực hiện trong hạn 4" in sxd
    bql = next(line for line in text.splitlines() if line.startswith("• Ban Quản lý"))
    assert "Hoàn thành quá hạn 1" in bql  # 3.1.1 was due at the end of 2021
    assert "Quá hạn chưa hoàn thành" in bql  # 4.2.1, due at the end of 2025, not done
    vy = next(line for line in text.splitlines() if line.startswith("• UBND huyện Việt Yên"))
    assert "báo cáo 1/6" in vy
    silent = next(line for line in text.splitlines() if line.startswith("Chưa báo cáo"))
    assert "Sở Y tế" in silent and "UBND huyện Yên Thế" in silent
    assert "Sở Xây dựng" not in silent and "UBND huyện, thành phố" not in silent


async def test_summary_of_a_past_period_reads_statuses_at_its_end(reported):
    [r] = await dispatch(admin("/tonghop 6T/2026"), reported)
    lines = r.text.splitlines()
    assert "6 tháng năm 2026" in lines[0]
    sxd = next(line for line in lines if line.startswith("• Sở Xây dựng"))
    assert "báo cáo 1/5" in sxd and "vướng mắc" not in sxd  # November updates come later
    assert "Quá hạn chưa hoàn thành 5" in sxd  # nothing was completed by 15/6
    assert not any(line.startswith("• UBND huyện Việt Yên") for line in lines)


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


async def test_csv_export(reported):
    [r] = await dispatch(admin("/xuat csv 2026"), reported)
    assert r.file is not None and r.file.filename.endswith(".csv")
    table = _csv_rows(r.file.content)
    header, body = table[0], table[1:]
    assert header[:9] == ["Mục", "Cơ quan", "Mã nhiệm vụ", "Nội dung nhiệm vụ",
                          "Trạng thái mới nhất", "Ghi chú", "Người cập nhật",
                          "Thời điểm cập nhật", "Kỳ báo cáo"]
    by_key = {(row[1], row[2]): row for row in body}
    kb = load_knowledge()
    row = by_key[("Sở Xây dựng", "2.2.1")]
    assert row[0] == "2.2" and row[3] == kb.task("2.2.1").text
    assert row[4] == "Hoàn thành" and row[6] == "Cán bộ 1"
    assert row[7] == "20/11/2026 09:00" and row[8] == "2026"
    assert by_key[("Sở Xây dựng", "2.2.2")][5] == "'" + FORMULA  # never runs as a formula
    assert by_key[("Sở Xây dựng", "2.2.3")][4] == "Chưa có cập nhật"
    districts = [row for row in body if row[2] == "2.7.1"]
    assert len(districts) == 10  # one row per district for the collective's tasks
    assert by_key[("UBND huyện Việt Yên", "2.7.1")][4] == "Đang thực hiện"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in body for cell in row)


async def test_xlsx_export(reported):
    [r] = await dispatch(admin("/xuat"), reported)
    assert r.file is not None and r.file.filename.endswith(".xlsx")
    wb = load_workbook(io.BytesIO(r.file.content))
    assert wb.sheetnames == ["Theo nhiệm vụ", "Tổng hợp theo cơ quan"]
    tasks, agencies = wb["Theo nhiệm vụ"], wb["Tổng hợp theo cơ quan"]
    for ws in (tasks, agencies):
        assert all(c.font.bold for c in ws[1] if c.value)
        assert ws.freeze_panes == "A2"
        assert ws.column_dimensions["A"].width >= 8 and ws.column_dimensions["B"].width > 10
    cells = {(row[1], row[2]): row for row in tasks.iter_rows(min_row=2, values_only=True)}
    note = cells[("Sở Xây dựng", "2.2.2")][5]
    assert note == "'" + FORMULA
    assert not any(isinstance(c, str) and c.startswith("=")
                   for row in tasks.iter_rows(values_only=True) for c in row)
    summary = {row[0]: row for row in agencies.iter_rows(min_row=2, values_only=True)}
    assert summary["Sở Xây dựng"][1:5] == (5, 2, 3, 1)
    assert "UBND huyện Yên Thế" in summary and "UBND huyện, thành phố" not in summary


async def test_export_is_for_admins_in_private(reported):
    out = await dispatch(tg("1", "/xuat csv"), reported)
    assert len(out) == 1 and out[0].file is None and "quản trị" in out[0].text
    out = await dispatch(admin("/xuat csv", chat_id="-100200", chat_type="group"), reported)
    assert len(out) == 1 and out[0].file is None and "tin nhắn riêng" in out[0].text
    out = await dispatch(admin("/xuat pdf"), reported)
    assert len(out) == 1 and out[0].file is None


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+84", "'+84"), ("-5%", "'-5%"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("bình thường", "bình thường"), (12, 12), ("", ""),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_cli_export(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    out = tmp_path / "out" / "bao_cao.xlsx"
    assert cli_export(None, "6T/2026", str(out)) == 0  # format from the suffix
    wb = load_workbook(out)
    assert wb["Theo nhiệm vụ"]["I2"].value == "2026-6T"
    csv_out = tmp_path / "bao_cao.txt"
    assert cli_export("csv", None, str(csv_out)) == 0
    assert len(_csv_rows(csv_out.read_bytes())) > 100
    capsys.readouterr()
    assert cli_export(None, None, str(tmp_path / "x.pdf")) == 2
    assert cli_export("csv", "quý 9", str(tmp_path / "x.csv")) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 2
