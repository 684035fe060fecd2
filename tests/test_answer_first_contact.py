"""First contact: what the bot can do, an official's first steps, how to report progress, a
question in English."""
from __future__ import annotations

import pytest

from bot.answer import answer
from bot.knowledge import load_knowledge

KB = load_knowledge()


@pytest.mark.parametrize("q", ["bạn có thể làm gì", "bot trả lời được gì", "bạn là ai"])
def test_what_the_bot_can_do(q):
    ans = answer(KB, q)
    assert ans.intent == "help" and "/dangky" in ans.text and "Ví dụ" in ans.text


def test_an_officials_first_steps_are_registering_and_the_duties():
    ans = answer(KB, "tôi là cán bộ SXD, tôi cần làm gì trước tiên")
    assert ans.intent == "agency" and ans.agencies[0] == "Sở Xây dựng"
    assert "/dangky Sở Xây dựng" in ans.text and "/capnhat" in ans.text
    assert "2.2" in ans.sections


def test_first_steps_without_a_unit_say_how_to_register():
    ans = answer(KB, "tôi cần làm gì trước tiên")
    assert "/dangky" in ans.text and ans.sections == ()


@pytest.mark.parametrize("q", ["tôi muốn báo cáo tiến độ thì làm thế nào",
                               "làm sao để báo cáo tiến độ"])
def test_how_to_report_progress(q):
    ans = answer(KB, q)
    assert ans.intent == "help" and "/capnhat" in ans.text and "/dangky" in ans.text


def test_where_reports_go_is_still_the_plans_answer():
    ans = answer(KB, "báo cáo tiến độ gửi về đâu")
    assert "IV.3" in ans.sections and "Sở Công Thương" in ans.text


@pytest.mark.parametrize("q", ["What can you do?",
                               "What are the duties of the Department of Construction?"])
def test_a_question_in_english_gets_a_vietnamese_answer_with_examples(q):
    ans = answer(KB, q)
    assert ans.intent == "help" and "tiếng Việt" in ans.text and "Sở Xây dựng phải làm" in ans.text


def test_english_words_inside_a_vietnamese_question_do_not_count():
    assert answer(KB, "logistics quanh KCN").intent != "help"
    assert answer(KB, "hello").intent == "help"
