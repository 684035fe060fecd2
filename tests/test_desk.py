"""The web desk: /web in chat, sign-in links, sessions, pages and downloads (bot/desk)."""
from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import docx
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.core import Request
from bot.db import repo
from bot.db.models import DeskToken
from bot.desk import auth, routes
from bot.web import make_app
from handlers import dispatch

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 10:00 in Bắc Giang, period 2026-6T
LINK = re.compile(r"(https?://\S+/desk/login/([A-Za-z0-9_-]+))")


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def configure(svc, base: str | None = "http://127.0.0.1:8080") -> Clock:
    svc.settings = svc.settings.model_copy(update={"PUBLIC_BASE_URL": base})
    clock = Clock(NOW)
    svc.clock = clock
    return clock


def tg(text: str, user: str = "900", **kw) -> Request:
    return Request(channel="telegram", user_id=user, chat_id=kw.pop("chat", user), text=text,
                   **kw)


async def link_for(svc, user: str = "900") -> tuple[str, str]:
    [reply] = await dispatch(tg("/web", user), svc)
    m = LINK.search(reply.text)
    assert m, reply.text
    return m.group(1), m.group(2)


def client(svc) -> TestClient:
    app = make_app([])
    routes.setup(app, svc)
    return TestClient(TestServer(app))


async def sign_in(cl: TestClient, token: str):
    return await cl.post(f"/desk/login/{token}", allow_redirects=False)


# ---------------------------------------------------------------- /web in chat

async def test_web_gives_an_admin_a_one_time_link(svc):
    configure(svc, base="https://desk.example.vn/")
    [reply] = await dispatch(tg("/web"), svc)
    url = LINK.search(reply.text).group(1)
    assert url.startswith("https://desk.example.vn/desk/login/")
    assert "10 phút" in reply.text and "một lần" in reply.text
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 43  # secrets.token_urlsafe(32)
    async with svc.sessions() as s:
        stored = (await s.execute(select(DeskToken.token_hash))).scalars().all()
    assert stored and token not in stored and auth.digest(token) in stored  # kept hashed


async def test_web_refuses_a_non_admin_and_issues_nothing(svc):
    configure(svc)
    [reply] = await dispatch(tg("/web", user="555"), svc)
    assert "quản trị" in reply.text and "/desk/" not in reply.text
    async with svc.sessions() as s:
        assert (await s.execute(select(DeskToken))).first() is None


async def test_web_without_public_address_says_so_in_one_line(svc):
    configure(svc, base=None)
    [reply] = await dispatch(tg("/web"), svc)
    assert "PUBLIC_BASE_URL" in reply.text and "\n" not in reply.text


async def test_web_in_a_group_sends_no_link(svc):
    configure(svc)
    [reply] = await dispatch(tg("/web", chat="-100", chat_type="group"), svc)
    assert "tin nhắn riêng" in reply.text and "/desk/" not in reply.text


async def test_help_lists_web_for_admins(svc):
    [reply] = await dispatch(tg("/help"), svc)
    assert "/web" in reply.text


# ---------------------------------------------------------------- signing in

async def test_link_signs_in_once_with_a_strict_cookie(svc):
    configure(svc, base="https://desk.example.vn")
    _url, token = await link_for(svc)
    async with client(svc) as cl:
        page = await cl.get(f"/desk/login/{token}")  # a link preview: shows a button only
        assert page.status == 200 and "Đăng nhập" in await page.text()
        r = await sign_in(cl, token)
        assert r.status == 303 and r.headers["Location"] == "/desk/"
        cookie = r.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" in cookie
        assert "Max-Age=28800" in cookie and "Path=/desk" in cookie
        # the test server is plain http, where a browser would hold back a Secure cookie
        value = r.cookies[routes.COOKIE].value
        home = await cl.get("/desk/", headers={"Cookie": f"{routes.COOKIE}={value}"})
        assert home.status == 200 and "Tổng quan" in await home.text()
        # the same link again, in another browser: refused
    async with client(svc) as other:
        again = await sign_in(other, token)
        assert again.status == 403 and "Set-Cookie" not in again.headers
        assert (await other.get(f"/desk/login/{token}")).status == 403


