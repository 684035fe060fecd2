"""Follow-ups keep the previous intent and read "họ", "sở đó", "mục đó", "còn … thì sao"."""
from __future__ import annotations

from datetime import date

from bot.answer.followup import Subject, converse
from bot.knowledge import load_knowledge

KB = load_knowledge()
TODAY = date(2026, 3, 2)


def two_turns(first: str, second: str):
    _, subject = converse(KB, first, None, TODAY)
    return converse(KB, second, subject, TODAY)


def test_another_agency_keeps_the_deadline_intent():
    ans, subject = two_turns("hạn báo cáo của Sở Y tế", "còn Sở Công Thương thì sao?")
    assert ans.intent == "deadline" and ans.agencies[0] == "Sở Công Thương"
    assert "15/6" in ans.text and subject.agencies[0] == ans.agency_ids[0]


def test_they_are_the_last_agency():
    ans, _ = two_turns("Sở Y tế phải làm gì", "hạn chót của họ")
    assert ans.intent == "deadline" and ans.agencies[0] == "Sở Y tế"


def test_another_agency_after_duties_gives_its_duties():
    ans, _ = two_turns("Sở Y tế phải làm gì", "còn Sở Công Thương thì sao?")
    assert ans.intent == "agency" and ans.agencies[0] == "Sở Công Thương"


def test_that_section_is_the_last_section():
    ans, _ = two_turns("mục 2.2 nói gì", "ai chủ trì mục đó?")
    assert "2.2" in ans.sections and ans.agencies[0] == "Sở Xây dựng"


def test_a_question_of_its_own_is_not_rewritten():
    alone, _ = converse(KB, "Sở Tư pháp phải làm gì", None, TODAY)
    after, _ = two_turns("hạn báo cáo của Sở Y tế", "Sở Tư pháp phải làm gì")
    assert after.text == alone.text


def test_a_refusal_keeps_the_subject_and_it_round_trips():
    _, subject = converse(KB, "Sở Y tế phải làm gì", None, TODAY)
    _, kept = converse(KB, "giá vàng hôm nay", subject, TODAY)
    assert kept == subject
    assert Subject.from_dict(subject.to_dict()) == subject
    assert Subject.from_dict({"bad": 1}) is None


def test_what_else_about_the_same_agency():
    ans, _ = two_turns("Sở Y tế phải làm gì", "còn hạn chót thì sao?")
    assert ans.intent == "deadline" and ans.agencies[0] == "Sở Y tế"


def test_another_section_keeps_the_question():
    ans, _ = two_turns("ai chủ trì mục 2.2", "còn mục 5.6 thì sao?")
    assert "5.6" in ans.sections and "UBND huyện, thành phố" in ans.agencies
