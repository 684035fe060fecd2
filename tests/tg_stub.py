"""A loopback stand-in for the Telegram Bot API, for tests and benches.

Start it on 127.0.0.1 (a free port), point `TELEGRAM_API_BASE_URL` at `stub.base_url`, queue
updates as users would send them, then look at what the bot called:

    with TelegramStub() as stub:              # runs in a background thread
        env["TELEGRAM_API_BASE_URL"] = stub.base_url
        stub.send_text(chat_id=1, user_id=1, text="/start")
        call = stub.wait_for("sendMessage", chat_id=1)
        stub.fail("sendMessage", "429", times=1, retry_after=1)

Or inside a running event loop: `await stub.start()` ... `await stub.stop()`.

Every call is recorded (`stub.calls`) with its decoded parameters and whether it succeeded.
Faults: "429" (retry_after), "500", "502", "403" (bot was blocked by the user), "403kicked",
"400migrate" (group upgraded to a supergroup, with migrate_to_chat_id), "timeout" (no answer
for a while), for the next N matching calls or for a fraction of them.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

# parameters Telegram treats as strings; everything else PTB sends JSON-encoded
STRING_PARAMS = {"text", "caption", "parse_mode", "callback_query_id", "url", "secret_token",
                 "query", "description", "short_description", "name", "language_code",
                 "emoji", "title", "inline_message_id"}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    ok: bool
    at: float
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # field -> (name, bytes)

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)


@dataclass
class Fault:
    method: str
    kind: str
    times: int | None  # None: forever
    fraction: float
    match: Callable[[dict], bool] | None
    retry_after: int
    migrate_to: int | None


class TelegramStub:
    def __init__(self, token: str = "123:ABC", *, bot_id: int = 123,
                 username: str = "kh147_test_bot", seed: int = 147) -> None:
        self.token = token
        self.bot_id = bot_id
        self.username = username
        self.port = 0
        self.calls: list[Call] = []
        # (chat_id, user_id) -> status answered by getChatMember; default "member"
        self.member_status: dict[tuple[int, int], str] = {}
        self.terse_members = False  # answer getChatMember with status and user only
        self._faults: list[Fault] = []
        self._updates: list[dict] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._lock = threading.Lock()
        self._rand = random.Random(seed)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._new_update: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None
        self._closing = False

    # ---- lifecycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._new_update = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self._closing = True
        if self._new_update:
            self._new_update.set()  # pending long polls return now
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    def __enter__(self) -> TelegramStub:
        started = threading.Event()

        def run() -> None:
            async def main() -> None:
                self._stopped = asyncio.Event()
                await self.start()
                started.set()
                await self._stopped.wait()
                await self.stop()
            asyncio.run(main())

        self._thread = threading.Thread(target=run, name="tg-stub", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("Telegram stub did not start")
        return self

    def __exit__(self, *exc) -> None:
        if self._loop and self._stopped:
            self._loop.call_soon_threadsafe(self._stopped.set)
        if self._thread:
            self._thread.join(10)

    # ---- updates ---------------------------------------------------------------------------

    def push(self, update: dict) -> dict:
        """Queue one update (an update_id is added when missing); thread-safe."""
        with self._lock:
            update.setdefault("update_id", next(self._update_ids))
            self._updates.append(update)
        self._wake()
        return update

    def next_message_id(self) -> int:
        with self._lock:
            return next(self._message_ids)

    def message(self, chat_id: int, user_id: int, text: str, *, chat_type: str = "private",
                title: str = "Nhóm thử", first_name: str = "Cán bộ", reply_to_bot: bool = False,
                **extra: Any) -> dict:
        """A message update as Telegram would send it (entities for commands and mentions)."""
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
        else:
            chat["title"] = title
        msg: dict[str, Any] = {
            "message_id": self.next_message_id(), "date": int(time.time()), "chat": chat,
            "from": {"id": user_id, "is_bot": False, "first_name": first_name},
        }
        if text:
            msg["text"] = text
            entities = _entities(text, self.username)
            if entities:
                msg["entities"] = entities
        if reply_to_bot:
            msg["reply_to_message"] = {
                "message_id": self.next_message_id() - 1, "date": int(time.time()), "chat": chat,
                "from": self.me(), "text": "…"}
        msg.update(extra)
        return {"message": msg}

    def send_text(self, chat_id: int, user_id: int, text: str, **kw: Any) -> dict:
        return self.push(self.message(chat_id, user_id, text, **kw))

    def press(self, chat_id: int, user_id: int, data: str, *, chat_type: str = "private",
              message_id: int | None = None) -> dict:
        """A callback query: the user pressed an inline button carrying `data`."""
        chat = {"id": chat_id, "type": chat_type}
        msg = {"message_id": message_id or self.next_message_id(), "date": int(time.time()),
               "chat": chat, "from": self.me(), "text": "…"}
        cq = {"id": f"cq{self.next_message_id()}", "chat_instance": str(chat_id),
              "from": {"id": user_id, "is_bot": False, "first_name": "Cán bộ"},
              "message": msg, "data": data}
        return self.push({"callback_query": cq})

    def me(self) -> dict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "KH147",
                "username": self.username, "can_join_groups": True,
                "can_read_all_group_messages": False, "supports_inline_queries": False}

    def _wake(self) -> None:
        if self._loop and self._new_update:
            self._loop.call_soon_threadsafe(self._new_update.set)

    # ---- faults ----------------------------------------------------------------------------

    def fail(self, method: str, kind: str, *, times: int | None = 1, fraction: float = 1.0,
             match: Callable[[dict], bool] | None = None, chat_id: int | str | None = None,
             retry_after: int = 1, migrate_to: int | None = None) -> None:
        """Answer the next `times` matching calls (None: all of them; `fraction`: only that
        share of them) with an error of `kind`."""
        if chat_id is not None:
            want = str(chat_id)
            prev = match
            def match(p: dict, _prev=prev) -> bool:  # noqa: E306
                return str(p.get("chat_id")) == want and (_prev is None or _prev(p))
        with self._lock:
            self._faults.append(Fault(method, kind, times, fraction, match, retry_after,
                                      migrate_to))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _take_fault(self, method: str, params: dict) -> Fault | None:
        with self._lock:
            for f in self._faults:
                if f.method != method or (f.match and not f.match(params)):
                    continue
                if f.fraction < 1.0 and self._rand.random() >= f.fraction:
                    continue
                if f.times is not None:
                    f.times -= 1
                    if f.times <= 0:
                        self._faults.remove(f)
                return f
        return None

    # ---- looking at calls ------------------------------------------------------------------

    def calls_to(self, method: str, *, ok: bool | None = True, **params: Any) -> list[Call]:
        """Recorded calls of `method` whose params equal the given ones (compared as str)."""
        with self._lock:
            found = list(self.calls)
        return [c for c in found if c.method == method and (ok is None or c.ok == ok)
                and all(str(c.params.get(k)) == str(v) for k, v in params.items())]

    def wait_for(self, method: str, *, count: int = 1, timeout: float = 10.0,
                 where: Callable[[Call], bool] | None = None, since: int = 0,
                 **params: Any) -> list[Call]:
        """Block until `count` successful matching calls were recorded after index `since`."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                tail = self.calls[since:]
            hits = [c for c in tail if c.method == method and c.ok
                    and all(str(c.params.get(k)) == str(v) for k, v in params.items())
                    and (where is None or where(c))]
            if len(hits) >= count:
                return hits
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"waited {timeout}s for {count}× {method} {params}: got {len(hits)}; "
                    f"last calls: {[(c.method, c.params) for c in tail[-5:]]}")
            time.sleep(0.02)

    async def await_for(self, method: str, **kw: Any) -> list[Call]:
        return await asyncio.to_thread(self.wait_for, method, **kw)

    def mark(self) -> int:
        """The current number of recorded calls, for `wait_for(since=...)`."""
        with self._lock:
            return len(self.calls)

    # ---- the HTTP side ---------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params, files = await _read_params(request)
        fault = self._take_fault(method, params)
        if fault is not None:
            self._record(method, params, files, ok=False)
            return await self._fault_response(fault)
        if method == "getUpdates":
            self._record(method, params, files, ok=True)  # at arrival: "the bot is polling"
            result = await self._get_updates(params)
            return web.json_response({"ok": True, "result": result})
        else:
            result = self._answer(method, params, files)
            if isinstance(result, web.Response):
                self._record(method, params, files, ok=False)
                return result
        self._record(method, params, files, ok=True)
        return web.json_response({"ok": True, "result": result})

    def _record(self, method: str, params: dict, files: dict, ok: bool) -> None:
        with self._lock:
            self.calls.append(Call(method, params, ok, time.monotonic(), files))

    async def _fault_response(self, f: Fault) -> web.Response:
        if f.kind == "429":
            return _error(429, f"Too Many Requests: retry after {f.retry_after}",
                          {"retry_after": f.retry_after})
        if f.kind in ("500", "502"):
            return _error(int(f.kind), "Internal Server Error" if f.kind == "500"
                          else "Bad Gateway")
        if f.kind == "403":
            return _error(403, "Forbidden: bot was blocked by the user")
        if f.kind == "403kicked":
            return _error(403, "Forbidden: bot was kicked from the group chat")
        if f.kind == "400migrate":
            return _error(400, "Bad Request: group chat was upgraded to a supergroup chat",
                          {"migrate_to_chat_id": f.migrate_to})
        if f.kind == "timeout":
            await asyncio.sleep(f.retry_after)
            return _error(504, "Gateway Timeout")
        raise ValueError(f"unknown fault kind {f.kind!r}")

    async def _get_updates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        wait = min(float(params.get("timeout") or 0), 10.0)
        deadline = time.monotonic() + wait
        while True:
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                batch = self._updates[:limit]
                if not batch:
                    self._new_update.clear()
            if batch or self._closing or time.monotonic() >= deadline:
                return batch
            try:
                await asyncio.wait_for(self._new_update.wait(), deadline - time.monotonic())
            except TimeoutError:
                pass

    def _answer(self, method: str, p: dict, files: dict) -> Any:
        if method == "getMe":
            return self.me()
        if method in ("sendMessage", "sendDocument", "editMessageText",
                      "editMessageReplyMarkup"):
            chat_id = p.get("chat_id")
            msg: dict[str, Any] = {
                "message_id": self.next_message_id(), "date": int(time.time()),
                "chat": {"id": int(chat_id) if str(chat_id).lstrip("-").isdigit() else 0,
                         "type": "private" if str(chat_id).lstrip("-") == str(chat_id)
                         else "supergroup"},
                "from": self.me()}
            if method == "sendDocument":
                name, content = files.get("document", ("file", b""))
                msg["document"] = {"file_id": f"f{msg['message_id']}", "file_unique_id": "u",
                                   "file_name": name, "file_size": len(content)}
                if p.get("caption"):
                    msg["caption"] = p["caption"]
            else:
                msg["text"] = p.get("text", "")
            return msg
        if method == "getChatMember":
            status = self.member_status.get((int(p["chat_id"]), int(p["user_id"])), "member")
            member: dict[str, Any] = {"status": status, "user": {
                "id": int(p["user_id"]), "is_bot": False, "first_name": "Cán bộ"}}
            if status == "administrator" and not self.terse_members:
                member.update({k: True for k in (
                    "can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
                    "can_manage_video_chats", "can_restrict_members", "can_promote_members",
                    "can_change_info", "can_invite_users", "can_post_stories",
                    "can_edit_stories", "can_delete_stories")})
                member["can_be_edited"] = False
            if status == "creator":
                member["is_anonymous"] = False
            return member
        if method == "getMyCommands":
            return []
        # setMyCommands, deleteWebhook, setWebhook, answerCallbackQuery, sendChatAction, …
        return True


