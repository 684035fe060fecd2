"""The answering engine and the chat commands built on it.

Questions are phrased the way officials type them; assertions check what a reader relies on:
the right agency and section, dates, and that every quote really is the plan's text.
"""
from __future__ import annotations

import re
from datetime import date

import pytest

from bot.answer import Answer, agency_answer, answer, index_for, next_occurrence
from bot.core import Request
from bot.knowledge import load_knowledge
from handlers import dispatch

TODAY = date(2026, 11, 30)


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


@pytest.fixture(scope="module")
def plan_text(kb) -> str:
    """Every text of the plan, whitespace-normalised, for checking quotes."""
    parts = [t.text for t in kb.tasks] + [s.text for s in kb.sections]
    parts += [o.text for o in kb.objectives]
    return " ".join(" ".join(re.sub(r"\*+", "", p).split()) for p in parts)


def ask(kb, q: str) -> Answer:
    return answer(kb, q, today=TODAY)


def quotes(text: str) -> list[str]:
    return [q.strip(" …") for q in re.findall(r"«([^»]+)»", text)]


def assert_quotes_from_plan(ans: Answer, plan_text: str) -> None:
    found = quotes(ans.text)
    assert found, ans.text
    for q in found:
        for piece in q.split(" … "):
            assert piece.strip(" …") in plan_text, piece


# ---------------------------------------------------------------- agency


@pytest.mark.parametrize("question, agency_id", [
    ("Sở Y tế được giao những việc gì?", "syt"),
    ("nhiem vu cua so tai nguyen moi truong", "stnmt"),
    ("SKHĐT phải làm những gì", "skhdt"),
    ("Sở Giao thông vận tải", "sgtvt"),
    ("ban quản lý khu công nghiệp có trách nhiệm gì", "bqlkcn"),
    ("so cong thuogn lam gi", "sct"),  # a typo
    ("Đồng chí cho hỏi Sở Nội vụ phải làm gì?", "snv"),
])
def test_agency_question_lists_exactly_its_sections(kb, question, agency_id):
    ans = ask(kb, question)
    led = [s.id for s in kb.sections_held_by(agency_id)]  # own and inherited (2025)
    assert ans.intent == "agency"
    assert ans.agency_ids[0] == agency_id
    assert ans.agencies[0] == kb.agency(agency_id).name
    assert set(led) <= set(ans.sections) <= set(led) | {"1", "IV.1", "IV.3"}
    for sid in led:
        assert f"Mục {sid}" in ans.text
    for t in kb.tasks:  # every task it leads is quoted in full
        if t.section in led:
            assert " ".join(re.sub(r"\*+", "", t.text).split()).rstrip("./") in ans.text


def test_agency_answer_groups_by_task_group_and_lists_partner_work_apart(kb):
    ans = agency_answer(kb, "skhdt")
    text = ans.text
    # group headings precede their subsections, in plan order
    assert text.index("2. Nâng cao chất lượng") < text.index("Mục 2.1") < text.index("Mục 3.2")
    # 2.2 (Sở Xây dựng) names Sở KH&ĐT as partner: listed apart, not as its own section
    assert "2.2" in ans.partner_sections and "2.2" not in ans.sections
    assert text.index("Phối hợp") < text.rindex("Mục 2.2")


def test_partner_of_iv2_is_listed_as_partner(kb):
    ans = ask(kb, "Văn phòng UBND tỉnh làm gì")
    assert ans.agency_ids[0] == "vpubnd"
    assert "IV.2" in ans.partner_sections and "4.6" in ans.sections


def test_district_is_answered_with_its_collectives_sections(kb):
    ans = ask(kb, "UBND huyện Lục Ngạn có nhiệm vụ gì")
    assert ans.intent == "agency"
    assert ans.agencies[0] == "UBND huyện Lục Ngạn"
    assert {"2.7", "5.6", "7.5"} <= set(ans.sections)
    assert "UBND huyện Lục Ngạn" in ans.text.splitlines()[0]


def test_sct_leads_iv2(kb):
    assert "IV.2" in ask(kb, "SCT").sections


# ---------------------------------------------------------------- topic


@pytest.mark.parametrize("question, section", [
    ("ai phụ trách xây dựng bến đỗ xe đưa đón công nhân", "5.4"),
    ("cơ quan nào thẩm định báo cáo ĐTM", "7.1"),
    ("GPMB cụm công nghiệp Hợp Thịnh", "5.6"),
    ("chỉ số DDCI", "4.1"),
    ("Quyết định 35/2021/QĐ-UBND", "3.2"),
    ("đăng ký sở hữu trí tuệ cho doanh nghiệp", "8.2"),
    ("niem yet phi le phi tai trung tam hanh chinh cong", "4.6"),
    ("tuyên truyền nghị quyết tới cán bộ công chức", "1"),
    ("mua bán chuyển nhượng đất trái phép trong KCN", "6.4"),
])
def test_topic_finds_the_section_that_does_it(kb, plan_text, question, section):
    ans = ask(kb, question)
    assert ans.intent in ("topic", "objective")
    assert section in ans.sections[:3]
    lead = kb.section(section).lead
    if lead:  # the leading agency is named
        assert kb.agency(lead).name in ans.text
    assert f"Mục {section}" in ans.text
    assert_quotes_from_plan(ans, plan_text)


def test_topic_question_naming_an_agency_prefers_its_sections(kb):
    ans = ask(kb, "Sở Xây dựng có việc gì về nhà ở xã hội cho công nhân?")
    assert ans.sections[0] == "2.2"


def test_typo_in_a_topic_word_is_tolerated(kb):
    assert ask(kb, "phong chay chua chya trong khu cong nghiep").sections[0] == "7.2"


# ---------------------------------------------------------------- deadlines


def test_annual_report_deadline_counts_days(kb):
    ans = ask(kb, "báo cáo năm phải nộp trước ngày nào?")
    assert ans.intent == "deadline"
    assert ans.sections[0] == "IV.3"
    assert "15/12" in ans.text and "Sở Công Thương" in ans.text
    assert "còn 15 ngày" in ans.text  # 30/11/2026 → 15/12/2026


def test_six_month_report_goes_to_sct(kb):
    ans = ask(kb, "bao cao 6 thang gui cho ai")
    assert "IV.3" in ans.sections and "15/6" in ans.text
    assert ans.agencies[0] == "Sở Công Thương"


def test_a_deadline_in_a_year(kb):
    ans = ask(kb, "những việc phải hoàn thành trong năm 2021")
    dues = {d.id for d in kb.deadlines if d.due and d.due.startswith("2021")}
    assert ans.intent == "deadline"
    assert {kb.deadline(d).source for d in dues} <= set(ans.sections)
    assert "đã qua" in ans.text


def test_a_milestone_by_its_topic(kb):
    ans = ask(kb, "khi nào phải xong GPMB KCN Việt Hàn giai đoạn 1")
    assert ans.sections[0] == "5.6" and "31/12/2021" in ans.text


