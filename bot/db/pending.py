"""Conversation state kept in the database so that a restart loses nothing.

One conversation's state lives in two rows of the `pending` table, keyed by (channel, chat,
user):

- the user's row (under the user's id): a guided flow waiting for its next step, or, when no
  flow waits, the conversation's last subject (for follow-ups: "họ", "còn … thì sao");
- the chat's row (under ANY_USER): the chat's numbered choices, for channels without buttons
  (Zalo, the terminal). These are a *stack of lists*, not one list: a registration notice
  pushed into an admin's chat while the admin is reading an earlier one must not change what
  the earlier notice's "1" means (an impostor approved by a stale number). Each list has its
  own sequence number; handlers.dispatch decides which list a typed number belongs to, and
  asks when it cannot tell.

handlers.dispatch loads both rows in one SELECT into a `Conversation` (`load`), makes it the
message's conversation (`current()` for the handlers), and writes back only what changed
(`Conversation.save`), once. Every write is one atomic statement or a compare-and-swap with a
fallback under the row's write lock, so concurrent writers to one chat (two /dangky notifying
the same admin at once) neither collide on the unique key (`uq_pending_channel`) nor lose
each other's lists.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.db.models import Pending, utcnow

ANY_USER = ""  # numbered choices belong to the chat, not to one user
CHOICES = "choices"  # kind of the ANY_USER row
MAX_LISTS = 10  # lists kept per chat; older ones are forgotten
SUBJECT = "subject"  # kind of a user's row when it holds the last subject, no flow
SUBJECT_TTL = timedelta(hours=2)  # a follow-up after this is a new conversation

Lists = tuple[int, list[dict]]  # (last sequence number, lists oldest first)
Change = Callable[[int, list[dict]], Lists]


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


_CONFLICT = ["channel", "chat_external_id", "user_external_id"]


async def put(sessions, channel: str, chat_id: str, user_id: str, kind: str, payload: Any,
              now: datetime | None = None) -> None:
    """Store (replace) the state of (channel, chat, user) in one upsert: two writers at once
    end with one row, the later one, and neither fails."""
    async with sessions() as s, s.begin():
        await s.execute(_upsert(sessions, channel, chat_id, user_id, kind, _json(payload),
                                now or utcnow()))


def _upsert(sessions, channel, chat_id, user_id, kind, payload: str, now, where=None):
    stmt = _insert(sessions).values(channel=channel, chat_external_id=chat_id,
                                    user_external_id=user_id, kind=kind, payload=payload,
                                    created_at=now)
    return stmt.on_conflict_do_update(
        index_elements=_CONFLICT, where=where,
        set_={"kind": stmt.excluded.kind, "payload": stmt.excluded.payload,
              "created_at": stmt.excluded.created_at})


async def get(sessions, channel: str, chat_id: str, user_id: str,
              max_age: timedelta | None = None,
              now: datetime | None = None) -> tuple[str, Any] | None:
    """The stored state, or None; state older than `max_age` counts as none."""
    async with sessions() as s:
        row = (await s.execute(select(Pending).where(*_key(channel, chat_id, user_id)))
               ).scalar_one_or_none()
    if row is None or (max_age is not None and (now or utcnow()) - row.created_at > max_age):
        return None
    return row.kind, json.loads(row.payload)


# ---------------------------------------------------------------- the chat's choice lists

def _lists_of(row: Pending | None) -> Lists:
    """(last sequence number, lists) of a chat's row; rows written before lists were stacked
    hold one bare list of [label, data] and read as list 0."""
    if row is None or row.kind != CHOICES:
        return 0, []
    data = json.loads(row.payload)
    if isinstance(data, list):
        return 0, [{"seq": 0, "at": row.created_at.isoformat(), "to": "", "title": "",
                    "choices": data}]
    return int(data.get("seq", 0)), list(data.get("lists", []))


def _lists_payload(seq: int, lists: list[dict]) -> str:
    return _json({"seq": seq, "lists": lists[-MAX_LISTS:]})


async def _change_locked(s, sessions, channel: str, chat_id: str, change: Change,
                         now: datetime) -> None:
    """Read-modify-write the chat's lists under its row lock, inside the session's
    transaction. The INSERT … ON CONFLICT DO NOTHING makes the row exist and, being a write,
    takes SQLite's write lock first; FOR UPDATE locks the row on PostgreSQL. A concurrent
    writer waits, then sees this one's lists."""
    ensure = _insert(sessions).values(
        channel=channel, chat_external_id=chat_id, user_external_id=ANY_USER, kind=CHOICES,
        payload=_lists_payload(0, []), created_at=now
    ).on_conflict_do_nothing(index_elements=_CONFLICT)
    await s.execute(ensure)
    row = (await s.execute(select(Pending).where(*_key(channel, chat_id, ANY_USER))
                           .with_for_update())).scalar_one()
    seq, lists = change(*_lists_of(row))
    await s.execute(update(Pending).where(Pending.id == row.id).values(
        kind=CHOICES, created_at=now, payload=_lists_payload(seq, lists)))


