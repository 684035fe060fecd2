"""A loopback stand-in for the Zalo Bot Platform API, and a helper to run the real bot process.

    stub = ZaloStub(token="42:secret")
    base = await stub.start()                  # "http://127.0.0.1:PORT/bot" = ZALO_API_BASE_URL
    stub.push_text("u1", "/start")             # one update, served by the next getUpdates
    msgs = await stub.wait_sent(chat_id="u1")  # what the bot sent with sendMessage
    stub.fail("sendMessage", envelope(500), http(502))  # the next two sendMessage calls fail
    await stub.post_webhook(update, secret=...)         # what Zalo does in webhook mode
    await stub.close()

Behaviour copied from ../shared/ZALO.md: POST /bot<TOKEN>/<method> with JSON (or form) bodies;
getUpdates returns ONE update or, after `poll_wait` seconds without one, the 408 envelope;
sendMessage refuses text outside 1-2,000 characters; a wrong token gets 401.
"""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

MAX_TEXT = 2000
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Failure:
    """How one call should fail: an error envelope (HTTP 200) or an HTTP status."""

    code: int
    description: str = ""
    http_status: int = 200


def envelope(code: int, description: str = "") -> Failure:
    return Failure(code, description or f"stub error {code}")


def http(status: int) -> Failure:
    return Failure(status, f"HTTP {status}", http_status=status)


@dataclass
class Sent:
    chat_id: str
    text: str
    at: float = field(default_factory=time.monotonic)


DEFAULT_TOKEN = "1234567890:stub-secret-token"


class ZaloStub:
    def __init__(self, token: str = DEFAULT_TOKEN, *, poll_wait: float = 0.2):
        self.token = token
        self.poll_wait = poll_wait
        self.updates: asyncio.Queue[dict] = asyncio.Queue()
        self.sent: list[Sent] = []
        self.calls: list[tuple[str, dict]] = []  # every call, failed ones included
        self.failures: dict[str, list[Failure]] = {}
        self.webhook: dict[str, str] = {"url": "", "secret_token": ""}
        self.me = {"id": "1459232241454765289", "account_name": "bot.KH147",
                   "account_type": "BASIC", "can_join_groups": True}
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._polls: set[asyncio.Task] = set()
        self.base_url = ""

    # -- life cycle ------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}/bot"
        return self.base_url

    async def close(self) -> None:
        for task in list(self._polls):  # hanging long polls would hold the shutdown
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- what a test does ------------------------------------------------------------------

    def push(self, update: dict) -> None:
        self.updates.put_nowait(update)

    def push_text(self, user_id: str, text: str, *, chat_id: str | None = None,
                  group: bool = False, name: str = "Nguyễn Văn A",
                  message_id: str | None = None) -> str:
        """Queue a text message; returns its message_id."""
        update = text_update(user_id, text, chat_id=chat_id, group=group, name=name,
                             message_id=message_id or self.new_id())
        self.push(update)
        return update["message"]["message_id"]

    def new_id(self) -> str:
        return f"m{next(self._ids):06d}"

    def fail(self, method: str, *failures: Failure) -> None:
        """The next calls of `method` fail this way, in order."""
        self.failures.setdefault(method, []).extend(failures)

    def calls_of(self, method: str) -> list[dict]:
        return [body for m, body in self.calls if m == method]

    def texts_to(self, chat_id: str) -> list[str]:
        return [s.text for s in self.sent if s.chat_id == str(chat_id)]

    async def wait_for(self, predicate, within: float = 10.0) -> Any:
        """Wait until predicate() is truthy (re-checked after every call); return its value."""
        async def _wait():
            async with self._changed:
                while not (value := predicate()):
                    await self._changed.wait()
                return value
        return await asyncio.wait_for(_wait(), within)

    async def wait_sent(self, chat_id: str, count: int = 1, *, after: int = 0,
                        within: float = 10.0) -> list[str]:
        """The texts sent to `chat_id`, once at least `after + count` of them exist."""
        def enough():
            texts = self.texts_to(chat_id)
            return texts[after:] if len(texts) >= after + count else None
        return await self.wait_for(enough, within)

    async def wait_call(self, method: str, count: int = 1, within: float = 10.0) -> list[dict]:
        return await self.wait_for(
            lambda: self.calls_of(method) if len(self.calls_of(method)) >= count else None,
            within)

    async def post_webhook(self, update: dict, *, secret: str | None, url: str | None = None,
                           wrap: bool = False) -> int:
        """Deliver an update to the bot's webhook as Zalo does; returns the HTTP status."""
        headers = {} if secret is None else {"X-Bot-Api-Secret-Token": secret}
        body = {"ok": True, "result": update} if wrap else update
        async with aiohttp.ClientSession() as s, s.post(
                url or self.webhook["url"], json=body, headers=headers) as resp:
            return resp.status

    # -- the API ---------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await _read_body(request)
        self.calls.append((method, body))
        await self._notify()  # a hanging long poll is visible at once
        try:
            if request.match_info["token"] != self.token:
                return _error(401, "Unauthorized")
            queued = self.failures.get(method)
            if queued:
                f = queued.pop(0)
                if f.http_status >= 400:
                    return web.Response(status=f.http_status, text=f.description)
                return _error(f.code, f.description)
            handler = getattr(self, f"_api_{method}", None)
            if handler is None:
                return _error(404, f"Method {method} not found")
            return await handler(body)
        finally:
            await self._notify()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _api_getMe(self, body: dict) -> web.Response:
        return _ok(self.me)

    async def _api_getUpdates(self, body: dict) -> web.Response:
        if self.webhook["url"]:
            return _error(409, "Conflict: webhook is set, use deleteWebhook first")
        me = asyncio.current_task()
        self._polls.add(me)
        try:
            update = await asyncio.wait_for(self.updates.get(), self.poll_wait)
        except TimeoutError:
            return _error(408, "Request timeout: no new update")
        finally:
            self._polls.discard(me)
        return _ok(update)

    async def _api_sendMessage(self, body: dict) -> web.Response:
        chat_id, text = str(body.get("chat_id") or ""), body.get("text")
        if not chat_id:
            return _error(400, "Bad Request: chat_id is required")
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT:
            return _error(400, "Bad Request: text must be 1-2000 characters")
        self.sent.append(Sent(chat_id, text))
        return _ok({"message_id": self.new_id(), "date": int(time.time() * 1000)})

    async def _api_sendChatAction(self, body: dict) -> web.Response:
        return web.json_response({"ok": True})

    async def _api_setWebhook(self, body: dict) -> web.Response:
        url, secret = str(body.get("url") or ""), str(body.get("secret_token") or "")
        if not url or not 8 <= len(secret) <= 256:
            return _error(400, "Bad Request: url and secret_token (8-256 chars) required")
        self.webhook = {"url": url, "secret_token": secret}
        return _ok({"url": url, "updated_at": int(time.time() * 1000)})

    async def _api_deleteWebhook(self, body: dict) -> web.Response:
        self.webhook = {"url": "", "secret_token": ""}
        return _ok({"url": "", "updated_at": int(time.time() * 1000)})

    async def _api_getWebhookInfo(self, body: dict) -> web.Response:
        return _ok({"url": self.webhook["url"], "updated_at": int(time.time() * 1000)})


