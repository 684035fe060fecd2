"""Repository: every read and write the handlers need, as plain async functions.

Each function takes `sessions` (an async_sessionmaker), opens its own short session and
commits before it returns, so a caller may tell the user "saved" as soon as it gets the result.
Portable SQL only (SQLite and PostgreSQL).

    upsert_user(sessions, channel, external_id, display_name="") -> User
    upsert_chat(sessions, channel, external_id, kind, title="") -> Chat
    member_agency(sessions, channel, external_id) -> str | None      approved agency id
    member_of(sessions, channel, external_id) -> Member | None       with the user's row id
    request_membership(sessions, channel, external_id, agency_id, ...) -> MemberRow
    submit_request(sessions, ..., limits) -> Submitted     idempotent, rate-limited /dangky
    pending_request(sessions, channel, external_id) -> MemberRow | None   the user's waiting one
    get_membership(sessions, membership_id) -> MemberRow | None
    decide_membership(sessions, membership_id, approve, ...) -> Decision
    list_members(sessions, agency_ids=None) -> list[MemberRow]       approved, by agency
    list_pending(sessions) -> list[MemberRow]
    remove_member(sessions, membership_id, ...) -> MemberRow | None
    add_status(sessions, ...) -> StatusRow                            append-only, committed
    add_statuses(sessions, rows) -> list[StatusRow]                   several, one transaction
    effective_latest(sessions, kb=None, agency_ids=None, since=None, until=None)
                                        -> dict[(agency, task), StatusRow]  corrections applied
    last_batch(sessions, user_id) -> list[StatusRow]                  the user's last update
    latest_statuses(sessions, agency_ids=None, until=None) -> dict[item_id, StatusRow]
    latest_by_agency(sessions, agency_ids=None, until=None) -> dict[(agency, item), StatusRow]
    status_history(sessions, agency_ids=None, until=None, include_superseded=False)
                                        -> list[StatusRow]  oldest first, effective rows only
    period_history(sessions, since, until, agency_ids=None) -> list[StatusRow]
                                        the effective rows that decide a period (fewer)
    reported_agencies(sessions, start, end) -> set[str]
    admin_chats(sessions, settings) -> list[ChatRef]
    admin_names(sessions, settings) -> list[str]                      as their channels name them
    chat_plan(sessions, channel, chat_external_id) -> str             the chat's default plan
    set_chat_plan(sessions, channel, chat_external_id, plan_id)       None/KH147: back to KH147
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from bot.core import ChatRef
from bot.db.models import Chat, Membership, StatusUpdate, User, utcnow
from bot.knowledge import DEFAULT_PLAN
from bot.text import clean_input

PENDING, APPROVED, REJECTED, REMOVED, ENDED, CANCELLED = (
    "pending", "approved", "rejected", "removed", "ended", "cancelled")


@dataclass(frozen=True)
class Member:
    user_id: int  # users.id
    agency_id: str
    display_name: str


@dataclass(frozen=True)
class MemberRow:
    id: int  # memberships.id
    user_id: int
    channel: str
    external_id: str
    display_name: str
    agency_id: str
    state: str
    chat_id: str  # where the request was made (the user's private chat)
    requested_at: datetime
    decided_at: datetime | None
    decided_by_name: str = ""  # the admin who decided, as their channel named them

    @property
    def chat(self) -> ChatRef:
        return ChatRef(self.channel, self.chat_id or self.external_id)


@dataclass(frozen=True)
class Decision:
    outcome: str  # "approved" | "rejected" | "not_found" | "already"
    row: MemberRow | None
    previous_agency: str | None = None  # the membership a new approval ended
    replaced_by: int | None = None  # "already" and cancelled: the user's newer request


@dataclass(frozen=True)
class StatusRow:
    id: int
    item_id: str
    agency_id: str
    status: str
    note: str
    user_name: str
    channel: str
    created_at: datetime
    result: str = ""
    obstacles: str = ""
    proposals: str = ""
    supersedes_id: int | None = None  # this row corrects (or withdraws) that one
    withdrawn: bool = False  # a withdrawal: neither it nor the row it supersedes counts
    user_id: int | None = None
    plan_id: str = DEFAULT_PLAN  # the plan the update is about (bot.knowledge.Plans)


# ---------------------------------------------------------------- users and chats

async def upsert_user(sessions, channel: str, external_id: str, display_name: str = "") -> User:
    """The user row for (channel, id), created on first sight; the name is kept current."""
    external_id = str(external_id)
    display_name = clean_input(display_name or "")[:200]  # a lone surrogate fails the write
    for _ in range(3):
        async with sessions() as s:
            user = (await s.execute(select(User).where(
                User.channel == channel, User.external_id == external_id))).scalar_one_or_none()
            if user is not None:
                if display_name and user.display_name != display_name:
                    user.display_name = display_name
                    await s.commit()
                return user
            user = User(channel=channel, external_id=external_id, display_name=display_name,
                        private_reminders=True, created_at=utcnow())
            s.add(user)
            try:
                await s.commit()
                return user
            except IntegrityError:  # created meanwhile by a concurrent request: read it
                await s.rollback()
    raise RuntimeError(f"could not upsert user {channel}:{external_id}")


async def upsert_chat(sessions, channel: str, external_id: str, kind: str,
                      title: str = "") -> Chat:
    """The chat row for (channel, id); writing to the bot again makes it active again."""
    external_id = str(external_id)
    title = clean_input(title or "")[:200]  # a lone surrogate fails the write
    for _ in range(3):
        async with sessions() as s:
            chat = (await s.execute(select(Chat).where(
                Chat.channel == channel, Chat.external_id == external_id))).scalar_one_or_none()
            if chat is not None:
                changed = not chat.active or chat.kind != kind or (title and chat.title != title)
                if changed:
                    chat.active, chat.kind = True, kind
                    chat.title = title or chat.title
                    await s.commit()
                return chat
            chat = Chat(channel=channel, external_id=external_id, kind=kind, title=title,
                        active=True, created_at=utcnow())
            s.add(chat)
            try:
                await s.commit()
                return chat
            except IntegrityError:
                await s.rollback()
    raise RuntimeError(f"could not upsert chat {channel}:{external_id}")


# ---------------------------------------------------------------- membership

_Decider = aliased(User)


def _member_query():
    return (select(Membership, User, _Decider.display_name)
            .join(User, User.id == Membership.user_id)
            .outerjoin(_Decider, _Decider.id == Membership.decided_by))


def _row(m: Membership, u: User, decider: str | None = None) -> MemberRow:
    return MemberRow(id=m.id, user_id=u.id, channel=u.channel, external_id=u.external_id,
                     display_name=u.display_name, agency_id=m.agency_id, state=m.state,
                     chat_id=m.chat_id, requested_at=m.requested_at, decided_at=m.decided_at,
                     decided_by_name=decider or "")


def _engine(sessions):
    """The engine behind a sessionmaker: hot paths skip the ORM session's overhead."""
    return sessions.kw["bind"]


