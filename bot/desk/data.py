"""What the desk's pages show, computed once per period and data version.

The picture of a period comes from the same sources as /tonghop, the exports and the compiled
report: `bot.export.build_report` for the rows (which tasks each unit answers for, their latest
status) and `bot.buckets` for the Government Office's five buckets. A snapshot is reused while
no status update has been added and the minute has not changed (a deadline passing turns
"trong hạn" into "quá hạn"), so pages stay fast with tens of thousands of updates.

    periods(svc, plan_id="kh147", kb=None) -> list[Period]   the plan's periods, default first
    snapshot(svc, period, plan_id="kh147") -> Snapshot   (Snapshot.history_of: a task's updates)
    current(svc, period, wait, plan_id="kh147") -> (Snapshot, refreshing)

Each snapshot is one plan's (bot.export.plan_knowledge: its tasks and units, its rows only).
    history(svc, agency_ids, until) -> list[StatusRow]
"""
from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from bot import buckets, export
from bot.db import repo
from bot.db.models import StatusUpdate, User
from bot.knowledge import DEFAULT_PLAN
from bot.periods import Period, current_period, half_year, regime_periods, year_period

FIRST_YEAR = 2021  # the plan runs 2021-2030
CACHE_SIZE = 12
SLOW_BUILD = 1.0  # seconds: a rebuild slower than this is not waited for by pages
QUICK_WAIT = 0.02  # seconds a page then waits before showing the previous picture


@dataclass(frozen=True)
class Cell:
    row: export.TaskRow
    bucket: str
    done_at: datetime | None


@dataclass
class Unit:
    agency_id: str
    name: str
    cells: list[Cell]
    counts: dict[str, int]
    reported: bool
    last_update: datetime | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return sum(self.counts[k] for k in buckets.DONE)


@dataclass
class Snapshot:
    period: Period
    as_of: datetime
    units: list[Unit]
    totals: dict[str, int]
    report: export.Report
    by_task: dict[str, list[tuple[Unit, Cell]]] = field(default_factory=dict)
    # (agency, item) -> its effective updates up to as_of, oldest first
    items: dict[tuple[str, str], list] = field(default_factory=dict)
    rendered: dict = field(default_factory=dict)  # pages' pieces already drawn from it

    def history_of(self, agency_id: str, task_id: str, section_id: str) -> list:
        """A task's updates, newest first, the whole section's ones included."""
        rows = self.items.get((agency_id, task_id), []) + \
            self.items.get((agency_id, section_id), [])
        return sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True)

    @property
    def reported(self) -> list[Unit]:
        return [u for u in self.units if u.reported]

    @property
    def missing(self) -> list[Unit]:
        return [u for u in self.units if not u.reported]


def periods(svc, plan_id: str = DEFAULT_PLAN, kb=None) -> list[Period]:
    """Newest first, the default one first. KH147's: the current period, then every earlier
    one back to the plan's start. Another plan with a periodic report (kh134: monthly,
    before the 20th): its own reports, from the one due next (the period /tonghop takes for
    it) back to the first after the plan was issued; a plan without one takes KH147's."""
    tz, today = svc.settings.tz, svc.local_now().date()
    if plan_id != DEFAULT_PLAN:
        own = regime_periods(kb or export.plan_knowledge(svc, plan_id), today, tz)
        if own:
            return own
    current = current_period(today, tz)
    out = []
    for year in range(current.start.year + 1, FIRST_YEAR - 1, -1):
        for p in (year_period(year, tz), half_year(year, tz)):
            if p.end <= current.end:
                out.append(p)
    return out


async def _version(svc) -> int | None:
    """The newest update's id: status_updates is append-only (a correction is a new row), so
    a new id is the only way the picture can change. One index lookup, no table scan."""
    async with svc.engine.connect() as conn:
        return (await conn.execute(_NEWEST)).scalar()


_NEWEST = select(func.max(StatusUpdate.id))


async def history(svc, agency_ids=None, until: datetime | None = None,
                  plan_id: str = DEFAULT_PLAN) -> list[repo.StatusRow]:
    """One plan's effective updates (corrections applied), oldest first: what /tonghop reads."""
    return await repo.status_history(svc.sessions, agency_ids, until=until, plan_id=plan_id)


def _order(r) -> tuple:
    return (r.created_at, r.id)


def build_snapshot(kb, rows: list[repo.StatusRow], period: Period, as_of: datetime, tz,
                   ) -> Snapshot:
    """Pure: the period's units, cells and counts from the update history (oldest first)."""
    report = export.build_report(kb, rows, period, as_of, tz)
    from bot.units import row_unit

    items: dict[tuple[str, str], list] = defaultdict(list)
    for r in rows:
        if r.created_at <= as_of:  # a former agency's row counts for its successor today
            items[(row_unit(kb, r.agency_id, r.item_id), r.item_id)].append(r)
    cells_of: dict[str, list[Cell]] = defaultdict(list)
    for row in report.rows:
        own = items.get((row.agency_id, row.task_id), [])
        whole = items.get((row.agency_id, row.section_id), [])
        merged = sorted(own + whole, key=_order) if own and whole else (own or whole)
        deadline = buckets.task_deadline(kb, kb.task(row.task_id), period, tz)
        # buckets.classify, with the window test export.build_report already made
        done_at = buckets.completed_at(merged)
        bucket = buckets.bucket_of(merged[-1].status if merged else None, done_at,
                                   row.reported, as_of, deadline)
        cells_of[row.agency_id].append(Cell(row, bucket, done_at))
    units = []
    for a in report.agencies:
        cells = cells_of.get(a.agency_id, [])
        counted = [c.bucket for c in cells if not c.row.general]
        units.append(Unit(a.agency_id, kb.agency(a.agency_id).name, cells,
                          buckets.count(counted), a.any_update, a.last_update))
    totals = buckets.count(c.bucket for u in units for c in u.cells if not c.row.general)
    snap = Snapshot(period, as_of, units, totals, report, items=dict(items))
    for u in units:
        for c in u.cells:
            snap.by_task.setdefault(c.row.task_id, []).append((u, c))
    return snap


