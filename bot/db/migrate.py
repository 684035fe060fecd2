"""Alembic migrations, configured in code: no alembic.ini in the working folder is needed.

    await upgrade(url, schema=None)   apply every migration up to head
    cli_upgrade() -> int              `python -m bot db upgrade`
"""
from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from bot.db.models import Base
from bot.db.session import make_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str = "") -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _revision(connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade_sync(connection) -> tuple[str | None, str | None]:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" not in tables and set(Base.metadata.tables) <= tables:
        # Tables made by create_all (the current models) and never stamped: adopt them as head.
        command.stamp(cfg, "head")
    before = _revision(connection)
    command.upgrade(cfg, "head")
    return before, _revision(connection)


async def upgrade(url: str, schema: str | None = None) -> tuple[str | None, str | None]:
    """Apply migrations to head on `url` (in `schema` on PostgreSQL, when given); returns the
    revision before and after, so the operator is told whether anything was applied."""
    engine = make_engine(url, schema=schema)
    try:
        async with engine.begin() as conn:
            return await conn.run_sync(_upgrade_sync)
    finally:
        await engine.dispose()


def describe_db_error(url: str, e: BaseException) -> str:
    """The one line an operator reads when the database cannot be reached or migrated."""
    first = str(e).strip().splitlines()[0] if str(e).strip() else ""
    first = re.sub(r"^\((?:sqlalchemy|asyncpg)[^)]*\)\s*", "", first)  # the driver's class path
    return (f"Không kết nối được cơ sở dữ liệu {_safe(url)}: {type(e).__name__}"
            f"{': ' + first if first else ''}. Kiểm tra DATABASE_URL và máy chủ cơ sở dữ liệu.")


def cli_upgrade() -> int:
    from bot.config import load_settings

    settings = load_settings()
    try:
        before, after = asyncio.run(upgrade(settings.DATABASE_URL))
    except Exception as e:  # one clear line for the operator, never a traceback
        print(f"Không áp dụng được migration trên {_safe(settings.DATABASE_URL)}: "
              f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", file=sys.stderr)
        return 1
    if before == after:
        print(f"Cơ sở dữ liệu đã ở phiên bản mới nhất ({after}): {_safe(settings.DATABASE_URL)}")
    else:
        print(f"Đã nâng cấp cơ sở dữ liệu từ phiên bản {before or 'trống'} lên {after}: "
              f"{_safe(settings.DATABASE_URL)}")
    return 0


def _safe(url: str) -> str:
    """The URL without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "DATABASE_URL"