async def test_a_form_posted_from_another_site_is_refused(sqlite_svc):
    configure(sqlite_svc)
    _url, token = await link_for(sqlite_svc)
    async with client(sqlite_svc) as cl:
        for origin in ("https://evil.example", "null"):
            r = await cl.post(f"/desk/login/{token}", headers={"Origin": origin},
                              allow_redirects=False)
            assert r.status == 403 and "Set-Cookie" not in r.headers
        assert (await sign_in(cl, token)).status == 303  # the link was not spent


async def test_cookie_not_secure_on_plain_http(svc):
    configure(svc, base="http://127.0.0.1:8080")
    _url, token = await link_for(svc)
    async with client(svc) as cl:
        r = await sign_in(cl, token)
        assert r.status == 303 and "Secure" not in r.headers["Set-Cookie"]


async def test_link_expires_after_ten_minutes(svc):
    clock = configure(svc)
    _url, token = await link_for(svc)
    clock.at = NOW + timedelta(minutes=10, seconds=1)
    async with client(svc) as cl:
        assert (await cl.get(f"/desk/login/{token}")).status == 403
        r = await sign_in(cl, token)
        assert r.status == 403 and "Set-Cookie" not in r.headers


async def test_link_within_ten_minutes_still_works(svc):
    clock = configure(svc)
    _url, token = await link_for(svc)
    clock.at = NOW + timedelta(minutes=9, seconds=59)
    async with client(svc) as cl:
        assert (await sign_in(cl, token)).status == 303


async def test_session_lasts_eight_hours_and_ends_on_sign_out(svc):
    clock = configure(svc)
    _url, token = await link_for(svc)
    async with client(svc) as cl:
        await sign_in(cl, token)
        clock.at = NOW + timedelta(hours=7, minutes=59)
        assert (await cl.get("/desk/matran")).status == 200
        out = await cl.post("/desk/dangxuat")
        assert out.status == 200 and "đăng xuất" in (await out.text()).lower()
        assert (await cl.get("/desk/")).status == 403
    _url, token = await link_for(svc)
    async with client(svc) as cl:
        await sign_in(cl, token)
        clock.at += timedelta(hours=8, seconds=1)
        assert (await cl.get("/desk/")).status == 403


async def test_stolen_session_value_is_not_in_the_database(svc):
    configure(svc)
    _url, token = await link_for(svc)
    async with client(svc) as cl:
        r = await sign_in(cl, token)
        value = r.cookies[routes.COOKIE].value
    async with svc.sessions() as s:
        hashes = set((await s.execute(select(DeskToken.token_hash))).scalars())
    assert value not in hashes and auth.digest(value) in hashes


async def test_admin_removed_from_settings_is_out_at_once(svc):
    configure(svc)
    _url, token = await link_for(svc)
    async with client(svc) as cl:
        await sign_in(cl, token)
        svc.settings = svc.settings.model_copy(update={"ADMIN_TELEGRAM_IDS": ""})
        svc.settings.__dict__.pop("admin_telegram_ids", None)  # the cached id list
        assert (await cl.get("/desk/")).status == 403


PAGES = ["/desk/", "/desk/matran", "/desk/donvi/sxd", "/desk/nhiemvu/2.2.1", "/desk/tai/xlsx",
         "/desk/tai/csv", "/desk/tai/docx", "/desk/khongco", "/desk/matran?ky=<script>"]


@pytest.mark.parametrize("cookie", [None, "forged", "x" * 500])
async def test_everything_is_403_without_a_session(sqlite_svc, cookie):
    configure(sqlite_svc)
    async with client(sqlite_svc) as cl:
        for path in PAGES:
            headers = {"Cookie": f"{routes.COOKIE}={cookie}"} if cookie else {}
            r = await cl.get(path, headers=headers)
            body = await r.text()
            assert r.status == 403, path
            assert "Không có quyền truy cập" in body and "Traceback" not in body
            assert "sxd" not in body and "2.2.1" not in body and "script" not in body
        r = await cl.post("/desk/login/" + "a" * 43)
        assert r.status == 403