def _cache(svc) -> dict[tuple[str, str], tuple[tuple, Snapshot]]:
    """Per services object (one database), (plan id, period id) -> (key, snapshot)."""
    return svc.__dict__.setdefault("_desk_snapshots", {})


async def snapshot(svc, period: Period, plan_id: str = DEFAULT_PLAN) -> Snapshot:
    """The plan's period's picture as of now (waits for a rebuild when the data changed)."""
    snap, _refreshing = await current(svc, period, wait=None, plan_id=plan_id)
    return snap


async def current(svc, period: Period, wait: float | None = QUICK_WAIT,
                  plan_id: str = DEFAULT_PLAN) -> tuple[Snapshot, bool]:
    """(snapshot, refreshing). When updates arrived since the cached snapshot, it is rebuilt
    in a worker thread (one rebuild per period at a time, the server keeps answering); a page
    waits for it, unless the last rebuild was slow (tens of thousands of updates): then it
    waits at most `wait` seconds and shows the previous picture, saying that a newer one is
    on its way."""
    as_of = export.report_instant(svc, period)
    minute = as_of.replace(second=0, microsecond=0)
    key = (await _version(svc), minute if as_of < period.end else None)
    cache, state = _cache(svc), _state(svc)
    which = (plan_id, period.id)
    hit = cache.get(which)
    if hit is not None and hit[0] == key:
        return hit[1], False
    task = state["builds"].get((which, key))
    if task is None:
        task = asyncio.create_task(_rebuild(svc, plan_id, period, as_of, key))
        state["builds"][(which, key)] = task
        task.add_done_callback(lambda _t: state["builds"].pop((which, key), None))
    slow = state["last_build"] > SLOW_BUILD
    if hit is None or wait is None or not slow:
        return await asyncio.shield(task), False
    try:
        return await asyncio.wait_for(asyncio.shield(task), wait), False
    except TimeoutError:
        return hit[1], True


async def _rebuild(svc, plan_id: str, period: Period, as_of: datetime,
                   key: tuple) -> Snapshot:
    started = time.perf_counter()
    kb = export.plan_knowledge(svc, plan_id)
    every = await _every(svc)
    # as repo.status_history(until=as_of, plan_id=…): the plan's rows, corrections judged
    # among those up to as_of
    rows = repo.effective([r for r in every if r.created_at <= as_of and r.plan_id == plan_id])
    snap = await asyncio.to_thread(build_snapshot, kb, rows, period, as_of, svc.settings.tz)
    cache, which = _cache(svc), (plan_id, period.id)
    if len(cache) >= CACHE_SIZE and which not in cache:
        cache.pop(next(iter(cache)))
    cache[which] = (key, snap)
    _state(svc)["last_build"] = time.perf_counter() - started
    return snap


def _state(svc) -> dict:
    return svc.__dict__.setdefault("_desk_builds", {
        "builds": {}, "last_build": 0.0, "every": [], "last_id": 0, "lock": asyncio.Lock()})


async def _every(svc) -> list[repo.StatusRow]:
    """Every update, corrections and withdrawals too, oldest first. Read whole once, then
    only the rows added since: status_updates is append-only, so the newest id is enough
    to know what is new (reading 50,000 rows again took seconds)."""
    state = _state(svc)
    async with state["lock"]:  # two periods rebuilding at once must not append twice
        q = _SINCE.where(StatusUpdate.id > state["last_id"])
        async with svc.engine.connect() as conn:
            new = [repo._status_row(r, r.display_name) for r in (await conn.execute(q)).all()]
        if new:
            every = state["every"]
            in_order = not every or _order(new[0]) >= _order(every[-1])
            every = every + new  # a new list: a running rebuild keeps the one it was given
            if not in_order:  # an update dated back (an import): keep the history's order
                every.sort(key=_order)
            state["every"], state["last_id"] = every, max(r.id for r in new)
        return state["every"]


# the columns repo.status_history reads, as plain rows (no ORM objects: 3x faster to load)
_SINCE = (select(*StatusUpdate.__table__.c, User.display_name)
          .join(User, User.id == StatusUpdate.user_id)
          .order_by(StatusUpdate.created_at, StatusUpdate.id))


def groups(kb) -> list[tuple[str, str, list[str]]]:
    """(group id, title, task ids) in plan order: parts III's groups 1-8, then IV.1-IV.3."""
    out: dict[str, list[str]] = {}
    for t in kb.tasks:
        s = kb.section(t.section)
        out.setdefault(s.group or s.id, []).append(t.id)
    return [(g, kb.section(g).title, ids) for g, ids in out.items()]
