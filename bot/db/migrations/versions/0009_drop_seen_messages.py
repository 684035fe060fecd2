"""Drop seen_messages: nothing read or wrote it (the inbox, 0003, keeps the ids already seen).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

The downgrade re-creates the table empty, as 0001 made it.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("seen_messages")


def downgrade() -> None:
    op.create_table(
        "seen_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seen_messages")),
        sa.UniqueConstraint("channel", "message_id", name=op.f("uq_seen_messages_channel")),
    )
