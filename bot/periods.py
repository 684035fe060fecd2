"""Reporting periods of section IV.3: the 6-month report (before 15/6) and the annual report
(before 15/12), every year 2021-2030.

The 6-month report of year Y is period "Y-6T": 16/12/(Y-1) 00:00 → 15/6/Y 23:59:59.999999
local time; the annual report of year Y is period "Y": 16/12/(Y-1) → 15/12/Y, same times.
An item counts as reported for a period when an update for it falls within the window
(start <= t <= end); `due` is the last instant a report counts as on time (the end of the due
day).

    Period(id, kind, start, end, due)                kind "6T" or "year" (or "deadline"; another
                                                     plan's regime: "month", "quarter", "annual")
    period_for(deadline_id, occurrence, tz, deadline=None) -> Period
    regime_period(deadline, occurrence, tz) -> Period    another plan's periodic report
    parse_period(text, tz, today) -> Period | None   "2026", "năm 2026", "6T/2026", "2026-6T"…
                                                     (None too for a year outside 2021-2030)
    period_refusal(text, tz, today) -> str | None    why a typed period is refused, one line
    current_period(today, tz) -> Period              the period whose report is due next
    current_regime_period(kb, today, tz) -> Period | None    the same in another plan's regime
    regime_periods(kb, today, tz) -> list[Period]    its reports so far, newest first
    default_period(kb, plan_id, today, tz) -> Period    what a command means with no period typed
    issued_on(kb) -> date | None                     the plan's issue date (document.date)
    reporting_agencies(kb) -> list[str]              leads, districts instead of the collective
    half_year(year, tz), year_period(year, tz)
    fmt_local(moment, tz), fmt_window(period)
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from bot.calendar import month_day, occurrences
from bot.knowledge import DEFAULT_PLAN
from bot.text import fold

SIX_MONTH = "IV.3-6m"
ANNUAL = "IV.3-year"
COLLECTIVE = "ubnd_huyen"
FIRST_YEAR, LAST_YEAR = 2021, 2030  # section IV.3: the reports of every year of the plan
_END_OF_DAY = time(23, 59, 59, 999999)


@dataclass(frozen=True)
class Period:
    id: str
    kind: str
    start: datetime
    end: datetime
    due: datetime

    @property
    def label(self) -> str:
        """How the period reads in Vietnamese: "6 tháng năm 2026", "năm 2026"."""
        if self.kind == "6T":
            return f"6 tháng năm {self.id.split('-')[0]}"
        if self.kind == "year":
            return f"năm {self.id}"
        if self.kind in _REGIME_LABELS:
            return _REGIME_LABELS[self.kind](self.due)
        return f"hạn {self.due.strftime('%d/%m/%Y')}"

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment <= self.end


def _cycle_start(year: int, tz: tzinfo) -> datetime:
    """The reporting cycle of year Y opens on 16/12 of the year before."""
    return datetime(year - 1, 12, 16, tzinfo=tz)


def half_year(year: int, tz: tzinfo) -> Period:
    end = datetime.combine(date(year, 6, 15), _END_OF_DAY, tzinfo=tz)
    return Period(f"{year}-6T", "6T", _cycle_start(year, tz), end, end)


def year_period(year: int, tz: tzinfo) -> Period:
    end = datetime.combine(date(year, 12, 15), _END_OF_DAY, tzinfo=tz)
    return Period(str(year), "year", _cycle_start(year, tz), end, end)


def period_for(deadline_id: str, occurrence: date, tz: tzinfo, deadline=None) -> Period:
    """The period a deadline occurrence closes.

    The IV.3 reports give "Y-6T" and "Y"; another plan's periodic report (`deadline`, a
    bot.knowledge.Deadline of kind "report" with a rule) gives regime_period; any other
    deadline (a milestone, the IV.1 plan) gives a window from the start of its reporting
    cycle to the end of its due day.
    """
    if deadline_id == SIX_MONTH:
        return half_year(occurrence.year, tz)
    if deadline_id == ANNUAL:
        return year_period(occurrence.year, tz)
    if deadline is not None and deadline.kind == "report" and deadline.recurring:
        return regime_period(deadline, occurrence, tz)
    end = datetime.combine(occurrence, _END_OF_DAY, tzinfo=tz)
    cycle_year = occurrence.year + 1 if (occurrence.month, occurrence.day) >= (12, 16) \
        else occurrence.year
    return Period(f"{deadline_id}@{occurrence.isoformat()}", "deadline",
                  _cycle_start(cycle_year, tz), end, end)


# how another plan's report period reads: "tháng 11/2026", "quý IV/2026", "năm 2026"
_QUARTERS = ("I", "II", "III", "IV")
_REGIME_LABELS = {
    "month": lambda due: f"tháng {due.month}/{due.year}",
    "quarter": lambda due: f"quý {_QUARTERS[(due.month - 1) // 3]}/{due.year}",
    "annual": lambda due: f"năm {due.year}",
}
_STEP = {"monthly": 1, "quarterly": 3, "yearly": 12}  # months between two reports of a rule
_REGIME_KIND = {"monthly": "month", "quarterly": "quarter", "yearly": "annual"}


def regime_period(deadline, occurrence: date, tz: tzinfo) -> Period:
    """The period a periodic report of another plan closes, the way KH147's IV.3 reports
    close theirs: it opens the day after the rule's previous date (the day after the last
    report was due) and ends with its due day. A monthly report before the 20th covers
    21/10 – 20/11; a yearly one before 10/12 covers 11/12 of the year before – 10/12."""
    step = _STEP.get(deadline.frequency, 12)
    months = occurrence.year * 12 + occurrence.month - 1 - step
    previous = month_day(months // 12, months % 12 + 1, deadline.day or occurrence.day)
    start = datetime.combine(previous + timedelta(days=1), time(0), tzinfo=tz)
    end = datetime.combine(occurrence, _END_OF_DAY, tzinfo=tz)
    return Period(f"{deadline.id}@{occurrence.isoformat()}",
                  _REGIME_KIND.get(deadline.frequency, "annual"), start, end, end)


_HALF = [re.compile(p) for p in (
    r"^(20\d\d) ?6 ?t$",  # 2026-6T
    r"^6 ?t ?(?:nam )?(20\d\d)$",  # 6T/2026, 6T 2026
    r"^6 thang (?:dau )?(?:nam )?(20\d\d)$",  # 6 tháng (đầu) năm 2026
    r"^(20\d\d) 6 thang$",
)]
_ANNUAL = re.compile(r"^(?:bao cao )?(?:ca )?(?:nam )?(20\d\d)$")  # 2026, năm 2026


def parse_period(text: str, tz: tzinfo, today: date | None = None) -> Period | None:
    """A period of the plan typed by an admin, or None (not a period, or a year outside
    2021-2030). "6T" alone means this year's 6-month report."""
    period = _read_period(text, tz, today)
    return period if period is not None and in_plan(period) else None


