"""Live progress asked in plain words, answered from the status store (both engines), with
the period and the time the figures stand at; the plan's text is not what answers."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core import Request
from bot.db import repo
from handlers import dispatch

NOW = datetime(2027, 3, 2, 3, 15, tzinfo=UTC)  # 10:15 in Hà Nội, period 6 tháng năm 2027


def tg(user: str, text: str) -> Request:
    return Request(channel="telegram", user_id=user, chat_id=user, text=text,
                   user_name=f"Cán bộ {user}")


async def member(svc, user: str, agency_id: str) -> None:
    row = await repo.request_membership(svc.sessions, "telegram", user, agency_id,
                                        display_name=f"Cán bộ {user}")
    await repo.decide_membership(svc.sessions, row.id, True, by_channel="telegram",
                                 by_external_id="900")


async def ask(svc, text: str, user: str = "50") -> str:
    [r] = await dispatch(tg(user, text), svc)
    return r.text


@pytest.fixture
async def reported(svc):
    svc.clock = lambda: NOW
    await member(svc, "1", "sxd")
    await member(svc, "2", "xa_hiep_hoa")  # a commune of former Hiệp Hòa (issue 12)
    for line in ("/capnhat 2.2.1 đang thực hiện Đã trình 2 đồ án",
                 "/capnhat 2.2.2 xong Đã ban hành hướng dẫn"):
        assert "Đã lưu" in await ask(svc, line, "1")
    assert "Đã lưu" in await ask(svc, "/capnhat 5.6.1 vướng mắc Thiếu vốn bồi thường GPMB", "2")
    return svc


async def test_has_a_unit_reported(reported):
    text = await ask(reported, "Sở Xây dựng đã báo cáo chưa?")
    assert "Sở Xây dựng" in text and "kỳ báo cáo 6 tháng năm 2027" in text
    assert "10:15 ngày 02/03/2027" in text and "còn thiếu" in text
    assert "2.2.1" not in text.split("còn thiếu", 1)[1]  # reported ones are not missing


async def test_who_has_not_reported(reported):
    text = await ask(reported, "ai chưa báo cáo kỳ này?")
    assert "chưa báo cáo đủ" in text and "Sở Y tế" in text
    assert "6 tháng năm 2027" in text and "Mục IV.3" not in text  # not the plan's text


async def test_progress_of_a_section(reported):
    text = await ask(reported, "tiến độ mục 2.2")
    assert "2.2.1" in text and "Đang thực hiện" in text and "Đã trình 2 đồ án" in text
    assert "2.2.2" in text and "Hoàn thành" in text
    assert "2.2.3" in text and "Chưa có cập nhật" in text


async def test_what_blocks_a_section(reported):
    text = await ask(reported, "mục 5.6 đang vướng gì?")
    assert "Thiếu vốn bồi thường GPMB" in text and reported.kb.agency("xa_hiep_hoa").name in text
    assert "10:15 ngày 02/03/2027" in text


async def test_nothing_blocking_is_said_plainly(reported):
    assert "Chưa có vướng mắc nào" in await ask(reported, "mục 2.2 có vướng mắc gì không")


async def test_a_follow_up_keeps_the_progress_question(reported):
    await ask(reported, "Sở Xây dựng đã báo cáo chưa?")
    text = await ask(reported, "còn Sở Y tế thì sao?")
    assert text.startswith("Sở Y tế") and "còn thiếu 7.4.1" in text


async def test_who_am_i(reported):
    assert "cán bộ đầu mối của Sở Xây dựng" in await ask(reported, "tôi là ai", "1")
    assert "chưa đăng ký" in await ask(reported, "tôi là ai", "77")


# ---------------------------------------------------------------- a period named in the question

MAY_2026 = datetime(2026, 5, 10, 2, 0, tzinfo=UTC)  # in the 6-month period of 2026
SEPT_2026 = datetime(2026, 9, 1, 2, 0, tzinfo=UTC)  # in the annual period of 2026, after 15/6


@pytest.fixture
async def periods(svc):
    """Sở Xây dựng reported 2.2.1 in the first half of 2026 and 2.2.2 (blocked) after it; the
    question is asked in March 2027."""
    await member(svc, "1", "sxd")
    svc.clock = lambda: MAY_2026
    assert "Đã lưu" in await ask(svc, "/capnhat 2.2.1 đang thực hiện Đã trình đồ án", "1")
    svc.clock = lambda: SEPT_2026
    assert "Đã lưu" in await ask(svc, "/capnhat 2.2.2 vướng mắc Chờ hướng dẫn của Bộ", "1")
    svc.clock = lambda: NOW
    return svc


async def test_a_unit_in_a_named_half_year(periods):
    text = await ask(periods, "Sở Xây dựng đã báo cáo kỳ 6 tháng đầu năm 2026 chưa?")
    assert "kỳ báo cáo 6 tháng năm 2026" in text and "23:59 ngày 15/06/2026" in text
    missing = text.split("còn thiếu", 1)[1]
    assert "2.2.1" not in missing and "2.2.2" in missing  # 2.2.2 came after the period
    assert "6 tháng năm 2027" not in text


async def test_the_same_period_typed_short(periods):
    assert "kỳ báo cáo 6 tháng năm 2026" in await ask(periods, "SXD báo cáo 6T/2026 chưa")


async def test_the_second_half_is_the_annual_report(periods):
    text = await ask(periods, "ai chưa báo cáo 6 tháng cuối năm 2025?")
    assert "kỳ báo cáo năm 2025" in text and "15/12/2025" in text and "Sở Xây dựng" in text


async def test_the_previous_period_of_a_section(periods):
    text = await ask(periods, "tiến độ mục 2.2 kỳ trước")  # March 2027: before it, năm 2026
    assert "kỳ báo cáo năm 2026" in text and "23:59 ngày 15/12/2026" in text
    assert "Đã trình đồ án" in text and "Vướng mắc" in text


async def test_obstacles_of_a_named_year(periods):
    assert "Chờ hướng dẫn của Bộ" in await ask(periods, "mục 2.2 đang vướng gì năm 2026?")
    first_half = await ask(periods, "mục 2.2 đang vướng gì 6T/2026?")
    assert "Chưa có vướng mắc nào" in first_half and "6 tháng năm 2026" in first_half


async def test_a_period_outside_the_plan_is_refused_in_one_line(periods):
    text = await ask(periods, "ai chưa báo cáo năm 2035?")
    assert text == ("Kế hoạch có các kỳ báo cáo từ năm 2021 đến năm 2030, không có kỳ năm "
                    "2035.")


async def test_a_period_not_begun_has_no_figures_yet(periods):
    text = await ask(periods, "Sở Xây dựng đã báo cáo năm 2029 chưa?")
    assert text.startswith("Kỳ báo cáo năm 2029") and "chưa bắt đầu" in text


async def test_a_follow_up_asks_another_period(periods):
    now = await ask(periods, "Sở Xây dựng đã báo cáo chưa?")
    assert "6 tháng năm 2027" in now
    before = await ask(periods, "còn kỳ trước thì sao?")
    assert before.startswith("Sở Xây dựng") and "kỳ báo cáo năm 2026" in before
    other = await ask(periods, "còn Sở Y tế thì sao?")  # the period asked stays
    assert other.startswith("Sở Y tế") and "kỳ báo cáo năm 2026" in other


async def test_this_years_periods_need_no_year(periods):
    first = await ask(periods, "ai chưa báo cáo 6 tháng đầu năm?")  # asked in March 2027
    assert "kỳ báo cáo 6 tháng năm 2027" in first
    whole = await ask(periods, "Sở Xây dựng đã báo cáo năm nay chưa?")
    assert whole.startswith("Sở Xây dựng") and "kỳ báo cáo năm 2027" in whole
    assert "kỳ báo cáo năm 2027" in await ask(periods, "ai chưa báo cáo 6 tháng cuối năm?")


async def test_an_item_of_part_iv_as_typed_with_its_dot(reported):
    """"IV.3" folds to "iv 3": the item is read from the question as typed; II.6, an objective
    no one reports on, is answered from the plan's text."""
    text = await ask(reported, "tiến độ mục IV.3")
    assert text.startswith("Tiến độ — Mục IV.3; kỳ báo cáo 6 tháng năm 2027")
    assert "• IV.3.1 " in text
    assert not (await ask(reported, "tiến độ mục II.6")).startswith("Tiến độ — Mục")
