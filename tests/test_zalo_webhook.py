"""Zalo webhook mode: the secret header is checked, bare and wrapped bodies are accepted.

First on an aiohttp app in this process (the channel's route on a real socket), then on the
real `python -m bot run` process.
"""
from __future__ import annotations

import asyncio
import json
import socket

import aiohttp
import pytest
from aiohttp import web

from bot.channels.zalo import WEBHOOK_PATH, ZaloChannel
from bot.core import Reply, Request
from bot.services import Services
from tests.conftest import make_settings
from tests.zalo_stub import DEFAULT_TOKEN, BotProcess, bot_env, text_update

TOKEN = DEFAULT_TOKEN
SECRET = "s3cret-Webhook_token"


class Brain:
    def __init__(self):
        self.requests: list[Request] = []

    async def __call__(self, req: Request, svc: Services) -> list[Reply]:
        self.requests.append(req)
        return [Reply(f"Đã nhận: {req.text}")]


@pytest.fixture
async def served(tmp_path, stub):
    """A webhook-mode ZaloChannel on a live aiohttp app; yields (channel, brain, webhook url)."""
    from bot.db.models import Base
    from bot.db.session import make_engine, make_sessionmaker
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = make_settings(tmp_path, ZALO_BOT_TOKEN=TOKEN, ZALO_API_BASE_URL=stub.base_url,
                             WEBHOOK_BASE_URL=base, WEBHOOK_SECRET=SECRET)
    engine = make_engine(settings.DATABASE_URL)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    svc = Services(settings=settings, kb=None, engine=engine, sessions=make_sessionmaker(engine))
    brain = Brain()
    channel = ZaloChannel(svc, dispatch=brain, backoff=0.05)
    app = web.Application()
    channel.setup(app)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    await channel.start()
    yield channel, brain, base + WEBHOOK_PATH
    await channel.stop()
    await runner.cleanup()
    await svc.close()


async def test_start_registers_the_webhook_and_does_not_poll(stub, served):
    channel, brain, url = served
    [call] = await stub.wait_call("setWebhook")
    assert call == {"url": url, "secret_token": SECRET}
    await asyncio.sleep(0.3)
    assert stub.calls_of("getUpdates") == []


@pytest.mark.parametrize("wrap", [False, True])
async def test_right_secret_is_answered(stub, served, wrap):
    channel, brain, url = served
    await stub.wait_call("setWebhook")
    status = await stub.post_webhook(text_update("u1", "xin chào", message_id=f"w{wrap}"),
                                     secret=SECRET, wrap=wrap)
    assert status == 200
    assert await stub.wait_sent("u1") == ["Đã nhận: xin chào"]
    assert brain.requests[0].channel == "zalo" and brain.requests[0].user_id == "u1"


@pytest.mark.parametrize("secret", [None, "", "wrong-secret-value", SECRET + "x", SECRET[:-1]])
async def test_wrong_or_missing_secret_is_refused_and_ignored(stub, served, secret):
    channel, brain, url = served
    await stub.wait_call("setWebhook")
    status = await stub.post_webhook(text_update("u2", "tấn công", message_id="w-bad"),
                                     secret=secret, url=url)
    assert status == 403
    await asyncio.sleep(0.3)
    assert brain.requests == [] and stub.sent == []
    # the id was not burnt: the real delivery with the right secret is still answered
    assert await stub.post_webhook(text_update("u2", "thật", message_id="w-bad"),
                                   secret=SECRET, url=url) == 200
    assert await stub.wait_sent("u2") == ["Đã nhận: thật"]


async def test_repeated_webhook_delivery_is_answered_once(stub, served):
    channel, brain, url = served
    update = text_update("u3", "một lần thôi", message_id="w-dup")
    for _ in range(3):
        assert await stub.post_webhook(update, secret=SECRET, url=url) == 200
    await stub.wait_sent("u3")
    await asyncio.sleep(0.4)
    assert stub.texts_to("u3") == ["Đã nhận: một lần thôi"]


async def test_bad_json_is_400_and_harmless(stub, served):
    channel, brain, url = served
    async with aiohttp.ClientSession() as s, s.post(
            url, data=b"{not json", headers={"X-Bot-Api-Secret-Token": SECRET}) as resp:
        assert resp.status == 400
    assert brain.requests == []