# Built once: every /capnhat runs it, and building a statement costs more than running it.
_MEMBER_OF = (select(User.id, Membership.agency_id, User.display_name)
              .join(Membership, Membership.user_id == User.id)
              .where(User.channel == bindparam("channel"),
                     User.external_id == bindparam("external_id"),
                     Membership.state == APPROVED)
              .order_by(Membership.decided_at.desc(), Membership.id.desc())
              .limit(1))
_INSERT_STATUS = insert(StatusUpdate).returning(StatusUpdate.id, sort_by_parameter_order=True)


async def member_of(sessions, channel: str, external_id: str) -> Member | None:
    """The user's approved membership (the newest, should two ever coexist)."""
    async with _group(sessions).readers, _engine(sessions).connect() as conn:
        found = (await conn.execute(
            _MEMBER_OF, {"channel": channel, "external_id": str(external_id)})).first()
    return Member(*found) if found else None


async def member_agency(sessions, channel: str, external_id: str) -> str | None:
    m = await member_of(sessions, channel, external_id)
    return m.agency_id if m else None


@dataclass(frozen=True)
class Submitted:
    """What became of a /dangky: "new" (admins to be told), "same" (the identical request is
    already waiting: nobody is told again), "too_soon"/"too_many" (refused by the limits)."""

    outcome: str
    row: MemberRow | None  # the new or the waiting request; for a refusal, the user's last one
    replaced: MemberRow | None = None  # the waiting request the new one cancelled
    retry_at: datetime | None = None  # "too_soon": when a new request is accepted


