"""Status details: result, obstacles and proposals kept apart; corrections supersede.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("status_updates") as batch:
        for name in ("result", "obstacles", "proposals"):
            batch.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("supersedes_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("withdrawn", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.create_foreign_key(op.f("fk_status_updates_supersedes_id_status_updates"),
                                 "status_updates", ["supersedes_id"], ["id"])
        batch.create_index(op.f("ix_status_updates_supersedes_id"), ["supersedes_id"])


def downgrade() -> None:
    with op.batch_alter_table("status_updates") as batch:
        batch.drop_index(op.f("ix_status_updates_supersedes_id"))
        batch.drop_constraint(op.f("fk_status_updates_supersedes_id_status_updates"),
                              type_="foreignkey")
        for name in ("withdrawn", "supersedes_id", "proposals", "obstacles", "result"):
            batch.drop_column(name)