def text_update(user_id: str, text: str, *, chat_id: str | None = None, group: bool = False,
                name: str = "Nguyễn Văn A", message_id: str = "m1",
                event: str = "message.text.received") -> dict:
    return {"event_name": event, "message": {
        "message_id": message_id, "date": int(time.time() * 1000), "text": text,
        "chat": {"id": chat_id or user_id, "chat_type": "GROUP" if group else "PRIVATE"},
        "from": {"id": user_id, "display_name": name, "is_bot": False}}}


async def _read_body(request: web.Request) -> dict:
    if request.content_type == "application/json":
        with contextlib.suppress(ValueError):
            data = await request.json()
            return data if isinstance(data, dict) else {}
        return {}
    return dict(await request.post())


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(code: int, description: str) -> web.Response:
    return web.json_response({"ok": False, "error_code": code, "description": description})


# -- the real bot process ------------------------------------------------------------------

CHANNEL_ENV = ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "WEBHOOK_BASE_URL", "WEBHOOK_SECRET",
               "TELEGRAM_MODE", "TELEGRAM_API_BASE_URL", "ZALO_API_BASE_URL",
               "ADMIN_TELEGRAM_IDS", "ADMIN_ZALO_IDS", "DATABASE_URL", "HTTP_PORT", "HTTP_HOST")
_LISTENING = re.compile(r"listening on (http://\S+?):(\d+)")


def bot_env(tmp_path: Path, **env: str) -> dict[str, str]:
    """The environment for `python -m bot ...`: none of the caller's bot settings, a tmp
    SQLite database, port 0, plus `env`."""
    base = {k: v for k, v in os.environ.items() if k not in CHANNEL_ENV}
    base.update({
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/kh147.db",
        "HTTP_HOST": "127.0.0.1", "HTTP_PORT": "0",
        # tests/clock: the child starts at KH147_TEST_NOW (tests/conftest.py)
        "PYTHONPATH": f"{ROOT / 'tests' / 'clock'}{os.pathsep}{ROOT}", "PYTHONUNBUFFERED": "1",
    })
    base.update(env)
    return base


class BotProcess:
    """`python -m bot run` in a subprocess (cwd = tmp, so no .env is read); collects its output
    and the port from its "listening on http://HOST:PORT" line."""

    def __init__(self, tmp_path: Path, env: dict[str, str]):
        self.tmp_path, self.env = tmp_path, env
        self.proc: asyncio.subprocess.Process | None = None
        self.lines: list[str] = []
        self.port: int | None = None
        self._port_seen = asyncio.Event()
        self._readers: list[asyncio.Task] = []

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    async def start(self, within: float = 15.0) -> BotProcess:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=self.tmp_path, env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        self._readers = [asyncio.create_task(self._read(s))
                         for s in (self.proc.stdout, self.proc.stderr)]
        ready = asyncio.create_task(self._port_seen.wait())
        died = asyncio.create_task(self.proc.wait())
        await asyncio.wait({ready, died}, timeout=within, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        died.cancel()
        if self.port is None:
            await self.stop()
            raise RuntimeError(f"bot did not start listening:\n{self.output[-3000:]}")
        return self

    async def _read(self, stream: asyncio.StreamReader) -> None:
        async for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip()
            self.lines.append(line)
            m = _LISTENING.search(line)
            if m and self.port is None:
                self.port = int(m.group(2))
                self._port_seen.set()

    async def stop(self, within: float = 10.0) -> int | None:
        """SIGTERM and wait; returns the exit code (killed after `within` seconds)."""
        if self.proc is None:
            return None
        if self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), within)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        await asyncio.wait(self._readers, timeout=2)
        return self.proc.returncode

    async def __aenter__(self) -> BotProcess:
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.stop()


async def run_cli(tmp_path: Path, env: dict[str, str], *args: str,
                  within: float = 30.0) -> tuple[int, str, str]:
    """`python -m bot ARGS` to completion: (exit code, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), within)
    return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