@dataclass(frozen=True)
class RequestLimits:
    gap: timedelta  # at least this long between two new requests of one user
    per_day: int  # at most this many new requests of one user in 24 hours


NO_LIMITS = RequestLimits(timedelta(0), 10**9)


async def request_membership(sessions, channel: str, external_id: str, agency_id: str, *,
                             display_name: str = "", chat_id: str = "",
                             now: datetime | None = None) -> MemberRow:
    """A new pending request (or the identical one already waiting); the user's older
    pending requests are cancelled."""
    done = await submit_request(sessions, channel, external_id, agency_id,
                                display_name=display_name, chat_id=chat_id, now=now)
    return done.row


async def submit_request(sessions, channel: str, external_id: str, agency_id: str, *,
                         display_name: str = "", chat_id: str = "", now: datetime | None = None,
                         limits: RequestLimits = NO_LIMITS) -> Submitted:
    """Record a request to join `agency_id`, idempotently and within `limits`.

    Runs under a write lock on the user's row (an UPDATE first: PostgreSQL's row lock,
    SQLite's database write lock), so simultaneous identical /dangky see each other: one
    request is made, the others find it waiting ("same"), and nothing fails on a key.
    """
    user = await upsert_user(sessions, channel, external_id, display_name)
    now = now or utcnow()
    async with sessions() as s, s.begin():
        await s.execute(update(User).where(User.id == user.id)
                        .values(display_name=User.display_name))  # the lock, nothing changes
        mine = (await s.execute(
            _member_query().where(Membership.user_id == user.id)
            .order_by(Membership.requested_at.desc(), Membership.id.desc()).limit(50))).all()
        rows = [_row(*r) for r in mine]
        waiting = next((r for r in rows if r.state == PENDING), None)
        if waiting and waiting.agency_id == agency_id:
            return Submitted("same", waiting)
        recent = [r for r in rows if r.requested_at > now - timedelta(days=1)]
        if rows and limits.gap and rows[0].requested_at > now - limits.gap:
            return Submitted("too_soon", rows[0], retry_at=rows[0].requested_at + limits.gap)
        if len(recent) >= limits.per_day:
            return Submitted("too_many", rows[0])
        await s.execute(update(Membership)
                        .where(Membership.user_id == user.id, Membership.state == PENDING)
                        .values(state=CANCELLED, ended_at=now))
        m = Membership(user_id=user.id, agency_id=agency_id, state=PENDING,
                       chat_id=str(chat_id or external_id), requested_at=now)
        s.add(m)
        await s.flush()
        row = _row(m, user)
    return Submitted("new", row, replaced=waiting)


async def pending_request(sessions, channel: str, external_id: str) -> MemberRow | None:
    """The user's request waiting for a decision (the newest, should two ever coexist)."""
    q = (_member_query()
         .where(User.channel == channel, User.external_id == str(external_id),
                Membership.state == PENDING)
         .order_by(Membership.requested_at.desc(), Membership.id.desc()).limit(1))
    async with sessions() as s:
        found = (await s.execute(q)).first()
    return _row(*found) if found else None


async def get_membership(sessions, membership_id: int) -> MemberRow | None:
    async with sessions() as s:
        found = (await s.execute(_member_query().where(Membership.id == membership_id))).first()
    return _row(*found) if found else None


async def decide_membership(sessions, membership_id: int, approve: bool, *, by_channel: str,
                            by_external_id: str, by_name: str = "",
                            now: datetime | None = None) -> Decision:
    """Approve or reject a pending request, once: a second decision finds it decided.

    Approval ends the user's previous membership (one agency at a time).
    """
    admin = await upsert_user(sessions, by_channel, by_external_id, by_name)
    now = now or utcnow()
    previous = None
    async with sessions() as s, s.begin():
        done = await s.execute(
            update(Membership)
            .where(Membership.id == membership_id, Membership.state == PENDING)
            .values(state=APPROVED if approve else REJECTED, decided_at=now,
                    decided_by=admin.id))
        found = (await s.execute(_member_query().where(Membership.id == membership_id))).first()
        if found is None:
            return Decision("not_found", None)
        if done.rowcount != 1:
            newer = (await s.execute(
                select(func.min(Membership.id)).where(
                    Membership.user_id == found[1].id, Membership.id > membership_id))).scalar()
            return Decision("already", _row(*found), replaced_by=newer)
        m, u, _ = found
        if approve:
            previous = (await s.execute(
                select(Membership.agency_id).where(
                    Membership.user_id == u.id, Membership.state == APPROVED,
                    Membership.id != m.id))).scalars().first()
            await s.execute(update(Membership)
                            .where(Membership.user_id == u.id, Membership.state == APPROVED,
                                   Membership.id != m.id)
                            .values(state=ENDED, ended_at=now, ended_by=admin.id))
        row = _row(m, u, admin.display_name)
    return Decision(APPROVED if approve else REJECTED, row, previous)


