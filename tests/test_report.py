"""The compiled period report (DOCX): layout as Nghị định 30/2020 asks, what it says, the
buckets, /baocao and `python -m bot report`; rendered by LibreOffice to PDF and read back."""
from __future__ import annotations

import asyncio
import io
import os
import shutil
import subprocess
from datetime import UTC, datetime

import pytest
from docx import Document
from pypdf import PdfReader

from bot import buckets, export, report
from bot.core import Request
from bot.db import repo
from bot.periods import half_year, reporting_agencies, year_period
from handlers import dispatch

MARCH = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 09:00 local, inside both 2026 windows
NOW = datetime(2026, 6, 2, 3, 0, tzinfo=UTC)  # 10:00 on 2/6/2026: the 6-month period runs
RESULT = "Đã phê duyệt 02 đồ án quy hoạch phân khu KCN Việt Hàn"
OBSTACLE = "Thiếu kinh phí lập quy hoạch chi tiết 1/500"
PROPOSAL = "Đề nghị UBND tỉnh bố trí vốn sự nghiệp năm 2026"
NOTE = "Đã ban hành quy chế phối hợp quản lý KCN"
MARKER = "[Phần này do Sở Công Thương viết:"
ALLOW_NO_SOFFICE = "KH147_ALLOW_NO_LIBREOFFICE"  # set to 1 only where LibreOffice cannot be


def admin(text: str, **kw) -> Request:
    kw.setdefault("chat_id", "900")
    return Request(channel="telegram", user_id="900", text=text, user_name="Quản trị",
                   is_admin=True, **kw)


async def _status(svc, user, agency, item, status, at=MARCH, **fields):
    return await repo.add_status(svc.sessions, user_id=user.id, agency_id=agency, item_id=item,
                                 status=status, channel=fields.pop("channel", "telegram"),
                                 at=at, note=fields.pop("note", ""), **fields)


def holder(kb, task_id: str) -> str:
    """The reporting unit that answers for a task today (as /tonghop counts it)."""
    return next(a for a in reporting_agencies(kb)
                if task_id in {t.id for t in export.agency_tasks(kb, a)})


@pytest.fixture
async def filled(svc):
    """Sở Xây dựng reports with result, obstacles, proposals; the KCN board finished 3.1.1
    late; a commune reported on a general duty; everyone else is silent."""
    an = await repo.upsert_user(svc.sessions, "telegram", "1", "Nguyễn Văn An")
    binh = await repo.upsert_user(svc.sessions, "zalo", "z2", "Trần Thị Bình")
    await _status(svc, an, "sxd", "2.2.1", "dang", note=RESULT, result=RESULT,
                  obstacles=OBSTACLE, proposals=PROPOSAL)
    await _status(svc, an, "sxd", "2.2.2", "xong", note=NOTE)
    await _status(svc, binh, holder(svc.kb, "3.1.1"), "3.1.1", "xong", note="Hoàn thành hồ sơ",
                  channel="zalo")
    await _status(svc, binh, holder(svc.kb, "2.7.1"), "1.1", "dang",
                  note="Đã ban hành kế hoạch của địa phương", channel="zalo")
    svc.clock = lambda: NOW
    return svc


def _text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


async def _docx(svc, period="6T/2026"):
    data = await report.build_report(svc, period)
    return data, Document(io.BytesIO(data))


# ---------------------------------------------------------------- layout (python-docx)

async def test_page_margins_and_font_follow_decree_30(filled):
    _, doc = await _docx(filled)
    first = doc.sections[0]
    assert (round(first.page_width.mm), round(first.page_height.mm)) == (210, 297)  # A4
    for s in doc.sections:  # the annex is landscape A4, same margins
        assert {round(s.page_width.mm), round(s.page_height.mm)} == {210, 297}
        assert 20 <= round(s.top_margin.mm) <= 25 and 20 <= round(s.bottom_margin.mm) <= 25
        assert 30 <= round(s.left_margin.mm) <= 35 and 15 <= round(s.right_margin.mm) <= 20
    normal = doc.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size.pt in (13, 14)
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "Times New Roman"
    sizes = {r.font.size.pt for p in doc.paragraphs for r in p.runs if r.font.size}
    assert sizes <= {11, 12, 13, 14}
    assert all((r.font.name or "Times New Roman") == "Times New Roman"
               for p in doc.paragraphs for r in p.runs)


