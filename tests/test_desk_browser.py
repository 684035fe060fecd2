"""The web desk in a real browser: Debian's Chromium driven by Playwright.

Signs in through the link /web sends, sees a unit's fresh update in the matrix, opens the unit
and downloads the report; screenshots are saved under the test's tmp folder, and copied into
$KH147_SCREENSHOTS when that names a folder (to look at them after a run).
Skipped when Chromium or Playwright is missing (CI installs the `chromium` package).
"""
from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.db import repo
from bot.desk import routes
from bot.web import make_app, start_app
from tests.test_desk import LINK, Clock, tg
from tests.test_import_plans import plans_dir  # noqa: F401  (kh134 and kh88, imported)

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
SHOTS = os.environ.get("KH147_SCREENSHOTS", "")

pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium (/usr/bin/chromium) missing"),
    pytest.mark.timeout(180),
]


async def seed(svc) -> None:
    """A few units' updates, so the overview and matrix show every colour."""
    rows = [("sct", "2.3.1", "xong", "Đã ban hành kế hoạch", 40),
            ("bqlkcn", "4.2.1", "xong", "Hoàn thành sau hạn 31/12/2025", 10),
            ("bqlkcn", "3.1.1", "dang", "Đang rà soát danh mục dự án", 12),
            ("skhdt", "2.1.1", "dang", "Đang lấy ý kiến các sở", 20),
            ("skhdt", "2.1.2", "vuong", "Vướng giải phóng mặt bằng", 8),
            ("tp_bac_giang", "5.6.1", "vuong", "Thiếu vốn đối ứng", 6),
            ("stnmt", "2.5.1", "chua", "", 5)]
    for agency, item, status, note, days in rows:
        user = await repo.upsert_user(svc.sessions, "telegram", f"u-{agency}", f"Cán bộ {agency}")
        await repo.add_status(svc.sessions, user_id=user.id, agency_id=agency, item_id=item,
                              status=status, note=note, channel="telegram",
                              at=NOW - timedelta(days=days))


async def test_admin_signs_in_sees_the_matrix_and_downloads(sqlite_svc, tmp_path):
    from playwright.async_api import async_playwright

    from handlers import dispatch

    svc = sqlite_svc
    clock = Clock(NOW)
    svc.clock = clock
    await seed(svc)
    app = make_app([])
    routes.setup(app, svc)
    runner, port = await start_app(app, "127.0.0.1", 0)
    base = f"http://127.0.0.1:{port}"
    svc.settings = svc.settings.model_copy(update={"PUBLIC_BASE_URL": base})
    shots = tmp_path / "shots"
    shots.mkdir()
    try:
        [reply] = await dispatch(tg("/web"), svc)
        link = LINK.search(reply.text).group(1)
        assert link.startswith(base)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                context = await browser.new_context(viewport={"width": 1440, "height": 900},
                                                    accept_downloads=True, locale="vi-VN")
                page = await context.new_page()
                await page.goto(link)
                await page.get_by_role("button", name="Đăng nhập").click()
                await page.wait_for_url(f"{base}/desk/")
                assert await page.locator("h1").inner_text() == "Tổng quan kỳ báo cáo 6 tháng năm 2026"
                await page.screenshot(path=str(shots / "overview.png"), full_page=True)

                # a unit reports now; the matrix shows it at once, note and reporter on hover
                clock.at = NOW + timedelta(minutes=3)
                user = await repo.upsert_user(svc.sessions, "telegram", "701", "Nguyễn Văn Hùng")
                await repo.add_status(svc.sessions, user_id=user.id, agency_id="sxd",
                                      item_id="2.2.1", status="dang", channel="telegram",
                                      note="Đã phê duyệt 2 đồ án quy hoạch", at=clock.at)
                await page.get_by_role("link", name="Ma trận").click()
                await page.wait_for_url("**/desk/matran*")
                cell = page.locator('td a[href*="/desk/donvi/sxd"][href$="#t-2.2.1"]')
                title = await cell.get_attribute("title")
                assert "Đã phê duyệt 2 đồ án quy hoạch" in title and "Nguyễn Văn Hùng" in title
                assert await cell.evaluate("a => getComputedStyle(a.parentElement).backgroundColor") \
                    == "rgb(242, 185, 15)"  # chưa hoàn thành, trong hạn
                await cell.hover()
                await page.screenshot(path=str(shots / "matrix.png"))

                # open the unit from the cell: its task, the note verbatim, the history
                await cell.click()
                await page.wait_for_url("**/desk/donvi/sxd*#t-2.2.1")
                section = page.locator("section#t-2\\.2\\.1")
                assert "Đã phê duyệt 2 đồ án quy hoạch" in await section.inner_text()
                assert await page.locator("h1").inner_text() == "Sở Xây dựng"
                await page.screenshot(path=str(shots / "unit.png"))

                # the report of the period chosen in the page
                await page.goto(f"{base}/desk/")
                await page.select_option("select#ky", "2026-6T")
                await page.get_by_role("button", name="Xem").click()
                docx = page.get_by_role("link", name="Báo cáo tổng hợp (DOCX)")
                wanted = docx if await docx.count() else page.get_by_role("link", name="Excel (XLSX)")
                async with page.expect_download() as info:
                    await wanted.click()
                download = await info.value
                saved = tmp_path / download.suggested_filename
                await download.save_as(saved)
                assert "2026-6T" in saved.name and saved.read_bytes()[:2] == b"PK"

                # a phone
                phone = await browser.new_context(viewport={"width": 390, "height": 844},
                                                  device_scale_factor=2, is_mobile=True)
                cookies = await context.cookies()
                await phone.add_cookies(cookies)
                mobile = await phone.new_page()
                await mobile.goto(f"{base}/desk/")
                await mobile.screenshot(path=str(shots / "phone.png"), full_page=False)
                await phone.close()

                # signed out: the same browser is refused
                await page.get_by_role("button", name="Đăng xuất").click()
                response = await page.goto(f"{base}/desk/matran")
                assert response.status == 403
                assert "Không có quyền truy cập" in await page.content()
            finally:
                await browser.close()
    finally:
        await runner.cleanup()
    _copy_for_review(shots)