async def list_members(sessions, agency_ids: Iterable[str] | None = None) -> list[MemberRow]:
    """Approved members, by agency then by approval time."""
    q = _member_query().where(Membership.state == APPROVED)
    if agency_ids is not None:
        q = q.where(Membership.agency_id.in_(list(agency_ids)))
    async with sessions() as s:
        rows = (await s.execute(q.order_by(Membership.agency_id, Membership.decided_at,
                                           Membership.id))).all()
    return [_row(*r) for r in rows]


async def list_pending(sessions) -> list[MemberRow]:
    async with sessions() as s:
        rows = (await s.execute(_member_query().where(Membership.state == PENDING)
                                .order_by(Membership.requested_at, Membership.id))).all()
    return [_row(*r) for r in rows]


async def remove_member(sessions, membership_id: int, *, by_channel: str, by_external_id: str,
                        now: datetime | None = None) -> MemberRow | None:
    """End an approved membership; None when there is no such approved membership."""
    admin = await upsert_user(sessions, by_channel, by_external_id)
    async with sessions() as s, s.begin():
        done = await s.execute(
            update(Membership)
            .where(Membership.id == membership_id, Membership.state == APPROVED)
            .values(state=REMOVED, ended_at=now or utcnow(), ended_by=admin.id))
        if done.rowcount != 1:
            return None
        found = (await s.execute(_member_query().where(Membership.id == membership_id))).first()
    return _row(*found)


# ---------------------------------------------------------------- status updates

def _status_values(*, user_id: int, agency_id: str, item_id: str, status: str, note: str,
                   channel: str, at: datetime | None = None, result: str = "",
                   obstacles: str = "", proposals: str = "", supersedes_id: int | None = None,
                   withdrawn: bool = False, plan_id: str = DEFAULT_PLAN) -> dict:
    # every key always present: one executemany takes a batch of these dicts
    return dict(item_id=item_id, agency_id=agency_id, status=status, note=note,
                user_id=user_id, channel=channel, created_at=at or utcnow(), result=result,
                obstacles=obstacles, proposals=proposals, supersedes_id=supersedes_id,
                withdrawn=withdrawn, plan_id=plan_id)


def _values_row(new_id: int, v: dict, user_name: str) -> StatusRow:
    return StatusRow(new_id, v["item_id"], v["agency_id"], v["status"], v["note"], user_name,
                     v["channel"], v["created_at"], v["result"], v["obstacles"],
                     v["proposals"], v["supersedes_id"], v["withdrawn"], v["user_id"],
                     v["plan_id"])


async def add_status(sessions, *, user_name: str = "", **fields) -> StatusRow:
    """Append one status update; committed when this returns. Fields: user_id, agency_id,
    item_id, status, note, channel, at; optional result, obstacles, proposals, supersedes_id,
    withdrawn, plan_id (KH147 unless given)."""
    values = _status_values(**fields)
    new_id = await _group_insert(sessions, values)
    return _values_row(new_id, values, user_name)


async def add_statuses(sessions, rows: list[dict], user_name: str = "") -> list[StatusRow]:
    """Append several updates (each dict: add_status's fields) in one transaction: a
    section-level update or a correction is saved whole or not at all."""
    values = [_clean_values(_status_values(**r)) for r in rows]
    async with _engine(sessions).begin() as conn:
        ids = list((await conn.execute(_INSERT_STATUS, values)).scalars())
    return [_values_row(i, v, user_name) for i, v in zip(ids, values, strict=True)]


