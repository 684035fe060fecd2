"""Deadline dates, working-day shifting and how dates read in Vietnamese."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.calendar import (
    days_left_text,
    fmt_int,
    occurrences,
    reminder_moment,
    upcoming,
    weekday_name,
    working_day,
)
from bot.knowledge import load_knowledge

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
pytestmark = pytest.mark.clock
EIGHT = time(8, 0)


def test_weekday_names():
    assert weekday_name(date(2026, 12, 15)) == "Thứ Ba"
    assert weekday_name(date(2026, 12, 1)) == "Thứ Ba"
    assert weekday_name(date(2026, 12, 12)) == "Thứ Bảy"
    assert weekday_name(date(2026, 12, 13)) == "Chủ nhật"
    assert weekday_name(date(2026, 12, 14)) == "Thứ Hai"


def test_days_left_wording():
    today = date(2026, 11, 30)
    assert days_left_text(date(2026, 12, 15), today) == "còn 15 ngày"
    assert days_left_text(today, today) == "hôm nay"
    assert days_left_text(date(2026, 11, 28), today) == "đã quá hạn 2 ngày"
    # no brackets of its own: reminders print it inside "(…)"
    assert days_left_text(date(2026, 12, 1), today) == "ngày mai"


def test_day_counts_use_vietnamese_thousands_separators():
    today = date(2026, 11, 30)
    assert days_left_text(date(2029, 12, 15), today) == "còn 1.111 ngày"
    assert days_left_text(date(2021, 9, 30), today) == "đã quá hạn 1.887 ngày"
    assert [fmt_int(n) for n in (0, 999, 1000, 27, 1234567)] == [
        "0", "999", "1.000", "27", "1.234.567"]


def test_annual_report_reminder_moments_2026():
    occ = date(2026, 12, 15)
    got = {o: reminder_moment(occ, o, TZ, EIGHT) for o in (14, 7, 3, 1, 0, -1, -3)}
    want = {14: (12, 1), 7: (12, 8), 3: (12, 11),  # 12/12 is a Saturday: Friday 11/12
            1: (12, 14), 0: (12, 15), -1: (12, 16), -3: (12, 18)}
    for o, (m, d) in want.items():
        assert got[o] == datetime(2026, m, d, 8, 0, tzinfo=TZ), o
        assert got[o].weekday() < 5


def test_weekend_deadline_keeps_its_date_but_reminds_on_workdays():
    sat = date(2024, 6, 15)
    assert weekday_name(sat) == "Thứ Bảy"
    assert reminder_moment(sat, 0, TZ, EIGHT).date() == date(2024, 6, 14)  # Friday before
    assert reminder_moment(sat, 1, TZ, EIGHT).date() == date(2024, 6, 14)
    # overdue reminders move forward, never before the deadline
    assert reminder_moment(sat, -1, TZ, EIGHT).date() == date(2024, 6, 17)
    assert working_day(date(2024, 6, 16)) == date(2024, 6, 14)


def test_occurrences_and_upcoming_nearest_first():
    kb = load_knowledge()
    yearly = kb.deadline("IV.3-year")
    assert occurrences(yearly, date(2020, 1, 1), date(2040, 1, 1))[0] == date(2021, 12, 15)
    assert occurrences(yearly, date(2020, 1, 1), date(2040, 1, 1))[-1] == date(2030, 12, 15)
    nxt = upcoming(kb, date(2026, 11, 30), 3)
    assert [(dl.id, d) for dl, d in nxt] == [
        ("IV.3-year", date(2026, 12, 15)), ("IV.3-6m", date(2027, 6, 15)),
        ("IV.3-year", date(2027, 12, 15))]
    assert upcoming(kb, date(2031, 1, 1), 5) == []
    one_off = kb.deadline("IV.1")
    assert occurrences(one_off, date(2021, 1, 1), date(2021, 12, 31)) == [date(2021, 9, 30)]
