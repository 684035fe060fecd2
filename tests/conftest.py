"""Shared fixtures: a database on each engine (SQLite always, PostgreSQL when configured)."""
from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.config import Settings
from bot.db.models import Base
from bot.services import Services, build_services

PG_URL = os.environ.get("TEST_POSTGRES_URL")
ENGINES = ["sqlite", "postgres"]
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# The instant a test's services start at unless the test sets its own clock: a Friday with no
# reminder due (the nearest is 14 days before 15/12/2026), so no test depends on the real date.
QUIET_NOW = datetime(2026, 11, 20, 10, 0, tzinfo=TZ)


# Bot processes the tests spawn start at QUIET_NOW too (tests/clock/sitecustomize.py); a test
# may pass another KH147_TEST_NOW in the child's environment.
CLOCK_HOOK = Path(__file__).resolve().parent / "clock"
os.environ.setdefault("KH147_TEST_NOW", QUIET_NOW.isoformat())
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(CLOCK_HOOK), *filter(None, [os.environ.get("PYTHONPATH")])])


# Tests of other files that meet dates, marked `clock` here so their files need no marker (a
# file of this list may also mark itself); `.ci/run` reruns `-m clock` under faketime.
CLOCK_TESTS = (
    "tests/test_status.py", "tests/test_export.py", "tests/test_membership.py",
    "tests/test_desk.py", "tests/test_dispatch.py", "tests/test_console.py",
    "tests/test_zalo.py::test_e2e_408_and_no_crash",  # the reminder loop of a real process
    "tests/test_zalo.py::test_e2e_reminder_pass_reaches_a_zalo_official",
    "tests/test_zalo.py::test_a_file_becomes_a_download_link_that_expires",
)


def pytest_collection_modifyitems(items):
    for item in items:
        if item.nodeid.startswith(CLOCK_TESTS):
            item.add_marker(pytest.mark.clock)


def ticking_clock(start: datetime) -> Callable[[], datetime]:
    """A clock that starts at `start` and runs at the pace of the machine's monotonic clock,
    so two updates made one after the other still get increasing timestamps."""
    origin = start.astimezone(UTC)
    t0 = time.monotonic()
    return lambda: origin + timedelta(seconds=time.monotonic() - t0)


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
    services.clock = ticking_clock(QUIET_NOW)
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
    services.clock = ticking_clock(QUIET_NOW)
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