def test_environmental_report_is_a_topic_not_a_deadline(kb):
    ans = ask(kb, "ai thẩm định báo cáo đánh giá tác động môi trường")
    assert ans.intent == "topic" and ans.sections[0] == "7.1"


def test_next_occurrence_of_a_yearly_deadline(kb):
    d = kb.deadline("IV.3-6m")
    assert next_occurrence(d, date(2026, 6, 16)) == date(2027, 6, 15)
    assert next_occurrence(d, date(2026, 6, 15)) == date(2026, 6, 15)


def test_upcoming_deadlines_nearest_first(kb):
    ans = ask(kb, "các hạn sắp tới")
    assert ans.intent == "deadline"
    assert ans.text.index("15/12/2026") < ans.text.index("15/06/2027")


# ---------------------------------------------------------------- objectives, sections, document


def test_objective_figure_is_quoted(kb):
    ans = ask(kb, "đến năm 2030 tỉnh có bao nhiêu cụm công nghiệp")
    assert ans.sections[0] == "II.6" and "66 CCN" in ans.text


def test_objective_growth_rate(kb):
    ans = ask(kb, "tăng trưởng giá trị sản xuất công nghiệp bao nhiêu phần trăm")
    assert ans.sections[0] == "II.2" and "26%" in ans.text


def test_objectives_in_general(kb):
    ans = ask(kb, "kế hoạch đặt ra những mục tiêu gì")
    assert ans.intent == "objective"
    assert list(ans.sections) == [o.id for o in kb.objectives]


@pytest.mark.parametrize("question", ["chỉ tiêu năm 2025", "mục tiêu đến 2030",
                                      "cac chi tieu den nam 2030 la gi"])
def test_objectives_by_year_are_all_of_them(kb, question):
    ans = ask(kb, question)
    assert ans.intent == "objective"
    assert list(ans.sections) == [o.id for o in kb.objectives]


# a figure of part II asked with figure words ("phần trăm", "tỷ trọng", "chiếm", "đạt", a year),
# typed with or without diacritics: the objective holding it comes first, the figure quoted
@pytest.mark.parametrize("question, section, figure", [
    ("GRDP 2030", "II.1", "60%"),
    ("GRDP vao 2030", "II.1", "60%"),
    ("phan tram GRDP", "II.1", "60%"),
    ("ty trong GRDP", "II.1", "60%"),
    ("công nghiệp chiếm bao nhiêu phần trăm GRDP", "II.1", "60%"),
    ("công nghiệp chiếm bao nhiêu % GRDP năm 2030", "II.1", "60%"),
    ("tỷ trọng công nghiệp trong GRDP năm 2030", "II.1", "47,1%"),
    ("GRDP công nghiệp tăng bao nhiêu %/năm", "II.1", "19%/năm"),
    ("toc do tang truong GRDP bao nhieu", "II.1", "19%/năm"),
    ("giá trị sản xuất công nghiệp năm 2030 đạt bao nhiêu", "II.2", "2.200.000 tỷ đồng"),
    ("gia tri san xuat cong nghiep tang bao nhieu phan tram", "II.2", "26%/năm"),
    ("von dau tu dat bao nhieu", "II.3", "855 nghìn tỷ đồng"),
    ("huy động vốn đầu tư công nghiệp bao nhiêu tỷ đồng", "II.3", "855 nghìn tỷ đồng"),
    ("tỷ lệ lao động qua đào tạo năm 2030", "II.4", "90%"),
    ("ty le lao dong qua dao tao bao nhieu phan tram", "II.4", "90%"),
    ("lao động qua đào tạo đạt bao nhiêu %", "II.4", "90%"),
    ("tỷ lệ lao động có bằng cấp chứng chỉ", "II.4", "40%"),
    ("nang suat lao dong tang bao nhieu phan tram moi nam", "II.4", "11%/năm"),
    ("công nghiệp đóng góp bao nhiêu phần trăm ngân sách", "II.5", "36%"),
    ("ty trong ngan sach cua cong nghiep nam 2030", "II.5", "36%"),
    ("ngân sách nhà nước công nghiệp chiếm bao nhiêu %", "II.5", "30,9%"),
    ("năm 2030 có bao nhiêu KCN", "II.6", "29 KCN"),
    ("bao nhieu khu cong nghiep den 2030", "II.6", "29 KCN"),
    ("tổng diện tích KCN năm 2030", "II.6", "7.840 ha"),
    ("dien tich khu cong nghiep bao nhieu ha", "II.6", "7.840 ha"),
    ("có bao nhiêu CCN vào năm 2030", "II.6", "66 CCN"),
    ("bao nhiêu ha cụm công nghiệp", "II.6", "3.209 ha"),
    ("thành lập mới bao nhiêu KCN", "II.6", "23 khu công nghiệp"),
    ("năm 2025 có thêm bao nhiêu KCN", "II.6", "05 KCN, 09 CCN"),
    ("so CCN dua ra khoi quy hoach", "II.6", "09 CCN"),
    ("số KCN năm 2030", "II.6", "29 KCN"),  # "số", not "Sở"
    ("so CCN nam 2030", "II.6", "66 CCN"),
])
def test_a_figure_asked_reaches_its_objective(kb, plan_text, question, section, figure):
    ans = ask(kb, question)
    assert ans.intent == "objective" and ans.sections[0] == section, (ans.sections, ans.text)
    assert figure in ans.text
    assert_quotes_from_plan(ans, plan_text)


# figure words with something the plan does not deal with: still outside the plan
@pytest.mark.parametrize("question", [
    "tỷ giá 2030", "giá vàng bao nhiêu phần trăm", "lãi suất ngân hàng bao nhiêu phần trăm",
    "lam phat nam 2030 bao nhieu phan tram", "dân số năm 2030 bao nhiêu", "GDP cả nước 2030",
    "lương cơ sở năm 2025 bao nhiêu", "tỷ lệ hộ nghèo bao nhiêu phần trăm",
    "bao nhiêu phần trăm",
])
def test_figure_words_alone_do_not_make_a_question_the_plans(kb, question):
    ans = ask(kb, question)
    assert ans.intent == "none" and not ans.sections, ans.text


@pytest.mark.parametrize("question, section", [
    ("mục 7.3", "7.3"), ("muc 4.4", "4.4"), ("6.5", "6.5"), ("Mục IV.2", "IV.2"), ("II.5", "II.5"),
])
def test_section_by_number(kb, question, section):
    ans = ask(kb, question)
    assert ans.intent == "section" and ans.sections[0] == section
    for t in kb.tasks_of(section):
        assert " ".join(t.text.split())[:60] in " ".join(ans.text.split())


def test_unknown_section_number_is_said_plainly(kb):
    ans = ask(kb, "mục 2.9")
    assert ans.intent == "none" and not ans.sections and "2.9" in ans.text


