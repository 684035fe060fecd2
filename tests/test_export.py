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
from bot.periods import reporting_agencies
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
    await member(svc, "2", "bqlkcn_bn")  # today's board (issue 12)
    await member(svc, "3", "phuong_nenh")  # a ward of former Việt Yên
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


def _line(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(start))


def _totals(text: str) -> dict[str, int]:
    """"Toàn bộ 120 nhiệm vụ: hoàn thành đúng hạn 1; …; chưa báo cáo 110." as a dict."""
    body = _line(text, "Toàn bộ").split(": ", 1)[1].rstrip(".")
    return {name: int(n) for name, n in (part.rsplit(" ", 1) for part in body.split("; "))}


async def test_summary_of_the_current_period(reported):
    [r] = await dispatch(admin("/tonghop"), reported)
    text = r.text
    assert "năm 2026" in text and "15/12/2026" in text
    # today's units (issue 12): 14 departments and boards and the 58 communes and wards
    assert f"Đã báo cáo: 3/{len(reporting_agencies(load_knowledge()))}" in text
    assert _line(text, "• Sở Xây dựng") == (
        "• Sở Xây dựng (KH: Sở Xây dựng; Sở Giao thông vận tải): đã báo cáo 2/6 nhiệm vụ; còn "
        "thiếu 2.2.3, 2.2.4, 4.3.1, 5.4.1; vướng mắc: 2.2.2. Hoàn thành đúng hạn 1; vướng mắc "
        "1; chưa báo cáo 4.")
    bql = _line(text, "• Ban Quản lý")
    assert "Hoàn thành quá hạn 1" in bql  # 3.1.1 was due at the end of 2021
    assert "chưa báo cáo (đã quá hạn) 1" in bql  # 4.2.1, due at the end of 2021: nothing said
    assert "đang thực hiện" not in bql and "Quá hạn chưa hoàn thành" not in bql
    vy = _line(text, "• UBND phường Nếnh (KH: UBND huyện Việt Yên)")
    assert "đã báo cáo 1/6 nhiệm vụ; còn thiếu" in vy and "Đang thực hiện trong hạn 1" in vy
    silent = _line(text, "Chưa báo cáo trong kỳ")
    assert "Sở Y tế" in silent and "UBND xã Yên Thế" in silent
    assert "Sở Xây dựng" not in silent and "UBND huyện, thành phố" not in silent
    # only what was reported as in progress is in progress; silence is "chưa báo cáo"
    totals = _totals(text)
    assert totals["đang thực hiện trong hạn"] == 1 and totals["quá hạn chưa hoàn thành"] == 0
    assert totals["hoàn thành đúng hạn"] == 1 and totals["hoàn thành quá hạn"] == 1
    assert totals["vướng mắc"] == 1
    every = sum(totals.values())
    assert totals["chưa báo cáo"] + totals["chưa báo cáo (đã quá hạn)"] == every - 4
    assert f"Đã hoàn thành 2/{every}; chưa hoàn thành {every - 2} (trong đó vướng mắc 1, " \
           f"chưa báo cáo {every - 4})." in text


async def test_summary_of_a_past_period_reads_statuses_at_its_end(reported):
    [r] = await dispatch(admin("/tonghop 6T/2026"), reported)
    lines = r.text.splitlines()
    assert "6 tháng năm 2026" in lines[0]
    sxd = _line(r.text, "• Sở Xây dựng")
    assert "đã báo cáo 1/6 nhiệm vụ" in sxd and "vướng mắc" not in sxd  # November updates come later
    # reported in progress in March: in progress; the rest said nothing before 15/6
    assert sxd.endswith("Đang thực hiện trong hạn 1; chưa báo cáo (đã quá hạn) 5.")
    assert not any(line.startswith("• UBND phường Nếnh") for line in lines)
    totals = _totals(r.text)
    assert totals["quá hạn chưa hoàn thành"] == 0 and totals["chưa báo cáo"] == 0


