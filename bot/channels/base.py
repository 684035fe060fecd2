"""What the runner and the reminder engine need from a channel adapter."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from bot.core import Reply


@dataclass(frozen=True)
class SendResult:
    ok: bool
    blocked: bool = False  # the chat blocked or removed the bot: mark inactive, never retry
    migrated_to: str | None = None  # Telegram group became a supergroup: new chat id
    error: str = ""  # a transient failure: the caller may retry later


class Channel(Protocol):
    name: str  # "telegram", "zalo"

    def setup(self, app: web.Application) -> None:
        """Add webhook routes to the shared aiohttp app (called before it starts)."""

    async def start(self) -> None:
        """Begin receiving updates (polling task or webhook registration)."""

    async def stop(self) -> None:
        """Stop receiving, finish in-flight work, close HTTP sessions."""

    async def send(self, chat_id: str, reply: Reply) -> SendResult:
        """Deliver one reply (split, rendered) with the channel's retries and rate limits."""