def test_document_question(kb):
    ans = ask(kb, "văn bản này do ai ký ban hành?")
    assert ans.intent == "document"
    assert kb.document.signer in ans.text and "147-NQ/TU" in ans.text


# ---------------------------------------------------------------- ambiguous, out of scope


def test_a_too_general_word_offers_choices(kb):
    ans = ask(kb, "doanh nghiệp")
    assert ans.intent == "ambiguous"
    assert 2 <= len(ans.choices) <= 3
    for label, query in ans.choices:  # each choice is a question the engine answers
        assert label and ask(kb, query).intent in ("section", "objective")


def test_two_agencies_matching_a_short_name_offer_both(kb):
    ans = ask(kb, "Sở giao")
    assert ans.intent == "ambiguous"
    assert {label for label, _ in ans.choices} == {"Sở Giao thông vận tải",
                                                    "Sở Giáo dục và Đào tạo"}


@pytest.mark.parametrize("question", [
    "tỷ giá đô la hôm nay", "kết quả bóng đá tối qua", "lịch nghỉ tết", "cách nấu phở",
])
def test_out_of_scope_says_what_the_bot_does(kb, question):
    ans = ask(kb, question)
    assert ans.intent == "none" and ans.sections == ()
    assert "Ví dụ" in ans.text and ans.text.count("«") >= 2


def test_an_agency_the_plan_does_not_name(kb):
    ans = ask(kb, "Sở Tư pháp có nhiệm vụ gì?")
    assert ans.intent == "none" and not ans.sections and "Sở Xây dựng" in ans.text


def test_empty_question_gets_help(kb):
    assert ask(kb, "   ").intent == "help"


def test_json_object_has_the_contract_fields(kb):
    obj = ask(kb, "Sở Xây dựng phải làm gì?").to_json("Sở Xây dựng phải làm gì?")
    assert obj["question"] == "Sở Xây dựng phải làm gì?"
    assert {"question", "intent", "agencies", "sections", "answer"} <= set(obj)
    assert isinstance(obj["sections"], list) and isinstance(obj["answer"], str)


def test_index_is_built_once_per_knowledge(kb):
    assert index_for(kb) is index_for(kb)


def test_answers_never_carry_markup(kb):
    for q in ("mục 3.1", "Sở Y tế", "hạn báo cáo năm", "phòng cháy chữa cháy"):
        assert "*" not in ask(kb, q).text


# ---------------------------------------------------------------- chat commands


def zalo(text: str = "", callback: str | None = None, user: str = "u7") -> Request:
    return Request(channel="zalo", user_id=user, chat_id=user, text=text, callback=callback)


async def test_plain_text_is_a_question(sqlite_svc):
    [r] = await dispatch(zalo("Sở Y tế phải làm gì?"), sqlite_svc)
    assert "Mục 7.4 — Sở Y tế" in r.text and "• " in r.text


async def test_hoi_without_question_explains(sqlite_svc):
    [r] = await dispatch(zalo("/hoi"), sqlite_svc)
    assert "/hoi" in r.text


async def test_ambiguous_reply_has_compact_actionable_choices(sqlite_svc):
    [r] = await dispatch(zalo("/hoi công nghiệp"), sqlite_svc)
    assert 2 <= len(r.choices) <= 3
    for c in r.choices:
        assert c.data.startswith("hoi:") and len(c.data.encode()) <= 64
    # choosing works without any memory of the question: a fresh callback request
    [r2] = await dispatch(zalo(callback=r.choices[-1].data), sqlite_svc)
    assert r2.text.startswith("Mục ")


async def test_numbered_choice_on_zalo(sqlite_svc):
    [r] = await dispatch(zalo("Sở giao"), sqlite_svc)
    assert [c.data for c in r.choices] == ["hoi:a:sgddt", "hoi:a:sgtvt"]
    [r2] = await dispatch(zalo("2"), sqlite_svc)
    assert r2.text.startswith("Nhiệm vụ của Sở Giao thông vận tải")


async def test_nhiemvu_with_a_name(sqlite_svc):
    [r] = await dispatch(zalo("/nhiemvu so xay dugn"), sqlite_svc)
    assert "Mục 2.2" in r.text and "Mục 4.3" in r.text


async def test_nhiemvu_without_name_offers_a_picker(sqlite_svc):
    [r] = await dispatch(zalo("/nhiemvu"), sqlite_svc)
    datas = [c.data for c in r.choices]
    assert "nv:sxd" in datas and "nv:ubnd_huyen" in datas
    [r2] = await dispatch(zalo(callback="nv:syt"), sqlite_svc)
    assert "Mục 7.4" in r2.text


async def test_nhiemvu_without_name_for_a_member_shows_own_agency(sqlite_svc):
    from bot.db import repo

    row = await repo.request_membership(sqlite_svc.sessions, "zalo", "u8", "sgtvt")
    await repo.decide_membership(sqlite_svc.sessions, row.id, True, by_channel="zalo",
                                 by_external_id="z900")
    [r] = await dispatch(zalo("/nhiemvu", user="u8"), sqlite_svc)
    assert r.text.startswith("Nhiệm vụ của Sở Giao thông vận tải") and not r.choices


async def test_nhiemvu_unknown_name_says_so_and_offers_picker(sqlite_svc):
    [r] = await dispatch(zalo("/nhiemvu Sở Tư pháp"), sqlite_svc)
    assert "Không tìm thấy" in r.text and r.choices


async def test_stale_callback_is_refused_politely(sqlite_svc):
    [r] = await dispatch(zalo(callback="nv:khongco"), sqlite_svc)
    assert "không còn hiệu lực" in r.text
    [r] = await dispatch(zalo(callback="hoi:a:khongco"), sqlite_svc)
    assert "không còn hiệu lực" in r.text


async def test_muctieu_lists_part_two(sqlite_svc):
    [r] = await dispatch(zalo("/muctieu"), sqlite_svc)
    for o in sqlite_svc.kb.objectives:
        assert f"Mục {o.id}" in r.text
    assert "19%" in r.text and "29 KCN" in r.text



# ---------------------------------------------------------------- chat shorthand


@pytest.mark.parametrize("question, agency_id", [
    ("sxd co nv j", "sxd"),
    ("so y te dc giao nv gi", "syt"),
    ("ubnd h luc ngan co nv gi", "luc_ngan"),
    ("s tn&mt lam j", "stnmt"),
    ("so gd dt phai lam gi trong kh", "sgddt"),
    ("so ldtbxh dc giao j", "sldtbxh"),
    ("sở gtvt có nv j ko", "sgtvt"),
    ("thanh tra tinh phai lam j", "ttt"),
    ("sở nội vụ có nv j ko", "snv"),  # "nv" is the duty here, not Sở Nội vụ's initials
    ("sở ngoại vụ có nv gì ko", "sngv"),  # nor does it make Ngoại vụ ambiguous
    ("tp bac giang co nv gi", "tp_bac_giang"),
    ("nông nghiệp và ptnt có nv gì", "snnptnt"),
    ("vp ubnd tinh co nv gi", "vpubnd"),
])
def test_chat_shorthand_agency_question(kb, question, agency_id):
    ans = ask(kb, question)
    assert ans.intent == "agency"
    assert ans.agency_ids[0] == agency_id
    assert {s.id for s in kb.sections_led_by(agency_id)} <= set(ans.sections)


