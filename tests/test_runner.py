"""`python -m bot run`: configuration errors, health endpoint, migrations, signals."""
from __future__ import annotations

import json
import signal
import sqlite3
import time
import urllib.request

import pytest
from tg_stub import BotProcess, TelegramStub


def test_no_channel_exits_2_with_a_clear_line(tmp_path):
    bot = BotProcess(tmp_path).start(wait_listen=False)
    assert bot.wait(30) == 2
    out = bot.log()
    assert "TELEGRAM_BOT_TOKEN" in out and "ZALO_BOT_TOKEN" in out and "python -m bot chat" in out
    assert "Traceback" not in out


def test_webhook_without_secret_exits_2(tmp_path):
    bot = BotProcess(tmp_path, TELEGRAM_BOT_TOKEN="123:ABC", TELEGRAM_MODE="webhook",
                     TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot").start(wait_listen=False)
    assert bot.wait(30) == 2
    assert "WEBHOOK_SECRET" in bot.log() and "Traceback" not in bot.log()


def test_bad_setting_names_it(tmp_path):
    bot = BotProcess(tmp_path, TELEGRAM_BOT_TOKEN="123:ABC", HTTP_PORT="99999").start(
        wait_listen=False)
    assert bot.wait(30) == 2
    assert "HTTP_PORT" in bot.log() and "Traceback" not in bot.log()


def test_unreachable_api_exits_1_with_one_line(tmp_path):
    bot = BotProcess(tmp_path, TELEGRAM_BOT_TOKEN="123:ABC",
                     TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot").start(wait_listen=False)
    assert bot.wait(60) == 1
    out = bot.log()
    assert "TELEGRAM_API_BASE_URL" in out and "Traceback" not in out and "123:ABC" not in out


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serves_health_migrates_and_stops_on_signal(tmp_path, sig):
    with TelegramStub() as stub:
        bot = BotProcess(tmp_path, TELEGRAM_BOT_TOKEN=stub.token,
                         TELEGRAM_API_BASE_URL=stub.base_url).start()
        stub.wait_for("getUpdates", timeout=20)
        with urllib.request.urlopen(f"http://127.0.0.1:{bot.port}/healthz", timeout=5) as r:
            assert json.load(r) == {"ok": True, "channels": ["telegram"]}
        with sqlite3.connect(bot.db_path) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert {"users", "chats", "subscriptions", "status_updates"} <= tables
        t0 = time.monotonic()
        assert bot.stop(sig, timeout=10) == 0
        assert time.monotonic() - t0 < 5
        assert stub.token not in bot.log()


def test_unreachable_postgresql_is_one_line(tmp_path):
    bot = BotProcess(tmp_path, TELEGRAM_BOT_TOKEN="123:ABC",
                     DATABASE_URL="postgresql+asyncpg://kh147:pw@127.0.0.1:9/kh147").start(
        wait_listen=False)
    assert bot.wait(60) == 1
    out = bot.log().strip()
    assert "Traceback" not in out and len(out.splitlines()) == 1, out[-2000:]
    assert "DATABASE_URL" in out and "pw" not in out


def test_a_missing_postgresql_database_is_one_line(tmp_path):
    from conftest import PG_URL

    if not PG_URL:
        pytest.skip("TEST_POSTGRES_URL is not set: PostgreSQL runs skipped")
    url = PG_URL.rsplit("/", 1)[0] + "/kh147_no_such_database"
    bot = BotProcess(tmp_path, TELEGRAM_BOT_TOKEN="123:ABC", DATABASE_URL=url).start(
        wait_listen=False)
    assert bot.wait(60) == 1
    out = bot.log().strip()
    assert "Traceback" not in out and len(out.splitlines()) == 1, out[-2000:]
    assert "kh147_no_such_database" in out