# ---------------------------------------------------------------- the pages

async def signed_in_client(svc) -> TestClient:
    _url, token = await link_for(svc)
    cl = client(svc)
    await cl.start_server()
    assert (await sign_in(cl, token)).status == 303
    return cl


@asynccontextmanager
async def signed_in(svc) -> AsyncIterator[TestClient]:
    """`signed_in_client(svc)`, closed after."""
    cl = await signed_in_client(svc)
    try:
        yield cl
    finally:
        await cl.close()


async def add(svc, agency: str, item: str, status: str, note: str, name: str, at: datetime):
    user = await repo.upsert_user(svc.sessions, "telegram", f"u-{agency}", name)
    return await repo.add_status(svc.sessions, user_id=user.id, agency_id=agency, item_id=item,
                          status=status, note=note, channel="telegram", at=at)


async def test_fresh_update_shows_in_matrix_with_note_and_reporter(svc):
    clock = configure(svc)
    async with signed_in(svc) as cl:
        before = await (await cl.get("/desk/matran?donvi=sxd")).text()
        assert "Trần Thị B" not in before
        clock.at = NOW + timedelta(minutes=5)
        await add(svc, "sxd", "2.2.1", "dang", "Đã phê duyệt <b>2</b> đồ án", "Trần Thị B",
                  clock.at)
        page = await (await cl.get("/desk/matran?donvi=sxd")).text()
        cell = re.search(r'<td class="b-open_ontime"><a [^>]*#t-2\.2\.1" title="([^"]*)"', page)
        assert cell, "the cell of 2.2.1 turns 'chưa hoàn thành, trong hạn'"
        title = cell.group(1)
        assert "Trần Thị B" in title and "Đang thực hiện" in title
        assert "Đã phê duyệt &lt;b&gt;2&lt;/b&gt; đồ án" in title  # escaped, never markup
        unit = await (await cl.get("/desk/donvi/sxd")).text()
        assert 'id="t-2.2.1"' in unit and "Trần Thị B" in unit
        assert "Đã phê duyệt &lt;b&gt;2&lt;/b&gt; đồ án" in unit


async def test_unit_page_keeps_the_full_history_newest_first(svc):
    clock = configure(svc)
    await add(svc, "sxd", "2.2.1", "chua", "Bắt đầu khảo sát", "Lê C", NOW - timedelta(days=30))
    await add(svc, "sxd", "2.2", "dang", "Cả mục đang làm", "Lê C", NOW - timedelta(days=10))
    await add(svc, "sxd", "2.2.1", "xong", "Đã xong", "Lê C", NOW - timedelta(days=1))
    async with signed_in(svc) as cl:
        page = await (await cl.get("/desk/donvi/sxd")).text()
        section = page.split('id="t-2.2.1"', 1)[1].split("</section>", 1)[0]
        notes = re.findall(r"<blockquote>(.*?)</blockquote>", section)
        assert notes == ["Đã xong", "Cả mục đang làm", "Bắt đầu khảo sát"]
        assert "cập nhật cho cả mục 2.2" in section and "Hoàn thành đúng hạn" in section
        task = await (await cl.get("/desk/nhiemvu/2.2.1")).text()
        assert "Sở Xây dựng" in task and "Đã xong" in task
        clock.at = NOW


async def test_overview_counts_buckets_and_names_silent_units(svc):
    configure(svc)
    await add(svc, "sxd", "2.2.1", "xong", "", "Lê C", NOW - timedelta(days=2))
    async with signed_in(svc) as cl:
        page = await (await cl.get("/desk/")).text()
        assert re.search(r'<div class="n">1/\d+</div><div>đơn vị đã báo cáo', page)
        done = re.search(r'b-done_ontime-edge"><div class="n">(\d+)</div>', page).group(1)
        assert done == "1"
        silent = page.split("Chưa báo cáo trong kỳ", 1)[1].split("</p>", 1)[0]
        assert "Sở Công Thương" in silent and "Sở Xây dựng" not in silent
        assert "<svg class=\"bar\"" in page


