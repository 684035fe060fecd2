"""Several plans: every status, subscription and reminder carries its plan (kh147 for old rows).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

`plan_id` is the plan's id (its file name without .json; "kh147" for KH147, the default), so
rows written before several plans were served stay KH147's. The uniqueness of a subscription
and of a reminder claim now holds per plan: two plans may number a deadline or a section alike.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

DEFAULT = "kh147"
UNIQUE = {"subscriptions": ("uq_subscriptions_chat_id", ["chat_id", "agency_id"]),
          "reminder_deliveries": ("uq_reminder_deliveries_deadline_id",
                                  ["deadline_id", "occurrence", "chat_id", "offset_days"])}


def _plan_column() -> sa.Column:
    return sa.Column("plan_id", sa.String(40), nullable=False, server_default=DEFAULT)


def upgrade() -> None:
    with op.batch_alter_table("status_updates") as batch:
        batch.add_column(_plan_column())
        batch.create_index(op.f("ix_status_updates_plan_id"), ["plan_id"])
    for table, (name, cols) in UNIQUE.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(_plan_column())
            batch.drop_constraint(op.f(name), type_="unique")
            batch.create_unique_constraint(op.f(name), [*cols, "plan_id"])


def downgrade() -> None:
    for table, (name, cols) in UNIQUE.items():
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(op.f(name), type_="unique")
            batch.create_unique_constraint(op.f(name), cols)
            batch.drop_column("plan_id")
    with op.batch_alter_table("status_updates") as batch:
        batch.drop_index(op.f("ix_status_updates_plan_id"))
        batch.drop_column("plan_id")
