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
