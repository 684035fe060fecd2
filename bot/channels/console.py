"""The terminal: the same conversation as Telegram and Zalo, on the same database.

Reads one message a line until end of input, so `printf 'SXD\\n' | make chat` works too.
Choices are numbered; answering with the number picks one, as on Zalo.
"""
from __future__ import annotations

import asyncio
import re
import signal
import sys
from pathlib import Path

from bot.core import Reply, Request
from bot.text import clean_input

CHANNEL = "console"
GREETING = "Trợ lý KH147 — gõ câu hỏi hoặc lệnh (/trogiup); Ctrl+D để thoát."


# C0 and C1 controls but newline and tab: a stored note holding ESC [ … could recolour,
# clear or retitle the operator's terminal if printed raw
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """Text safe to print on a terminal: control characters shown as \\xNN, not obeyed."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def render(reply: Reply) -> str:
    """Plain text with numbered choices, the way channels without buttons show them."""
    lines = [reply.text]
    if reply.choices:
        lines += [f"  {i}. {c.label}" for i, c in enumerate(reply.choices, 1)]
        lines.append("  (trả lời bằng số thứ tự)")
    return visible("\n".join(lines))


def save_file(reply: Reply, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(reply.file.filename).name
    path.write_bytes(reply.file.content)
    return path


async def converse(svc, user_id: str, lines, out=print) -> None:
    """Feed each input line to the dispatcher and print what comes back."""
    from handlers import dispatch

    for line in lines:
        text = clean_input(line.rstrip("\n"))  # the same edge cleaning as every channel
        if not text.strip():
            continue
        req = Request(channel=CHANNEL, user_id=user_id, chat_id=user_id, text=text,
                      user_name="Terminal", is_admin=svc.is_admin(CHANNEL, user_id))
        for reply in await dispatch(req, svc):
            prefix = ""
            if reply.chat and reply.chat != req.chat:
                prefix = f"[gửi tới {reply.chat.channel}:{reply.chat.chat_id}] "
            out(prefix + render(reply))
            if reply.file:
                out(f"(đã lưu tệp: {save_file(reply, Path('data'))})")
            out("")


class _Keyboard:
    """Ctrl+C at the prompt ends the chat like Ctrl+D; during an answer it ends the chat
    once the answer is printed. Never an interrupt inside the event loop: that would cancel
    the database's own clean-up and print a traceback."""

    def __init__(self) -> None:
        self.reading = False
        self.stop = False

    def on_sigint(self, _signum, _frame) -> None:
        if self.reading:
            raise KeyboardInterrupt
        self.stop = True


async def _main(user_id: str, admin: bool, keyboard: _Keyboard) -> int:
    from bot.config import load_settings
    from bot.db.migrate import describe_db_error
    from bot.services import open_services

    settings = load_settings()
    try:
        svc = await open_services(settings)
    except Exception as e:  # unreachable server, missing database: one line, not a traceback
        print(describe_db_error(settings.DATABASE_URL, e), file=sys.stderr)
        return 1
    if admin:
        svc.console_admins = frozenset({user_id})
    interactive = sys.stdin.isatty()
    if interactive:
        print(GREETING)

    def read_lines():
        while not keyboard.stop:
            if interactive:
                print("> ", end="", flush=True)
            keyboard.reading = True
            try:
                line = sys.stdin.readline()
            except KeyboardInterrupt:
                line = ""
            finally:
                keyboard.reading = False
            if not line:
                if interactive:
                    print()
                return
            yield line

    try:
        await converse(svc, user_id, read_lines())
    finally:
        await svc.close()
    return 0


def cli_chat(user_id: str = "1", admin: bool = False) -> int:
    keyboard = _Keyboard()
    # our own handler: asyncio.run then leaves SIGINT alone instead of cancelling the task
    previous = signal.signal(signal.SIGINT, keyboard.on_sigint)
    try:
        return asyncio.run(_main(user_id, admin, keyboard))
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGINT, previous)