class _GroupCommit:
    """Per sessionmaker and event loop: group commit for add_status, a cap on hot-path readers.

    Concurrent add_status calls share one transaction. Each caller queues its row and takes the lock; whoever holds it writes every queued row in
    one INSERT and one COMMIT, then wakes their callers. A caller returns only once the
    transaction holding its row has committed, so "saved" is never said too early; under load
    the commits, SQLite's scarce resource, are shared by many updates.
    """

    def __init__(self, engine) -> None:
        self.loop = asyncio.get_running_loop()
        self.lock = asyncio.Lock()
        self.queue: list[tuple[dict, asyncio.Future]] = []
        # On SQLite a burst of /capnhat must not check out more connections than the pool
        # keeps: each overflow connection is a new thread and PRAGMAs, opened and closed
        # again, which halved throughput. The writer above holds one; readers share the rest.
        size = engine.pool.size() if engine.dialect.name == "sqlite" else 0
        self.readers = asyncio.Semaphore(max(size - 1, 1)) if size else contextlib.nullcontext()


_GROUPS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _group(sessions) -> _GroupCommit:
    g = _GROUPS.get(sessions)
    if g is None or g.loop is not asyncio.get_running_loop():
        g = _GROUPS[sessions] = _GroupCommit(_engine(sessions))
    return g


def _clean_values(values: dict) -> dict:
    """Text as every engine stores it, cleaned in place (the caller's StatusRow shows what was
    saved): a lone surrogate fails the encoder on both engines, a NUL fails PostgreSQL, and in
    a batched INSERT either would fail every row of the batch."""
    for key, value in values.items():
        if isinstance(value, str):
            values[key] = clean_input(value)
    return values


async def _group_insert(sessions, values: dict) -> int:
    g = _group(sessions)
    mine = g.loop.create_future()
    g.queue.append((_clean_values(values), mine))
    async with g.lock:
        if not mine.done():
            batch, g.queue = g.queue, []
            try:
                ids = await _insert_batch(sessions, [v for v, _ in batch])
            except BaseException as e:
                failure = e if isinstance(e, Exception) else RuntimeError("write interrupted")
                if isinstance(e, Exception) and len(batch) > 1:
                    # one row may spoil the batch: write each alone, so only it fails
                    await _insert_each(sessions, batch)
                else:
                    for _, fut in batch:
                        if fut is not mine and not fut.done():
                            fut.set_exception(failure)
                    mine.cancel()  # the exception goes up from here; nobody awaits `mine`
                    raise
            else:
                for (_, fut), new_id in zip(batch, ids, strict=True):
                    fut.set_result(new_id)
    return await mine


async def _insert_batch(sessions, rows: list[dict]) -> list[int]:
    async with _engine(sessions).begin() as conn:
        return list((await conn.execute(_INSERT_STATUS, rows)).scalars())


async def _insert_each(sessions, batch: list[tuple[dict, asyncio.Future]]) -> None:
    """The batch again, one row per transaction: each caller gets its own id or error."""
    for values, fut in batch:
        try:
            [new_id] = await _insert_batch(sessions, [values])
        except Exception as e:  # noqa: BLE001  (handed to that row's caller)
            if not fut.done():
                fut.set_exception(e)
        else:
            if not fut.done():
                fut.set_result(new_id)


def _status_row(u: StatusUpdate, name: str) -> StatusRow:
    return StatusRow(u.id, u.item_id, u.agency_id, u.status, u.note, name or "", u.channel,
                     u.created_at, u.result or "", u.obstacles or "", u.proposals or "",
                     u.supersedes_id, bool(u.withdrawn), u.user_id, u.plan_id or DEFAULT_PLAN)


def effective(rows: list[StatusRow]) -> list[StatusRow]:
    """The rows that count, in the given order: a row some other row supersedes (corrected
    or withdrawn) does not, nor does a withdrawal row itself."""
    replaced = {r.supersedes_id for r in rows if r.supersedes_id is not None}
    return [r for r in rows if r.id not in replaced and not r.withdrawn]


# StatusRow's fields, in order: a history read selects these plain columns, no ORM objects
_ROW_COLUMNS = (StatusUpdate.id, StatusUpdate.item_id, StatusUpdate.agency_id,
                StatusUpdate.status, StatusUpdate.note, User.display_name, StatusUpdate.channel,
                StatusUpdate.created_at, StatusUpdate.result, StatusUpdate.obstacles,
                StatusUpdate.proposals, StatusUpdate.supersedes_id, StatusUpdate.withdrawn,
                StatusUpdate.user_id, StatusUpdate.plan_id)
