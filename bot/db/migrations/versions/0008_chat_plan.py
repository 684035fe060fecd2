"""A chat's default plan: the plan a message that names none is about (/kehoach chon).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

NULL (every existing chat) means the chat never chose one: KH147, the bot's default plan.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chats") as batch:
        batch.add_column(sa.Column("plan_id", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("plan_id")