async def test_matrix_filters_by_group_unit_and_bucket(svc):
    configure(svc)
    await add(svc, "sxd", "2.2.1", "dang", "", "Lê C", NOW - timedelta(days=2))
    async with signed_in(svc) as cl:
        page = await (await cl.get("/desk/matran?nhom=2&loai=open_ontime")).text()
        rows = re.findall(r'<th scope="row" class="unitname"><a [^>]*>([^<]*)</a>', page)
        assert rows == ["Sở Xây dựng"]
        assert "/desk/nhiemvu/2.2.1?" in page and "/desk/nhiemvu/3.1.1?" not in page
        wrong = await cl.get("/desk/matran?loai=bogus")
        assert wrong.status == 400 and "bogus" not in await wrong.text()
        assert (await cl.get("/desk/matran?nhom=99")).status == 400
        assert (await cl.get("/desk/matran?ky=1999")).status == 400
        old = await cl.get("/desk/matran?ky=2025")
        assert old.status == 200 and "năm 2025" in await old.text()


async def test_pages_only_read(svc):
    configure(svc)
    async with signed_in(svc) as cl:
        for path in ("/desk/", "/desk/matran", "/desk/donvi/sxd", "/desk/tai/csv"):
            r = await cl.post(path, data={"status": "xong"})
            assert r.status == 405, path
        assert await repo.status_history(svc.sessions) == []


async def test_downloads_are_files_of_the_chosen_period(svc):
    configure(svc)
    await add(svc, "sxd", "2.2.1", "vuong", "Thiếu vốn đối ứng", "Lê C", NOW - timedelta(days=2))
    async with signed_in(svc) as cl:
        csv = await cl.get("/desk/tai/csv?ky=2026-6T")
        assert csv.status == 200 and csv.headers["Content-Type"].startswith("text/csv")
        assert "kh147_tien_do_2026-6T.csv" in csv.headers["Content-Disposition"]
        assert "Thiếu vốn đối ứng" in (await csv.read()).decode("utf-8-sig")
        xlsx = await cl.get("/desk/tai/xlsx?ky=2026-6T")
        assert xlsx.status == 200 and (await xlsx.read())[:2] == b"PK"
        assert (await cl.get("/desk/tai/pdf")).status == 404


async def test_docx_report_download(svc):
    pytest.importorskip("bot.report", reason="bot/report.py (the compiled report) not there yet")
    configure(svc)
    await add(svc, "sxd", "2.2.1", "dang", "Ghi chú nguyên văn 123", "Lê C",
              NOW - timedelta(days=2))
    async with signed_in(svc) as cl:
        r = await cl.get("/desk/tai/docx?ky=2026-6T")
        body = await r.read()
        assert r.status == 200 and body[:2] == b"PK"
        assert r.headers["Content-Type"].endswith("wordprocessingml.document")
        assert "2026-6T" in r.headers["Content-Disposition"]
        doc = docx.Document(io.BytesIO(body))
        text = "\n".join([p.text for p in doc.paragraphs] + [
            c.text for t in doc.tables for row in t.rows for c in row.cells])
        assert "Ghi chú nguyên văn 123" in text  # the unit's note, verbatim


async def test_a_failing_page_shows_no_internals(sqlite_svc, monkeypatch):
    configure(sqlite_svc)
    async with signed_in(sqlite_svc) as cl:

        async def broken(*_a, **_k):
            raise RuntimeError("secret detail /work/main/bot/desk/data.py line 42")

        monkeypatch.setattr("bot.desk.data.current", broken)
        r = await cl.get("/desk/matran")
        body = await r.text()
        assert r.status == 500 and "Đã có lỗi" in body
        assert "secret" not in body and "Traceback" not in body and "data.py" not in body