def test_a_secret_zalo_would_refuse_stops_start_up(tmp_path, capsys):
    settings = make_settings(tmp_path, ZALO_BOT_TOKEN=TOKEN, WEBHOOK_BASE_URL="https://x.test",
                             WEBHOOK_SECRET="short")
    channel = ZaloChannel(Services(settings=settings, kb=None, engine=None, sessions=None))
    with pytest.raises(SystemExit) as e:
        channel.setup(web.Application())
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "WEBHOOK_SECRET" in err


async def test_e2e_webhook_process(tmp_path, stub):
    env = bot_env(tmp_path, ZALO_BOT_TOKEN=TOKEN, ZALO_API_BASE_URL=stub.base_url,
                  WEBHOOK_BASE_URL="https://kh147.example.test", WEBHOOK_SECRET=SECRET)
    async with BotProcess(tmp_path, env) as bot:
        url = f"http://127.0.0.1:{bot.port}{WEBHOOK_PATH}"
        [call] = await stub.wait_call("setWebhook")
        assert call == {"url": "https://kh147.example.test" + WEBHOOK_PATH, "secret_token": SECRET}
        for secret in (None, "not-the-secret"):
            assert await stub.post_webhook(text_update("u9", "/trogiup", message_id="e-bad"),
                                           secret=secret, url=url) == 403
        await asyncio.sleep(0.5)
        assert stub.sent == []
        assert await stub.post_webhook(text_update("u9", "/trogiup", message_id="e-ok"),
                                       secret=SECRET, url=url, wrap=True) == 200
        await stub.wait_sent("u9", within=10)
        assert stub.calls_of("getUpdates") == []
    assert bot.proc.returncode == 0, bot.output[-2000:]
    assert TOKEN not in bot.output and SECRET not in bot.output


def _raw_post(url: str, header: bytes, body: bytes) -> int:
    """A POST whose header carries bytes no client library would send (0xFF)."""
    import socket
    from urllib.parse import urlsplit

    u = urlsplit(url)
    head = (f"POST {u.path} HTTP/1.1\r\nHost: {u.hostname}\r\nContent-Type: application/json"
            f"\r\nContent-Length: {len(body)}\r\nConnection: close\r\n").encode()
    with socket.create_connection((u.hostname, u.port), timeout=5) as s:
        s.sendall(head + header + b"\r\n\r\n" + body)
        return int(s.recv(64).split(b" ")[1])


async def test_a_0xff_byte_in_the_secret_header_is_403(stub, served):
    channel, brain, url = served
    body = json.dumps(text_update("u4", "xin chào", message_id="w-ff")).encode()
    for header in (b"X-Bot-Api-Secret-Token: \xff", b"X-Bot-Api-Secret-Token: " +
                   SECRET.encode() + b"\xff"):
        assert await asyncio.to_thread(_raw_post, url, header, body) == 403
    assert brain.requests == []


async def test_deeply_nested_json_is_400(stub, served):
    channel, brain, url = served
    async with aiohttp.ClientSession() as s, s.post(
            url, data=b"[" * 200_000 + b"]" * 200_000,
            headers={"X-Bot-Api-Secret-Token": SECRET}) as resp:
        assert resp.status == 400
    assert brain.requests == []


async def test_a_lone_surrogate_still_gets_an_answer(stub, served):
    # JSON may carry "\\ud800" (half of an emoji): no encoder or database takes it raw
    channel, brain, url = served
    raw = ('{"event_name": "message.text.received", "message": {"message_id": "w-sur", '
           '"date": 1, "text": "xin ch\\u00e0o \\ud83d", "chat": {"id": "u5", '
           '"chat_type": "PRIVATE"}, "from": {"id": "u5", "display_name": "A\\ud800\\u0000B", '
           '"is_bot": false}}}')
    async with aiohttp.ClientSession() as s, s.post(
            url, data=raw.encode(), headers={"X-Bot-Api-Secret-Token": SECRET,
                                             "Content-Type": "application/json"}) as resp:
        assert resp.status == 200
    assert await stub.wait_sent("u5") == ["Đã nhận: xin chào"]
    assert brain.requests[0].user_name == "AB"


async def test_a_webhook_update_is_stored_before_the_200(stub, served):
    from sqlalchemy import select

    from bot.db.models import InboxUpdate

    channel, brain, url = served
    await channel.inbox.stop()  # nobody answers: what the 200 promised must be in the table
    assert await stub.post_webhook(text_update("u6", "giữ lại", message_id="w-keep"),
                                   secret=SECRET, url=url) == 200
    async with channel.svc.sessions() as s:
        rows = (await s.execute(select(InboxUpdate.update_id, InboxUpdate.state))).all()
    assert rows == [("w-keep", "new")]
