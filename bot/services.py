"""What every handler is given: settings, the plan, the database, the clock."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.config import Settings
from bot.db.models import utcnow
from bot.db.session import make_engine, make_sessionmaker
from bot.knowledge import Knowledge, load_knowledge


@dataclass
class Services:
    settings: Settings
    kb: Knowledge
    engine: AsyncEngine
    sessions: async_sessionmaker
    clock: Callable[[], datetime] = field(default=utcnow)
    # channels that draw buttons; the others get numbered choices (see handlers.dispatch)
    button_channels: frozenset[str] = frozenset({"telegram"})
    # terminal users given admin rights with `chat --admin` (the terminal has no id list)
    console_admins: frozenset[str] = frozenset()
    # channel name -> running adapter, so a reply can reach another channel (a Zalo admin
    # approving a Telegram user); filled by the runner
    senders: dict = field(default_factory=dict)

    def now(self) -> datetime:
        return self.clock()

    def local_now(self) -> datetime:
        return self.clock().astimezone(self.settings.tz)

    def is_admin(self, channel: str, user_id: str) -> bool:
        if channel == "console":
            return str(user_id) in self.console_admins
        return str(user_id) in self.settings.admin_ids(channel)

    async def close(self) -> None:
        await self.engine.dispose()


def build_services(settings: Settings, *, schema: str | None = None) -> Services:
    engine = make_engine(settings.DATABASE_URL, schema=schema)
    return Services(settings=settings, kb=load_knowledge(), engine=engine,
                    sessions=make_sessionmaker(engine))


async def open_services(settings: Settings) -> Services:
    """What every command-line entry point starts with: migrate the database, then build."""
    from bot.db.migrate import upgrade

    await upgrade(settings.DATABASE_URL)
    return build_services(settings)