def _copy_for_review(shots: Path, names=(("matrix", "desk"), ("overview", "desk-overview"),
                                         ("phone", "desk-phone"), ("unit", "desk-unit"))) -> None:
    """Into $KH147_SCREENSHOTS when set; the test's own copies stay under tmp."""
    if SHOTS and Path(SHOTS).is_dir():
        for name, target in names:
            shutil.copy(shots / f"{name}.png", Path(SHOTS) / f"{target}.png")


async def test_another_plans_own_periods_in_the_browser(sqlite_svc, tmp_path,
                                                       plans_dir):  # noqa: F811
    """kh134 chosen in the plan chooser lands on its next monthly report; its November
    report, chosen in the period chooser, gives the CSV of that month."""
    from playwright.async_api import async_playwright

    from handlers import dispatch

    svc = sqlite_svc
    svc.clock = Clock(datetime(2026, 11, 30, 3, 0, tzinfo=UTC))
    app = make_app([])
    routes.setup(app, svc)
    runner, port = await start_app(app, "127.0.0.1", 0)
    base = f"http://127.0.0.1:{port}"
    svc.settings = svc.settings.model_copy(update={"PUBLIC_BASE_URL": base,
                                                   "PLANS_DIR": str(plans_dir)})
    try:
        [reply] = await dispatch(tg("/web"), svc)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                page = await (await browser.new_context(accept_downloads=True)).new_page()
                await page.goto(LINK.search(reply.text).group(1))
                await page.get_by_role("button", name="Đăng nhập").click()
                await page.wait_for_url(f"{base}/desk/")
                await page.select_option("select#plan", "kh134")
                await page.get_by_role("button", name="Chọn").click()
                await page.wait_for_url("**/desk/?plan=kh134")
                chosen = page.locator("select#ky option:checked")
                assert await chosen.inner_text() == "Tháng 12/2026"
                await page.select_option("select#ky", label="Tháng 11/2026")
                await page.get_by_role("button", name="Xem").click()
                await page.wait_for_url("**ky=VI.1-month%402026-11-20*")
                async with page.expect_download() as info:
                    await page.get_by_role("link", name="CSV").click()
                download = await info.value
                assert download.suggested_filename == "kh134_tien_do_VI.1-month_2026-11-20.csv"
                await page.screenshot(path=str(tmp_path / "kh134.png"), full_page=True)
            finally:
                await browser.close()
    finally:
        await runner.cleanup()
