"""Alembic migrations, configured in code: no alembic.ini in the working folder is needed.

    await upgrade(url, schema=None)   apply every migration up to head
    cli_upgrade() -> int              `python -m bot db upgrade`
"""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
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


def _upgrade_sync(connection) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" not in tables and set(Base.metadata.tables) <= tables:
        # Tables made by create_all (the current models) and never stamped: adopt them as head.
        command.stamp(cfg, "head")
    command.upgrade(cfg, "head")


async def upgrade(url: str, schema: str | None = None) -> None:
    """Apply migrations to head on `url` (in `schema` on PostgreSQL, when given)."""
    engine = make_engine(url, schema=schema)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade_sync)
    finally:
        await engine.dispose()


def cli_upgrade() -> int:
    from bot.config import load_settings

    settings = load_settings()
    try:
        asyncio.run(upgrade(settings.DATABASE_URL))
    except Exception as e:  # one clear line for the operator, never a traceback
        print(f"Không áp dụng được migration trên {_safe(settings.DATABASE_URL)}: "
              f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}", file=sys.stderr)
        return 1
    print(f"Cơ sở dữ liệu đã ở phiên bản mới nhất: {_safe(settings.DATABASE_URL)}")
    return 0


def _safe(url: str) -> str:
    """The URL without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "DATABASE_URL"