def test_full_names_come_before_abbreviations_in_a_choice(kb):
    ans = ask(kb, "SCT và Sở Y tế")
    assert ans.intent == "ambiguous"
    assert [q for _, q in ans.choices][0] == "Nhiệm vụ của Sở Y tế"


def test_shorthand_in_a_report_question(kb):
    ans = ask(kb, "bc 6 thang nop khi nao")
    assert ans.intent == "deadline" and ans.sections[0] == "IV.3" and "15/6" in ans.text


def test_shorthand_in_a_topic_question(kb):
    ans = ask(kb, "cq nao chu tri gpmb kcn viet han")
    assert ans.intent == "topic" and "5.6" in ans.sections[:3]


# ---------------------------------------------------------------- documents the plan cites


@pytest.mark.parametrize("question, section, cited", [
    ("vb 1721 là gì", "6.3", "1721/KH-UBND"),
    ("Kế hoạch số 1721 được ban hành khi nào", "6.3", "1721/KH-UBND"),
    ("QĐ 787 nói gì", "8.1", "787/QĐ-UBND"),
    ("Quyết định số 35/2021/QĐ-UBND quy định gì", "3.2", "35/2021/QĐ-UBND"),
    ("cv 294", "8.1", "294/KH-UBND"),
    ("Nghị quyết 99/NQ-CP của Chính phủ", "1", "99/NQ-CP"),
])
def test_a_cited_document_finds_the_section_citing_it(kb, plan_text, question, section,
                                                       cited):
    ans = ask(kb, question)
    assert ans.sections[0] == section
    assert cited in ans.text  # the sentence quoted is the one citing it
    assert_quotes_from_plan(ans, plan_text)


def test_a_cited_plans_date_is_in_the_answer(kb):
    assert "23/4/2021" in ask(kb, "Kế hoạch 1721 ngày nào").text


def test_the_implemented_resolution_is_about_this_document(kb):
    ans = ask(kb, "Nghị quyết 147-NQ/TU ban hành ngày nào")
    assert ans.intent == "document" and not ans.sections


def test_another_kind_of_document_with_a_cited_short_number_is_not_it(kb):
    assert "1" not in ask(kb, "chỉ thị 99").sections


def test_a_percentage_is_no_document_number(kb):
    ans = ask(kb, "khu đô thị dành 35% đất ở cho nhà ở công nhân")
    assert ans.sections[0] == "2.2"


# ---------------------------------------------------------------- out of scope, in scope


@pytest.mark.parametrize("question", [
    "thủ tục ly hôn", "giá đất ở Bắc Giang năm nay", "đăng ký kết hôn cần giấy tờ gì",
    "mua bảo hiểm xe máy ở đâu", "học phí đại học năm 2026", "đổi bằng lái xe ở đâu",
    "cấp lại sổ đỏ", "thủ tục khai sinh cho con",
])
def test_everyday_words_the_plan_also_uses_are_not_enough(kb, question):
    ans = ask(kb, question)
    assert ans.intent == "none" and ans.sections == ()


def test_a_ministry_is_not_the_provincial_agency(kb):
    ans = ask(kb, "Bộ Công an phải làm gì")
    assert ans.intent == "none" and ans.sections == () and "cat" not in ans.agency_ids


@pytest.mark.parametrize("question, section", [
    ("một cửa liên thông", "4.6"), ("sở hữu trí tuệ", "8.2"), ("hội nhập quốc tế", "5.5"),
    ("quỹ đất cho phát triển công nghiệp", "2.5"), ("hậu kiểm dự án đầu tư", "6.2"),
    ("xe buýt cho công nhân", "5.4"), ("nước thải KCN", "7.3"), ("chỉ số PCI", "4.1"),
])
def test_short_topic_questions_stay_in_scope(kb, question, section):
    ans = ask(kb, question)
    assert ans.intent in ("topic", "objective") and section in ans.sections[:3]


# ---------------------------------------------------------------- chat-style questions


@pytest.mark.parametrize("question, agency, led", [
    ("chị ơi cho em hỏi bên sở xây dựng mình được giao làm những gì ạ", "sxd", "2.2"),
    ("anh cho em hỏi sở nông nghiệp có nhiệm vụ gì theo kh phát triển công nghiệp ạ",
     "snnptnt", "2.6"),
    ("ban ql cac khu cn lam gi a", "bqlkcn", "5.3"),
    ("Sở LĐTBXH tỉnh mình phải làm gì ạ", "sldtbxh", "8.1"),
    ("bên sở tài nguyên được phân công những nội dung gì vậy ạ", "stnmt", "7.1"),
    ("thanh tra tỉnh theo nq147 thì được giao những việc gì", "ttt", "6.5"),
    ("Sở Giáo dục blabla qwerty làm gì", "sgddt", "8.4"),  # unknown words do not hide it
])
def test_a_chatty_agency_question_is_still_about_the_agency(kb, question, agency, led):
    ans = ask(kb, question)
    assert ans.intent == "agency"
    assert ans.agency_ids[0] == agency
    assert led in ans.sections


@pytest.mark.parametrize("question, agency", [
    ("em ở sở ngoại vụ, cho em hỏi đơn vị em phải làm gì ạ", "sngv"),
    ("dạ em bên sở y tế thì bọn em cần làm những gì", "syt"),
    ("tôi công tác tại phòng tài nguyên môi trường huyện, xin hỏi huyện phải làm những "
     "việc gì", "ubnd_huyen"),  # a district office stands for its district
])
def test_the_unit_an_official_introduces_is_the_one_asked_about(kb, question, agency):
    ans = ask(kb, question)
    assert ans.intent == "agency"
    assert ans.agency_ids[0] == agency


@pytest.mark.parametrize("question, agency", [
    ("phòng kinh tế hạ tầng huyện làm gì", "ubnd_huyen"),  # a district office
    ("phòng tài nguyên môi trường huyện lục nam phải làm gì ạ", "luc_nam"),
    ("ttr tỉnh được giao gì", "ttt"),
])
def test_district_offices_and_short_names(kb, question, agency):
    ans = ask(kb, question)
    assert ans.intent == "agency"
    assert ans.agency_ids[0] == agency


def test_the_communes_hold_the_former_district_duties(kb):
    ans = ask(kb, "ubnd xã có phải làm gì không ạ")
    assert ans.intent == "agency" and ans.agencies[0] == "UBND cấp xã"
    assert set(ans.sections) == {"2.7", "5.6", "7.5", "1", "IV.1", "IV.3"}
    assert "tiếp nhận nhiệm vụ của UBND huyện, thành phố từ 01/7/2025" in ans.text


