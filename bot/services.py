"""What every handler is given: settings, the plan, the database, the clock."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.config import Settings
from bot.db.models import utcnow
from bot.db.session import make_engine, make_sessionmaker
from bot.knowledge import DEFAULT_PLAN, Knowledge, Plans, load_knowledge, load_plans


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
    # (PLANS_DIR, kb, Plans) of the last `plans` read: rebuilt only if either changed
    _plans: tuple | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def plans(self) -> Plans:
        """Every plan served: KH147 (the services' own `kb`, with today's organisation) first,
        then PLANS_DIR's files by name (bot.knowledge.load_plans reads them once per process;
        they change only with a restart, as kh147.json does)."""
        folder = getattr(self.settings, "PLANS_DIR", None)
        if self._plans is None or self._plans[0] != folder or self._plans[1] is not self.kb:
            others = load_plans(folder).by_id
            self._plans = (folder, self.kb, Plans(
                {DEFAULT_PLAN: self.kb, **{k: v for k, v in others.items() if k != DEFAULT_PLAN}}))
        return self._plans[2]

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
