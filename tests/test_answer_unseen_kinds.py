"""Kinds of question a set written apart from the engine showed failing (heldout_2026b,
lines 1-80), each with a new case of the same kind: a law named by its title, the signer's
office, an everyday phrase put in the plan's terms that holds a stop syllable ("bồi thường":
"bồi" folds to "bởi"), "bên nào" as the question word it is."""
from __future__ import annotations

import pytest

from bot.answer import answer
from bot.answer.evidence import plausible
from bot.answer.index import index_for
from bot.answer.question import Question
from bot.knowledge import load_knowledge

KB = load_knowledge()


@pytest.mark.parametrize("q", [
    "Luật Đầu tư 2020 quy định ưu đãi thế nào",
    "luat xay dung moi co gi thay doi",
])
def test_a_law_by_name_is_declined_when_the_plan_names_none(q):
    ans = answer(KB, q)
    assert ans.intent == "none" and ans.sections == (), (ans.intent, ans.sections)
    assert "không nói về luật" in ans.text


@pytest.mark.parametrize("q, section", [
    ("chấp hành pháp luật về môi trường trong khu công nghiệp", "6.4"),
    ("Sở TNMT kiểm tra chấp hành pháp luật về đất đai", "6.4"),
])
def test_the_plans_own_phap_luat_stays_answered(q, section):
    ans = answer(KB, q)
    assert ans.intent == "topic" and section in ans.sections[:3], (ans.intent, ans.sections)


@pytest.mark.parametrize("q", ["người ký văn bản này có chức danh gì",
                               "ai ký kế hoạch, cương vị gì"])
def test_the_signers_office_is_a_question_about_the_document(q):
    ans = answer(KB, q)
    assert ans.intent == "document" and "Phó Chủ tịch" in ans.text


def test_a_duty_question_sharing_sign_words_stays_a_topic():
    assert answer(KB, "ai ký giấy phép xây dựng").intent == "topic"


def test_plan_words_from_the_vocabulary_count_as_the_plans():
    idx = index_for(KB)
    content = ["thuong", "dan", "mat", "dat", "khu", "cong", "nghiep"]
    words = idx.vocabulary_words(["tien", "den", "bu"])
    assert {"boi", "thuong"} <= words
    assert not plausible(idx, content) and plausible(idx, content, words)


def test_ben_nao_asks_who_and_names_no_topic():
    ans = answer(KB, "đất trồng lúa muốn chuyển sang làm khu công nghiệp thì bên nào lo")
    assert ans.intent == "topic" and ans.sections[0] == "2.5", (ans.intent, ans.sections)
    assert "ben" not in Question(KB, "bên nào lo việc giải phóng mặt bằng").content()
