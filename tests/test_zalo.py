"""The Zalo channel against tests/zalo_stub.py.

Part 1 drives bot.channels.zalo.ZaloChannel in this process (the stand-in API is the only thing
faked); part 2 runs the real `python -m bot run` / `python -m bot remind` processes.
"""
from __future__ import annotations

import asyncio
import logging
import sqlite3
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.channels.base import SendResult
from bot.channels.zalo import FILE_NOTE, MAX_TEXT, TEXT_ONLY, ZaloChannel, render
from bot.core import Attachment, ChatRef, Choice, Reply, Request
from bot.db.models import Base, InboxUpdate
from bot.export import CSV_MIME
from bot.services import Services
from tests.conftest import PG_URL, make_settings
from tests.zalo_stub import (
    DEFAULT_TOKEN,
    BotProcess,
    ZaloStub,
    bot_env,
    envelope,
    http,
    run_cli,
    text_update,
)

TOKEN = DEFAULT_TOKEN
ADMIN = "z900"


# -- in-process fixtures --------------------------------------------------------------------

class Brain:
    """A stand-in for handlers.dispatch that records requests and answers what a test sets."""

    def __init__(self):
        self.requests: list[Request] = []
        self.answer = lambda req: [Reply(f"Đã nhận: {req.text}")]

    async def __call__(self, req: Request, svc: Services) -> list[Reply]:
        self.requests.append(req)
        return self.answer(req)


