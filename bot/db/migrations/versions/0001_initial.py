"""Initial schema: users, memberships, chats, subscriptions, status updates, reminders, pending.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)  # bot.db.models.UTCDateTime stores this type


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    op.create_table(
        "users", _id(),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("private_reminders", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("channel", "external_id", name=op.f("uq_users_channel")),
    )
    op.create_table(
        "chats", _id(),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chats")),
        sa.UniqueConstraint("channel", "external_id", name=op.f("uq_chats_channel")),
    )
    op.create_table(
        "pending", _id(),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_external_id", sa.String(length=64), nullable=False),
        sa.Column("user_external_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending")),
        sa.UniqueConstraint("channel", "chat_external_id", "user_external_id",
                            name=op.f("uq_pending_channel")),
    )
    op.create_table(
        "seen_messages", _id(),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.Column("seen_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seen_messages")),
        sa.UniqueConstraint("channel", "message_id", name=op.f("uq_seen_messages_channel")),
    )
    op.create_table(
        "broadcasts", _id(),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        _fk("broadcasts", "created_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts")),
    )
    op.create_table(
        "memberships", _id(),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("ended_at", TS, nullable=True),
        sa.Column("ended_by", sa.Integer(), nullable=True),
        _fk("memberships", "decided_by", "users"),
        _fk("memberships", "ended_by", "users"),
        _fk("memberships", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
    )
    for col in ("agency_id", "state", "user_id"):
        op.create_index(op.f(f"ix_memberships_{col}"), "memberships", [col])
    op.create_table(
        "subscriptions", _id(),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.String(length=40), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        _fk("subscriptions", "chat_id", "chats"),
        _fk("subscriptions", "created_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("chat_id", "agency_id", name=op.f("uq_subscriptions_chat_id")),
    )
    op.create_index(op.f("ix_subscriptions_chat_id"), "subscriptions", ["chat_id"])
    op.create_table(
        "status_updates", _id(),
        sa.Column("item_id", sa.String(length=20), nullable=False),
        sa.Column("agency_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        _fk("status_updates", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_updates")),
    )
    for col in ("agency_id", "created_at", "item_id"):
        op.create_index(op.f(f"ix_status_updates_{col}"), "status_updates", [col])
    op.create_table(
        "reminder_deliveries", _id(),
        sa.Column("deadline_id", sa.String(length=60), nullable=False),
        sa.Column("occurrence", sa.Date(), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("offset_days", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("claimed_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        _fk("reminder_deliveries", "chat_id", "chats"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_deliveries")),
        sa.UniqueConstraint("deadline_id", "occurrence", "chat_id", "offset_days",
                            name=op.f("uq_reminder_deliveries_deadline_id")),
    )
    op.create_index(op.f("ix_reminder_deliveries_chat_id"), "reminder_deliveries", ["chat_id"])


def downgrade() -> None:
    for table in ("reminder_deliveries", "status_updates", "subscriptions", "memberships",
                  "broadcasts", "seen_messages", "pending", "chats", "users"):
        op.drop_table(table)