def _push(choices: list[list[str]], to: str, title: str, supersedes_upto: int | None,
          now: datetime) -> Change:
    """Add a list to the chat. `supersedes_upto`: the list answers `to`'s own message, sent
    when the chat's last list was number `supersedes_upto`; the lists `to` had seen by then
    (its own and the notices) are replaced. Lists that came later, and other users' lists in
    a group, are kept: nobody's list changes meaning while they read it."""
    def change(seq: int, lists: list[dict]) -> Lists:
        if supersedes_upto is not None:
            lists = [e for e in lists
                     if not (e.get("to", "") in (to, ANY_USER) and e["seq"] <= supersedes_upto)]
        seq += 1
        return seq, [*lists, {"seq": seq, "at": now.isoformat(), "to": to, "title": title,
                              "choices": choices}]
    return change


async def push_choices(sessions, channel: str, chat_id: str, choices: list[list[str]], *,
                       to: str = ANY_USER, title: str = "", now: datetime | None = None) -> None:
    """Add a list to another chat than the message's (a registration notice to an admin),
    beside that chat's lists, under its row lock."""
    now = now or utcnow()
    async with sessions() as s, s.begin():
        await _change_locked(s, sessions, channel, chat_id,
                             _push(choices, to, title, None, now), now)


# ---------------------------------------------------------------- one message's conversation