def _services(settings) -> Services:
    from bot.db.session import make_engine, make_sessionmaker
    engine = make_engine(settings.DATABASE_URL)
    return Services(settings=settings, kb=None, engine=engine, sessions=make_sessionmaker(engine))


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(request, tmp_path):
    """A clean database: a SQLite file, or a PostgreSQL schema (when TEST_POSTGRES_URL is set)."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path}/zalo.db"
        svc = _services(make_settings(tmp_path, DATABASE_URL=url))
        async with svc.engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        await svc.close()
        yield url, None
        return
    if not PG_URL:
        pytest.skip("TEST_POSTGRES_URL is not set: PostgreSQL runs skipped")
    schema = f"z_{uuid.uuid4().hex[:12]}"
    from bot.db.session import make_engine
    engine = make_engine(PG_URL, schema=schema)
    async with engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await conn.run_sync(Base.metadata.create_all)
    yield PG_URL, schema
    async with engine.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await engine.dispose()


def _svc_on(tmp_path, stub: ZaloStub, url: str, schema: str | None, **env) -> Services:
    from bot.db.session import make_engine, make_sessionmaker
    settings = make_settings(tmp_path, DATABASE_URL=url, ZALO_BOT_TOKEN=TOKEN,
                             ZALO_API_BASE_URL=stub.base_url, ADMIN_ZALO_IDS=ADMIN, **env)
    engine = make_engine(url, schema=schema)
    return Services(settings=settings, kb=None, engine=engine, sessions=make_sessionmaker(engine))


@pytest.fixture
async def running(tmp_path, stub, db_url):
    """A polling ZaloChannel on the stub, with a recording brain; yields (channel, brain)."""
    url, schema = db_url
    svc = _svc_on(tmp_path, stub, url, schema)
    brain = Brain()
    channel = ZaloChannel(svc, dispatch=brain, backoff=0.05)
    await channel.start()
    yield channel, brain
    await channel.stop()
    await svc.close()


async def _quiet(stub: ZaloStub, seconds: float = 0.6) -> None:
    """Wait until nothing was sent for `seconds` (all parts of an answer are in)."""
    last = -1
    while len(stub.sent) != last:
        last = len(stub.sent)
        await asyncio.sleep(seconds)


# -- rendering ------------------------------------------------------------------------------

def test_choices_become_numbered_lines_and_a_prompt():
    [part] = render(Reply("Yêu cầu tham gia Sở Xây dựng.", choices=(
        Choice("Duyệt", "mem:ok:1"), Choice("Từ chối", "mem:no:1"))))
    assert part.splitlines()[-3:] == ["1. Duyệt", "2. Từ chối", "Xin trả lời bằng số 1 hoặc 2."]
    assert "<" not in part and "*" not in part


def test_a_file_becomes_a_note_not_a_failure():
    [part] = render(Reply("Báo cáo tổng hợp", file=Attachment("tonghop.xlsx", b"x")))
    assert FILE_NOTE.format(name="tonghop.xlsx") in part and "Telegram" in part


def test_long_text_is_split_on_lines_under_the_limit():
    lines = [f"- Nhiệm vụ số {i}: " + ("triển khai thực hiện kế hoạch " * 4).strip() for i in range(120)]
    parts = render(Reply("\n".join(lines)))
    assert len(parts) > 1 and all(1 <= len(p) <= MAX_TEXT for p in parts)
    assert [ln for p in parts for ln in p.split("\n")] == lines  # nothing lost or cut mid-line


# -- polling --------------------------------------------------------------------------------

async def test_text_message_is_answered_with_a_zalo_request(stub, running):
    channel, brain = running
    stub.push_text("u1", "Sở Xây dựng có nhiệm vụ gì?", name="Trần Thị B")
    stub.push_text(ADMIN, "xin chào")
    assert await stub.wait_sent("u1") == ["Đã nhận: Sở Xây dựng có nhiệm vụ gì?"]
    await stub.wait_sent(ADMIN)
    user = next(r for r in brain.requests if r.user_id == "u1")
    assert (user.channel, user.chat_id, user.chat_type, user.user_name) == (
        "zalo", "u1", "private", "Trần Thị B")
    assert user.is_admin is False and user.addressed is True
    assert next(r for r in brain.requests if r.user_id == ADMIN).is_admin is True
    # getUpdates needs the webhook gone: deleteWebhook came before the first poll
    names = [m for m, _ in stub.calls]
    assert names.index("deleteWebhook") < names.index("getUpdates")
    assert stub.calls_of("getUpdates")[0] == {"timeout": "30"}


async def test_group_mention_is_a_group_request(stub, running):
    channel, brain = running
    stub.push_text("u2", "@bot.KH147 /hanchot", chat_id="g1", group=True)
    await stub.wait_sent("g1")
    req = brain.requests[-1]
    assert (req.chat_type, req.chat_id, req.user_id, req.text) == ("group", "g1", "u2", "/hanchot")
    assert req.addressed is True


async def test_408_is_quiet(stub, running, caplog):
    caplog.set_level(logging.INFO, logger="bot.channels.zalo")
    await stub.wait_call("getUpdates", count=4, within=5)  # several empty polls (408 each)
    assert stub.sent == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    stub.push_text("u1", "còn đó không?")
    await stub.wait_sent("u1")


async def test_repeated_message_id_is_answered_once_even_after_restart(
        tmp_path, stub, running, db_url):
    channel, brain = running
    update = text_update("u1", "câu hỏi một lần", message_id="dup-1")
    stub.push(update)
    stub.push(update)
    await stub.wait_sent("u1")
    await _quiet(stub)
    assert stub.texts_to("u1") == ["Đã nhận: câu hỏi một lần"]
    await channel.stop()
    # a new process on the same database: the id is remembered
    svc2 = _svc_on(tmp_path, stub, *db_url)
    brain2 = Brain()
    again = ZaloChannel(svc2, dispatch=brain2, backoff=0.05)
    await again.start()
    try:
        stub.push(update)
        stub.push_text("u1", "câu hỏi mới")
        await stub.wait_sent("u1", count=2)
        assert [r.text for r in brain2.requests] == ["câu hỏi mới"]
        async with svc2.sessions() as s:
            n = await s.scalar(select(func.count()).select_from(InboxUpdate)
                               .where(InboxUpdate.update_id == "dup-1"))
        assert n == 1
    finally:
        await again.stop()
        await svc2.close()


async def test_old_seen_ids_are_pruned(tmp_path, stub, db_url):
    svc = _svc_on(tmp_path, stub, *db_url)
    old = svc.now() - timedelta(days=8)
    async with svc.sessions() as s, s.begin():
        s.add(InboxUpdate(channel="zalo", update_id="very-old", body="{}", state="done",
                          received_at=old))
    channel = ZaloChannel(svc, dispatch=Brain(), backoff=0.05)
    await channel.start()
    try:
        stub.push_text("u1", "xin chào")
        await stub.wait_sent("u1")
        async with svc.sessions() as s:
            ids = set((await s.execute(select(InboxUpdate.update_id))).scalars())
        assert "very-old" not in ids and len(ids) == 1
    finally:
        await channel.stop()
        await svc.close()


async def test_other_events_get_a_polite_text_only_answer(stub, running):
    channel, brain = running
    for event in ("message.image.received", "message.sticker.received",
                  "message.unsupported.received"):
        stub.push(text_update("u3", "", event=event, message_id=stub.new_id()))
    assert await stub.wait_sent("u3", count=3) == [TEXT_ONLY] * 3
    assert brain.requests == []


async def test_replies_go_split_numbered_and_to_other_chats(stub, running):
    channel, brain = running
    long = "\n".join(f"{i}. " + ("Phát triển công nghiệp bền vững " * 5).strip() for i in range(60))
    brain.answer = lambda req: [
        Reply(long),
        Reply("Có yêu cầu tham gia mới.", choices=(Choice("Duyệt", "m:1"), Choice("Từ chối",
                                                                                   "m:2")),
              chat=ChatRef("zalo", ADMIN)),
    ]
    stub.push_text("u4", "/nhiemvu skhdt")
    await stub.wait_sent(ADMIN)
    await _quiet(stub)
    parts = stub.texts_to("u4")
    assert len(parts) >= 2 and all(len(p) <= MAX_TEXT for p in parts)
    assert "\n".join(parts) == long
    [note] = stub.texts_to(ADMIN)
    assert "1. Duyệt" in note and "2. Từ chối" in note


async def test_replies_for_another_channel_go_through_its_sender(stub, running):
    channel, brain = running
    sent: list[tuple[str, Reply]] = []

    class TelegramSide:  # records what the Telegram adapter would have sent
        name = "telegram"

        async def send(self, chat_id, reply):
            sent.append((chat_id, reply))
            return SendResult(ok=True)
    channel.svc.senders.update({"telegram": TelegramSide(), "zalo": channel})
    brain.answer = lambda req: [Reply("Đã gửi yêu cầu."),
                                Reply("Duyệt?", chat=ChatRef("telegram", "900"))]
    stub.push_text("u9", "/dangky SXD")
    assert await stub.wait_sent("u9") == ["Đã gửi yêu cầu."]
    await stub.wait_for(lambda: sent)
    assert sent[0][0] == "900" and sent[0][1].text == "Duyệt?"


async def test_a_handler_crash_gets_an_apology_and_polling_goes_on(stub, running):
    channel, brain = running

    def boom(req):
        if req.text == "lỗi":
            raise RuntimeError("boom")
        return [Reply("ổn")]
    brain.answer = boom
    stub.push_text("u5", "lỗi")
    stub.push_text("u5", "tiếp")
    texts = await stub.wait_sent("u5", count=2)
    assert "lỗi" in texts[0].lower() and texts[1] == "ổn"


# -- errors ---------------------------------------------------------------------------------

async def test_transient_send_errors_are_retried_and_logged_without_token(
        stub, running, caplog):
    caplog.set_level(logging.INFO)
    stub.fail("sendMessage", envelope(500, "Internal error"), http(502), envelope(429, "Too many"))
    stub.push_text("u6", "xin chào")
    assert await stub.wait_sent("u6") == ["Đã nhận: xin chào"]
    assert len([b for b in stub.calls_of("sendMessage") if b.get("chat_id") == "u6"]) == 4
    log = caplog.text
    assert "error_code 500" in log and "Internal error" in log and "error_code 502" in log
    assert TOKEN not in log and TOKEN.split(":")[1] not in log


async def test_poll_errors_back_off_and_recover(stub, running, caplog):
    caplog.set_level(logging.WARNING, logger="bot.channels.zalo")
    stub.fail("getUpdates", http(500), envelope(401, "Unauthorized"), http(503))
    stub.push_text("u7", "vẫn chạy chứ?")
    assert await stub.wait_sent("u7", within=10) == ["Đã nhận: vẫn chạy chứ?"]
    assert "error_code 401" in caplog.text and TOKEN not in caplog.text


async def test_send_reports_blocked_and_permanent_errors(tmp_path, stub, db_url):
    svc = _svc_on(tmp_path, stub, *db_url)
    channel = ZaloChannel(svc, dispatch=Brain(), backoff=0.05)  # send() works without start()
    try:
        stub.fail("sendMessage", envelope(403, "User has blocked the bot"))
        blocked = await channel.send("u8", Reply("Nhắc hạn báo cáo"))
        assert not blocked.ok and blocked.blocked and "403" in blocked.error
        stub.fail("sendMessage", envelope(400, "Bad Request"))
        bad = await channel.send("u8", Reply("Nhắc hạn báo cáo"))
        assert not bad.ok and not bad.blocked and "400" in bad.error
        assert len(stub.calls_of("sendMessage")) == 2  # permanent: no retries
        ok = await channel.send("u8", Reply("Nhắc hạn báo cáo"))
        assert ok.ok and stub.texts_to("u8") == ["Nhắc hạn báo cáo"]
        stub.fail("sendMessage", *[http(500)] * 4)
        down = await channel.send("u8", Reply("x"))
        assert not down.ok and not down.blocked and down.error
    finally:
        await channel.stop()
        await svc.close()


async def test_stop_is_quick_during_a_long_poll(tmp_path, stub, db_url):
    stub.poll_wait = 30  # the poll hangs like a real idle long poll
    svc = _svc_on(tmp_path, stub, *db_url)
    channel = ZaloChannel(svc, dispatch=Brain())
    await channel.start()
    await stub.wait_call("getUpdates")
    t0 = time.monotonic()
    await channel.stop()
    assert time.monotonic() - t0 < 2.5
    await svc.close()


# -- the real process -----------------------------------------------------------------------

def _zalo_env(tmp_path: Path, stub: ZaloStub, **env) -> dict[str, str]:
    return bot_env(tmp_path, ZALO_BOT_TOKEN=TOKEN, ZALO_API_BASE_URL=stub.base_url,
                   ADMIN_ZALO_IDS=ADMIN, **env)


def _db(tmp_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp_path / "kh147.db")


async def _ask(stub: ZaloStub, user: str, text: str, *, within: float = 10) -> list[str]:
    """Send `text` as `user`; every message the bot sent back to that chat for it."""
    before = len(stub.texts_to(user))
    stub.push_text(user, text)
    await stub.wait_sent(user, after=before, within=within)
    await _quiet(stub, 0.5)
    return stub.texts_to(user)[before:]


def _choice_number(message: str, starts: str) -> str:
    for line in message.splitlines():
        num, _, label = line.partition(". ")
        if num.strip().isdigit() and label.strip().startswith(starts):
            return num.strip()
    raise AssertionError(f"no choice starting with {starts!r} in:\n{message}")


async def _register(stub: ZaloStub, user: str, agency: str) -> list[str]:
    """`/dangky AGENCY`, the admin replies the number of "Duyệt"; what the user was told."""
    await _ask(stub, user, f"/dangky {agency}")
    request = next(t for t in reversed(stub.texts_to(ADMIN)) if "Duyệt" in t)
    before = len(stub.texts_to(user))
    await _ask(stub, ADMIN, _choice_number(request, "Duyệt"))
    return await stub.wait_sent(user, after=before)


async def test_e2e_408_and_no_crash(tmp_path, stub):
    async with BotProcess(tmp_path, _zalo_env(tmp_path, stub)) as bot:
        await stub.wait_call("getUpdates", count=5, within=10)
        assert stub.sent == [] and bot.proc.returncode is None
        assert stub.calls_of("deleteWebhook")
    assert bot.proc.returncode == 0, bot.output[-2000:]
    assert "Traceback" not in bot.output and TOKEN not in bot.output


async def test_e2e_questions(tmp_path, stub):
    async with BotProcess(tmp_path, _zalo_env(tmp_path, stub)):
        start = "\n".join(await _ask(stub, "u1", "/start"))
        assert "/hoi" in start or "/trogiup" in start
        sxd = "\n".join(await _ask(stub, "u1", "Sở Xây dựng có nhiệm vụ gì?"))
        assert "Sở Xây dựng" in sxd and "2.2" in sxd
        kcn = "\n".join(await _ask(stub, "u1", "/hoi nhiệm vụ của Ban Quản lý các KCN"))
        assert "Ban Quản lý các Khu công nghiệp tỉnh" in kcn
        for part in stub.sent:
            assert "<b>" not in part.text and "**" not in part.text  # plain text on Zalo


async def test_e2e_long_answer_is_split(tmp_path, stub):
    async with BotProcess(tmp_path, _zalo_env(tmp_path, stub)):
        parts = await _ask(stub, "u1", "/nhiemvu Sở Kế hoạch và Đầu tư")
    assert len(parts) >= 2, parts
    assert all(1 <= len(p) <= MAX_TEXT for p in parts)
    assert "Sở Kế hoạch và Đầu tư" in parts[0]


async def test_e2e_registration_by_number_and_status_updates(tmp_path, stub):
    async with BotProcess(tmp_path, _zalo_env(tmp_path, stub)):
        told = "\n".join(await _register(stub, "u10", "SXD"))
        assert "Sở Xây dựng" in told
        with _db(tmp_path) as db:
            assert db.execute(
                "select m.agency_id from memberships m join users u on u.id = m.user_id "
                "where u.channel='zalo' and u.external_id='u10' and m.state='approved'"
            ).fetchall() == [("sxd",)]
        ok = "\n".join(await _ask(stub, "u10", "/capnhat 2.2 đang thực hiện Đã phê duyệt 2 đồ án"))
        # refused: a section Sở Xây dựng does not lead, and a status that does not exist
        other = "\n".join(await _ask(stub, "u10", "/capnhat 3.1 hoàn thành"))
        wrong = "\n".join(await _ask(stub, "u10", "/capnhat 2.2 bay lên trời"))
        # a user who is not a member
        stranger = "\n".join(await _ask(stub, "u11", "/capnhat 2.2 hoàn thành"))
    assert "2.2" in ok
    assert other and wrong and stranger and "\n" not in wrong.strip()
    with _db(tmp_path) as db:
        rows = db.execute("select item_id, agency_id, status, note, channel "
                          "from status_updates").fetchall()
    # a section-level update is stored for each of its tasks
    assert rows == [(t, "sxd", "dang", "Đã phê duyệt 2 đồ án", "zalo")
                    for t in ("2.2.1", "2.2.2", "2.2.3", "2.2.4")]


async def test_e2e_repeated_message_id_and_error_envelopes(tmp_path, stub):
    env = _zalo_env(tmp_path, stub)
    async with BotProcess(tmp_path, env) as bot:
        update = text_update("u20", "/trogiup", message_id="same-1")
        stub.push(update)
        stub.push(update)
        await stub.wait_sent("u20", within=10)
        await _quiet(stub, 1.0)
        first = len(stub.texts_to("u20"))
        # error envelopes and HTTP errors on sendMessage: retried, logged, no crash
        stub.fail("sendMessage", envelope(500, "Internal error"), http(502))
        stub.fail("getUpdates", http(503))
        stub.push_text("u21", "/trogiup")
        await stub.wait_sent("u21", within=15)
        assert bot.proc.returncode is None
    # a restart on the same database: the same id is still not answered
    async with BotProcess(tmp_path, env):
        stub.push(update)
        stub.push_text("u22", "/trogiup")
        await stub.wait_sent("u22", within=10)
        await _quiet(stub, 0.5)
    assert len(stub.texts_to("u20")) == first
    out = bot.output
    assert "error_code 500" in out and "Internal error" in out
    assert TOKEN not in out and "Traceback" not in out


async def test_e2e_reminder_pass_reaches_a_zalo_official(tmp_path, stub):
    env = _zalo_env(tmp_path, stub)
    async with BotProcess(tmp_path, env):
        await _register(stub, "u30", "SXD")
    before = len(stub.texts_to("u30"))
    # a week before the 6-month report of 2026 (due 15/6), after REMINDER_TIME
    at = "2026-06-08T09:00:00+07:00"
    code, out, err = await run_cli(tmp_path, env, "remind", "--at", at)
    assert code == 0, err
    got = stub.texts_to("u30")[before:]
    assert got, f"no reminder reached the official:\n{out}\n{err}"
    assert any("15/06/2026" in t or "15/6/2026" in t for t in got)
    # the same pass again sends nothing new
    code, _, err = await run_cli(tmp_path, env, "remind", "--at", at)
    assert code == 0, err
    assert len(stub.texts_to("u30")) == before + len(got)
    assert TOKEN not in out + err


async def test_e2e_telegram_and_zalo_in_one_process(tmp_path, stub):
    tg_stub = pytest.importorskip("tests.tg_stub")
    tg = tg_stub.TelegramStub()
    await tg.start()
    try:
        env = _zalo_env(tmp_path, stub, TELEGRAM_BOT_TOKEN=tg.token,
                        TELEGRAM_API_BASE_URL=tg.base_url)
        async with BotProcess(tmp_path, env) as bot:
            tg.send_text(chat_id=501, user_id=501, text="/trogiup")
            stub.push_text("u40", "/trogiup")
            await stub.wait_sent("u40", within=15)
            await tg.await_for("sendMessage", chat_id=501, timeout=15)
        assert bot.proc.returncode == 0, bot.output[-2000:]
    finally:
        await tg.stop()



async def test_a_file_becomes_a_download_link_that_expires(tmp_path, stub, db_url):
    """Zalo sends no documents: an admin's export arrives as a link served by the bot."""
    from aiohttp import web

    from bot.db.models import Download
    from bot.web import start_app

    url, schema = db_url
    app = web.Application()
    svc = _svc_on(tmp_path, stub, url, schema, WEBHOOK_BASE_URL="http://127.0.0.1:1")
    channel = ZaloChannel(svc, dispatch=Brain(), backoff=0.05)
    channel.setup(app)
    runner, port = await start_app(app, "127.0.0.1", 0)
    svc.settings.WEBHOOK_BASE_URL = f"http://127.0.0.1:{port}"
    try:
        content = "Mục,Ghi chú\n2.2.1,'=1+2\n".encode("utf-8-sig")
        result = await channel.send(ADMIN, Reply("Báo cáo tiến độ: 131 dòng (CSV).", file=Attachment(
            "kh147_tien_do_2026.csv", content, CSV_MIME)))
        assert result.ok
        [msg] = stub.texts_to(ADMIN)
        assert "131 dòng" in msg and "24 giờ" in msg
        link = msg.split()[-1]
        status, body = await _get(link)
        assert status == 200 and body == content
        status, _ = await _get(link[:-3] + "xyz")  # a guessed token
        assert status == 404
        async with svc.sessions() as s, s.begin():  # a day later the link is dead
            row = (await s.execute(select(Download))).scalar_one()
            row.expires_at = row.created_at - timedelta(seconds=1)
        status, _ = await _get(link)
        assert status == 404
    finally:
        await runner.cleanup()
        await channel.api.close()
        await svc.close()


