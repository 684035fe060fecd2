"""Kinds of question a fifth set written apart from the engine showed failing (heldout_2026e,
lines 1-60), each with new cases of the same kind: a named unit referred to again by its kind
word ("phường mình", "xã em"), a commune of today introduced by its name, when the plan was
issued asked with a noun of time ("vào thời điểm nào"), and an objective answer that holds
little of what is asked (a national programme or strategy by its name)."""
from __future__ import annotations

import pytest

from bot.answer import agency_answer, answer
from bot.knowledge import load_knowledge

KB = load_knowledge()


BY_NAME = {a.name: a.id for a in KB.agencies}


def _duties_of(q: str, name: str) -> None:
    """The question is answered with that unit's duties, the same as /nhiemvu gives."""
    ans = answer(KB, q)
    assert ans.intent == "agency" and ans.agencies[:1] == (name,), (ans.intent, ans.agencies)
    assert ans.sections == agency_answer(KB, BY_NAME[name]).sections


@pytest.mark.parametrize("q, name", [
    ("UBND phường Đa Mai, phường tôi được giao những việc gì", "UBND phường Đa Mai"),
    ("Tôi mới về Ban Quản lý các KCN tỉnh, ban chúng tôi cần làm gì",
     "Ban Quản lý các Khu công nghiệp tỉnh"),
    ("UBND xã Tân Dĩnh ạ, xã chúng tôi phải làm những gì", "UBND xã Tân Dĩnh"),
])
def test_the_units_kind_word_alone_is_the_unit(q, name):
    _duties_of(q, name)


def test_a_kind_word_inside_the_plans_own_pair_stays_a_topic():
    # "địa phương" is the plan's word, not "phường" standing for the ward
    ans = answer(KB, "UBND phường Chũ làm gì về giải phóng mặt bằng ở địa phương")
    assert ans.intent == "topic" and "5.6" in ans.sections, (ans.intent, ans.sections)


@pytest.mark.parametrize("q, name", [
    ("tôi làm việc ở xã Tân Dĩnh, xã tôi được giao những gì", "UBND xã Tân Dĩnh"),
    ("Em công tác ở xã Kép, xã em phải làm gì theo kế hoạch", "UBND xã Kép"),
])
def test_a_commune_of_today_introduced_by_name_is_that_commune(q, name):
    _duties_of(q, name)


def test_a_commune_introduced_is_its_own_in_a_deadline_question_too():
    ans = answer(KB, "em ở xã Kép, cho em hỏi hạn báo cáo năm")
    assert ans.intent == "deadline" and ans.agencies[:1] == ("UBND xã Kép",), ans.agencies
    assert "15/12" in ans.text


def test_a_district_office_introduced_still_stands_for_the_districts():
    ans = answer(KB, "em ở phòng Tài chính - Kế hoạch, bọn em phải làm những việc gì")
    assert ans.intent == "agency" and ans.agencies[:1] == ("UBND huyện, thành phố",), ans.agencies


@pytest.mark.parametrize("q, intent", [
    ("văn bản được ban hành vào thời điểm nào", "document"),
    ("kế hoạch này ban hành hồi nào", "document"),
    ("kế hoạch ban hành dịp nào", "document"),
    # the issuing of something the plan deals with stays a topic
    ("thời gian giải quyết thủ tục hành chính do ai ban hành", "topic"),
])
def test_when_issued_asked_with_a_noun_of_time(q, intent):
    ans = answer(KB, q)
    assert ans.intent == intent, (ans.intent, ans.text[:80])
    assert ("8/2021" in ans.text) == (intent == "document")


@pytest.mark.parametrize("q", [
    "mục tiêu của chương trình chuyển đổi số quốc gia đến năm 2030",
    "Chiến lược phát triển năng lượng quốc gia có mục tiêu gì đến 2045",
    "Chương trình mục tiêu quốc gia giảm nghèo bền vững có mục tiêu gì",
])
def test_an_objective_answer_holding_little_of_the_question_is_declined(q):
    ans = answer(KB, q)
    assert ans.intent == "none" and not ans.sections, (ans.intent, ans.sections)


@pytest.mark.parametrize("q, section, figure", [
    ("mục tiêu tăng trưởng công nghiệp bình quân mỗi năm là bao nhiêu", "II.1", "19%"),
    ("chỉ tiêu thu hút vốn đầu tư vào công nghiệp", "II.3", "855"),
    ("mục tiêu đóng góp ngân sách", "II.5", "%"),
])
def test_an_objective_asked_in_the_plans_terms_is_still_answered(q, section, figure):
    ans = answer(KB, q)
    assert ans.intent == "objective" and ans.sections[:1] == (section,), (ans.intent, ans.sections)
    assert figure in ans.text