_ROW_FIELDS = tuple(f.name for f in dataclasses.fields(StatusRow))
_TEXTS = ("note", "user_name", "result", "obstacles", "proposals")


def rows_of(found) -> list[StatusRow]:
    """StatusRows from result tuples in _ROW_COLUMNS' order. A frozen dataclass sets each
    field through object.__setattr__; filling __dict__ makes the same object several times
    faster, which matters at tens of thousands of rows."""
    out = []
    new, fields = object.__new__, _ROW_FIELDS
    for r in found:
        d = dict(zip(fields, r, strict=True))
        for key in _TEXTS:
            if d[key] is None:
                d[key] = ""
        d["withdrawn"] = bool(d["withdrawn"])
        row = new(StatusRow)
        row.__dict__.update(d)
        out.append(row)
    return out


async def status_history(sessions, agency_ids: Iterable[str] | None = None,
                         until: datetime | None = None,
                         include_superseded: bool = False,
                         since: datetime | None = None,
                         plan_id: str | None = DEFAULT_PLAN) -> list[StatusRow]:
    """One plan's updates (every plan's with plan_id=None) up to `until` (and from `since`),
    oldest first: the effective ones (see `effective`), or with `include_superseded` every row,
    corrections and withdrawals too (the export's history). Plain columns on a Core
    connection: a plan's decade is 50,000 rows."""
    q = (select(*_ROW_COLUMNS).join(User, User.id == StatusUpdate.user_id)
         .order_by(StatusUpdate.created_at, StatusUpdate.id))
    if plan_id is not None:
        q = q.where(StatusUpdate.plan_id == plan_id)
    if agency_ids is not None:
        q = q.where(StatusUpdate.agency_id.in_(list(agency_ids)))
    if until is not None:
        q = q.where(StatusUpdate.created_at <= until)
    if since is not None:
        q = q.where(StatusUpdate.created_at >= since)
    async with _engine(sessions).connect() as conn:
        rows = rows_of((await conn.execute(q)).all())
    return rows if include_superseded else effective(rows)


async def period_history(sessions, since: datetime, until: datetime,
                         agency_ids: Iterable[str] | None = None,
                         plan_id: str = DEFAULT_PLAN) -> list[StatusRow]:
    """One plan's effective updates up to `until` (as status_history gives them, oldest first) that
    decide a period opening at `since`: every one from `since` on and, from before it, each
    (agency, item)'s rows from its latest one that is not "xong" on, that one included (the
    item's status when nothing newer came; the "xong" after it date a completion carried
    over). The export's picture of the period from these is the one from the whole history,
    in a fraction of the rows: the cut per (agency, item) is one grouped query in SQL."""
    su = StatusUpdate
    scope = [su.created_at <= until, su.plan_id == plan_id]
    if agency_ids is not None:
        scope.append(su.agency_id.in_(list(agency_ids)))
    async with _engine(sessions).connect() as conn:
        # the corrected rows as a list: a NOT IN subquery bounded by time makes SQLite walk
        # the whole history through the created_at index
        replaced = sorted(set((await conn.execute(
            select(su.supersedes_id).where(su.supersedes_id.is_not(None), *scope))).scalars()))
        kept = [*scope, su.withdrawn.is_(False)]
        if len(replaced) > 10_000:  # past what one statement may bind
            kept.append(su.id.not_in(select(su.supersedes_id).where(
                su.supersedes_id.is_not(None), *scope)))
        elif replaced:
            kept.append(su.id.not_in(replaced))
        cut = (select(su.agency_id, su.item_id, func.max(su.created_at).label("at"))
               .where(*kept, su.created_at < since, su.status != "xong")
               .group_by(su.agency_id, su.item_id).subquery())
        q = (select(*_ROW_COLUMNS).join(User, User.id == su.user_id)
             .outerjoin(cut, and_(cut.c.agency_id == su.agency_id, cut.c.item_id == su.item_id))
             .where(*kept, or_(su.created_at >= since, cut.c.at.is_(None),
                               su.created_at >= cut.c.at))
             .order_by(su.created_at, su.id))
        return rows_of((await conn.execute(q)).all())