def period_refusal(text: str, tz: tzinfo, today: date | None = None) -> str | None:
    """The one line for a period that reads well but is not one of the plan's, else None."""
    period = _read_period(text, tz, today)
    if period is None or in_plan(period):
        return None
    return (f"Kế hoạch có các kỳ báo cáo từ năm {FIRST_YEAR} đến năm {LAST_YEAR}, không có kỳ "
            f"{period.label}.")


def in_plan(period: Period) -> bool:
    return FIRST_YEAR <= period.due.year <= LAST_YEAR


def _read_period(text: str, tz: tzinfo, today: date | None) -> Period | None:
    s = fold(text or "").removeprefix("ky ").strip()
    if not s:
        return None
    if today is not None and s in ("6t", "6 thang"):
        return half_year(today.year, tz)
    for rx in _HALF:
        m = rx.match(s)
        if m:
            return half_year(int(m.group(1)), tz)
    m = _ANNUAL.match(s)
    return year_period(int(m.group(1)), tz) if m else None


def current_period(today: date, tz: tzinfo) -> Period:
    """The period whose report is due next: 6T until 15/6, the year until 15/12, then next 6T;
    after the plan's last report (15/12/2030) that last one, before its first the first."""
    if today > date(LAST_YEAR, 12, 15):
        return year_period(LAST_YEAR, tz)
    if today.year < FIRST_YEAR:
        return half_year(FIRST_YEAR, tz)
    if (today.month, today.day) <= (6, 15):
        return half_year(today.year, tz)
    if (today.month, today.day) <= (12, 15):
        return year_period(today.year, tz)
    return half_year(today.year + 1, tz)


