"""A unit's reporting progress for a period, said the same way by reminders, /trangthai and
/tonghop: "đã báo cáo 1/5 nhiệm vụ; còn thiếu 2.2.2, 2.2.3, 2.2.4, 4.3.1".

    Progress(agency_id, total, missing)       .reported, .complete, .text()
    from_report(report) -> dict[agency_id, Progress]       from an export.Report (pure)
    unit_progress(svc, period, agency_ids=None, at=None, plan_id="kh147")
                                                          -> dict[agency_id, Progress]

A task counts as reported for the period when an effective update for it (or for its whole
section) falls in the period's window, or when it was reported done in an earlier period
(completion carries over); the others are missing. Corrections and withdrawals are applied
(repo.period_history gives effective rows only). General duties (group 1, IV.1, IV.3) are not
counted, as in the export.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from bot.knowledge import DEFAULT_PLAN
from bot.periods import Period


@dataclass(frozen=True)
class Progress:
    agency_id: str
    total: int
    missing: tuple[str, ...]  # task ids, in plan order

    @property
    def reported(self) -> int:
        return self.total - len(self.missing)

    @property
    def complete(self) -> bool:
        return not self.missing

    def text(self) -> str:
        if not self.total:
            return "không chủ trì nhiệm vụ riêng nào"
        line = f"đã báo cáo {self.reported}/{self.total} nhiệm vụ"
        if self.missing:
            line += "; còn thiếu " + ", ".join(self.missing)
        return line


def from_report(report) -> dict[str, Progress]:
    """Each reporting unit's progress in an export.Report."""
    return {a.agency_id: Progress(a.agency_id, a.total, tuple(a.missing))
            for a in report.agencies}


async def unit_progress(svc, period: Period, agency_ids: list[str] | None = None,
                        at: datetime | None = None,
                        plan_id: str = DEFAULT_PLAN) -> dict[str, Progress]:
    """Progress as of `at` (default: now, or the period's end if it is over), in one plan
    (its tasks and rows; export.UnknownPlan for a plan not loaded). With `at` after
    the period's end, late reports made by then count too: a reminder sent after the deadline
    stops chasing a unit that has reported since."""
    from bot import export
    from bot.db import repo

    kb = export.plan_knowledge(svc, plan_id)
    as_of = at or export.report_instant(svc, period)
    window = dataclasses.replace(period, end=max(period.end, as_of))
    from bot.units import with_sources

    history = await repo.period_history(svc.sessions, period.start, as_of,
                                        with_sources(kb, agency_ids),
                                        plan_id=(plan_id or DEFAULT_PLAN).strip().lower())
    report = export.build_report(kb, history, window, as_of, svc.settings.tz, agency_ids)
    return from_report(report)