def _error(code: int, description: str, parameters: dict | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)


async def _read_params(request: web.Request) -> tuple[dict, dict]:
    params: dict[str, Any] = dict(request.query)
    files: dict[str, tuple[str, bytes]] = {}
    ctype = request.content_type
    if ctype == "application/json":
        body = await request.json() if request.can_read_body else {}
        params.update(body or {})
        return params, files
    if ctype == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            data = await part.read()
            if part.filename is not None:
                files[part.name] = (part.filename, bytes(data))
            else:
                params[part.name] = data.decode("utf-8")
    elif request.can_read_body:
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    for k, v in list(params.items()):
        if k not in STRING_PARAMS and isinstance(v, str):
            try:
                params[k] = json.loads(v)
            except ValueError:
                pass
    # PTB attaches uploaded files as "attach://name": resolve to the file field
    for k, v in list(params.items()):
        if isinstance(v, str) and v.startswith("attach://") and v[9:] in files:
            files[k] = files[v[9:]]
    return params, files


def _entities(text: str, username: str) -> list[dict]:
    """bot_command at the start, and @mentions, with UTF-16 offsets as Telegram counts them."""
    out: list[dict] = []
    if text.startswith("/"):
        cmd = text.split(maxsplit=1)[0]
        out.append({"type": "bot_command", "offset": 0, "length": _u16(cmd)})
    pos = 0
    while (i := text.find("@", pos)) >= 0:
        j = i + 1
        while j < len(text) and (text[j].isalnum() or text[j] == "_"):
            j += 1
        if j - i > 1 and not (out and i < out[0]["length"]):
            out.append({"type": "mention", "offset": _u16(text[:i]), "length": _u16(text[i:j])})
        pos = j
    return out


