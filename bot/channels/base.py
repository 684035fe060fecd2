"""What the runner and the reminder engine need from a channel adapter."""
from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from aiohttp import web

from bot.core import Reply
from bot.senders import Sender, SendResult

__all__ = ["Channel", "SendResult", "Sender", "deliver"]  # SendResult lives in bot.senders


class Channel(Sender, Protocol):
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
