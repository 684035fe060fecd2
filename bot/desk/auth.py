"""Who may use the web desk: one-time sign-in links sent by /web, and server-side sessions.

Only SHA-256 digests of the tokens are stored, so a copy of the database opens nothing.
A link is valid LINK_TTL and used once (one UPDATE decides, so two clicks cannot both win);
a session lasts SESSION_TTL and ends on sign-out, or as soon as its admin is no longer one.
Every moment comes from the services' clock.

    issue_link(svc, channel, external_id) -> token
    link_is_usable(svc, token) -> bool            (the sign-in page shows its button)
    use_link(svc, token) -> (channel, external_id) | None
    open_session(svc, channel, external_id) -> token
    session_admin(svc, token) -> (channel, external_id) | None
    close_session(svc, token)
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select, update

from bot.db.models import DeskToken

LINK_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=8)
LINK, SESSION = "link", "session"
MAX_TOKEN = 128  # longer "tokens" are refused before hashing


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


async def _issue(svc, kind: str, channel: str, external_id: str, ttl: timedelta) -> str:
    token = secrets.token_urlsafe(32)
    now = svc.now()
    async with svc.sessions() as s, s.begin():
        await s.execute(delete(DeskToken).where(DeskToken.expires_at < now))
        s.add(DeskToken(kind=kind, token_hash=digest(token), channel=channel,
                        external_id=str(external_id), created_at=now, expires_at=now + ttl))
    return token


async def issue_link(svc, channel: str, external_id: str) -> str:
    return await _issue(svc, LINK, channel, external_id, LINK_TTL)


def _live(kind: str, token: str, now):
    return (DeskToken.kind == kind, DeskToken.token_hash == digest(token),
            DeskToken.used_at.is_(None), DeskToken.expires_at > now)


def _plausible(token: str | None) -> bool:
    return bool(token) and len(token) <= MAX_TOKEN


async def link_is_usable(svc, token: str) -> bool:
    if not _plausible(token):
        return False
    async with svc.sessions() as s:
        found = (await s.execute(select(DeskToken.id).where(*_live(LINK, token, svc.now()))))
        return found.first() is not None


async def use_link(svc, token: str) -> tuple[str, str] | None:
    """The admin a valid, unused link was sent to; the link is spent by this call."""
    if not _plausible(token):
        return None
    now = svc.now()
    async with svc.sessions() as s, s.begin():
        done = await s.execute(update(DeskToken).where(*_live(LINK, token, now))
                               .values(used_at=now))
        if done.rowcount != 1:
            return None
        row = (await s.execute(select(DeskToken.channel, DeskToken.external_id).where(
            DeskToken.token_hash == digest(token)))).one()
    who = (row.channel, row.external_id)
    return who if svc.is_admin(*who) else None


async def open_session(svc, channel: str, external_id: str) -> str:
    return await _issue(svc, SESSION, channel, external_id, SESSION_TTL)


async def session_admin(svc, token: str | None) -> tuple[str, str] | None:
    if not _plausible(token):
        return None
    async with svc.engine.connect() as conn:  # every page asks: no ORM session
        row = (await conn.execute(select(DeskToken.channel, DeskToken.external_id).where(
            *_live(SESSION, token, svc.now())))).first()
    if row is None:
        return None
    who = (row.channel, row.external_id)
    return who if svc.is_admin(*who) else None  # removed from ADMIN_*_IDS: out at once


async def close_session(svc, token: str | None) -> None:
    if not _plausible(token):
        return
    async with svc.sessions() as s, s.begin():
        await s.execute(update(DeskToken).where(*_live(SESSION, token, svc.now()))
                        .values(used_at=svc.now()))