async def test_security_headers_on_pages(sqlite_svc):
    configure(sqlite_svc)
    async with signed_in(sqlite_svc) as cl:
        r = await cl.get("/desk/")
        assert r.headers["Cache-Control"] == "no-store"
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
        assert r.headers["Referrer-Policy"] == "same-origin"


async def test_slow_rebuild_shows_the_previous_picture_then_the_new_one(sqlite_svc,
                                                                        monkeypatch):
    """With tens of thousands of updates a rebuild takes seconds: pages keep answering."""
    import asyncio
    import time

    from bot.desk import data

    svc = sqlite_svc
    clock = configure(svc)
    async with signed_in(svc) as cl:
        assert "Trần Thị B" not in await (await cl.get("/desk/matran?donvi=sxd")).text()
        real = data.build_snapshot

        def slow(*args):
            time.sleep(0.5)
            return real(*args)

        monkeypatch.setattr(data, "build_snapshot", slow)
        svc.__dict__["_desk_builds"]["last_build"] = 5.0  # the previous rebuild was slow
        await add(svc, "sxd", "2.2.1", "dang", "Mới", "Trần Thị B", clock.at)
        stale = await (await cl.get("/desk/matran?donvi=sxd")).text()
        assert "Đang tổng hợp các cập nhật mới nhất" in stale and "Trần Thị B" not in stale
        await asyncio.sleep(0.8)
        fresh = await (await cl.get("/desk/matran?donvi=sxd")).text()
        assert "Trần Thị B" in fresh and "Đang tổng hợp" not in fresh


async def test_desk_counts_agree_with_the_compiled_report(svc):
    """The desk and the DOCX (bot/report.py) put every task in the same bucket."""
    report = pytest.importorskip("bot.report", reason="bot/report.py not there yet")
    import random

    from bot import export as exp
    from bot.desk import data

    configure(svc)
    rnd = random.Random(14)
    agencies = ["sxd", "sct", "bqlkcn", "skhdt", "tp_bac_giang", "viet_yen"]
    for i in range(80):
        agency = rnd.choice(agencies)
        tasks = exp.agency_tasks(svc.kb, agency)
        item = rnd.choice(tasks).id if rnd.random() < .8 else rnd.choice(tasks).section
        await add(svc, agency, item, rnd.choice(["chua", "dang", "xong", "vuong"]), f"n{i}",
                  f"Cán bộ {agency}", NOW - timedelta(days=rnd.randint(0, 500), minutes=i))

    async def same_everywhere():
        for period in data.periods(svc)[:3]:
            snap = await data.snapshot(svc, period)
            compiled = await report.compile_period(svc, period)
            assert snap.totals == compiled.counts_of()
            for unit in snap.units:
                assert unit.counts == compiled.counts_of(unit.agency_id), unit.agency_id
            assert [u.agency_id for u in snap.missing] == compiled.silent

    done = await add(svc, "sct", "2.3.1", "xong", "xong năm 2025", "Lê D",
                     datetime(2025, 10, 1, 3, 0, tzinfo=UTC))
    await same_everywhere()
    # corrected in 2026: the annual report of 2025 keeps what stood at its end
    await repo.add_status(svc.sessions, user_id=done.user_id, agency_id="sct", item_id="2.3.1",
                          status="vuong", note="sửa lại", channel="telegram",
                          supersedes_id=done.id, at=NOW)
    # then corrections, a withdrawal and an update dated back: read since the last snapshot
    rows = await repo.status_history(svc.sessions)
    for i, old in enumerate(rnd.sample(rows, 12)):
        await repo.add_status(svc.sessions, user_id=old.user_id, agency_id=old.agency_id,
                              item_id=old.item_id, status="xong" if i % 2 else "vuong",
                              note=f"sửa {i}", channel="telegram", supersedes_id=old.id,
                              withdrawn=i % 4 == 0, at=NOW - timedelta(days=i))
    await add(svc, "sxd", "2.2.2", "xong", "ghi lùi ngày", "Lê C", NOW - timedelta(days=400))
    await same_everywhere()


# ---------------------------------------------------------------- another plan's own periods

