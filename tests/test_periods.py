"""Reporting periods of IV.3: windows, parsing what admins type, the period due next."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.knowledge import load_knowledge
from bot.periods import (
    current_period,
    half_year,
    parse_period,
    period_for,
    period_refusal,
    reporting_agencies,
    year_period,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2026, 11, 30)
pytestmark = pytest.mark.clock


@pytest.mark.parametrize("text", ["2026", "năm 2026", "nam 2026", "Năm 2026", " 2026 "])
def test_annual_report_spellings(text):
    p = parse_period(text, TZ, TODAY)
    assert p is not None and p.id == "2026" and p.kind == "year"


@pytest.mark.parametrize("text", ["2026-6T", "6T/2026", "6 tháng 2026", "6 thang 2026",
                                  "6t/2026", "6 tháng năm 2026", "6 tháng đầu năm 2026",
                                  "kỳ 6T/2026"])
def test_six_month_report_spellings(text):
    p = parse_period(text, TZ, TODAY)
    assert p is not None and p.id == "2026-6T" and p.kind == "6T"


@pytest.mark.parametrize("text", ["", "abc", "2026-13", "13/2026", "6T/26", "quý 3"])
def test_unknown_period_text_is_none(text):
    assert parse_period(text, TZ, TODAY) is None


def test_windows_follow_the_shared_rule():
    six = half_year(2026, TZ)
    assert six.start == datetime(2025, 12, 16, tzinfo=TZ)
    assert six.end.date() == date(2026, 6, 15) and six.end.hour == 23 and six.end.minute == 59
    assert six.due == six.end
    annual = year_period(2026, TZ)
    assert annual.start == six.start
    assert annual.end.date() == date(2026, 12, 15)
    for p in (six, annual):
        assert p.start.tzinfo is not None and p.end.tzinfo is not None
        assert p.contains(p.start) and p.contains(p.end)
        assert not p.contains(p.start - timedelta(microseconds=1))
        assert not p.contains(p.end + timedelta(microseconds=1))


@pytest.mark.parametrize("today,expected", [
    (date(2026, 1, 5), "2026-6T"),
    (date(2026, 6, 15), "2026-6T"),
    (date(2026, 6, 16), "2026"),
    (date(2026, 12, 15), "2026"),
    (date(2026, 12, 16), "2027-6T"),
    (date(2026, 12, 31), "2027-6T"),
    (date(2021, 1, 5), "2021-6T"),
    (date(2020, 12, 20), "2021-6T"),  # the plan's first cycle opens on 16/12/2020
    (date(2030, 12, 15), "2030"),
    (date(2030, 12, 16), "2030"),  # the plan's last report stays the one shown
    (date(2031, 1, 5), "2030"),
    (date(2019, 3, 1), "2021-6T"),
])
def test_current_period_is_the_report_due_next(today, expected):
    assert current_period(today, TZ).id == expected


def test_period_for_the_report_deadlines():
    assert period_for("IV.3-6m", date(2026, 6, 15), TZ) == half_year(2026, TZ)
    assert period_for("IV.3-year", date(2026, 12, 15), TZ) == year_period(2026, TZ)
    milestone = period_for("5.6-2025", date(2025, 12, 31), TZ)
    assert milestone.start == datetime(2025, 12, 16, tzinfo=TZ)
    assert milestone.due.date() == date(2025, 12, 31)


def test_reporting_agencies_are_todays_units_in_place_of_the_collective():
    """The collective (UBND huyện) reports through its districts, and each former district
    through the communes of today's organisation that took over its duties."""
    kb = load_knowledge()
    agencies = reporting_agencies(kb)
    districts = [a.id for a in kb.children("ubnd_huyen")]
    assert len(districts) == 10
    assert "ubnd_huyen" not in agencies and not set(districts) & set(agencies)
    for district in districts:
        assert {a.id for a in kb.successors(district)} <= set(agencies)
    assert not [a for a in agencies if kb.is_former(a)]
    assert {"sxd", "sct", "stc", "bqlkcn_bn", "sgddt", "cat", "ttt"} <= set(agencies)
    assert len(agencies) == len(set(agencies))


@pytest.mark.parametrize("text", ["2021", "6T/2021", "2030", "2030-6T"])
def test_the_plans_first_and_last_periods_are_accepted(text):
    assert parse_period(text, TZ, TODAY) is not None
    assert period_refusal(text, TZ, TODAY) is None


@pytest.mark.parametrize(("text", "label"), [
    ("2035", "năm 2035"), ("năm 2020", "năm 2020"), ("6T/2031", "6 tháng năm 2031"),
    ("2099-6T", "6 tháng năm 2099")])
def test_a_period_outside_the_plan_is_refused_with_one_line(text, label):
    assert parse_period(text, TZ, TODAY) is None
    assert period_refusal(text, TZ, TODAY) == (
        f"Kế hoạch có các kỳ báo cáo từ năm 2021 đến năm 2030, không có kỳ {label}.")


def test_six_months_alone_after_the_plan_is_refused():
    assert parse_period("6T", TZ, date(2031, 2, 1)) is None
    assert "không có kỳ 6 tháng năm 2031." in period_refusal("6T", TZ, date(2031, 2, 1))
    assert period_refusal("quý 3", TZ, TODAY) is None  # not a period at all: the caller says so


async def test_admin_commands_refuse_a_period_outside_the_plan(svc):
    from bot.core import Request
    from handlers import dispatch

    def admin(text: str) -> Request:
        return Request(channel="telegram", user_id="900", chat_id="900", text=text,
                       is_admin=True)

    line = "Kế hoạch có các kỳ báo cáo từ năm 2021 đến năm 2030, không có kỳ năm 2035."
    for command in ("/tonghop 2035", "/xuat 2035", "/xuat csv 2035", "/baocao 2035"):
        [r] = await dispatch(admin(command), svc)
        assert r.text == line and r.file is None, command
    [r] = await dispatch(admin("/tonghop 6T/2031"), svc)
    assert r.text.endswith("không có kỳ 6 tháng năm 2031.") and "\n" not in r.text
    [ok] = await dispatch(admin("/tonghop 2030"), svc)
    assert ok.text.startswith("Tổng hợp kỳ báo cáo năm 2030")

