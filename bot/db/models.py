"""Tables. Portable SQL only: the same code runs on SQLite (aiosqlite) and PostgreSQL (asyncpg)."""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both engines (SQLite drops tzinfo on its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to the database")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


# Deterministic constraint names, so Alembic migrations name the same objects on every engine.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """A person on one channel (the same official on Telegram and Zalo is two users)."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    private_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Membership(Base):
    """A request to belong to an agency and what became of it; rows are kept as history.

    state: pending -> approved | rejected | cancelled (a newer request replaced it);
    approved -> removed (by an admin) | ended (the user was approved for another agency).
    """

    __tablename__ = "memberships"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    agency_id: Mapped[str] = mapped_column(String(40), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    chat_id: Mapped[str] = mapped_column(String(64), default="")  # where to tell the outcome
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class Chat(Base):
    __tablename__ = "chats"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), default="private")  # private|group
    title: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)  # False once blocked/kicked
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the plan this chat talks about when a message names none (/kehoach chon); NULL: never
    # chosen, i.e. KH147 — kept apart from an explicit choice, which settles an ambiguous
    # section in /capnhat without asking
    plan_id: Mapped[str | None] = mapped_column(String(40), nullable=True)


class Subscription(Base):
    """A chat subscribed to reminders; agency_id "*" means every deadline."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("chat_id", "agency_id", "plan_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id"), index=True)
    agency_id: Mapped[str] = mapped_column(String(40), default="*")
    plan_id: Mapped[str] = mapped_column(String(40), default="kh147", server_default="kh147")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StatusUpdate(Base):
    """Append-only: a status is never overwritten, the latest effective row per item wins
    (a row another row supersedes, and a withdrawal row, are not effective)."""

    __tablename__ = "status_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(20), index=True)  # task "2.2.1" or section "2.2"
    agency_id: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[str] = mapped_column(String(16))  # chua|dang|xong|vuong
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # kết quả, khó khăn, kiến nghị kept apart for the compiled report (bot/statuses.py says how
    # a typed line is split); `note` stays the free text as typed, without labelled parts
    result: Mapped[str] = mapped_column(Text, default="")
    obstacles: Mapped[str] = mapped_column(Text, default="")
    proposals: Mapped[str] = mapped_column(Text, default="")
    # a correction (or withdrawal) is a new row pointing at the row it replaces
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("status_updates.id"),
                                                      nullable=True, index=True)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)  # withdraws supersedes_id
    # the plan the item belongs to (its id: "kh147", or a PLANS_DIR file's name)
    plan_id: Mapped[str] = mapped_column(String(40), default="kh147", server_default="kh147",
                                         index=True)


class ReminderDelivery(Base):
    """One (deadline occurrence, chat, offset): claimed before sending, so it goes out once."""

    __tablename__ = "reminder_deliveries"
    __table_args__ = (UniqueConstraint("deadline_id", "occurrence", "chat_id", "offset_days",
                                       "plan_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deadline_id: Mapped[str] = mapped_column(String(60))  # or "broadcast:<id>"
    occurrence: Mapped[date] = mapped_column(Date)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id"), index=True)
    offset_days: Mapped[int] = mapped_column(Integer)  # days before (>0), on (0), after (<0)
    state: Mapped[str] = mapped_column(String(12), default="claimed")  # claimed|sent|failed|dropped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    plan_id: Mapped[str] = mapped_column(String(40), default="kh147", server_default="kh147")


class Broadcast(Base):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Pending(Base):
    """Conversation state that must survive a restart: numbered choices shown on Zalo or in
    the terminal, a guided flow waiting for a note. One row per (channel, chat, user)."""

    __tablename__ = "pending"
    __table_args__ = (UniqueConstraint("channel", "chat_external_id", "user_external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_external_id: Mapped[str] = mapped_column(String(64))
    user_external_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Download(Base):
    """A file offered by link where a channel cannot send files (Zalo). Kept in the database,
    not in memory, so any process serves it and a restart loses nothing until it expires."""

    __tablename__ = "downloads"
    __table_args__ = (UniqueConstraint("token"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64))  # unguessable: the link is the credential
    filename: Mapped[str] = mapped_column(String(200))
    mime: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class DeskToken(Base):
    """A web desk credential, stored only as its SHA-256: a one-time sign-in link sent by /web
    ("link", 10 minutes, used once) or a signed-in browser's session ("session", 8 hours).
    used_at: when the link was used, or when the session was signed out."""

    __tablename__ = "desk_tokens"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # link|session
    token_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))  # the admin it was issued to
    external_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class InboxUpdate(Base):
    """A platform update stored before the platform is told it arrived (the next getUpdates
    offset, the webhook's 200), then answered from here: claimed by one process, marked done
    once answered. The unique (channel, update_id) is also the memory of ids already seen, so a
    replay after a restart is not answered twice. state: new -> claimed -> done."""

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("channel", "update_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    update_id: Mapped[str] = mapped_column(String(128))
    chat_key: Mapped[str] = mapped_column(String(64), default="")  # one chat's rows in order
    body: Mapped[str] = mapped_column(Text)  # the update's JSON as received
    state: Mapped[str] = mapped_column(String(12), default="new", index=True)
    claimed_by: Mapped[str] = mapped_column(String(100), default="")
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
