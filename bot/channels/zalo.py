"""Zalo Bot Platform channel: the same handlers as Telegram, behind Zalo's Telegram-like API.

API: POST {ZALO_API_BASE_URL}{ZALO_BOT_TOKEN}/{method} with a JSON body; answers are envelopes
`{"ok": true, "result": ...}` or `{"ok": false, "error_code": N, "description": "..."}`.

Mode rule (Settings has no ZALO_MODE): Zalo uses a webhook when WEBHOOK_BASE_URL is set, long
polling otherwise.
- Webhook: route POST /zalo/webhook on the shared aiohttp app, registered at start with
  setWebhook {url: WEBHOOK_BASE_URL + "/zalo/webhook", secret_token: WEBHOOK_SECRET}. Zalo sends
  the secret in X-Bot-Api-Secret-Token, compared in constant time; anything else gets 403 and
  is not read. Without WEBHOOK_SECRET a random secret is registered for this process; a secret
  outside 8-256 characters stops start-up with one line (Zalo would refuse it).
- Polling: deleteWebhook first (getUpdates does not work while a webhook is set), then
  getUpdates {"timeout": "30"} in a loop: one update per call, no offset, error 408 = nothing new.

Zalo has no markup and no buttons: replies are plain text cut under 2,000 characters on line
boundaries, choices become numbered lines (handlers.dispatch remembers them so "2" picks the
second), files become a short note. Every update is stored in the inbox (bot/channels/inbox.py)
before Zalo gets its 200 or is asked for the next one, and answered from there; its message id
is kept, so a repeated delivery (or a restart) never answers twice. The token never reaches logs.
"""
from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import secrets
import sys
import time
import unicodedata
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from bot.channels.base import SendResult, deliver
from bot.channels.inbox import Inbox
from bot.core import Reply, Request, split_text
from bot.db.models import Download
from bot.services import Services
from bot.text import clean_input

log = logging.getLogger(__name__)

NAME = "zalo"
MAX_TEXT = 2000  # sendMessage accepts 1-2,000 characters
WEBHOOK_PATH = "/zalo/webhook"
DOWNLOAD_PATH = "/tai/{token}"
DOWNLOAD_TTL = timedelta(hours=24)
DOWNLOAD_NOTE = "Tải tệp {name} (liên kết có hiệu lực 24 giờ, chỉ dùng trong cơ quan): {url}"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
TEXT_EVENT = "message.text.received"
# messages answered at once: a burst must not swamp the database, and an answer's "done" mark
# must not queue for a connection (a kill -9 in that queue answers it again after the restart)
MAX_BUSY = 8
POLL_FINISH = 1.0  # seconds a stop lets a getUpdates in flight bring its update home
STOP_GRACE = 3.0  # seconds a stop gives the updates already claimed to be answered
STORE_RETRY = 30.0  # longest wait between tries to store a polled update the database refused

TEXT_ONLY = ("Xin lỗi, hiện tại trợ lý chỉ đọc được tin nhắn văn bản. "
             "Xin gõ câu hỏi hoặc /trogiup để xem các lệnh.")
FAILED = "Xin lỗi, đã có lỗi khi xử lý yêu cầu. Xin thử lại sau ít phút."
FILE_NOTE = ("(Zalo chưa hỗ trợ gửi tệp {name}. Đồng chí có thể nhận tệp qua Telegram hoặc "
             "đề nghị bộ phận kỹ thuật xuất giúp.)")

Dispatch = Callable[[Request, Services], Awaitable[list[Reply]]]


class ZaloApiError(Exception):
    """An error envelope, an HTTP error, a time-out or a network failure (code 0)."""

    def __init__(self, method: str, code: int, description: str, http_status: int = 0):
        self.method, self.code, self.description = method, code, description
        self.http_status = http_status
        super().__init__(f"Zalo {method}: error {code}: {description}")

    @property
    def transient(self) -> bool:
        """Worth retrying: 5xx, 429, time-outs and network errors."""
        return (self.code in (0, 408, 429) or self.code >= 500
                or self.http_status >= 500 or self.http_status == 429)

    @property
    def blocked(self) -> bool:
        """The user blocked the bot or left: Zalo answers 403 (as Telegram does)."""
        return self.code == 403 or "block" in self.description.lower()


