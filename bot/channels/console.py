"""The terminal: the same conversation as Telegram and Zalo, on the same database.

Reads one message a line until end of input, so `printf 'SXD\\n' | make chat` works too.
Choices are numbered; answering with the number picks one, as on Zalo.
"""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.core import Reply, Request

CHANNEL = "console"
GREETING = "Trợ lý KH147 — gõ câu hỏi hoặc lệnh (/trogiup); Ctrl+D để thoát."


def render(reply: Reply) -> str:
    """Plain text with numbered choices, the way channels without buttons show them."""
    lines = [reply.text]
    if reply.choices:
        lines += [f"  {i}. {c.label}" for i, c in enumerate(reply.choices, 1)]
        lines.append("  (trả lời bằng số thứ tự)")
    return "\n".join(lines)


def save_file(reply: Reply, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(reply.file.filename).name
    path.write_bytes(reply.file.content)
    return path


async def converse(svc, user_id: str, lines, out=print) -> None:
    """Feed each input line to the dispatcher and print what comes back."""
    from handlers import dispatch

    for line in lines:
        text = line.rstrip("\n")
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


async def _main(user_id: str, admin: bool) -> int:
    from bot.config import load_settings
    from bot.services import open_services

    settings = load_settings()
    svc = await open_services(settings)
    if admin:
        svc.console_admins = frozenset({user_id})
    interactive = sys.stdin.isatty()
    if interactive:
        print(GREETING)

    def read_lines():
        while True:
            if interactive:
                print("> ", end="", flush=True)
            line = sys.stdin.readline()
            if not line:
                return
            yield line

    try:
        await converse(svc, user_id, read_lines())
    finally:
        await svc.close()
    return 0


def cli_chat(user_id: str = "1", admin: bool = False) -> int:
    try:
        return asyncio.run(_main(user_id, admin))
    except KeyboardInterrupt:
        return 0
