"""Migration 0004: updates saved before it keep their status and note, read with empty
result/obstacles/proposals and as effective (not superseded, not withdrawn); on both engines."""
from __future__ import annotations

from sqlalchemy import text

from bot.db import repo
from bot.db.session import make_engine, make_sessionmaker
from tests.migrations import upgraded_db


async def _one_update(conn) -> None:
    """One status update, as a deployment before 0004 stored it."""
    await conn.execute(text(
        "INSERT INTO users (channel, external_id, display_name, private_reminders, "
        "created_at) VALUES ('telegram', '501', 'Cán bộ', true, '2026-11-01 00:00:00+00')"))
    await conn.execute(text(
        "INSERT INTO status_updates (item_id, agency_id, status, note, user_id, channel, "
        "created_at) VALUES ('2.2.1', 'sxd', 'dang', 'Đã trình 2 đồ án', 1, 'telegram', "
        "'2026-11-02 00:00:00+00')"))


migrated_db = upgraded_db("0003", _one_update)


async def test_old_updates_survive_the_migration(migrated_db):
    url, schema = migrated_db
    engine = make_engine(url, schema=schema)
    try:
        [row] = await repo.status_history(make_sessionmaker(engine), ["sxd"])
    finally:
        await engine.dispose()
    assert (row.item_id, row.status, row.note) == ("2.2.1", "dang", "Đã trình 2 đồ án")
    assert (row.result, row.obstacles, row.proposals, row.supersedes_id, row.withdrawn) == (
        "", "", "", None, False)