def current_regime_period(kb, today: date, tz: tzinfo) -> Period | None:
    """In a plan other than KH147 (whose 6-month report is cumulative: current_period), the
    period of the periodic report due next among its monthly, quarterly or yearly report
    deadlines: the nearest on or after today, after the plan's last report that last one;
    None for a plan without a periodic report."""
    rules = [d for d in kb.deadlines if d.kind == "report" and d.recurring]
    found = sorted((occ, dl.id, dl) for dl in rules
                   for occ in occurrences(dl, date(dl.from_year, 1, 1), date(dl.to_year, 12, 31)))
    if not found:
        return None
    occ, _, dl = next((x for x in found if x[0] >= today), found[-1])
    return regime_period(dl, occ, tz)


def regime_periods(kb, today: date, tz: tzinfo) -> list[Period]:
    """Newest first: the periods of another plan's periodic reports, from the first one due
    after the plan was issued up to the one due next (current_regime_period, always listed);
    [] for a plan without a periodic report."""
    current = current_regime_period(kb, today, tz)
    if current is None:
        return []
    issued = issued_on(kb)
    found = {}
    for dl in kb.deadlines:
        if dl.kind != "report" or not dl.recurring:
            continue
        for occ in occurrences(dl, date(dl.from_year, 1, 1), current.due.date()):
            if issued is None or occ >= issued:
                period = regime_period(dl, occ, tz)
                found[period.id] = period
    found[current.id] = current
    return sorted(found.values(), key=lambda p: (p.due, p.id), reverse=True)


def default_period(kb, plan_id: str | None, today: date, tz: tzinfo) -> Period:
    """The period a command or a page means when none is named: another plan's own next
    periodic report (a monthly report's month) when it has one, else KH147's current one."""
    if plan_id not in (None, DEFAULT_PLAN):
        own = current_regime_period(kb, today, tz)
        if own is not None:
            return own
    return current_period(today, tz)


def issued_on(kb) -> date | None:
    """The day the plan was issued: the document's ISO date ("2026-03-26"), else its date as
    written ("26/3/2026"); a month alone ("8/2021", KH147) reads as its first day, so nothing
    of the plan's life is cut off. None when the file gives no readable date."""
    doc = kb.document
    iso = str(doc.extra.get("date_iso") or "")
    m = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", iso)
    if m:
        y, mo, d = m.group(1), m.group(2), m.group(3)
    else:
        m = re.fullmatch(r"(?:(\d{1,2})/)?(\d{1,2})/(\d{4})", (doc.date or "").strip())
        if not m:
            return None
        d, mo, y = m.groups()
    try:
        return date(int(y), int(mo), int(d or 1))
    except ValueError:
        return None


def reporting_agencies(kb) -> list[str]:
    """Every agency leading a section, the collective replaced by its member districts;
    in the knowledge file's agency order. With today's organisation attached: the current
    units holding those duties (bot.units.reporting_units)."""
    from bot.units import reporting_units

    leads = {s.lead for s in kb.sections if s.lead} | {t.lead for t in kb.tasks if t.lead}
    out: list[str] = []
    for a in kb.agencies:
        if a.id in leads:
            children = [c.id for c in kb.children(a.id)]
            out.extend(children or [a.id])
    # with today's organisation: the current units (successors, communes) in that order
    return reporting_units(kb, list(dict.fromkeys(out)))


def fmt_local(moment: datetime, tz: tzinfo, with_time: bool = True) -> str:
    """"10:15 ngày 30/11/2026" (or "30/11/2026") in local time."""
    local = moment.astimezone(tz)
    return local.strftime("%H:%M ngày %d/%m/%Y") if with_time else local.strftime("%d/%m/%Y")


def fmt_window(period: Period) -> str:
    return f"{period.start.strftime('%d/%m/%Y')} – {period.end.strftime('%d/%m/%Y')}"
