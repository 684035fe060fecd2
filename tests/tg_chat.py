"""The end-to-end Telegram tests' common steps: the real `python -m bot run` served against the
loopback Bot API (tests/tg_stub.py), and what an official does in a private chat with it."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from tg_stub import BotProcess, TelegramStub


@contextmanager
def serving_bot(workdir, now: str | None = None,
                **settings: str) -> Iterator[tuple[TelegramStub, BotProcess]]:
    """(stub, process): the bot polling a fresh stand-in with `settings`, its clock starting at
    `now` (tests/clock; by default the quiet instant of tests/conftest.py); stopped after."""
    if now is not None:
        settings["KH147_TEST_NOW"] = now
    with TelegramStub() as stub:
        proc = BotProcess(workdir, TELEGRAM_BOT_TOKEN=stub.token,
                          TELEGRAM_API_BASE_URL=stub.base_url, **settings).start()
        try:
            stub.wait_for("getUpdates", timeout=20)
            yield stub, proc
        finally:
            if proc.alive():
                proc.stop()


def say(stub, user: int, text: str, to: int | None = None) -> dict:
    """`user` types `text` in their private chat; the bot's message to `to` (default: them)."""
    mark = stub.mark()
    stub.send_text(user, user, text)
    [call] = stub.wait_for("sendMessage", since=mark, chat_id=to or user)
    return call.params


def press(stub, user: int, data: str, to: int | None = None) -> dict:
    """`user` presses the button carrying `data`; the bot's message to `to` (default: them)."""
    mark = stub.mark()
    stub.press(user, user, data)
    [call] = stub.wait_for("sendMessage", since=mark, chat_id=to or user)
    return call.params


def buttons(msg: dict) -> list[dict]:
    return [b for row in (msg.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def db(proc: BotProcess, sql: str) -> list[tuple]:
    """The rows `sql` reads from the bot's SQLite database."""
    with sqlite3.connect(proc.db_path) as conn:
        return conn.execute(sql).fetchall()
