"""Shared fixtures: a database on each engine (SQLite always, PostgreSQL when configured)."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text

from bot.config import Settings
from bot.db.models import Base
from bot.services import Services, build_services

PG_URL = os.environ.get("TEST_POSTGRES_URL")
ENGINES = ["sqlite", "postgres"]


def make_settings(tmp_path, **env) -> Settings:
    """Settings isolated from the developer's .env and environment."""
    base = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/kh147.db"}
    base.update(env)
    return Settings(_env_file=None, **base)


@pytest.fixture(params=ENGINES)
async def svc(request, tmp_path) -> Services:
    """Services on a clean schema: a fresh SQLite file, or a fresh PostgreSQL schema."""
    schema = None
    if request.param == "postgres":
        if not PG_URL:
            pytest.skip("TEST_POSTGRES_URL is not set: PostgreSQL runs skipped")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        settings = make_settings(tmp_path, DATABASE_URL=PG_URL, ADMIN_TELEGRAM_IDS="900",
                                 ADMIN_ZALO_IDS="z900")
    else:
        settings = make_settings(tmp_path, ADMIN_TELEGRAM_IDS="900", ADMIN_ZALO_IDS="z900")
    services = build_services(settings, schema=schema)
    async with services.engine.begin() as conn:
        if schema:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await conn.run_sync(Base.metadata.create_all)
    try:
        yield services
    finally:
        if schema:
            async with services.engine.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await services.close()


@pytest.fixture
async def sqlite_svc(tmp_path) -> Services:
    settings = make_settings(tmp_path, ADMIN_TELEGRAM_IDS="900", ADMIN_ZALO_IDS="z900")
    services = build_services(settings)
    async with services.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield services
    await services.close()


@pytest.fixture
async def stub():
    """A loopback Zalo Bot API (tests/zalo_stub.py) with a short 408 wait."""
    from tests.zalo_stub import DEFAULT_TOKEN, ZaloStub

    s = ZaloStub(DEFAULT_TOKEN, poll_wait=0.2)
    await s.start()
    yield s
    await s.close()
