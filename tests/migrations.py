"""What the migration tests share: a database of its own on either engine, taken to an old
revision, filled the way a deployment of then would have it, and upgraded to head."""
from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.db.migrate import alembic_config, upgrade
from bot.db.session import make_engine
from tests.conftest import ENGINES, PG_URL


def to_revision(connection, revision: str, step=command.upgrade) -> None:
    """Run the migrations up (or, with `step=command.downgrade`, down) to `revision` on a
    synchronous connection (for `run_sync`)."""
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    step(cfg, revision)


@asynccontextmanager
async def empty_database(engine: str, tmp_path) -> AsyncIterator[tuple[str, str | None]]:
    """(url, schema) of an empty database: a new SQLite file, or a new PostgreSQL schema that
    is dropped afterwards (skipped when TEST_POSTGRES_URL is not set)."""
    if engine == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/migrated.db", None
        return
    if not PG_URL:
        pytest.skip("TEST_POSTGRES_URL is not set: PostgreSQL runs skipped")
    schema = f"m_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield PG_URL, schema
    finally:
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@asynccontextmanager
async def upgraded_from(
    revision: str, fill: Callable[[AsyncConnection], Awaitable[None]], engine: str, tmp_path,
) -> AsyncIterator[tuple[str, str | None]]:
    """(url, schema) of a database taken to `revision`, filled by `await fill(conn)` there,
    then upgraded to head the way `python -m bot run` does it."""
    async with empty_database(engine, tmp_path) as (url, schema):
        old = make_engine(url, schema=schema)
        try:
            async with old.begin() as conn:
                await conn.run_sync(lambda c: to_revision(c, revision))
                await fill(conn)
        finally:
            await old.dispose()
        await upgrade(url, schema)
        yield url, schema


def upgraded_db(revision: str, fill: Callable[[AsyncConnection], Awaitable[None]]):
    """A fixture of `upgraded_from(revision, fill, ...)` on each engine: `(url, schema)`."""
    @pytest.fixture(params=ENGINES)
    async def fixture(request, tmp_path):
        async with upgraded_from(revision, fill, request.param, tmp_path) as db:
            yield db
    return fixture


async def on_sync(url: str, schema: str | None, work: Callable[[Any], Any],
                  commit: bool = False) -> Any:
    """`work(connection)` on a synchronous connection to the database (an inspector, alembic),
    in a transaction committed after it when `commit`."""
    engine = make_engine(url, schema=schema)
    try:
        async with engine.begin() if commit else engine.connect() as conn:
            return await conn.run_sync(work)
    finally:
        await engine.dispose()


async def down_to(url: str, schema: str | None, revision: str) -> None:
    """Run the downgrades from the database's revision to `revision`."""
    await on_sync(url, schema, lambda c: to_revision(c, revision, command.downgrade), commit=True)


async def rows(url: str, schema: str | None, sql: str) -> list[tuple]:
    """The rows `sql` reads, as tuples."""
    return await on_sync(url, schema, lambda c: [tuple(r) for r in c.execute(text(sql)).all()])