async def _get(url: str) -> tuple[int, bytes]:
    import aiohttp

    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        return resp.status, await resp.read()


async def _run_until_exit(tmp_path: Path, env: dict[str, str], within: float = 20) -> tuple:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), within)
    return proc.returncode, err.decode()


async def test_a_rejected_token_stops_start_up_with_one_line(tmp_path, stub):
    stub.fail("getMe", envelope(401, "Unauthorized"))
    code, err = await _run_until_exit(tmp_path, _zalo_env(tmp_path, stub))
    assert code == 2
    assert "ZALO_BOT_TOKEN" in err and "Traceback" not in err and TOKEN not in err
    assert "Unclosed client session" not in err  # the API session is closed on the way out


async def test_a_passing_outage_at_start_up_is_waited_out(tmp_path, stub):
    stub.fail("getMe", http(502), http(502))
    async with BotProcess(tmp_path, _zalo_env(tmp_path, stub)):
        assert await _ask(stub, "u77", "/start")


def test_edge_cleaning_drops_lone_surrogates_and_controls_keeps_lines():
    from bot.text import clean_input

    assert clean_input("Sở\x00 Xây\x08 dựng\ud83d\r\n\tghi chú\x1b[2J") == "Sở Xây dựng\n\tghi chú[2J"
    assert clean_input("🙂 đủ cặp") == "🙂 đủ cặp"  # a whole emoji is kept