class ZaloApi:
    """A thin client over one aiohttp session; every call is a JSON POST."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 15.0,
                 backoff: float = 0.5, attempts: int = 4):
        self._base = base_url
        self._token = token
        self._timeout = timeout
        self.backoff = backoff
        self.attempts = attempts
        self._session: aiohttp.ClientSession | None = None

    def redact(self, text: str) -> str:
        return text.replace(self._token, "<token>") if self._token else text

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def call(self, method: str, payload: dict | None = None, *,
                   limit: float | None = None) -> Any:
        """The `result` of one call, or ZaloApiError."""
        url = f"{self._base}{self._token}/{method}"
        budget = aiohttp.ClientTimeout(total=limit or self._timeout)
        try:
            async with self._client().post(url, json=payload or {}, timeout=budget) as resp:
                status = resp.status
                try:
                    data = await resp.json(content_type=None)
                except ValueError:
                    data = None
        except TimeoutError:
            raise ZaloApiError(method, 0, "time-out") from None
        except aiohttp.ClientError as e:
            raise ZaloApiError(method, 0, self.redact(f"{type(e).__name__}: {e}")) from None
        if isinstance(data, dict) and data.get("ok") is True and status < 400:
            return data.get("result")
        if isinstance(data, dict) and "error_code" in data:
            code = _int(data.get("error_code"), status)
            desc = str(data.get("description") or "")
        else:
            code, desc = (status if status >= 400 else 0), f"HTTP {status}, unexpected body"
        raise ZaloApiError(method, code, self.redact(desc), http_status=status)

    async def call_retrying(self, method: str, payload: dict | None = None) -> Any:
        """`call` with exponential backoff on transient errors; permanent ones raise at once."""
        for attempt in range(self.attempts):
            try:
                return await self.call(method, payload)
            except ZaloApiError as e:
                if not e.transient or attempt == self.attempts - 1:
                    raise
                delay = min(self.backoff * 2 ** attempt, 30.0)
                log.warning("Zalo %s failed (error_code %s: %s); retry %d in %.1f s",
                            method, e.code, e.description, attempt + 1, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def render(reply: Reply) -> list[str]:
    """Plain-text parts for sendMessage: numbered choices, a file note, split ≤ 2,000 chars."""
    text = reply.text.strip()
    if reply.choices:
        lines = [f"{i}. {c.label}" for i, c in enumerate(reply.choices, 1)]
        menu = "\n".join([*lines, choice_prompt(len(lines))])
        text = f"{text}\n\n{menu}" if text else menu
    if reply.file is not None:
        note = FILE_NOTE.format(name=reply.file.filename)
        text = f"{text}\n\n{note}" if text else note
    text = unicodedata.normalize("NFC", text)  # composed diacritics: fewer characters
    if not text.strip():
        return []
    parts = split_text(text, MAX_TEXT)
    if any(_utf16_len(p) > MAX_TEXT for p in parts):  # many emoji: Zalo may count UTF-16 units
        parts = split_text(text, MAX_TEXT // 2)
    return parts


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def choice_prompt(n: int) -> str:
    if n == 1:
        return "Xin trả lời bằng số 1."
    if n <= 5:
        return f"Xin trả lời bằng số {', '.join(str(i) for i in range(1, n))} hoặc {n}."
    return f"Xin trả lời bằng một số từ 1 đến {n}."


def unwrap_updates(body: Any) -> list[dict]:
    """Webhook bodies come bare or wrapped as {"ok": true, "result": {...}}."""
    if isinstance(body, dict) and "result" in body and "ok" in body:
        body = body["result"]
    if isinstance(body, dict):
        return [body]
    if isinstance(body, list):
        return [u for u in body if isinstance(u, dict)]
    return []


class ZaloChannel:
    name = NAME

    def __init__(self, svc: Services, *, dispatch: Dispatch | None = None,
                 backoff: float = 0.5, attempts: int = 4, poll_timeout: int = 30):
        s = svc.settings
        self.svc = svc
        self.api = ZaloApi(s.ZALO_API_BASE_URL, s.ZALO_BOT_TOKEN or "",
                           backoff=backoff, attempts=attempts)
        self.webhook_mode = bool(s.WEBHOOK_BASE_URL)
        self.webhook_url = (s.WEBHOOK_BASE_URL or "").rstrip("/") + WEBHOOK_PATH
        self._secret = s.WEBHOOK_SECRET or secrets.token_urlsafe(32)
        self._dispatch = dispatch
        self.poll_timeout = poll_timeout
        self.bot_name = ""
        self._runner: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        # stored before Zalo is told (webhook 200) or asked for the next one (polling);
        # answered from there, one chat in order, MAX_BUSY chats at once
        self.inbox = Inbox(svc, NAME, self.handle_update, concurrency=MAX_BUSY)
        self._stopping = False

    # -- Channel protocol -------------------------------------------------------------------

    def setup(self, app: web.Application) -> None:
        if not self.webhook_mode:
            return
        if not 8 <= len(self._secret) <= 256:
            print("Lỗi cấu hình: WEBHOOK_SECRET: Zalo cần khóa bí mật từ 8 đến 256 ký tự",
                  file=sys.stderr)
            raise SystemExit(2)
        app.router.add_post(WEBHOOK_PATH, self.on_webhook)
        app.router.add_get(DOWNLOAD_PATH, self.on_download)

    async def start(self) -> None:
        try:
            await self._read_me()  # a wrong token or an unreachable API stops start-up here
        except (ValueError, ConnectionError):
            await self.api.close()  # the runner never calls stop() for a channel not started
            raise
        await self.inbox.start()  # what an earlier run stored and did not answer comes first
        work = self._register_webhook() if self.webhook_mode else self._poll_loop()
        self._runner = asyncio.create_task(work, name="zalo")
        log.info("Zalo channel started (%s)", "webhook" if self.webhook_mode else "polling")

    async def stop(self) -> None:
        """Stop receiving (a getUpdates in flight may still bring its update in: Zalo never
        serves it again), answer what is claimed, keep the rest, close the HTTP session."""
        self._stopping = True
        if self._runner is not None:
            if not self.webhook_mode:
                await asyncio.wait([self._runner], timeout=POLL_FINISH)
            self._runner.cancel()
            await asyncio.wait([self._runner], timeout=1.0)
            self._runner = None
        await self.inbox.stop(STOP_GRACE)
        if self._tasks:
            _, late = await asyncio.wait(set(self._tasks), timeout=1.5)
            for t in late:
                t.cancel()
            if late:
                await asyncio.wait(late, timeout=0.5)
        await self.api.close()

    async def send(self, chat_id: str, reply: Reply) -> SendResult:
        """Deliver one reply as one or more text messages; used by the reminder engine too.
        Zalo sends no documents: with a public address, a file becomes a download link."""
        if reply.file is not None and self.webhook_mode:
            link = await self._offer_download(reply)
            reply = replace(reply, file=None, text=f"{reply.text}\n\n{link}".strip())
        for part in render(reply):
            try:
                await self.api.call_retrying("sendMessage", {"chat_id": str(chat_id), "text": part})
            except ZaloApiError as e:
                log.warning("Zalo sendMessage to %s failed: error_code %s: %s",
                            chat_id, e.code, e.description)
                return SendResult(ok=False, blocked=e.blocked,
                                  error=f"error_code {e.code}: {e.description}")
        return SendResult(ok=True)

    async def _offer_download(self, reply: Reply) -> str:
        token = secrets.token_urlsafe(32)
        now = self.svc.now()  # the services' clock, as every date-dependent path
        async with self.svc.sessions() as s, s.begin():
            await s.execute(delete(Download).where(Download.expires_at < now))
            s.add(Download(token=token, filename=reply.file.filename, mime=reply.file.mime,
                           content=reply.file.content, created_at=now,
                           expires_at=now + DOWNLOAD_TTL))
        base = (self.svc.settings.WEBHOOK_BASE_URL or "").rstrip("/")
        url = base + DOWNLOAD_PATH.format(token=token)
        return DOWNLOAD_NOTE.format(name=reply.file.filename, url=url)

    async def on_download(self, request: web.Request) -> web.Response:
        """GET /tai/<token>: the file while its link is valid; 404 otherwise."""
        token = request.match_info["token"]
        now = self.svc.now()
        async with self.svc.sessions() as s:
            row = (await s.execute(select(Download).where(
                Download.token == token, Download.expires_at > now))).scalar_one_or_none()
        if row is None:
            return web.Response(status=404, text="Liên kết không tồn tại hoặc đã hết hạn.")
        filename = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_"
                           for c in row.filename)
        # the MIME type as stored ("text/csv; charset=utf-8"): a header, since aiohttp's
        # content_type argument refuses parameters
        return web.Response(body=row.content, headers={
            "Content-Type": row.mime,
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store"})

    # -- receiving --------------------------------------------------------------------------

    async def _poll_loop(self) -> None:
        await self._prepare_polling()
        delay = 0.0
        while not self._stopping:
            asked = time.monotonic()
            try:
                update = await self.api.call("getUpdates", {"timeout": str(self.poll_timeout)},
                                             limit=self.poll_timeout + 10)
            except ZaloApiError as e:
                if e.code == 408:  # nothing new: ask again at once, quietly
                    delay = 0.0
                    if time.monotonic() - asked < 0.05:  # a server that does not wait: no spin
                        await asyncio.sleep(0.5)
                    continue
                delay = min(max(delay * 2, self.api.backoff), 30.0)
                log.warning("Zalo getUpdates failed (error_code %s: %s); retry in %.1f s",
                            e.code, e.description, delay)
                await asyncio.sleep(delay)
                continue
            delay = 0.0
            updates = unwrap_updates(update)
            if not updates:
                await asyncio.sleep(0.2)  # an empty "ok" answer: do not spin
            # Zalo has no offset: what getUpdates returned is never served again, so it is
            # stored before the next call, however long the database takes to come back
            await self._store_polled(updates)

    async def _store_polled(self, updates: list[dict]) -> None:
        wait = 0.5
        while True:
            try:
                await self.inbox.store([_inbox_item(u) for u in updates])
                return
            except SQLAlchemyError as e:
                log.warning("Zalo update not stored yet (%s); retry in %.1f s",
                            type(e).__name__, wait)
                await asyncio.sleep(wait)
                wait = min(wait * 2, STORE_RETRY)

    async def _prepare_polling(self) -> None:
        try:
            await self.api.call_retrying("deleteWebhook")
        except ZaloApiError as e:
            log.warning("Zalo deleteWebhook failed (error_code %s: %s)", e.code, e.description)

    async def _read_me(self) -> None:
        """getMe, retried while transient; then the same one-line failures as Telegram's."""
        try:
            me = await self.api.call_retrying("getMe")
        except ZaloApiError as e:
            if e.transient:
                raise ConnectionError(
                    f"không kết nối được Zalo tại {self.svc.settings.ZALO_API_BASE_URL} "
                    f"(cannot reach ZALO_API_BASE_URL): {e.description}") from e
            raise ValueError(f"ZALO_BOT_TOKEN bị Zalo từ chối (ZALO_BOT_TOKEN was rejected): "
                             f"error_code {e.code}") from e
        if isinstance(me, dict):
            self.bot_name = str(me.get("account_name") or me.get("display_name") or "")
            log.info("Zalo bot: %s", self.bot_name or me.get("id"))

    async def _register_webhook(self) -> None:
        delay = self.api.backoff
        while True:
            try:
                await self.api.call("setWebhook", {"url": self.webhook_url,
                                                   "secret_token": self._secret})
                log.info("Zalo webhook set to %s", self.webhook_url)
                return
            except ZaloApiError as e:
                log.warning("Zalo setWebhook failed (error_code %s: %s); retry in %.1f s",
                            e.code, e.description, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)

    async def on_webhook(self, request: web.Request) -> web.Response:
        # aiohttp keeps undecodable header bytes as surrogate escapes: compare the raw bytes
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, self._secret.encode()):
            log.warning("Zalo webhook: wrong or missing secret from %s", request.remote)
            return web.json_response({"ok": False, "description": "forbidden"}, status=403)
        try:
            body = await request.json()
        except (ValueError, RecursionError):  # RecursionError: JSON nested too deep
            return web.json_response({"ok": False, "description": "bad JSON"}, status=400)
        try:  # stored before the 200: a stop or a crash after it loses nothing
            await self.inbox.store([_inbox_item(u) for u in unwrap_updates(body)])
        except SQLAlchemyError as e:
            log.warning("Zalo webhook: update not stored (%s)", type(e).__name__)
            return web.json_response({"ok": False, "description": "not stored"}, status=500)
        return web.json_response({"ok": True})

    def _spawn(self, work: Awaitable) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def handle_update(self, update: dict) -> None:
        """One stored update: turn into a Request, dispatch, send the replies (the inbox
        dropped repeated message ids and keeps one chat's messages in order)."""
        try:
            await self._handle(update)
        except Exception:  # one bad update must never stop the channel
            log.exception("Zalo update failed")

    async def _handle(self, update: dict) -> None:
        msg = update.get("message")
        if not isinstance(msg, dict):
            return
        chat, sender = msg.get("chat") or {}, msg.get("from") or {}
        chat_id = str(chat.get("id") or sender.get("id") or "")
        if not chat_id or sender.get("is_bot"):
            return
        event = str(update.get("event_name") or "")
        if event == TEXT_EVENT or (not event and isinstance(msg.get("text"), str)):
            replies = await self._answer(msg, chat_id, chat, sender)
        else:
            replies = [Reply(TEXT_ONLY)]
        for r in replies:
            result = await self.deliver(chat_id, r)
            if not result.ok:
                log.warning("Zalo reply not delivered: %s", result.error or "blocked")

    async def deliver(self, origin_chat_id: str, reply: Reply) -> SendResult:
        return await deliver(self.svc, self, origin_chat_id, reply)

    async def _answer(self, msg: dict, chat_id: str, chat: dict, sender: dict) -> list[Reply]:
        user_id = str(sender.get("id") or chat_id)
        group = str(chat.get("chat_type") or "").upper() == "GROUP"
        req = Request(
            channel=NAME, user_id=user_id, chat_id=chat_id,
            text=self._strip_mention(clean_input(str(msg.get("text") or ""))),
            chat_type="group" if group else "private",
            user_name=clean_input(str(sender.get("display_name") or sender.get("name")
                                      or sender.get("first_name") or "")),
            is_admin=self.svc.is_admin(NAME, user_id),
            addressed=True,  # in groups Zalo delivers only mentions of the bot and replies to it
        )
        self._spawn(self._typing(chat_id))
        try:
            return await self._brain()(req, self.svc)
        except Exception:
            log.exception("handler failed for a Zalo message")
            return [Reply(FAILED)]

    def _brain(self) -> Dispatch:
        if self._dispatch is None:
            from handlers import dispatch  # late: handlers load the plan
            self._dispatch = dispatch
        return self._dispatch

    def _strip_mention(self, text: str) -> str:
        """Group messages start with "@Bot name": drop it so "/lenh" is still a command."""
        text = text.strip()
        if self.bot_name and text.lower().startswith("@" + self.bot_name.lower()):
            text = text[len(self.bot_name) + 1:].strip()
        return text

    async def _typing(self, chat_id: str) -> None:
        with contextlib.suppress(ZaloApiError):
            await self.api.call("sendChatAction", {"chat_id": chat_id, "action": "typing"},
                                limit=5)


def _inbox_item(update: dict) -> tuple[str, str, dict]:
    """(update id, chat key, body): the message id, so a re-delivery is dropped; an update
    without one is kept under a fresh id (answered, never taken for another)."""
    msg = update.get("message") if isinstance(update.get("message"), dict) else {}
    chat, sender = msg.get("chat") or {}, msg.get("from") or {}
    chat_key = str((chat.get("id") if isinstance(chat, dict) else None)
                   or (sender.get("id") if isinstance(sender, dict) else None) or "")
    message_id = str(msg.get("message_id") or "") or f"no-id:{uuid.uuid4().hex}"
    return message_id, chat_key, update