def test_an_introduced_unit_the_plan_does_not_name_gets_the_plain_answer(kb):
    ans = ask(kb, "mình ở sở tư pháp thì có việc gì trong kh này không")
    assert ans.intent == "none" and ans.sections == ()
    assert "không giao nhiệm vụ riêng" in ans.text


def test_an_agency_with_a_real_topic_is_still_a_topic(kb):
    ans = ask(kb, "Sở Xây dựng được giao gì về nhà ở xã hội cho công nhân ạ")
    assert ans.intent == "topic"
    assert ans.sections[0] == "2.2"


def test_the_plan_title_is_no_topic(kb):
    ans = ask(kb, "sở y tế được phân công gì trong kế hoạch phát triển công nghiệp")
    assert ans.intent == "agency"
    assert set(ans.sections) <= {"7.4", "1", "IV.1", "IV.3"}


@pytest.mark.parametrize("question", [
    "doanh nghiệp Hàn Quốc đầu tư vào KCN cần hỗ trợ gì",  # "Hàn" is not "hạn"
    "doanh nghiep han quoc gap kho khan thi ai ho tro",
    "công nhân học xong lớp nghề thì làm ở đâu",  # "xong" alone asks no date
])
def test_look_alikes_of_deadline_words_are_no_deadline(kb, question):
    assert ask(kb, question).intent != "deadline"


def test_a_how_long_question_about_an_undated_task_is_a_topic(kb):
    ans = ask(kb, "sở xây dựng cấp phép xây dựng nhà xưởng mất mấy ngày vậy")
    assert ans.intent == "topic"
    assert ans.sections[0] == "4.3"


@pytest.mark.parametrize("question, section", [
    ("hạn nộp báo cáo năm là ngày nào ạ", "IV.3"),
    ("kế hoạch cụ thể của phòng em phải ban hành xong trong tháng mấy", "IV.1"),
    ("KCN Việt Hàn giải phóng mặt bằng xong khi nào", "5.6"),
])
def test_deadline_questions_in_chat_style(kb, question, section):
    ans = ask(kb, question)
    assert ans.intent == "deadline"
    assert ans.sections[0] == section


@pytest.mark.parametrize("question", [
    "tỷ giá usd hôm nay",
    "giá thuê phòng trọ gần kcn quang châu",
    "lịch tiếp dân của UBND tỉnh",
    "địa chỉ email sở công thương",
    "tuyển dụng giáo viên năm nay",
])
def test_everyday_information_is_outside_the_plan(kb, question):
    ans = ask(kb, question)
    assert ans.intent == "none"
    assert ans.sections == ()


def test_everyday_information_about_an_agency_points_to_its_duties(kb):
    ans = ask(kb, "số điện thoại bên sở xây dựng")
    assert ans.intent == "none" and ans.sections == ()
    assert "Sở Xây dựng" in ans.text
    assert ans.choices and ans.choices[0][0] == "Sở Xây dựng"


async def test_the_agency_offered_after_an_everyday_question_opens_its_duties(sqlite_svc):
    first = await dispatch(zalo("/hoi số điện thoại đường dây nóng sở xây dựng"), sqlite_svc)
    assert first[0].choices
    data = first[0].choices[0].data
    assert data == "hoi:a:sxd"
    then = await dispatch(zalo(callback=data), sqlite_svc)
    assert "Nhiệm vụ của Sở Xây dựng" in then[0].text


@pytest.mark.parametrize("question, section", [
    ("giá trị sản xuất công nghiệp đến 2030 đạt bao nhiêu", "II.2"),  # "giá trị" is no price
    ("tuyển dụng lao động cho doanh nghiệp kcn thì ai lo", "8.1"),  # a duty is asked
])
def test_plan_questions_with_everyday_words_stay_in_scope(kb, question, section):
    ans = ask(kb, question)
    assert ans.intent != "none"
    assert section in ans.sections[:3]


@pytest.mark.parametrize("question, section", [
    ("công ty xả thải bị phạt rồi vẫn tái phạm", "7.1"),
    ("dự án chậm tiến độ để đất bỏ hoang thì xử lý sao", "6.4"),
    ("xây nhà xưởng trong cụm công nghiệp xin phép lâu quá", "4.3"),
])
def test_chatty_topics_with_words_the_plan_lacks_stay_in_scope(kb, question, section):
    ans = ask(kb, question)
    assert ans.intent == "topic"
    assert section in ans.sections[:3]


# ---------------------------------------------------------------- a bare section number


def test_a_bare_one_is_group_one_with_its_tasks(kb):
    ans = ask(kb, "1")
    assert ans.intent == "section" and ans.sections[0] == "1"
    assert "Mục 1" in ans.text
    assert [t.id for t in kb.tasks_of("1")] == list(ans.tasks)


@pytest.mark.parametrize("typed", ["2", "3", "4", "5", "6", "7", "8", " 7 ", "7.", "nhóm 7"])
def test_a_bare_group_number_lists_its_subsections(kb, typed):
    group = typed.strip(" .").split()[-1]
    ans = ask(kb, typed)
    assert ans.intent == "section" and ans.sections[0] == group
    subs = [s.id for s in kb.sections if s.group == group]
    assert subs and set(subs) <= set(ans.sections)
    for sid in subs:
        assert f"Mục {sid} — {kb.agency(kb.section(sid).lead).name}" in ans.text


@pytest.mark.parametrize("typed, first", [
    ("IV", "IV.1"), ("iv", "IV.1"), ("IV.3", "IV.3"), ("II", "II.1"), ("I", "I.1"),
    ("5.6", "5.6"), ("2.2.1", "2.2"),
])
def test_a_bare_roman_or_dotted_number_is_that_part(kb, typed, first):
    ans = ask(kb, typed)
    assert ans.intent in ("section", "objective") and ans.sections[0] == first


@pytest.mark.parametrize("typed", ["9", "0", "12", "2.9", "V", "mục 9", "Mục 2.9"])
def test_a_number_that_is_no_section_gets_a_one_line_hint(kb, typed):
    ans = ask(kb, typed)
    shown = typed.split()[-1]
    assert ans.intent == "none" and ans.sections == () and ans.choices == ()
    assert "\n" not in ans.text
    assert f"Không có mục “{shown}” trong Kế hoạch" in ans.text and "mục 2.2" in ans.text


def test_a_long_number_is_still_the_document_the_plan_cites(kb):
    ans = ask(kb, "1721")
    assert "6.3" in ans.sections and "1721/KH-UBND" in ans.text


# ---------------------------------------------------------------- UBND tỉnh is the issuer


