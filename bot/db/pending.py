"""Conversation state kept in the database so that a restart loses nothing.

Two kinds of state live here, one row per (channel, chat, user):

- a user's guided flow (`put`/`get`/`clear` under the user's id): one step at a time;
- the chat's numbered choices (under ANY_USER), for channels without buttons (Zalo, the
  terminal). These are a *stack of lists*, not one list: a registration notice pushed into an
  admin's chat while the admin is reading an earlier one must not change what the earlier
  notice's "1" means (an impostor approved by a stale number). Each list has its own sequence
  number; handlers.dispatch decides which list a typed number belongs to, and asks when it
  cannot tell.

Every write is one atomic statement or runs under the row's write lock, so concurrent writers
to one chat (two /dangky notifying the same admin at once) neither collide on the unique key
(`uq_pending_channel`) nor lose each other's lists.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.db.models import Pending, utcnow

ANY_USER = ""  # numbered choices belong to the chat, not to one user
CHOICES = "choices"  # kind of the ANY_USER row
MAX_LISTS = 10  # lists kept per chat; older ones are forgotten


def _insert(sessions):
    """INSERT with ON CONFLICT for the engine behind `sessions` (both dialects support it)."""
    name = sessions.kw["bind"].dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(Pending)


def _json(payload: Any) -> str:
    """ASCII JSON: a lone surrogate or NUL inside (a label echoing odd input) is an escape
    that every engine stores, not a character that fails the write."""
    return json.dumps(payload)


def _key(channel: str, chat_id: str, user_id: str):
    return (Pending.channel == channel, Pending.chat_external_id == chat_id,
            Pending.user_external_id == user_id)


async def put(sessions, channel: str, chat_id: str, user_id: str, kind: str, payload: Any,
              now: datetime | None = None) -> None:
    """Store (replace) the state of (channel, chat, user) in one upsert: two writers at once
    end with one row, the later one, and neither fails."""
    values = dict(channel=channel, chat_external_id=chat_id, user_external_id=user_id,
                  kind=kind, payload=_json(payload),
                  created_at=now or utcnow())
    stmt = _insert(sessions).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["channel", "chat_external_id", "user_external_id"],
        set_={"kind": stmt.excluded.kind, "payload": stmt.excluded.payload,
              "created_at": stmt.excluded.created_at})
    async with sessions() as s, s.begin():
        await s.execute(stmt)


async def get(sessions, channel: str, chat_id: str, user_id: str,
              max_age: timedelta | None = None,
              now: datetime | None = None) -> tuple[str, Any] | None:
    """The stored state, or None; state older than `max_age` counts as none (a list of
    choices from yesterday must not turn today's "2" into a button press)."""
    async with sessions() as s:
        row = (await s.execute(select(Pending).where(*_key(channel, chat_id, user_id)))
               ).scalar_one_or_none()
    if row is None or (max_age is not None and (now or utcnow()) - row.created_at > max_age):
        return None
    return row.kind, json.loads(row.payload)


async def clear(sessions, channel: str, chat_id: str, user_id: str) -> None:
    async with sessions() as s, s.begin():
        await s.execute(delete(Pending).where(*_key(channel, chat_id, user_id)))


# ---------------------------------------------------------------- the chat's choice lists

def _lists_of(row: Pending | None) -> tuple[int, list[dict]]:
    """(last sequence number, lists) of a chat's row; rows written before lists were stacked
    hold one bare list of [label, data] and read as list 0."""
    if row is None or row.kind != CHOICES:
        return 0, []
    data = json.loads(row.payload)
    if isinstance(data, list):
        return 0, [{"seq": 0, "at": row.created_at.isoformat(), "to": "", "title": "",
                    "choices": data}]
    return int(data.get("seq", 0)), list(data.get("lists", []))


async def choice_lists(sessions, channel: str, chat_id: str) -> tuple[int, list[dict]]:
    """The chat's last list number and its lists, oldest first (each a dict: seq, at (ISO
    time), to (the user it answered, "" for a notice pushed into the chat), title, choices)."""
    async with sessions() as s:
        row = (await s.execute(select(Pending).where(*_key(channel, chat_id, ANY_USER)))
               ).scalar_one_or_none()
    return _lists_of(row)


async def _change_lists(sessions, channel: str, chat_id: str, change, now: datetime) -> None:
    """Read-modify-write the chat's lists under its row lock. The INSERT … ON CONFLICT DO
    NOTHING makes the row exist and, being a write, takes SQLite's write lock first; FOR UPDATE
    locks the row on PostgreSQL. A concurrent writer waits, then sees this one's lists."""
    ensure = _insert(sessions).values(
        channel=channel, chat_external_id=chat_id, user_external_id=ANY_USER, kind=CHOICES,
        payload=json.dumps({"seq": 0, "lists": []}), created_at=now
    ).on_conflict_do_nothing(index_elements=["channel", "chat_external_id", "user_external_id"])
    async with sessions() as s, s.begin():
        await s.execute(ensure)
        row = (await s.execute(select(Pending).where(*_key(channel, chat_id, ANY_USER))
                               .with_for_update())).scalar_one()
        seq, lists = _lists_of(row)
        seq, lists = change(seq, lists)
        await s.execute(update(Pending).where(Pending.id == row.id).values(
            kind=CHOICES, created_at=now,
            payload=_json({"seq": seq, "lists": lists[-MAX_LISTS:]})))


async def push_choices(sessions, channel: str, chat_id: str, choices: list[list[str]], *,
                       to: str = ANY_USER, title: str = "", supersedes_upto: int | None = None,
                       now: datetime | None = None) -> None:
    """Add a list to the chat. `supersedes_upto`: the list answers `to`'s own message, sent
    when the chat's last list was number `supersedes_upto`; the lists `to` had seen by then
    (its own and the notices) are replaced. Lists that came later, and other users' lists in
    a group, are kept: nobody's list changes meaning while they read it."""
    now = now or utcnow()

    def change(seq, lists):
        if supersedes_upto is not None:
            lists = [e for e in lists
                     if not (e.get("to", "") in (to, ANY_USER) and e["seq"] <= supersedes_upto)]
        seq += 1
        lists.append({"seq": seq, "at": now.isoformat(), "to": to, "title": title,
                      "choices": choices})
        return seq, lists

    await _change_lists(sessions, channel, chat_id, change, now)


async def drop_choices(sessions, channel: str, chat_id: str, seqs: set[int],
                       now: datetime | None = None) -> None:
    """Forget the lists numbered `seqs` (a list is used once)."""
    await _change_lists(sessions, channel, chat_id,
                        lambda seq, lists: (seq, [e for e in lists if e["seq"] not in seqs]),
                        now or utcnow())


# ---------------------------------------------------------------- the conversation's subject

SUBJECT = "subject"  # kind of a user's row when it holds the last subject, no flow
SUBJECT_TTL = timedelta(hours=2)  # a follow-up after this is a new conversation


async def get_subject(sessions, channel: str, chat_id: str, user_id: str,
                      now: datetime | None = None) -> dict | None:
    """The last subject of (channel, chat, user) (bot.answer.followup.Subject.to_dict), or
    None: none stored, too old, or the row holds a guided flow instead."""
    got = await get(sessions, channel, chat_id, user_id, max_age=SUBJECT_TTL, now=now)
    if got is None or got[0] != SUBJECT or not isinstance(got[1], dict):
        return None
    return got[1]


async def put_subject(sessions, channel: str, chat_id: str, user_id: str, subject: dict,
                      now: datetime | None = None) -> None:
    """Keep the last subject in the user's one row, in one upsert that never replaces a
    guided flow waiting for an answer (the flow's row stays as it is)."""
    values = dict(channel=channel, chat_external_id=chat_id, user_external_id=user_id,
                  kind=SUBJECT, payload=json.dumps(subject), created_at=now or utcnow())
    stmt = _insert(sessions).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["channel", "chat_external_id", "user_external_id"],
        set_={"payload": stmt.excluded.payload, "created_at": stmt.excluded.created_at},
        where=Pending.kind == SUBJECT)
    async with sessions() as s, s.begin():
        await s.execute(stmt)
