"""Web desk: one-time sign-in links and admin sessions.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "desk_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desk_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_desk_tokens_token_hash")),
    )
    op.create_index(op.f("ix_desk_tokens_expires_at"), "desk_tokens", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_desk_tokens_expires_at"), table_name="desk_tokens")
    op.drop_table("desk_tokens")
