"""Date-dependent paths take their time from the services' clock, never the machine's: the
suite holds on any day of the calendar (.ci/run reruns `-m clock` under faketime)."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.core import Attachment, Reply
from tests.conftest import QUIET_NOW, make_settings
from tests.test_reminders import FakeSender, add_chat, local
from tests.zalo_stub import DEFAULT_TOKEN

pytestmark = pytest.mark.clock


async def test_services_start_at_a_quiet_instant_and_run_on(svc):
    first = svc.now()
    assert first.tzinfo is not None and abs(first - QUIET_NOW) < timedelta(minutes=1)
    assert svc.now() >= first  # it ticks: updates in a row keep their order


async def test_a_pass_at_the_services_clock_sends_nothing_on_a_quiet_day(svc):
    """The default instant is no reminder day: a test that leaves the clock alone never meets
    a real reminder (what failed on 1-2/12/2026)."""
    await add_chat(svc, "-1")
    summary = await run_pass_now(svc)
    assert (summary.due, summary.sent) == (0, 0)


async def run_pass_now(svc):
    from bot.reminders import run_pass

    return await run_pass(svc, {"telegram": FakeSender()}, svc.now())


async def test_hanchot_reads_today_from_the_services_clock(svc):
    from bot.core import Request
    from handlers import dispatch

    svc.clock = lambda: local(12, 31, 23, 30, y=2027)  # a year end, late in the evening
    [r] = await dispatch(Request(channel="telegram", user_id="7", chat_id="7",
                                 text="/hanchot"), svc)
    assert "hôm nay Thứ Sáu, 31/12/2027" in r.text
    assert "1. Thứ Năm, 15/06/2028 — còn 167 ngày" in r.text


async def test_zalo_download_link_expires_by_the_services_clock(svc, stub, tmp_path):
    """The link of a file sent on Zalo lives 24 hours of the services' clock."""
    from aiohttp import web

    from bot.channels.zalo import ZaloChannel
    from bot.web import start_app
    from tests.test_zalo import Brain

    svc.settings = make_settings(tmp_path, DATABASE_URL=svc.settings.DATABASE_URL,
                                 ZALO_BOT_TOKEN=DEFAULT_TOKEN, ZALO_API_BASE_URL=stub.base_url,
                                 ADMIN_ZALO_IDS="z900", WEBHOOK_BASE_URL="http://127.0.0.1:1")
    start = datetime(2030, 12, 31, 16, 30, tzinfo=UTC)  # 23:30 on 31/12/2030 in Hà Nội
    now = [start]
    svc.clock = lambda: now[0]
    app = web.Application()
    channel = ZaloChannel(svc, dispatch=Brain(), backoff=0.05)
    channel.setup(app)
    runner, port = await start_app(app, "127.0.0.1", 0)
    svc.settings.WEBHOOK_BASE_URL = f"http://127.0.0.1:{port}"
    try:
        result = await channel.send("z900", Reply("Báo cáo tiến độ (CSV).", file=Attachment(
            "tien_do.csv", b"a,b\n", "text/csv")))
        assert result.ok
        [link] = re.findall(r"http://\S+/tai/[\w-]+", stub.texts_to("z900")[-1])
        now[0] = start + timedelta(hours=23, minutes=59)
        assert await _status(link) == 200
        now[0] = start + timedelta(hours=24, seconds=1)
        assert await _status(link) == 404
    finally:
        await runner.cleanup()
        await channel.api.close()


async def _status(url: str) -> int:
    import aiohttp

    async with aiohttp.ClientSession() as http, http.get(url) as resp:
        await resp.read()
        return resp.status
