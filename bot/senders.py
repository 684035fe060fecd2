"""What sends a reply to a chat, seen from the parts that send on their own (the reminder
engine): neither a platform nor a channel adapter, only `send` and its outcome.

Channel adapters (bot/channels/) are senders; the runner and `remind` hand them to the reminder
engine, which never imports a channel.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core import Reply


@dataclass(frozen=True)
class SendResult:
    ok: bool
    blocked: bool = False  # the chat blocked or removed the bot: mark inactive, never retry
    migrated_to: str | None = None  # Telegram group became a supergroup: new chat id
    error: str = ""  # a transient failure: the caller may retry later


class Sender(Protocol):
    name: str  # "telegram", "zalo", "console"

    async def send(self, chat_id: str, reply: Reply) -> SendResult:
        """Deliver one reply (split, rendered) with the channel's retries and rate limits."""
