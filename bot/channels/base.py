"""What the runner and the reminder engine need from a channel adapter."""
from __future__ import annotations

from dataclasses import dataclass, replace
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


async def deliver(svc, own: Channel, origin_chat_id: str, reply: Reply) -> SendResult:
    """Send a reply where it belongs: the origin chat, another chat on this channel, or a
    chat on another running channel (a Zalo admin approving a Telegram official)."""
    target = reply.chat
    if target is None or target.channel == own.name:
        return await own.send(target.chat_id if target else origin_chat_id, reply)
    other = svc.senders.get(target.channel)
    if other is None:
        return SendResult(ok=False, error=f"channel {target.channel} is not running")
    return await other.send(target.chat_id, replace(reply, chat=None))
