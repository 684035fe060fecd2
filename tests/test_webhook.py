"""Webhook mode: the same updates through the aiohttp app, guarded by WEBHOOK_SECRET."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
from tg_stub import BotProcess, TelegramStub

SECRET = "s3cret-Token_147"
BASE = "https://bot.example.org/kh147"


@pytest.fixture(scope="module")
def hook(tmp_path_factory):
    with TelegramStub() as stub:
        bot = BotProcess(tmp_path_factory.mktemp("hook"), TELEGRAM_BOT_TOKEN=stub.token,
                         TELEGRAM_API_BASE_URL=stub.base_url, TELEGRAM_MODE="webhook",
                         WEBHOOK_BASE_URL=BASE, WEBHOOK_SECRET=SECRET).start()
        stub.wait_for("setWebhook", timeout=20)
        yield stub, bot
        if bot.alive():
            bot.stop()


def post(bot: BotProcess, update: dict, secret: str | None, path="/kh147/telegram/webhook"):
    req = urllib.request.Request(f"http://127.0.0.1:{bot.port}{path}", method="POST",
                                 data=json.dumps(update).encode(),
                                 headers={"Content-Type": "application/json"})
    if secret is not None:
        req.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_registers_webhook_with_secret_and_does_not_poll(hook):
    stub, _ = hook
    [call] = stub.calls_to("setWebhook")
    assert call["url"] == f"{BASE}/telegram/webhook"
    assert call["secret_token"] == SECRET
    assert not stub.calls_to("getUpdates", ok=None)


def test_right_secret_is_processed(hook):
    stub, bot = hook
    update = stub.message(11, 11, "/start")
    update["update_id"] = 5001
    mark = stub.mark()
    assert post(bot, update, SECRET) == 200
    [reply] = stub.wait_for("sendMessage", chat_id=11, since=mark)
    assert "/hoi" in reply["text"]
    # the plain path works too (a proxy that strips the prefix)
    update = stub.message(12, 12, "/start")
    update["update_id"] = 5002
    assert post(bot, update, SECRET, path="/telegram/webhook") == 200
    stub.wait_for("sendMessage", chat_id=12, since=mark)


@pytest.mark.parametrize("secret", ["wrong", "", None, SECRET + "x"])
def test_wrong_or_missing_secret_is_refused(hook, secret):
    stub, bot = hook
    update = stub.message(13, 13, "/start")
    update["update_id"] = 5003
    assert post(bot, update, secret) == 403
    time.sleep(0.5)
    assert not stub.calls_to("sendMessage", ok=None, chat_id=13)


def raw_post(port: int, path: str, header: bytes, body: bytes) -> int:
    """A POST whose header carries bytes no client library would send (0xFF)."""
    import socket

    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n").encode() + header + b"\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(head + body)
        status = s.recv(64).split(b" ")[1]
    return int(status)


def test_a_0xff_byte_in_the_secret_header_is_403_not_500(hook):
    stub, bot = hook
    update = stub.message(14, 14, "/start")
    update["update_id"] = 5004
    body = json.dumps(update).encode()
    for header in (b"X-Telegram-Bot-Api-Secret-Token: \xff",
                   b"X-Telegram-Bot-Api-Secret-Token: " + SECRET.encode() + b"\xff"):
        assert raw_post(bot.port, "/telegram/webhook", header, body) == 403
    assert not stub.calls_to("sendMessage", ok=None, chat_id=14)


def test_a_webhook_update_is_stored_before_its_200(hook):
    stub, bot = hook
    import sqlite3

    update = stub.message(15, 15, "/start")
    update["update_id"] = 5005
    assert post(bot, update, SECRET) == 200
    with sqlite3.connect(bot.db_path) as conn:
        rows = conn.execute("SELECT channel, update_id FROM inbox WHERE update_id = '5005'")
        assert rows.fetchall() == [("telegram", "5005")]
    stub.wait_for("sendMessage", chat_id=15)


def test_health_and_clean_stop(hook):
    stub, bot = hook
    with urllib.request.urlopen(f"http://127.0.0.1:{bot.port}/healthz", timeout=5) as r:
        assert json.load(r) == {"ok": True, "channels": ["telegram"]}
    assert bot.stop(timeout=10) == 0
    assert stub.token not in bot.log() and SECRET not in bot.log()
