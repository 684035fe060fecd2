"""Organisation: members and subscriptions of former units move to their successors.

The 2025 reorganisation as it stood when this revision was written (knowledge/organisation.json
of that day; a migration must not change meaning when the operator edits the file later):
the one-to-one and many-to-one successions move. A member of a unit whose duties were split
(Sở Lao động, Thương binh và Xã hội) or of a former district keeps the row, its former agency
id being the mark: the bot asks them once, when they next write, which unit they belong to
(bot.units.current_member). A subscription to such a unit stays too: reminders read it as its
successors (a former district: its communes). Status updates are history and keep the id they
were saved under (reports count them for the unit holding the duty today).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# plan agency id -> the unit that took over all its duties
MOVES = {
    "skhdt": "stc",  # Sở Kế hoạch và Đầu tư -> Sở Tài chính, 01/3/2025
    "stnmt": "snnmt",  # Sở Tài nguyên và Môi trường -> Sở Nông nghiệp và Môi trường
    "snnptnt": "snnmt",  # Sở Nông nghiệp và PTNT -> Sở Nông nghiệp và Môi trường
    "sgtvt": "sxd",  # Sở Giao thông vận tải -> Sở Xây dựng
    "stttt": "skhcn",  # Sở Thông tin và Truyền thông -> Sở Khoa học và Công nghệ
    "bqlkcn": "bqlkcn_bn",  # the two boards -> Ban Quản lý các KCN tỉnh Bắc Ninh, 01/7/2025
}
LIVE = ("pending", "approved")  # history rows (rejected, ended, removed…) keep their agency

memberships = sa.table("memberships", sa.column("id", sa.Integer),
                       sa.column("agency_id", sa.String), sa.column("state", sa.String))
subscriptions = sa.table("subscriptions", sa.column("id", sa.Integer),
                         sa.column("chat_id", sa.Integer), sa.column("agency_id", sa.String))


def upgrade() -> None:
    conn = op.get_bind()
    for old, new in MOVES.items():
        conn.execute(memberships.update().where(
            memberships.c.agency_id == old, memberships.c.state.in_(LIVE)).values(agency_id=new))
        _move_subscriptions(conn, old, new)


def _move_subscriptions(conn, old: str, new: str) -> None:
    """A chat subscribed to the old unit now follows the new one; unique (chat, agency): a chat
    that already follows the new unit (or two merged units) keeps one row."""
    rows = conn.execute(sa.select(subscriptions.c.id, subscriptions.c.chat_id).where(
        subscriptions.c.agency_id == old)).all()
    for sub_id, chat_id in rows:
        have = conn.execute(sa.select(subscriptions.c.id).where(
            subscriptions.c.chat_id == chat_id, subscriptions.c.agency_id == new)).first()
        if have is None:
            conn.execute(subscriptions.update().where(subscriptions.c.id == sub_id)
                         .values(agency_id=new))
        else:
            conn.execute(subscriptions.delete().where(subscriptions.c.id == sub_id))


def downgrade() -> None:
    pass  # the move cannot be told apart from a later registration under the new unit