async def test_header_block_is_a_borderless_two_column_table(filled):
    _, doc = await _docx(filled)
    header = doc.tables[0]
    assert len(header.columns) == 2 and len(header.rows) == 1
    borders = header._tbl.tblPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblBorders")
    assert borders is not None and all(
        b.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val") == "nil"
        for b in borders)
    left, right = header.rows[0].cells
    lines = [p.text for p in left.paragraphs if p.text]
    assert lines == ["UBND TỈNH BẮC NINH", "SỞ CÔNG THƯƠNG", "Số: …/BC-SCT"]
    sct = next(p for p in left.paragraphs if p.text == "SỞ CÔNG THƯƠNG")
    assert all(r.bold for r in sct.runs)
    lines = [p for p in right.paragraphs if p.text]
    assert [p.text for p in lines] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                       "Độc lập - Tự do - Hạnh phúc",
                                       "Bắc Ninh, ngày 02 tháng 6 năm 2026"]  # the services clock
    assert all(r.bold for p in lines[:2] for r in p.runs)
    assert all(r.italic for r in lines[2].runs)


async def test_title_parts_signature_and_annexes(filled):
    _, doc = await _docx(filled)
    text = _text(doc)
    paras = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in paras
    assert any(p.startswith("Kết quả thực hiện Kế hoạch số …/KH-UBND") and
               p.endswith("(6 tháng đầu năm 2026)") for p in paras)
    assert "Kính gửi: UBND tỉnh Bắc Ninh." in paras
    order = [paras.index(h) for h in (
        "I. CÔNG TÁC CHỈ ĐẠO, TRIỂN KHAI", "II. KẾT QUẢ THỰC HIỆN", "III. ĐÁNH GIÁ CHUNG",
        "IV. NHIỆM VỤ THỜI GIAN TỚI", "V. KIẾN NGHỊ", "Biểu 01", "Biểu 02")]
    assert order == sorted(order)
    signature = next(t for t in doc.tables[1:3] if "Nơi nhận:" in t.rows[0].cells[0].text)
    assert "GIÁM ĐỐC" in signature.rows[0].cells[1].text
    annex = next(t for t in doc.tables if t.rows[0].cells[0].text == "TT"
                 and t.rows[0].cells[1].text == "Nhiệm vụ")
    assert [c.text for c in annex.rows[0].cells] == [
        "TT", "Nhiệm vụ", "Đơn vị chủ trì", "Kết quả trong kỳ", "Tiến độ",
        "Khó khăn, vướng mắc", "Kiến nghị"]
    assert "Biểu 01" in text and "Biểu 02" in text


async def test_a_units_words_are_quoted_verbatim_with_who_and_when(filled):
    _, doc = await _docx(filled)
    paras = [p.text for p in doc.paragraphs]
    assert f"Kết quả: “{RESULT}”" in paras
    assert f"Khó khăn, vướng mắc: “{OBSTACLE}”" in paras
    assert f"Kiến nghị, đề xuất: “{PROPOSAL}”" in paras
    assert f"Kết quả: “{NOTE}”" in paras  # a plain note reads as the result
    assert "(Nguyễn Văn An báo cáo qua Telegram lúc 09:00 ngày 10/03/2026.)" in paras
    assert "(Trần Thị Bình báo cáo qua Zalo lúc 09:00 ngày 10/03/2026.)" in paras
    # part V gathers the units' proposals
    assert f"- Sở Xây dựng (nhiệm vụ 2.2.1): “{PROPOSAL}”" in paras
    # Biểu 01: the unit's row
    annex = _text(doc)
    assert RESULT in annex and OBSTACLE in annex and PROPOSAL in annex


