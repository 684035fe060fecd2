"""The Government Office's progress buckets for a task in a reporting period.

Văn phòng Chính phủ (and the provincial offices after it) count assigned tasks in five buckets;
the compiled report (bot/report.py) and the web desk use the same rule, from this module:

    BUCKETS                         keys in display order, LABELS[key] their Vietnamese names
    task_deadline(kb, task, period, tz) -> datetime
    classify(history, period, as_of, deadline) -> Verdict
    bucket_of(status, done_at, reported, as_of, deadline) -> str
    count(keys) -> dict[str, int]   every bucket, zeros included

The rule, decided from the task's deadline and its latest (effective) status only, never a guess:

- The deadline is the task's own deadline in the plan (knowledge `deadlines`, a one-off due
  date): of the dates a bullet carries, the first not before the period opens, else the last
  one (all passed). A task with no one-off deadline (or only the recurring IV.3 reports) is due
  on the period's report date (`period.due`, e.g. 15/6 or 15/12, end of day).
- Latest status "xong" (completed) -> "done_ontime" when the completion (the moment the trailing
  run of "xong" updates began) is at or before the deadline, else "done_late". Completion
  carries over: a task reported done in an earlier period stays done.
- No update in the period window (and not completed) -> "unreported".
- Otherwise (chưa thực hiện, đang thực hiện, vướng mắc) -> "open_ontime" while the report's
  instant is at or before the deadline, "open_overdue" after it.

`history` holds one (agency, task)'s effective updates, oldest first, none after `as_of`
(corrections already applied: a superseded or withdrawn update is not in it). Each item needs
`.status` and `.created_at` (repo.StatusRow or anything alike).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

DONE_ONTIME, DONE_LATE = "done_ontime", "done_late"
OPEN_ONTIME, OPEN_OVERDUE = "open_ontime", "open_overdue"
UNREPORTED = "unreported"
BUCKETS = (DONE_ONTIME, DONE_LATE, OPEN_ONTIME, OPEN_OVERDUE, UNREPORTED)
LABELS = {
    DONE_ONTIME: "Hoàn thành đúng hạn",
    DONE_LATE: "Hoàn thành quá hạn",
    OPEN_ONTIME: "Chưa hoàn thành, trong hạn",
    OPEN_OVERDUE: "Chưa hoàn thành, quá hạn",
    UNREPORTED: "Chưa báo cáo",
}
DONE = (DONE_ONTIME, DONE_LATE)
OPEN = (OPEN_ONTIME, OPEN_OVERDUE)


@dataclass(frozen=True)
class Verdict:
    bucket: str  # a key of LABELS
    deadline: datetime
    reported: bool  # an update falls within the period window
    done_at: datetime | None = None  # when the task was completed ("xong" run began)


def _end_of(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(23, 59, 59, 999999), tzinfo=tz)


def task_deadline(kb, task, period, tz: tzinfo) -> datetime:
    """The task's own one-off deadline that matters for `period`, else the period's due date."""
    dues = []
    for deadline_id in task.deadlines or ((task.deadline,) if task.deadline else ()):
        found = kb.deadline(deadline_id)
        if found.due:  # recurring deadlines (the IV.3 reports) are the period's own
            dues.append(_end_of(date.fromisoformat(found.due), tz))
    if not dues:
        return period.due
    dues.sort()
    upcoming = [d for d in dues if d >= period.start]
    return upcoming[0] if upcoming else dues[-1]


def completed_at(history: Sequence) -> datetime | None:
    """When the trailing run of "xong" began; None when the latest status is not "xong"."""
    done_at = None
    for row in reversed(history):
        if row.status != "xong":
            break
        done_at = row.created_at
    return done_at


def bucket_of(status: str | None, done_at: datetime | None, reported: bool, as_of: datetime,
              deadline: datetime) -> str:
    """The bucket from the latest status alone (see the module's rule)."""
    if status == "xong" and done_at is not None:
        return DONE_ONTIME if done_at <= deadline else DONE_LATE
    if status is None or not reported:
        return UNREPORTED
    return OPEN_ONTIME if as_of <= deadline else OPEN_OVERDUE


def classify(history: Sequence, period, as_of: datetime, deadline: datetime) -> Verdict:
    """The bucket of one (agency, task) from its effective history, oldest first."""
    reported = any(period.start <= r.created_at <= period.end for r in history)
    latest = history[-1].status if history else None
    done_at = completed_at(history)
    return Verdict(bucket_of(latest, done_at, reported, as_of, deadline), deadline, reported,
                   done_at)


def count(keys: Iterable[str]) -> dict[str, int]:
    """How many of each bucket, every bucket present (zeros too), in display order."""
    out = dict.fromkeys(BUCKETS, 0)
    for key in keys:
        out[key] += 1
    return out