def _u16(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


# ---- the real bot process -------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
SETTING_NAMES = ("DATABASE_URL", "TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "TELEGRAM_MODE",
                 "ZALO_BOT_TOKEN", "ZALO_API_BASE_URL", "WEBHOOK_BASE_URL", "WEBHOOK_SECRET",
                 "HTTP_HOST", "HTTP_PORT", "ADMIN_TELEGRAM_IDS", "ADMIN_ZALO_IDS", "BOT_TIMEZONE",
                 "REMINDER_DAYS", "REMINDER_TIME", "TELEGRAM_MAX_RATE")


class BotProcess:
    """`python -m bot run` as a child process, in `workdir` (so no developer .env is read),
    its output in workdir/bot.log; `port` is the web app's bound port."""

    def __init__(self, workdir, **env: str) -> None:
        self.workdir = Path(workdir)
        self.log_path = self.workdir / "bot.log"
        self.db_path = self.workdir / "kh147.db"
        base = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
        base.update({"DATABASE_URL": f"sqlite+aiosqlite:///{self.db_path}",
                     "HTTP_HOST": "127.0.0.1", "HTTP_PORT": "0", "PYTHONUNBUFFERED": "1",
                     # tests/clock: the child starts at KH147_TEST_NOW (tests/conftest.py)
                     "PYTHONPATH": f"{ROOT / 'tests' / 'clock'}{os.pathsep}{ROOT}"})
        base.update(env)
        self.env = base
        self.python = sys.executable
        self.proc = None
        self.port: int | None = None

    def start(self, timeout: float = 30.0, wait_listen: bool = True) -> BotProcess:
        self._log = open(self.log_path, "ab")  # noqa: SIM115  (closed in wait())
        self.proc = subprocess.Popen([self.python, "-m", "bot", "run"], cwd=self.workdir,
                                     env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        if wait_listen:
            self.port = int(self.wait_log(r"listening on http://[^:]+:(\d+)", timeout))
        return self

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_log(self, pattern: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.log())
            if m:
                return m.group(1) if m.groups() else m.group(0)
            if self.proc.poll() is not None:
                raise AssertionError(f"bot exited {self.proc.returncode}:\n{self.log()[-3000:]}")
            time.sleep(0.05)
        raise AssertionError(f"no {pattern!r} in the bot's log:\n{self.log()[-3000:]}")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig: int | None = None, timeout: float = 10.0) -> int:
        if self.alive():
            self.proc.send_signal(sig or signal.SIGTERM)
        return self.wait(timeout)

    def wait(self, timeout: float = 10.0) -> int:
        try:
            rc = self.proc.wait(timeout)
        except Exception:
            self.proc.kill()
            rc = self.proc.wait(5)
            raise
        finally:
            self._log.close()
        return rc

    def peak_rss_kb(self) -> int | None:
        """VmHWM of the running child (Linux), in kB."""
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            return None
        return None