@pytest.mark.parametrize("question", [
    "UBND tỉnh phải làm gì", "ubnd tinh giao gi", "Ủy ban nhân dân tỉnh Bắc Giang có nhiệm vụ gì",
    "nhiệm vụ của UBND tỉnh", "ub tinh lam gi", "UBND tỉnh chỉ đạo gì",
])
def test_the_province_committee_is_the_plans_issuer_not_its_office(kb, question):
    ans = ask(kb, question)
    assert ans.intent == "document"
    assert ans.agencies == () and ans.sections == ()
    assert kb.document.issued_by in ans.text and "ban hành" in ans.text
    assert "sở, ngành" in ans.text and "UBND huyện, thành phố" in ans.text
    # the office is only offered, and the offer opens its duties
    assert [label for label, _ in ans.choices] == ["Văn phòng UBND tỉnh"]
    chosen = ask(kb, ans.choices[0][1])
    assert chosen.intent == "agency" and chosen.agency_ids[0] == "vpubnd"


@pytest.mark.parametrize("question", [
    "văn phòng UBND tỉnh", "VP UBND", "vpubnd", "Văn phòng Ủy ban tỉnh có nhiệm vụ gì ạ",
])
def test_the_office_of_the_committee_is_still_found(kb, question):
    ans = ask(kb, question)
    assert ans.intent == "agency" and ans.agency_ids[0] == "vpubnd" and "4.6" in ans.sections


def test_the_committee_assigning_work_to_an_agency_is_that_agencys_question(kb):
    ans = ask(kb, "UBND tỉnh giao gì cho Sở Xây dựng")
    assert ans.intent == "agency" and ans.agency_ids[0] == "sxd"


def test_advising_the_committee_is_a_topic(kb):
    ans = ask(kb, "ai tham mưu UBND tỉnh ban hành quy định trách nhiệm giải trình")
    assert ans.intent == "topic" and "4.5" in ans.sections[:3]


async def test_nhiemvu_for_the_committee_does_not_show_its_office(sqlite_svc):
    [r] = await dispatch(zalo("/nhiemvu UBND tỉnh"), sqlite_svc)
    assert not r.text.startswith("Nhiệm vụ của Văn phòng UBND tỉnh")
    assert "Không tìm thấy cơ quan “UBND tỉnh”" in r.text


# ---------------------------------------------------------------- using the bot


@pytest.mark.parametrize("question, command", [
    ("cap nhat tien do nhu the nao", "/capnhat MỤC TRẠNG THÁI"),
    ("làm sao để cập nhật tiến độ cho Sở Xây dựng", "/capnhat MỤC TRẠNG THÁI"),
    ("lam sao de dang ky", "/dangky CƠ QUAN"),
    ("đăng ký nhận nhắc hạn thế nào", "/nhacnho"),
    ("tắt nhắc nhở thế nào", "/nhacnho tat"),
    ("xuất báo cáo excel", "/xuat"),
    ("xem tiến độ các sở ở đâu", "/trangthai"),
    ("bot làm được gì", "/capnhat MỤC TRẠNG THÁI [GHI CHÚ]"),
    ("hướng dẫn sử dụng", "/dangky CƠ QUAN"),
])
def test_how_to_use_the_bot_names_the_command_with_an_example(kb, question, command):
    ans = ask(kb, question)
    assert ans.intent == "help"
    assert ans.sections == () and ans.agencies == ()
    assert command in ans.text and "ví dụ" in ans.text.casefold()
    assert "nằm ngoài" not in ans.text


def test_the_update_help_shows_a_complete_example(kb):
    ans = ask(kb, "cập nhật tiến độ thế nào")
    assert "/capnhat 2.2.1 đang thực hiện Đã phê duyệt 2 đồ án" in ans.text


def test_the_export_help_says_it_is_for_admins(kb):
    assert "quản trị viên" in ask(kb, "xuất file excel như thế nào").text


@pytest.mark.parametrize("question, section", [
    ("hạn báo cáo năm", "IV.3"),
    ("ai cập nhật quy hoạch", "2.7"),
    ("cập nhật quy hoạch như thế nào", "2.7"),
    ("thủ tục đăng ký doanh nghiệp", "4.1"),
])
def test_plan_questions_with_bot_words_are_not_taken_for_help(kb, question, section):
    ans = ask(kb, question)
    assert ans.intent != "help" and section in ans.sections[:3]


@pytest.mark.parametrize("greeting", ["xin chào", "chào bot", "hello", "alo", "Chào bạn!",
                                      "hi bot", "xin chào bạn khỏe không"])
def test_a_greeting_gets_a_welcome_with_two_examples(kb, greeting):
    ans = ask(kb, greeting)
    assert ans.intent == "help" and ans.sections == () and ans.agencies == ()
    assert ans.text.startswith("Xin chào")
    assert ans.text.count("«") >= 2 and "nằm ngoài" not in ans.text


def test_a_greeting_before_a_question_answers_the_question(kb):
    ans = ask(kb, "xin chào, Sở Y tế phải làm gì?")
    assert ans.intent == "agency" and ans.agency_ids[0] == "syt"


# ---------------------------------------------------------------- dates read dd/mm/yyyy


def _unquoted(text: str) -> str:
    return re.sub(r"«[^»]*»", "", text)


@pytest.mark.parametrize("question", ["các hạn sắp tới", "hạn báo cáo 6 tháng", "hạn chót",
                                      "Sở Y tế báo cáo khi nào"])
def test_full_dates_in_answers_are_zero_padded(kb, question):
    text = _unquoted(ask(kb, question).text)
    dates = re.findall(r"(?<![\d/])\d{1,2}/\d{1,2}/\d{4}", text)
    assert dates
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", d) for d in dates), dates


def test_padded_dates_and_the_plans_own_words_side_by_side(kb):
    text = ask(kb, "các hạn sắp tới").text
    assert "tính đến ngày 30/11/2026" in text and "Kỳ tới: 15/06/2027" in text
    assert "(Mục IV.1, 30/09/2021)" in text
    # the plan writes "15/6" and "15/12": the rule and the quotation keep its words
    assert "trước ngày 15/6 hằng năm" in text
    assert "Báo cáo 6 tháng gửi trước ngày 15/6; báo cáo năm gửi trước ngày 15/12" in text


# ---------------------------------------------------------------- what the plan does not hold


@pytest.mark.parametrize("question", [
    "giám đốc sở xây dựng tên gì", "giám đốc sở công thương là ai",
    "ai là chủ tịch UBND huyện Lục Ngạn", "số điện thoại giám đốc sở y tế",
    "giám đốc sở xây dựng là ông nào", "ai đang làm giám đốc sở y tế",
])
def test_a_persons_name_or_details_are_not_in_the_plan(kb, question):
    ans = ask(kb, question)
    assert ans.intent == "none" and ans.sections == ()
    assert "thông tin cá nhân" in ans.text


@pytest.mark.parametrize("question", ["sở nội vụ tuyển công chức", "thi viên chức năm nay"])
def test_hiring_is_not_in_the_plan(kb, question):
    ans = ask(kb, question)
    assert ans.intent == "none" and ans.sections == ()


