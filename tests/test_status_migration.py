"""Migration 0004: updates saved before it keep their status and note, read with empty
result/obstacles/proposals and as effective (not superseded, not withdrawn); on both engines."""
from __future__ import annotations

import uuid

import pytest
from alembic import command
from sqlalchemy import text

from bot.db import repo
from bot.db.migrate import alembic_config, upgrade
from bot.db.session import make_engine, make_sessionmaker
from tests.conftest import PG_URL


def _to_revision(connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


@pytest.fixture(params=["sqlite", "postgres"])
async def old_db(request, tmp_path):
    """A database at revision 0003 holding one status update, as a deployment before 0004."""
    schema = None
    if request.param == "postgres":
        if not PG_URL:
            pytest.skip("TEST_POSTGRES_URL is not set: PostgreSQL runs skipped")
        url, schema = PG_URL, f"t_{uuid.uuid4().hex[:12]}"
        admin = make_engine(url)
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await admin.dispose()
    else:
        url = f"sqlite+aiosqlite:///{tmp_path}/v3.db"
    engine = make_engine(url, schema=schema)
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: _to_revision(c, "0003"))
        await conn.execute(text(
            "INSERT INTO users (channel, external_id, display_name, private_reminders, "
            "created_at) VALUES ('telegram', '501', 'Cán bộ', true, '2026-11-01 00:00:00+00')"))
        await conn.execute(text(
            "INSERT INTO status_updates (item_id, agency_id, status, note, user_id, channel, "
            "created_at) VALUES ('2.2.1', 'sxd', 'dang', 'Đã trình 2 đồ án', 1, 'telegram', "
            "'2026-11-02 00:00:00+00')"))
    await engine.dispose()
    yield url, schema
    if schema:
        admin = make_engine(url)
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def test_old_updates_survive_the_migration(old_db):
    url, schema = old_db
    await upgrade(url, schema)
    engine = make_engine(url, schema=schema)
    try:
        [row] = await repo.status_history(make_sessionmaker(engine), ["sxd"])
    finally:
        await engine.dispose()
    assert (row.item_id, row.status, row.note) == ("2.2.1", "dang", "Đã trình 2 đồ án")
    assert (row.result, row.obstacles, row.proposals, row.supersedes_id, row.withdrawn) == (
        "", "", "", None, False)