NOV_30 = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 10:00; kh134's next report: 20/12/2026
NOTE_NOV = "Báo cáo tháng 11 của Sở Công Thương (KH134)"
NOTE_DEC = "Báo cáo tháng 12 của Sở Công Thương (KH134)"
NOV = "VI.1-month@2026-11-20"  # kh134's report of November: 21/10 – 20/11/2026


@pytest.fixture
def periodic_plans(tmp_path_factory):
    """kh134 (monthly, before the 20th, issued 26/3/2026) and kh200: kh134 without its
    reporting regime, so without periodic reports."""
    import json

    from tests.test_import_plans import DATA, import_plan

    folder = tmp_path_factory.mktemp("periodic")
    plan = import_plan(DATA / "plan_laocai_kh134_2026.txt").plan
    (folder / "kh134.json").write_text(json.dumps(plan, ensure_ascii=False), "utf-8")
    reports = {d["id"] for d in plan["deadlines"] if d.get("kind") == "report"}
    plan["deadlines"] = [d for d in plan["deadlines"] if d["id"] not in reports]
    for t in plan["tasks"]:
        t["deadline"] = None if t.get("deadline") in reports else t.get("deadline")
        t["deadlines"] = [d for d in t.get("deadlines", ()) if d not in reports]
    plan["document"]["number"] = "200/KH-UBND"
    plan["document"].pop("reporting", None)
    (folder / "kh200.json").write_text(json.dumps(plan, ensure_ascii=False), "utf-8")
    return folder


@pytest.fixture
async def kh134_desk(svc, periodic_plans):
    configure(svc)
    svc.settings = svc.settings.model_copy(update={"PLANS_DIR": str(periodic_plans)})
    svc.clock = Clock(NOV_30)
    user = await repo.upsert_user(svc.sessions, "telegram", "7", "Cán bộ Bảy")
    for item, note, at in (("V.1.2", NOTE_NOV, datetime(2026, 11, 10, 2, 0, tzinfo=UTC)),
                           ("V.1.1", NOTE_DEC, datetime(2026, 11, 25, 2, 0, tzinfo=UTC))):
        await repo.add_status(svc.sessions, user_id=user.id, agency_id="sct", item_id=item,
                              status="dang", note=note, channel="telegram", plan_id="kh134",
                              at=at)
    cl = await signed_in_client(svc)
    yield cl
    await cl.close()


def period_options(page: str) -> list[tuple[str, bool, str]]:
    """(value, selected, label) of the period chooser's options."""
    chooser = page.split('<select id="ky" name="ky">', 1)[1].split("</select>", 1)[0]
    return [(v.replace("&#64;", "@"), bool(sel), label) for v, sel, label in re.findall(
        r'<option value="([^"]*)"( selected)?>([^<]*)</option>', chooser)]


def cell(matrix: str, task_id: str) -> str:
    """The bucket of Sở Công Thương's cell for a task in the matrix."""
    return re.search(rf'<td class="b-(\w+)"><a href="/desk/donvi/sct\?[^"]*#t-{task_id}"',
                     matrix).group(1)


async def test_another_plan_lists_its_own_periods_its_next_report_first(kh134_desk):
    page = await (await kh134_desk.get("/desk/?plan=kh134")).text()
    options = period_options(page)
    assert options[0] == ("VI.1-month@2026-12-20", True, "Tháng 12/2026")  # as /tonghop's
    assert options[1] == (NOV, False, "Tháng 11/2026")
    # back to April, the first report due after the plan was issued (26/3/2026); no KH147
    # 6-month or yearly report among them
    assert options[-1][2] == "Tháng 4/2026" and len(options) == 9
    assert "21/11/2026 – 20/12/2026" in page
    matrix = await (await kh134_desk.get("/desk/matran?plan=kh134")).text()
    # reported in December's period: V.1.1 (25/11); V.1.2 only in November's (10/11)
    assert (cell(matrix, "V.1.1"), cell(matrix, "V.1.2")) == ("open_ontime", "unreported")
    mine = period_options(await (await kh134_desk.get("/desk/")).text())
    assert mine[0] == ("2026", True, "Năm 2026") and ("2026-6T", False, "6 tháng năm 2026") \
        in mine