async def test_assessment_is_left_to_people(filled):
    _, doc = await _docx(filled)
    paras = [p.text for p in doc.paragraphs]
    markers = [p for p in paras if p.startswith(MARKER)]
    assert len(markers) >= 4  # part I, III.1, III.2, IV, V
    start, end = paras.index("III. ĐÁNH GIÁ CHUNG"), paras.index("IV. NHIỆM VỤ THỜI GIAN TỚI")
    body = [p for p in paras[start + 1:end] if p]
    assert all(p.startswith(MARKER) or p[0].isdigit() for p in body)  # nothing invented


async def test_counts_by_bucket_and_silent_units_named(filled):
    _, doc = await _docx(filled)
    counts = next(t for t in doc.tables if t.rows[0].cells[0].text == "TT"
                  and t.rows[0].cells[1].text == "Cơ quan, đơn vị")
    assert [c.text for c in counts.rows[1].cells[3:7]] == [
        "Đúng hạn", "Quá hạn", "Trong hạn", "Quá hạn"]
    rows = {r.cells[1].text: [c.text for c in r.cells] for r in counts.rows[2:]}
    sxd = rows["Sở Xây dựng"]
    # its tasks today (2.2.x, 4.3.1, inherited ones): 2.2.2 done on time, 2.2.1 open within
    # its deadline, the others silent
    n = len(export.agency_tasks(filled.kb, "sxd"))
    assert sxd[2:8] == [str(n), "1", "0", "1", "0", str(n - 2)] and sxd[8] == "Đã báo cáo"
    board = filled.kb.agency(holder(filled.kb, "3.1.1")).name
    assert rows[board][3:5] == ["0", "1"]  # 3.1.1 was due at the end of 2021
    assert rows["Sở Y tế"][8] == "Chưa báo cáo"
    total = counts.rows[-1].cells
    assert total[0].text == "Tổng cộng" and total[-1].text.startswith("3/")
    silent = next(p.text for p in doc.paragraphs
                  if p.text.startswith("Các cơ quan, đơn vị chưa báo cáo trong kỳ ("))
    assert "Sở Y tế" in silent and "Sở Xây dựng" not in silent


async def test_a_correction_replaces_the_corrected_words(filled):
    an = await repo.upsert_user(filled.sessions, "telegram", "1", "Nguyễn Văn An")
    wrong = await _status(filled, an, "sxd", "2.2.3", "dang", note="Số liệu nhầm 99 đồ án")
    await _status(filled, an, "sxd", "2.2.3", "dang", note="Đã rà soát 3 đồ án",
                  supersedes_id=wrong.id, at=datetime(2026, 3, 11, 2, 0, tzinfo=UTC))
    _, doc = await _docx(filled)
    text = _text(doc)
    assert "Đã rà soát 3 đồ án" in text and "99 đồ án" not in text


async def test_an_empty_database_still_makes_a_report(svc):
    svc.clock = lambda: NOW
    _, doc = await _docx(svc, "2026")
    paras = [p.text for p in doc.paragraphs]
    assert any(p.endswith("(năm 2026)") for p in paras)
    assert "Tất cả các cơ quan, đơn vị đã báo cáo trong kỳ." not in paras
    assert "Trong kỳ, các cơ quan, đơn vị không có kiến nghị, đề xuất qua hệ thống." in paras


async def test_control_characters_in_old_rows_do_not_break_the_document(filled):
    an = await repo.upsert_user(filled.sessions, "telegram", "1", "Nguyễn Văn An")
    # written straight to the table, as an older version might have stored it
    from sqlalchemy import update

    from bot.db.models import StatusUpdate
    row = await _status(filled, an, "sxd", "2.2.4", "dang", note="placeholder")
    async with filled.sessions() as s, s.begin():
        await s.execute(update(StatusUpdate).where(StatusUpdate.id == row.id)
                        .values(note="Bước\x01 một\x0b xong", result=""))
    _, doc = await _docx(filled)
    assert "Bước một xong" in _text(doc)


async def test_unknown_plan_is_refused(filled):
    with pytest.raises(report.ReportError, match="Không có kế hoạch"):
        await report.build_report(filled, "2026", plan_id="kh999")


