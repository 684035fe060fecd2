"""Conversation state kept in the database so that a restart loses nothing."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select

from bot.db.models import Pending, utcnow

ANY_USER = ""  # numbered choices belong to the chat, not to one user


async def put(sessions, channel: str, chat_id: str, user_id: str, kind: str, payload: Any) -> None:
    async with sessions() as s, s.begin():
        await s.execute(delete(Pending).where(
            Pending.channel == channel, Pending.chat_external_id == chat_id,
            Pending.user_external_id == user_id))
        s.add(Pending(channel=channel, chat_external_id=chat_id, user_external_id=user_id,
                      kind=kind, payload=json.dumps(payload, ensure_ascii=False),
                      created_at=utcnow()))


async def get(sessions, channel: str, chat_id: str, user_id: str,
              max_age: timedelta | None = None) -> tuple[str, Any] | None:
    """The stored state, or None; state older than `max_age` counts as none (a list of
    choices from yesterday must not turn today's "2" into a button press)."""
    async with sessions() as s:
        row = (await s.execute(select(Pending).where(
            Pending.channel == channel, Pending.chat_external_id == chat_id,
            Pending.user_external_id == user_id))).scalar_one_or_none()
    if row is None or (max_age is not None and utcnow() - row.created_at > max_age):
        return None
    return row.kind, json.loads(row.payload)


async def clear(sessions, channel: str, chat_id: str, user_id: str) -> None:
    async with sessions() as s, s.begin():
        await s.execute(delete(Pending).where(
            Pending.channel == channel, Pending.chat_external_id == chat_id,
            Pending.user_external_id == user_id))
