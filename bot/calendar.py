"""Deadline occurrences, reminder moments on working days, and how dates read in Vietnamese.

Public API:
    WEEKDAYS, weekday_name(d), fmt_date(d), fmt_int(n), days_left_text(due, today)
    occurrences(deadline, start, end) -> list[date]        one-off or yearly, within [start, end]
    occurrences_between(kb, start, end) -> list[(Deadline, date)]   nearest first
    upcoming(kb, today, limit) -> list[(Deadline, date)]
    month_day(year, month, day) -> date                     the 31st of a short month: its last
    working_day(d, forward=False) -> date                   Sat/Sun -> Friday before (or Monday)
    reminder_moment(occurrence, offset_days, tz, at_time) -> datetime (aware, local tz)
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.knowledge import Deadline, Knowledge

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def weekday_name(d: date) -> str:
    return WEEKDAYS[d.weekday()]


def fmt_date(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def fmt_int(n: int) -> str:
    """Vietnamese digit grouping: 1111 -> "1.111"."""
    return f"{n:,}".replace(",", ".")


def days_left_text(due: date, today: date) -> str:
    """Days to `due`; no brackets, because callers put the result in brackets."""
    n = (due - today).days
    if n == 0:
        return "hôm nay"
    if n == 1:
        return "ngày mai"
    if n > 0:
        return f"còn {fmt_int(n)} ngày"
    return f"đã quá hạn {fmt_int(-n)} ngày"


def occurrences(deadline: Deadline, start: date, end: date) -> list[date]:
    """The deadline's dates within [start, end], in order."""
    if deadline.due:
        d = date.fromisoformat(deadline.due)
        return [d] if start <= d <= end else []
    out = []
    for year in range(max(deadline.from_year, start.year), min(deadline.to_year, end.year) + 1):
        for month in deadline.months():  # one month, or twelve for a monthly report
            d = month_day(year, month, deadline.day)
            if start <= d <= end:
                out.append(d)
    return out


def month_day(year: int, month: int, day: int) -> date:
    """The day in that month; 29/2 in a common year reads as 28/2, the 31st of a short
    month as its last day, rather than failing."""
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            day -= 1


def occurrences_between(kb: Knowledge, start: date, end: date) -> list[tuple[Deadline, date]]:
    found = [(dl, d) for dl in kb.deadlines for d in occurrences(dl, start, end)]
    return sorted(found, key=lambda x: (x[1], x[0].id))


def upcoming(kb: Knowledge, today: date, limit: int = 8) -> list[tuple[Deadline, date]]:
    """The next `limit` occurrences from today on, nearest first."""
    horizon = today
    found: list[tuple[Deadline, date]] = []
    # widen the window a year at a time: yearly rules make the list endless until to_year
    for _ in range(12):
        horizon = horizon.replace(year=horizon.year + 1) if not (
            horizon.month == 2 and horizon.day == 29) else date(horizon.year + 1, 2, 28)
        found = occurrences_between(kb, today, horizon)
        if len(found) >= limit:
            break
    return found[:limit]


def working_day(d: date, forward: bool = False) -> date:
    """Saturday/Sunday -> the Friday before; with forward=True, the Monday after."""
    wd = d.weekday()
    if wd < 5:
        return d
    if forward:
        return d + timedelta(days=7 - wd)
    return d - timedelta(days=wd - 4)


def reminder_moment(occurrence: date, offset_days: int, tz: ZoneInfo, at_time: time) -> datetime:
    """When the reminder `offset_days` before the deadline goes out (negative: after it).

    Reminders before or on the day move back to Friday when they fall on a weekend (so they
    still arrive before the deadline); overdue ones move forward to Monday (moving them back
    could place an "overdue" message before the deadline has passed).
    """
    day = occurrence - timedelta(days=offset_days)
    day = working_day(day, forward=offset_days < 0)
    return datetime.combine(day, at_time, tzinfo=tz)