async def test_a_period_of_another_plan_goes_through_links_and_downloads(kh134_desk):
    cl = kh134_desk
    r = await cl.get("/desk/matran", params={"plan": "kh134", "ky": NOV})
    page = await r.text()
    assert r.status == 200 and "tháng 11/2026" in page and "21/10/2026 – 20/11/2026" in page
    assert NOTE_NOV in page and NOTE_DEC not in page  # 25/11 is December's report
    assert (cell(page, "V.1.1"), cell(page, "V.1.2")) == ("unreported", "open_ontime")
    assert [o for o in period_options(page) if o[1]] == [(NOV, True, "Tháng 11/2026")]
    link = "ky=VI.1-month%402026-11-20&amp;plan=kh134"
    assert f"/desk/donvi/sct?{link}" in page and f"/desk/tai/csv?{link}" in page
    unit = await cl.get("/desk/donvi/sct", params={"plan": "kh134", "ky": NOV})
    assert unit.status == 200 and NOTE_NOV in await unit.text()
    csv = await cl.get("/desk/tai/csv", params={"plan": "kh134", "ky": NOV})
    assert 'filename="kh134_tien_do_VI.1-month_2026-11-20.csv"' in \
        csv.headers["Content-Disposition"]
    text = (await csv.read()).decode("utf-8-sig")
    assert NOTE_NOV in text and NOTE_DEC not in text
    xlsx = await cl.get("/desk/tai/xlsx", params={"plan": "kh134", "ky": NOV})
    assert xlsx.status == 200 and (await xlsx.read())[:2] == b"PK"
    assert "kh134_tien_do_VI.1-month_2026-11-20.xlsx" in xlsx.headers["Content-Disposition"]
    report = await cl.get("/desk/tai/docx", params={"plan": "kh134", "ky": NOV})
    assert "bao_cao_kh134_VI.1-month_2026-11-20.docx" in report.headers["Content-Disposition"]
    body = docx.Document(io.BytesIO(await report.read()))
    words = "\n".join([p.text for p in body.paragraphs] + [
        c.text for t in body.tables for row in t.rows for c in row.cells])
    assert NOTE_NOV in words and NOTE_DEC not in words


async def test_a_kh147_period_typed_for_another_plan_is_read_as_tonghop_reads_it(kh134_desk):
    page = await (await kh134_desk.get("/desk/matran?plan=kh134&ky=2026")).text()
    assert [o for o in period_options(page) if o[1]] == [("2026", True, "Năm 2026")]
    assert (cell(page, "V.1.1"), cell(page, "V.1.2")) == ("open_ontime",) * 2  # all 2026


@pytest.mark.parametrize("ky", ["VI.1-month@2026-03-20",  # before the plan was issued
                                "VI.1-month@2027-01-20",  # not due yet, outside its years
                                "VI.1-month@2026-11-21", "IV.3-6m@2026-06-15",
                                "<b>VI.1-month@2026-11-20", "1999"])
async def test_a_period_another_plan_does_not_have_is_not_found(kh134_desk, ky):
    for path in ("/desk/", "/desk/matran", "/desk/tai/csv", "/desk/tai/docx"):
        r = await kh134_desk.get(path, params={"plan": "kh134", "ky": ky})
        body = await r.text()
        assert r.status == 404 and "Không tìm thấy trang này." in body, (path, ky)
        assert ky not in body and "&lt;b&gt;" not in body and "2026-11-21" not in body


async def test_a_plan_without_periodic_reports_keeps_kh147s_periods(kh134_desk):
    page = await (await kh134_desk.get("/desk/?plan=kh200")).text()
    options = period_options(page)
    assert options[0] == ("2026", True, "Năm 2026") and ("2021-6T", False,
                                                         "6 tháng năm 2021") in options
    assert (await kh134_desk.get("/desk/?plan=kh200&ky=1999")).status == 400