# ---------------------------------------------------------------- buckets

class _Row:
    def __init__(self, status, at):
        self.status, self.created_at = status, at


def test_buckets_from_deadline_and_latest_status():
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    period = year_period(2026, tz)
    due = period.due
    before, after = datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 12, 20, tzinfo=UTC)

    def verdict(history, as_of=before):
        return buckets.classify(history, period, as_of, due).bucket

    assert verdict([]) == buckets.UNREPORTED
    assert verdict([_Row("xong", before)]) == buckets.DONE_ONTIME
    assert verdict([_Row("xong", after)], after) == buckets.DONE_LATE
    # the completion is when the run of "xong" began, not the last confirmation
    assert verdict([_Row("xong", before), _Row("xong", after)], after) == buckets.DONE_ONTIME
    assert verdict([_Row("dang", before)]) == buckets.OPEN_ONTIME
    assert verdict([_Row("vuong", before)], after) == buckets.OPEN_OVERDUE
    # done in an earlier period carries over; anything else from then is unreported now
    old = datetime(2025, 3, 1, tzinfo=UTC)
    assert verdict([_Row("xong", old)]) == buckets.DONE_ONTIME
    assert verdict([_Row("dang", old)]) == buckets.UNREPORTED
    assert buckets.count([buckets.UNREPORTED]) == {
        buckets.DONE_ONTIME: 0, buckets.DONE_LATE: 0, buckets.OPEN_ONTIME: 0,
        buckets.OPEN_OVERDUE: 0, buckets.UNREPORTED: 1}


def test_task_deadline_from_the_plan_or_the_period(svc):
    tz = svc.settings.tz
    kb = svc.kb
    p2021, p2026 = year_period(2021, tz), half_year(2026, tz)
    # 5.6.1 carries 31/12/2021 and 31/12/2025: the first not before the period, else the last
    assert buckets.task_deadline(kb, kb.task("5.6.1"), p2021, tz).date().isoformat() == \
        "2021-12-31"
    assert buckets.task_deadline(kb, kb.task("5.6.1"), p2026, tz).date().isoformat() == \
        "2025-12-31"
    # no deadline of its own: the period's report date
    assert buckets.task_deadline(kb, kb.task("2.2.1"), p2026, tz) == p2026.due


# ---------------------------------------------------------------- /baocao

async def test_baocao_sends_the_document_to_an_admin(filled):
    [r] = await dispatch(admin("/baocao 6T/2026"), filled)
    assert r.file is not None and r.file.filename == "bao_cao_kh147_2026-6T.docx"
    assert r.file.mime == report.DOCX_MIME
    assert "6 tháng đầu năm 2026" in r.text
    doc = Document(io.BytesIO(r.file.content))
    assert f"Kết quả: “{RESULT}”" in [p.text for p in doc.paragraphs]


async def test_baocao_without_period_is_the_current_one(filled):
    [r] = await dispatch(admin("/baocao"), filled)
    assert r.file.filename == "bao_cao_kh147_2026-6T.docx"


async def test_baocao_refusals(filled):
    user = Request(channel="telegram", user_id="5", chat_id="5", text="/baocao")
    [r] = await dispatch(user, filled)
    assert r.file is None and "quản trị" in r.text
    [r] = await dispatch(admin("/baocao", chat_id="-100", chat_type="group"), filled)
    assert r.file is None and "tin nhắn riêng" in r.text
    [r] = await dispatch(admin("/baocao quý <b>5</b>"), filled)
    assert r.file is None and r.text.startswith("Không hiểu kỳ báo cáo “quý <b>5</b>”")


async def test_help_lists_baocao_for_admins(filled):
    [r] = await dispatch(admin("/help"), filled)
    assert "/baocao [KẾ HOẠCH] [KỲ]" in r.text