async def effective_latest(sessions, kb=None, agency_ids: Iterable[str] | None = None,
                           since: datetime | None = None,
                           until: datetime | None = None,
                           plan_id: str = DEFAULT_PLAN) -> dict[tuple[str, str], StatusRow]:
    """The status in force (in one plan, KH147 unless given) per (agency, task) for a period: for each (agency_id, item_id), the
    newest effective update with since <= created_at <= until (either bound may be None).

    Effective: a row superseded by a correction or a withdrawal (`supersedes_id` pointing at
    it) is ignored, and so is the withdrawal row; a correction row counts in its place, at the
    time it was made. Superseding is judged among rows up to `until`, so a report of a closed
    period does not change when someone corrects an update afterwards.

    With `kb`, an update of a whole section (stored by older versions under the section id)
    speaks for each of the section's tasks unless the task has a newer update of its own,
    and the keys are task ids only. Used by /capnhat (is a task already finished?) and meant
    for the compiled report and the web desk.
    """
    rows = await status_history(sessions, agency_ids, until=until, plan_id=plan_id)
    if since is not None:
        rows = [r for r in rows if r.created_at >= since]
    latest: dict[tuple[str, str], StatusRow] = {}
    for r in rows:  # oldest first: the newest ends up in place
        items = [r.item_id]
        found = kb.item(r.item_id) if kb is not None else None
        if found is not None and not hasattr(found, "section"):  # a section, not a task
            items = [t.id for t in kb.tasks_of(r.item_id)] or items
        for item in items:
            latest[(r.agency_id, item)] = r
    return latest


async def last_batch(sessions, user_id: int) -> list[StatusRow]:
    """The user's last update: the rows they saved at their latest instant with the same
    content, within one section (a section-level update saves one row per task at one
    instant); withdrawal rows included."""
    async with sessions() as s:
        newest = (await s.execute(select(func.max(StatusUpdate.created_at)).where(
            StatusUpdate.user_id == user_id))).scalar()
        if newest is None:
            return []
        q = (select(StatusUpdate, User.display_name)
             .join(User, User.id == StatusUpdate.user_id)
             .where(StatusUpdate.user_id == user_id, StatusUpdate.created_at == newest)
             .order_by(StatusUpdate.id))
        rows = [_status_row(u, n) for u, n in (await s.execute(q)).all()]
    # two separate updates at one instant are not one: keep the rows saved like the last one
    last = rows[-1]

    def same(r: StatusRow) -> bool:
        return ((r.status, r.note, r.result, r.obstacles, r.proposals, r.withdrawn)
                == (last.status, last.note, last.result, last.obstacles, last.proposals,
                    last.withdrawn)
                and r.item_id.rsplit(".", 1)[0] == last.item_id.rsplit(".", 1)[0])
    return [r for r in rows if same(r)]


async def latest_by_agency(sessions, agency_ids: Iterable[str] | None = None,
                           until: datetime | None = None,
                           plan_id: str = DEFAULT_PLAN) -> dict[tuple[str, str], StatusRow]:
    """The newest effective update of each (agency, item) of one plan, as of `until`
    (corrections applied, as in `effective`)."""
    rank = func.row_number().over(
        partition_by=(StatusUpdate.agency_id, StatusUpdate.item_id),
        order_by=(StatusUpdate.created_at.desc(), StatusUpdate.id.desc())).label("rank")
    replaced = select(StatusUpdate.supersedes_id).where(StatusUpdate.supersedes_id.is_not(None))
    inner = select(StatusUpdate.id, rank).where(StatusUpdate.withdrawn.is_(False),
                                                StatusUpdate.plan_id == plan_id,
                                                StatusUpdate.id.not_in(replaced))
    if agency_ids is not None:
        inner = inner.where(StatusUpdate.agency_id.in_(list(agency_ids)))
    if until is not None:
        inner = inner.where(StatusUpdate.created_at <= until)
    ranked = inner.subquery()
    q = (select(StatusUpdate, User.display_name)
         .join(ranked, and_(ranked.c.id == StatusUpdate.id, ranked.c.rank == 1))
         .join(User, User.id == StatusUpdate.user_id))
    async with sessions() as s:
        rows = (await s.execute(q)).all()
    return {(u.agency_id, u.item_id): _status_row(u, n) for u, n in rows}