async def test_categories_follow_the_reported_status(svc):
    await member(svc, "1", "sxd")
    await member(svc, "2", "bqlkcn_bn")  # today's board (issue 12)
    await at(svc, datetime(2025, 12, 1, 2, 0, tzinfo=UTC), "1", "/capnhat 2.2.4 xong")
    await at(svc, datetime(2025, 12, 1, 2, 0, tzinfo=UTC), "1", "/capnhat 4.3.1 đang làm")
    await at(svc, MARCH, "1", "/capnhat 2.2.1 chưa thực hiện")
    await at(svc, MARCH, "1", "/capnhat 2.2.2 vướng mắc thiếu vốn")
    await at(svc, MARCH, "1", "/capnhat 2.2.3 đang thực hiện")
    await at(svc, MARCH, "2", "/capnhat 3.1.1 chưa thực hiện")  # due at the end of 2021
    await at(svc, MARCH, "2", "/capnhat 4.2.1 đang thực hiện")  # likewise
    svc.clock = lambda: NOW
    [r] = await dispatch(admin("/xuat csv 2026"), svc)
    table = _csv_rows(r.file.content)
    col = table[0].index("Đánh giá")
    judged = {(row[1], row[2]): row[col] for row in table[1:]}
    assert {k: judged[("Sở Xây dựng", k)] for k in ("2.2.1", "2.2.2", "2.2.3", "2.2.4",
                                                     "4.3.1")} == {
        "2.2.1": "Chưa thực hiện (trong hạn)", "2.2.2": "Vướng mắc",
        "2.2.3": "Đang thực hiện trong hạn",
        "2.2.4": "Hoàn thành đúng hạn",  # done in the 2025 cycle: completion carries over
        "4.3.1": "Chưa báo cáo"}  # "đang" last year says nothing about this period
    assert judged[("Ban Quản lý các KCN tỉnh Bắc Ninh", "3.1.1")] == "Chưa thực hiện (quá hạn)"
    assert judged[("Ban Quản lý các KCN tỉnh Bắc Ninh", "4.2.1")] == "Quá hạn chưa hoàn thành"
    [summary] = await dispatch(admin("/tonghop 2026"), svc)
    assert _line(summary.text, "• Sở Xây dựng") == (
        "• Sở Xây dựng (KH: Sở Xây dựng; Sở Giao thông vận tải): đã báo cáo 4/6 nhiệm vụ; còn "
        "thiếu 4.3.1, 5.4.1; vướng mắc: 2.2.2; đã hoàn thành từ kỳ trước: 2.2.4. Hoàn thành đúng "
        "hạn 1; đang thực hiện trong hạn 1; chưa thực hiện (trong hạn) 1; vướng mắc 1; chưa báo "
        "cáo 2.")
    totals = _totals(summary.text)
    for name in ("Chưa thực hiện (quá hạn)", "Quá hạn chưa hoàn thành", "Vướng mắc",
                 "Hoàn thành đúng hạn", "Đang thực hiện trong hạn"):
        assert totals[name[0].lower() + name[1:]] == sum(v == name for v in judged.values())


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
    assert len(districts) == 58  # one row per commune or ward for the former district duties
    assert by_key[("UBND phường Nếnh", "2.7.1")][4] == "Đang thực hiện"
    assert by_key[("UBND phường Nếnh", "2.7.1")][-1] == "UBND huyện Việt Yên"  # the plan's name
    assert by_key[("Sở Xây dựng", "2.2.1")][-1] == "Sở Xây dựng"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in body for cell in row)


async def test_xlsx_export(reported):
    [r] = await dispatch(admin("/xuat"), reported)
    assert r.file is not None and r.file.filename.endswith(".xlsx")
    wb = load_workbook(io.BytesIO(r.file.content))
    assert wb.sheetnames == ["Theo nhiệm vụ", "Tổng hợp theo cơ quan", "Lịch sử cập nhật"]
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
    header = [c.value for c in agencies[1]]
    summary = {row[0]: dict(zip(header, row, strict=True))
               for row in agencies.iter_rows(min_row=2, values_only=True)}
    sxd = summary["Sở Xây dựng"]
    assert (sxd["Số nhiệm vụ"], sxd["Đã báo cáo trong kỳ"], sxd["Chưa báo cáo (tổng)"],
            sxd["Vướng mắc"], sxd["Đã hoàn thành"], sxd["Chưa hoàn thành"]) == (6, 2, 4, 1, 1, 5)
    assert sxd["Nhiệm vụ chưa báo cáo"] == "2.2.3, 2.2.4, 4.3.1, 5.4.1"
    assert sxd["Cơ quan theo Kế hoạch"] == "Sở Xây dựng; Sở Giao thông vận tải"
    assert sxd["Nhiệm vụ vướng mắc"] == "2.2.2"
    assert "UBND xã Yên Thế" in summary and "UBND huyện, thành phố" not in summary
    # the "Đánh giá" column and the summary sheet tell the same story, category by category
    task_header = [c.value for c in tasks[1]]
    judged = [dict(zip(task_header, row, strict=True))
              for row in tasks.iter_rows(min_row=2, values_only=True)]
    categories = header[header.index("Chưa hoàn thành") + 1:header.index("Cập nhật gần nhất")]
    assert "Chưa báo cáo (đã quá hạn)" in categories and "Vướng mắc" in categories
    for name, counts in summary.items():
        own = [t["Đánh giá"] for t in judged if t["Cơ quan"] == name]
        assert {c: counts[c] for c in categories} == {c: own.count(c) for c in categories}
    assert cells[("Sở Xây dựng", "2.2.3")][task_header.index("Đánh giá")] == "Chưa báo cáo"


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


def test_cli_export_refuses_a_missing_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    missing = tmp_path / "khong_co" / "x.csv"
    assert cli_export(None, None, str(missing)) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"Thư mục “{missing.parent}” không tồn tại."
    assert not missing.parent.exists()


def test_cli_export(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    out = tmp_path / "bao_cao.xlsx"
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