class Conversation:
    """One message's view of its conversation: the user's flow or last subject and the
    chat's numbered lists, read once (`load`), changed in memory by the handlers, written
    back once by `save` (nothing when nothing changed)."""

    def __init__(self, sessions, channel: str, chat_id: str, user_id: str, now: datetime,
                 user_row: Pending | None, chat_row: Pending | None) -> None:
        self.sessions, self.channel, self.chat_id, self.user_id = sessions, channel, chat_id, user_id
        self.now = now
        self._user_row = user_row
        self._state = ((user_row.kind, json.loads(user_row.payload), user_row.created_at)
                       if user_row is not None else None)
        self._user_changed = False
        self._chat_row = chat_row
        self.mark, self.lists = _lists_of(chat_row)  # as they stood when the message came
        self._changes: list[Change] = []

    # -- the user's row: a guided flow, or the last subject
    def flow(self, max_age: timedelta) -> tuple[str, Any] | None:
        """The guided flow waiting for this user, unless older than `max_age`."""
        if self._state is None or self._state[0] == SUBJECT:
            return None
        kind, payload, at = self._state
        return (kind, payload) if self.now - at <= max_age else None

    def start_flow(self, kind: str, payload: Any) -> None:
        self._set((kind, payload, self.now))

    def end_flow(self) -> None:
        """Drop the user's flow (a new command, a step taken); the subject is no flow."""
        if self._state is not None and self._state[0] != SUBJECT:
            self._set(None)

    def subject(self) -> dict | None:
        """The last subject (bot.answer.followup.Subject.to_dict), unless too old."""
        if self._state is None or self._state[0] != SUBJECT:
            return None
        _, payload, at = self._state
        return payload if isinstance(payload, dict) and self.now - at <= SUBJECT_TTL else None

    def keep_subject(self, subject: dict) -> None:
        """Remember the subject, never in place of a flow still waiting for an answer."""
        if self.flow(SUBJECT_TTL) is None:
            self._set((SUBJECT, subject, self.now))

    def _set(self, state) -> None:
        self._state, self._user_changed = state, True

    # -- the chat's numbered lists
    def push_list(self, choices: list[list[str]], *, to: str, title: str) -> None:
        """A list given in reply to this message: it replaces the lists the sender had when
        writing (the `mark`), never one that came later."""
        self._changes.append(_push(choices, to, title, self.mark, self.now))

    def drop_lists(self, seqs: set[int]) -> None:
        """Forget the lists numbered `seqs` (a list is used once)."""
        self._changes.append(lambda seq, lists: (seq, [e for e in lists if e["seq"] not in seqs]))

    def clear_lists(self) -> None:
        """Forget every list of the chat (its numbers keep counting up)."""
        self._changes.append(lambda seq, lists: (seq, []))

    def _changed_lists(self, seq: int, lists: list[dict]) -> Lists:
        for change in self._changes:
            seq, lists = change(seq, lists)
        return seq, lists

    # -- writing back
    async def save(self) -> None:
        """Write back what changed, in one transaction: at most one statement for the user's
        row and, for the chat's lists, one compare-and-swap (falling back to the locked
        read-modify-write when another writer changed them meanwhile)."""
        if not self._user_changed and not self._changes:
            return
        async with self.sessions() as s, s.begin():
            if self._user_changed:
                await s.execute(self._user_statement())
            if self._changes and not await self._swap_lists(s):
                await _change_locked(s, self.sessions, self.channel, self.chat_id,
                                     self._changed_lists, self.now)
        self._user_changed, self._changes = False, []

    def _user_statement(self):
        key = (self.channel, self.chat_id, self.user_id)
        if self._state is None:
            return delete(Pending).where(*_key(*key))
        kind, payload, at = self._state
        where = None
        if kind == SUBJECT:  # a flow started meanwhile (another process) stays; so does
            where = Pending.kind == SUBJECT  # the row seen here, replaced by this subject
            if self._user_row is not None:
                where = or_(where, and_(Pending.kind == self._user_row.kind,
                                        Pending.payload == self._user_row.payload))
        return _upsert(self.sessions, *key, kind, _json(payload), at, where=where)

    async def _swap_lists(self, s) -> bool:
        """Write the changed lists if the row is still as loaded; False if it is not."""
        seq, lists = self._changed_lists(self.mark, list(self.lists))
        payload = _lists_payload(seq, lists)
        if self._chat_row is None:
            stmt = _insert(self.sessions).values(
                channel=self.channel, chat_external_id=self.chat_id, user_external_id=ANY_USER,
                kind=CHOICES, payload=payload, created_at=self.now
            ).on_conflict_do_nothing(index_elements=_CONFLICT)
        else:
            stmt = update(Pending).where(
                Pending.id == self._chat_row.id, Pending.kind == self._chat_row.kind,
                Pending.payload == self._chat_row.payload
            ).values(kind=CHOICES, created_at=self.now, payload=payload)
        return (await s.execute(stmt)).rowcount == 1


async def load(sessions, channel: str, chat_id: str, user_id: str, now: datetime, *,
               lists: bool = True) -> Conversation:
    """The conversation of (channel, chat, user) in one SELECT: the user's row and, with
    `lists`, the chat's."""
    users = [user_id, ANY_USER] if lists and user_id != ANY_USER else [user_id]
    async with sessions() as s:
        rows = (await s.execute(select(Pending).where(
            Pending.channel == channel, Pending.chat_external_id == chat_id,
            Pending.user_external_id.in_(users)))).scalars().all()
    by_user = {r.user_external_id: r for r in rows}
    return Conversation(sessions, channel, chat_id, user_id, now, by_user.get(user_id),
                        by_user.get(ANY_USER) if lists else None)


_CURRENT: ContextVar[Conversation | None] = ContextVar("conversation", default=None)


def current() -> Conversation:
    """The conversation of the message being handled (set by handlers.dispatch)."""
    conv = _CURRENT.get()
    if conv is None:
        raise RuntimeError("no conversation: handlers run through handlers.dispatch")
    return conv


def begin(conv: Conversation):
    """Make `conv` the message's conversation; returns the token for `end`."""
    return _CURRENT.set(conv)


def end(token) -> None:
    _CURRENT.reset(token)
