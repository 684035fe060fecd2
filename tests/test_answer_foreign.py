"""Questions the plan does not answer because they are about something else (another
document, a ministry, another province) are declined; spelling variants read alike."""
from __future__ import annotations

import pytest

from bot.answer import answer
from bot.knowledge import load_knowledge
from bot.text import fold, normalize_tones

KB = load_knowledge()


@pytest.mark.parametrize("q", [
    "Nghị định 15/2018/NĐ-CP quy định gì về an toàn thực phẩm",
    "Thông tư 02/2022/TT-BXD hướng dẫn gì",
    "Quyết định 1234/QĐ-TTg nói gì về khu công nghiệp",
    "thông tư hướng dẫn quản lý cụm công nghiệp",
    "Bộ Tài chính phải làm gì",
    "bo xay dung huong dan gi ve nha o cong nhan",
    "tỉnh Thái Nguyên phát triển khu công nghiệp thế nào",
    "Hà Nội có bao nhiêu khu công nghiệp",
])
def test_foreign_references_are_declined(q):
    ans = answer(KB, q)
    assert ans.intent == "none" and ans.sections == (), (ans.intent, ans.sections)
    assert "không nói về" in ans.text or "ngoài" in ans.text


@pytest.mark.parametrize("q, section", [
    ("Quyết định 35/2021/QĐ-UBND nói gì", "3.2"),
    ("công bố công khai quy hoạch nhà ở công nhân", "2.2"),
    ("bộ tiêu chí đánh giá", None),
    ("khu công nghiệp tỉnh Bắc Ninh", None),
])
def test_the_plans_own_references_stay_answered(q, section):
    ans = answer(KB, q)
    assert ans.intent != "none", ans.text
    if section:
        assert section in ans.sections[:3]


def test_questions_about_the_document_itself_get_the_document():
    for q in ("kế hoạch này nói về cái gì", "KH 147 là kế hoạch gì"):
        assert answer(KB, q).intent == "document"


def test_i_and_y_fold_alike():
    assert fold("quản lí") == fold("quản lý") and fold("qui chế") == fold("quy chế")
    assert fold("kĩ thuật") == fold("kỹ thuật") and fold("tỉ lệ") == fold("tỷ lệ")
    assert fold("tim") == "tim" and fold("chi") == "chi"


def test_old_and_new_tone_placement_read_alike():
    assert normalize_tones("Hiệp Hoà") == normalize_tones("Hiệp Hòa") == "Hiệp Hòa"
    assert normalize_tones("Uỷ ban") == "Ủy ban" and normalize_tones("hoàn") == "hoàn"
    assert normalize_tones("quý") == "quý"


@pytest.mark.parametrize("q", ["Ban quản lí các KCN tỉnh có những nhiệm vụ nào",
                               "liệt kê giúp tôi các việc Sở CT phải làm",
                               "SKHĐT cần làm gì để phát triển công nghiệp"])
def test_a_duty_request_is_not_read_as_a_topic(q):
    ans = answer(KB, q)
    assert ans.intent == "agency", (ans.intent, ans.agencies)


@pytest.mark.parametrize("q", ["phân loại hồ sơ lưu trữ", "đăng ký xe công đi công tác",
                               "máy in phòng hành chính bị hỏng", "lịch họp giao ban tuần này"])
def test_everyday_office_matters_are_declined(q):
    ans = answer(KB, q)
    assert ans.intent == "none" and ans.sections == (), (ans.intent, ans.sections)


def test_a_topic_sharing_few_words_with_the_plan_is_still_answered():
    ans = answer(KB, "sân bóng, nhà văn hóa cho công nhân")
    assert ans.intent == "topic" and ans.sections