def test_offices_named_in_the_plan_are_still_answered(kb):
    assert "IV.1" in ask(kb, "giám đốc các sở phải làm gì").sections
    assert kb.document.signer in ask(kb, "PCT nào ký kế hoạch").text


# ---------------------------------------------------------------- an agency's reports


@pytest.mark.parametrize("question, agency_id", [
    ("bọn em bên BQL các KCN cần báo cáo gì", "bqlkcn"),
    ("Sở Y tế phải báo cáo những gì", "syt"),
    ("em ở huyện Lục Ngạn, cần báo cáo gì", "luc_ngan"),
])
def test_an_agency_asking_what_to_report_gets_its_report_dates(kb, question, agency_id):
    ans = ask(kb, question)
    assert ans.agency_ids[0] == agency_id
    assert ans.sections[0] == "IV.3"
    assert "15/6" in ans.text and "15/12" in ans.text and "Sở Công Thương" in ans.text
    assert ans.text.startswith(kb.agency(agency_id).name)


def test_one_report_asked_gives_that_report(kb):
    ans = ask(kb, "Sở Y tế báo cáo 6 tháng khi nào")
    assert ans.agency_ids[0] == "syt" and "15/06/2027" in ans.text and "15/12/2026" not in ans.text


def test_the_agency_that_receives_the_reports_is_told_so(kb):
    ans = ask(kb, "sở công thương phải báo cáo gì")
    assert ans.agency_ids[0] == "sct" and {"IV.2", "IV.3"} <= set(ans.sections)
    assert "nhận báo cáo" in ans.text and "báo cáo UBND tỉnh" in ans.text


def test_an_agency_and_a_report_topic_is_still_a_topic(kb):
    ans = ask(kb, "Sở TN&MT thẩm định báo cáo ĐTM")
    assert ans.intent == "topic" and ans.sections[0] == "7.1"


# ---------------------------------------------------------------- choice labels


async def test_long_choice_labels_are_cut_between_words(sqlite_svc):
    from handlers.ask import to_reply

    ans = answer(sqlite_svc.kb, "công nghiệp", TODAY)
    full = [label for label, _ in ans.choices]
    assert any(len(x) > 60 for x in full)
    reply = to_reply(sqlite_svc, ans)
    for label, c in zip(full, reply.choices, strict=True):
        assert len(c.label) <= 60
        if len(label) > 60:
            kept = c.label.removesuffix("…")
            assert c.label.endswith("…") and label.startswith(kept)
            assert label[len(kept)] in " ,;:"  # the cut falls between words


def test_asking_to_see_deadlines_lists_them(kb):
    ans = ask(kb, "xem hạn chót")
    assert ans.intent == "deadline" and "IV.3" in ans.sections


def test_progress_of_an_agency_points_to_the_status_command_for_it(kb):
    ans = ask(kb, "tiến độ thực hiện nhiệm vụ của sở y tế")
    assert ans.intent == "help" and "/trangthai Sở Y tế" in ans.text


def test_reports_the_committee_receives_are_the_periodic_reports(kb):
    ans = ask(kb, "UBND tỉnh nhận báo cáo khi nào")
    assert ans.intent == "deadline" and ans.sections[0] == "IV.3"


@pytest.mark.parametrize("typed, first", [
    ("số 7", "7"), ("mục số 7", "7"), ("mục số 7 gồm những gì", "7"), ("phần 4", "IV.1"),
    ("phần 4 nói gì", "IV.1"), ("phần 3", "1"),
])
def test_a_number_with_its_kind_is_that_section_or_part(kb, typed, first):
    # parts are numbered I–IV in the plan: "phần 4" is part IV, not task group 4
    ans = ask(kb, typed)
    assert ans.intent == "section" and ans.sections[0] == first


@pytest.mark.parametrize("question, command", [
    ("cách dùng bot", "/dangky CƠ QUAN"), ("bot này dùng sao", "/hanchot"),
    ("nhập tiến độ ở đâu", "/capnhat MỤC TRẠNG THÁI"), ("tải file báo cáo", "/xuat"),
    ("ai duyệt đăng ký", "/dangky CƠ QUAN"), ("tôi muốn nhận nhắc hạn báo cáo", "/nhacnho"),
])
def test_more_ways_of_asking_how_to_use_the_bot(kb, question, command):
    ans = ask(kb, question)
    assert ans.intent == "help" and ans.sections == () and command in ans.text


def test_updating_a_named_item_gets_the_command_ready_to_send(kb):
    ans = ask(kb, "em muốn cập nhật nhiệm vụ 2.2.1 đã hoàn thành")
    assert ans.intent == "help" and ans.sections == ()
    assert "/capnhat 2.2.1 hoàn thành" in ans.text


def test_a_section_number_with_a_status_word_is_still_that_section(kb):
    ans = ask(kb, "tiến độ mục 5.6")
    assert ans.intent == "section" and ans.sections[0] == "5.6"


@pytest.mark.parametrize("said", ["cảm ơn", "cảm ơn bot nhiều", "ok", "thanks"])
def test_thanks_get_a_short_courteous_reply(kb, said):
    ans = ask(kb, said)
    assert ans.intent == "help" and ans.sections == ()
    assert "nằm ngoài" not in ans.text and len(ans.text) < 200


# ---------------------------------------------------------------- duties binding every agency


@pytest.mark.parametrize("question", [
    "nhiệm vụ chung của các sở",
    "các sở phải làm gì chung",
    "việc chung của mọi cơ quan",
    "nhiệm vụ chung cho tất cả sở ngành và huyện",
    "tất cả các cơ quan phải làm gì",
    "nhiem vu chung cua cac so nganh",
])
def test_common_duties_quote_group_1_and_parts_iv1_iv3(kb, plan_text, question):
    ans = ask(kb, question)
    assert ans.intent == "agency" and ans.sections == ("1", "IV.1", "IV.3")
    assert {"1.1", "1.2", "1.3", "IV.1.1", "IV.3.1"} <= set(ans.tasks)
    assert "nằm ngoài" not in ans.text
    assert "30/09/2021" in ans.text and "Sở Công Thương" in ans.text  # plan due, reports to
    assert_quotes_from_plan(ans, plan_text)
    assert len(quotes(ans.text)) == 5


@pytest.mark.parametrize("question, section", [
    ("quy hoạch chung", "2.2"), ("dùng chung hạ tầng", "3.2"),
])
def test_chung_in_a_topic_is_still_that_topic(kb, question, section):
    ans = ask(kb, question)
    assert ans.intent == "topic" and section in ans.sections[:3]


def test_common_duties_of_one_named_agency_are_its_own(kb):
    ans = ask(kb, "nhiệm vụ chung của Sở Xây dựng")
    assert ans.intent == "agency" and ans.agency_ids[0] == "sxd"
    assert {"2.2", "4.3"} <= set(ans.sections)