async def latest_statuses(sessions, agency_ids: Iterable[str] | None = None,
                          until: datetime | None = None,
                          plan_id: str = DEFAULT_PLAN) -> dict[str, StatusRow]:
    """The newest update of each item of one plan (across the given agencies, the newest)."""
    out: dict[str, StatusRow] = {}
    found = await latest_by_agency(sessions, agency_ids, until, plan_id)
    for (_agency, item), row in found.items():
        old = out.get(item)
        if old is None or (row.created_at, row.id) > (old.created_at, old.id):
            out[item] = row
    return out


async def reported_agencies(sessions, start: datetime, end: datetime,
                            plan_id: str = DEFAULT_PLAN) -> set[str]:
    """Agencies with at least one update of the plan in [start, end]."""
    async with sessions() as s:
        rows = await s.execute(select(StatusUpdate.agency_id).distinct().where(
            StatusUpdate.created_at >= start, StatusUpdate.created_at <= end,
            StatusUpdate.plan_id == plan_id))
        return set(rows.scalars())


# ---------------------------------------------------------------- admins

async def admin_chats(sessions, settings) -> list[ChatRef]:
    """Where to reach the admins: their private chats (chat id = user id on Telegram and Zalo),
    skipping chats known to have blocked the bot."""
    refs = [ChatRef("telegram", i) for i in sorted(settings.admin_telegram_ids)]
    refs += [ChatRef("zalo", i) for i in sorted(settings.admin_zalo_ids)]
    if not refs:
        return []
    async with sessions() as s:
        blocked = {(c, e) for c, e in (await s.execute(
            select(Chat.channel, Chat.external_id).where(Chat.active.is_(False)))).all()}
    return [r for r in refs if (r.channel, r.chat_id) not in blocked]


async def admin_names(sessions, settings) -> list[str]:
    """The admins' names as their channels gave them (those who have written to the bot)."""
    ids = [("telegram", i) for i in sorted(settings.admin_telegram_ids)]
    ids += [("zalo", i) for i in sorted(settings.admin_zalo_ids)]
    if not ids:
        return []
    async with sessions() as s:
        users = (await s.execute(select(User).where(
            User.channel.in_({c for c, _ in ids}),
            User.external_id.in_({e for _, e in ids})))).scalars().all()
    names = {(u.channel, u.external_id): u.display_name for u in users if u.display_name}
    return list(dict.fromkeys(names[k] for k in ids if k in names))


CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "console": "dòng lệnh"}


def who(row: MemberRow | User) -> str:
    """How a person reads in a message: their name, or their channel and id."""
    name = getattr(row, "display_name", "") or ""
    return name or f"người dùng {CHANNEL_NAMES.get(row.channel, row.channel)} mã {row.external_id}"


def who_full(row: MemberRow | User) -> str:
    """Name plus channel and id, so an admin can tell two namesakes apart:
    "Nguyễn Văn A (Telegram, mã 501)". (The @username would need a field on Request.)"""
    where = f"{CHANNEL_NAMES.get(row.channel, row.channel)}, mã {row.external_id}"
    name = getattr(row, "display_name", "") or ""
    return f"{name} ({where})" if name else f"Người dùng chưa rõ tên ({where})"



# ---------------------------------------------------------------- a chat's default plan

_CHAT_PLAN = (select(Chat.plan_id)
              .where(Chat.channel == bindparam("channel"),
                     Chat.external_id == bindparam("external_id")))


async def chat_plan(sessions, channel: str, chat_external_id: str, *,
                    default: str | None = DEFAULT_PLAN) -> str | None:
    """The plan this chat talks about when a message names none: the one chosen with
    /kehoach chon, else `default` (KH147; pass default=None to learn whether one was chosen)."""
    async with _engine(sessions).connect() as conn:
        found = (await conn.execute(_CHAT_PLAN, {"channel": channel,
                                                 "external_id": str(chat_external_id)})).scalar()
    return found or default


async def set_chat_plan(sessions, channel: str, chat_external_id: str, plan_id: str | None,
                        kind: str = "private", title: str = "") -> None:
    """Choose the chat's default plan; None or KH147 clears the choice (back to KH147).
    The chat row is created when the bot has not stored this chat yet."""
    chat = await upsert_chat(sessions, channel, chat_external_id, kind, title)
    value = None if plan_id in (None, DEFAULT_PLAN) else plan_id
    async with sessions() as s, s.begin():
        await s.execute(update(Chat).where(Chat.id == chat.id).values(plan_id=value))