async def test_zalo_admin_gets_a_download_link(filled, stub):
    """Zalo takes no documents: the channel offers the report as a link serving the DOCX."""
    import aiohttp
    from aiohttp import web

    from bot.channels.zalo import ZaloChannel
    from bot.web import start_app
    from tests.zalo_stub import DEFAULT_TOKEN

    s = filled.settings
    s.ZALO_BOT_TOKEN, s.ZALO_API_BASE_URL = DEFAULT_TOKEN, stub.base_url
    s.WEBHOOK_BASE_URL = "http://127.0.0.1:1"
    [r] = await dispatch(Request(channel="zalo", user_id="z900", chat_id="z900",
                                 text="/baocao 2026"), filled)
    app = web.Application()
    channel = ZaloChannel(filled, backoff=0.05)
    channel.setup(app)
    runner, port = await start_app(app, "127.0.0.1", 0)
    s.WEBHOOK_BASE_URL = f"http://127.0.0.1:{port}"
    try:
        assert (await channel.send("z900", r)).ok
        [msg] = stub.texts_to("z900")
        assert "năm 2026" in msg and "bao_cao_kh147_2026.docx" in msg
        link = msg.split()[-1]
        async with aiohttp.ClientSession() as http, http.get(link) as resp:
            assert resp.status == 200
            body = await resp.read()
        assert body == r.file.content
        assert f"Kết quả: “{RESULT}”" in [p.text for p in Document(io.BytesIO(body)).paragraphs]
    finally:
        await runner.cleanup()
        await channel.api.close()


# ---------------------------------------------------------------- LibreOffice

def _soffice() -> str | None:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get(ALLOW_NO_SOFFICE) == "1":
            pytest.skip(f"LibreOffice is absent and {ALLOW_NO_SOFFICE}=1")
        pytest.fail("LibreOffice (soffice) is needed: apt-get install libreoffice-writer-nogui")
    return found


async def test_libreoffice_renders_the_report(filled, tmp_path):
    soffice = _soffice()
    data, _ = await _docx(filled)
    src = tmp_path / "baocao.docx"
    src.write_bytes(data)
    profile = tmp_path / "lo-profile"  # its own profile: parallel runs do not collide
    await asyncio.to_thread(subprocess.run, [soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
                   check=True, timeout=180, capture_output=True)
    pdf = PdfReader(str(tmp_path / "baocao.pdf"))
    pages = [p.extract_text() for p in pdf.pages]
    text = " ".join(" ".join(pages).split())
    for needle in ("UBND TỈNH BẮC NINH", "SỞ CÔNG THƯƠNG", "Số: …/BC-SCT",
                   "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                   "Bắc Ninh, ngày 02 tháng 6 năm 2026", "Kính gửi: UBND tỉnh Bắc Ninh.",
                   "Biểu 01", "Biểu 02", "GIÁM ĐỐC", f"“{RESULT}”", f"“{PROPOSAL}”",
                   MARKER):
        assert needle in text, needle
    first = pdf.pages[0].mediabox
    assert round(float(first.width) / 72 * 25.4) == 210  # A4 portrait
    last = pdf.pages[-1].mediabox
    assert float(last.width) > float(last.height)  # the annexes are landscape
    assert "BÁO CÁO" in pages[0] and "Kính gửi" in pages[0]
    annex = next(i for i, t in enumerate(pages) if t.lstrip().startswith("Biểu 01"))
    box = pdf.pages[annex].mediabox
    assert annex > 0 and float(box.width) > float(box.height)  # Biểu 01 opens a landscape page
    assert "GIÁM ĐỐC" in pages[annex - 1]  # the signature closes the report before it
    png = shutil.which("pdftoppm")
    if png:  # a look at the first page for a person (kept with the test's files)
        await asyncio.to_thread(subprocess.run, [png, "-png", "-r", "60", "-f", "1", "-l", "1",
                        str(tmp_path / "baocao.pdf"), str(tmp_path / "page")], check=True,
                       timeout=60)


# ---------------------------------------------------------------- command line

def _cli(tmp_path, *args, env=None):
    import sys
    full = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/cli.db",
            **(env or {})}
    return subprocess.run([sys.executable, "-m", "bot", "report", *args], cwd=tmp_path,
                          env=full, capture_output=True, text=True, timeout=120)