def test_all_the_districts_are_the_district_committees(kb):
    ans = ask(kb, "các huyện phải làm gì")
    assert ans.intent == "agency" and ans.agency_ids[0] == "ubnd_huyen"


# ---------------------------------------------------------------- partnering ("phối hợp")


@pytest.mark.parametrize("question, agency_id, led", [
    ("Sở Xây dựng phối hợp những việc gì?", "sxd", ("2.2", "4.3", "5.4")),
    ("SXD phối hợp với ai", "sxd", ("2.2", "4.3", "5.4")),
    ("sở y tế phối hợp gì", "syt", ("7.4",)),
])
def test_agency_never_named_as_partner_is_told_so(kb, question, agency_id, led):
    ans = ask(kb, question)
    name = kb.agency(agency_id).name
    assert ans.intent == "agency" and ans.agency_ids[0] == agency_id
    assert ans.sections == led and ans.partner_sections == ()
    assert f"không nêu tên {name} là cơ quan phối hợp" in ans.text
    assert ", ".join(led) in ans.text
    # no bullet of its own duties is passed off as partner work
    assert "•" not in ans.text


def test_partner_duties_name_section_and_lead(kb, plan_text):
    ans = ask(kb, "Sở Nội vụ phối hợp những việc gì")
    assert ans.intent == "agency" and ans.agency_ids[0] == "snv"
    # 8.1 is also held today (8.1.4 came to Sở Nội vụ in 2025): not a partner-only section
    assert ans.sections == ("4.5", "8.1") and ans.partner_sections == ()
    assert ans.tasks == ("8.1.3",)
    assert "Mục 8.1 — Sở Lao động, Thương binh và Xã hội chủ trì" in ans.text
    assert_quotes_from_plan(ans, plan_text)
    assert all("Sở Nội vụ" in q for q in quotes(ans.text))


def test_office_partners_sct_in_iv2(kb):
    ans = ask(kb, "Văn phòng UBND tỉnh phối hợp gì")
    assert ans.agency_ids[0] == "vpubnd" and ans.sections == ("4.6",)
    assert ans.partner_sections == ("IV.2",) and "Sở Công Thương chủ trì" in ans.text


def test_district_partner_work_comes_from_its_collective(kb):
    ans = ask(kb, "huyện Hiệp Hòa phối hợp gì")
    assert ans.agency_ids[:2] == ("hiep_hoa", "ubnd_huyen")
    assert set(ans.sections) == {"2.7", "5.6", "7.5"}
    assert {"2.4", "4.2", "8.1"} <= set(ans.partner_sections)
    assert not set(ans.sections) & set(ans.partner_sections)


def test_who_partners_an_agency_names_the_partners_of_its_sections(kb):
    ans = ask(kb, "ai phối hợp với Sở Xây dựng")
    first = ans.text.splitlines()[0]
    assert ans.agency_ids[0] == "sxd" and "Sở Kế hoạch và Đầu tư" in first and "2.2" in first


def test_leading_and_partnering_asked_together_get_both(kb):
    ans = ask(kb, "Sở Công Thương chủ trì, phối hợp những gì")
    assert ans.agency_ids[0] == "sct" and "IV.2" in ans.sections
    assert set(ans.partner_sections) == {"2.4", "2.7"}


def test_two_agencies_partnering_get_their_shared_tasks(kb, plan_text):
    ans = ask(kb, "Sở KH&ĐT phối hợp với Sở Xây dựng việc gì")
    assert ans.agency_ids == ("skhdt", "sxd") and ans.sections == ("2.2",)
    assert ans.tasks == ("2.2.3",)
    assert_quotes_from_plan(ans, plan_text)
    none = ask(kb, "sở y tế phối hợp với sở xây dựng làm gì")
    assert none.sections == () and "không có nhiệm vụ nào" in none.text


# ---------------------------------------------------------------- echoing what the user typed


async def test_unknown_agency_name_is_echoed_in_curly_quotes(sqlite_svc):
    [r] = await dispatch(zalo("/nhiemvu xyz"), sqlite_svc)
    assert "Không tìm thấy cơ quan “xyz”" in r.text and "«" not in r.text


async def test_ambiguous_words_are_echoed_in_curly_quotes(sqlite_svc):
    [r] = await dispatch(zalo("/hoi công nghiệp"), sqlite_svc)
    assert "“công nghiệp”" in r.text and "«" not in r.text


async def test_agency_picker_echoes_the_typed_name_in_curly_quotes(sqlite_svc):
    [r] = await dispatch(zalo("/nhiemvu Sở giao"), sqlite_svc)
    assert r.text.startswith("“Sở giao” có thể là") and len(r.choices) >= 2


@pytest.mark.parametrize("question", [
    "những việc cần phối hợp", "phối hợp giữa các sở", "phoi hop giua cac so nganh", "phối hợp",
    "cơ quan nào phối hợp với nhau",
])
def test_coordination_with_no_agency_lists_who_works_with_whom(kb, plan_text, question):
    ans = ask(kb, question)
    assert ans.intent == "topic" and not ans.text.startswith("Từ “"), ans.text
    assert ans.sections[0] == "I.2" and "phối hợp chặt chẽ" in ans.text
    named = [s for s in kb.sections if s.lead and s.partners]
    assert named and list(ans.sections[1:]) == [s.id for s in named]
    for s in named:  # lead → partners, by name
        partners = ", ".join(kb.agency(p).name for p in s.partners)
        assert f"Mục {s.id}: {kb.agency(s.lead).name} → {partners}" in ans.text
    assert_quotes_from_plan(ans, plan_text)
    for label, query in ans.choices:  # each offer reads as that agency's partnering
        follow = ask(kb, query)
        assert follow.intent == "agency" and label == f"Việc {follow.agencies[0]} phối hợp"
        assert "là cơ quan phối hợp" in follow.text


async def test_coordination_offers_are_buttons_for_each_agencys_partnering(sqlite_svc):
    [r] = await dispatch(zalo("/hoi phối hợp giữa các sở"), sqlite_svc)
    assert "→" in r.text and r.choices
    for c in r.choices:
        assert c.data.startswith("hoi:p:") and len(c.data.encode()) <= 64
    [follow] = await dispatch(zalo(callback=r.choices[0].data), sqlite_svc)
    aid = r.choices[0].data.removeprefix("hoi:p:")
    name = sqlite_svc.kb.agency(aid).name
    assert f"Kế hoạch nêu tên {name} là cơ quan phối hợp" in follow.text
    [stale] = await dispatch(zalo(callback="hoi:p:khongco"), sqlite_svc)
    assert "không còn hiệu lực" in stale.text


@pytest.mark.parametrize("question, section", [
    ("quy chế phối hợp quản lý KCN", "6.1"), ("phối hợp thu hút đầu tư", "3.3"),
])
def test_coordination_on_a_topic_is_that_topic(kb, question, section):
    ans = ask(kb, question)
    assert ans.intent == "topic" and ans.sections[0] == section