def test_cli_writes_the_report(tmp_path):
    out = tmp_path / "bc.docx"
    done = _cli(tmp_path, "--period", "6T/2026", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Đã lập báo cáo {out}")
    doc = Document(str(out))
    assert round(doc.sections[0].left_margin.mm) == 30
    assert any(p.text.endswith("(6 tháng đầu năm 2026)") for p in doc.paragraphs)


@pytest.mark.parametrize("args, code, start", [
    (["--period", "quý 5", "-o", "x.docx"], 2, "Không hiểu kỳ báo cáo “quý 5”"),
    (["--plan", "kh999", "-o", "x.docx"], 2, "Không có kế hoạch “kh999”"),
    (["-o", "x.pdf"], 2, "Tệp ra “x.pdf” phải có đuôi .docx."),
    (["-o", "missing/x.docx"], 1, "Thư mục “missing” không tồn tại."),
])
def test_cli_bad_input_gets_one_line(tmp_path, args, code, start):
    done = _cli(tmp_path, *args)
    assert done.returncode == code
    assert done.stderr.startswith(start) and done.stderr.count("\n") == 1, done.stderr
    assert not (tmp_path / "x.docx").exists()


def test_cli_unreachable_database_gets_one_line(tmp_path):
    done = _cli(tmp_path, "-o", "x.docx",
                env={"DATABASE_URL": "postgresql+asyncpg://nobody:secret@127.0.0.1:9/none"})
    assert done.returncode == 1
    assert done.stderr.startswith("Không lập được báo cáo (cơ sở dữ liệu "), done.stderr
    assert done.stderr.count("\n") == 1 and "secret" not in done.stderr
    assert not (tmp_path / "x.docx").exists()


async def test_reading_only_what_a_period_needs_gives_the_same_report(svc):
    """report.read_history(since=…) skips old rows; the verdicts must equal the full history's,
    with corrections, withdrawals and whole-section updates among random statuses."""
    import random

    rnd = random.Random(30)
    kb, tz = svc.kb, svc.settings.tz
    user = await repo.upsert_user(svc.sessions, "telegram", "1", "Nguyễn Văn An")
    units = reporting_agencies(kb)[:6]
    rows = []
    for year in (2024, 2025, 2026):
        for month in (1, 4, 8, 11):
            for unit in units:
                for task in export.agency_tasks(kb, unit)[:4]:
                    item = task.section if rnd.random() < 0.15 else task.id
                    rows.append(dict(user_id=user.id, agency_id=unit, item_id=item,
                                     status=rnd.choice(("chua", "dang", "xong", "xong", "vuong")),
                                     note=f"{year}-{month}", channel="telegram",
                                     at=datetime(year, month, rnd.randint(1, 28), 3,
                                                 tzinfo=UTC)))
    saved = await repo.add_statuses(svc.sessions, rows)
    for old in rnd.sample(saved, 25):  # corrections and withdrawals, made a little later
        await repo.add_status(svc.sessions, user_id=user.id, agency_id=old.agency_id,
                              item_id=old.item_id, status=rnd.choice(("dang", "xong")),
                              note="sửa", channel="telegram", supersedes_id=old.id,
                              withdrawn=rnd.random() < 0.3,
                              at=old.created_at.replace(hour=9))
    svc.clock = lambda: NOW
    for period in (half_year(2026, tz), year_period(2025, tz), half_year(2025, tz)):
        as_of = min(NOW, period.end)
        full = await repo.status_history(svc.sessions, until=as_of)
        part = await report.read_history(svc, as_of, period.start)
        assert len(part) < len(full)
        want = report.compile_history(kb, full, period, as_of, NOW, tz)
        got = report.compile_history(kb, part, period, as_of, NOW, tz)
        def seen(c):  # what the report shows: the verdict, and the update quoted
            return [(e.agency_id, e.task.id, e.verdict,
                     e.latest.id if e.verdict.bucket != buckets.UNREPORTED else None)
                    for e in c.entries]
        assert seen(got) == seen(want)
        assert got.reported == want.reported
