"""Folding and agency-name resolution: what officials type must find the right agency."""
from __future__ import annotations

import pytest

from bot.knowledge import load_knowledge
from bot.text import (
    drop_fillers,
    expand_shorthand,
    find_agencies,
    fold,
    marked_words,
    resolve_agency,
)


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


def ids(agencies) -> list[str]:
    return [a.id for a in agencies]


# ---------------------------------------------------------------- fold


@pytest.mark.parametrize("raw, folded", [
    ("Sở Xây dựng", "so xay dung"),
    ("SỞ XÂY DỰNG", "so xay dung"),
    ("Đường điện", "duong dien"),  # đ and Đ both become d
    ("Ủy ban Nhân dân", "uy ban nhan dan"),
    ("  nhà   ở\txã hội?! ", "nha o xa hoi"),  # punctuation and runs of spaces
    ("phòng cháy, chữa cháy; cứu nạn", "phong chay chua chay cuu nan"),
    ("Nghị quyết 147-NQ/TU", "nghi quyet 147 nq tu"),
])
def test_fold_removes_marks_case_and_punctuation(raw, folded):
    assert fold(raw) == folded


def test_fold_accepts_decomposed_input():
    decomposed = "Sở Y te\u0301"  # "é" typed as e + combining acute
    assert fold(decomposed) == "so y te"


def test_fold_keeps_decimals_and_abbreviation_ampersands():
    assert fold("mục 5.6, tăng 47,1%") == "muc 5.6 tang 47,1"
    assert fold("Sở KH&ĐT") == "so kh&dt"
    assert fold("Kế hoạch & Đầu tư") == "ke hoach va dau tu"  # a spaced '&' reads "và"


def test_fold_of_nothing_is_empty():
    assert fold("") == "" and fold("?!…") == ""


# ---------------------------------------------------------------- resolve_agency


@pytest.mark.parametrize("typed, agency", [
    ("Sở Xây dựng", "sxd"),
    ("so xay dung", "sxd"),
    ("SXD", "sxd"),
    ("so xay dugn", "sxd"),  # swapped letters
    ("so y tê", "syt"),  # half the marks
    ("Sở KH&ĐT", "skhdt"),
    ("Sở KH & ĐT", "skhdt"),
    ("skhđt", "skhdt"),
    ("sở kế hoạch đầu tư", "skhdt"),  # without "và"
    ("BQL các KCN", "bqlkcn"),
    ("ban quan ly khu cong nghiep", "bqlkcn"),
    ("Sở LĐ-TB&XH", "sldtbxh"),
    ("Sở GD&ĐT", "sgddt"),
    ("so giao duc", "sgddt"),  # the start of a longer name
    ("văn phòng ủy ban nhân dân tỉnh", "vpubnd"),
    ("UBND cấp huyện", "ubnd_huyen"),
    ("UBND huyện Việt Yên", "viet_yen"),
    ("viet yen", "viet_yen"),
    ("TP Bắc Giang", "tp_bac_giang"),
])
def test_resolve_agency_finds_what_officials_type(kb, typed, agency):
    assert ids(resolve_agency(kb, typed))[:1] == [agency]


def test_exact_alias_gives_that_agency_alone(kb):
    assert ids(resolve_agency(kb, "Sở Nội vụ")) == ["snv"]
    assert ids(resolve_agency(kb, "Sở Ngoại vụ")) == ["sngv"]


def test_an_ambiguous_start_gives_both_candidates(kb):
    assert set(ids(resolve_agency(kb, "Sở giao"))) == {"sgtvt", "sgddt"}


def test_a_collective_stands_for_its_districts(kb):
    # no district or commune, only the collectives (the plan's, and today's "UBND cấp xã")
    assert set(ids(resolve_agency(kb, "UBND"))) == {"ubnd_huyen", "ubnd_cap_xa"}


@pytest.mark.parametrize("typed", ["", "   ", "giá vàng", "Sở Tư pháp", "xyz qwerty"])
def test_nothing_plausible_gives_empty_list(kb, typed):
    assert resolve_agency(kb, typed) == []


def test_find_agencies_gives_spans_in_folded_words(kb):
    q = "Nhiệm vụ của Sở KH&ĐT và UBND huyện Việt Yên"
    found = find_agencies(kb, q)
    words = fold(q).split()
    assert [m.agency_id for m in found] == ["skhdt", "viet_yen"]
    assert words[found[0].start:found[0].end] == ["so", "kh&dt"]
    assert words[found[1].start:found[1].end] == ["ubnd", "huyen", "viet", "yen"]


def test_a_shortened_name_needs_a_boundary(kb):
    # "sở tài chính" is not the start of "Sở Tài nguyên và Môi trường" (it is today's
    # Sở Tài chính, knowledge/organisation.json)
    assert [m.agency_id for m in find_agencies(kb, "so tai chinh co nhiem vu gi")] == ["stc"]
    assert [m.agency_id for m in find_agencies(kb, "so tai nguyen lam gi")] == ["stnmt"]


@pytest.mark.parametrize("typed", [
    "Sở Không Tồn Tại Gì Cả", "Sở Văn hóa", "Sở Văn hóa, Thể thao và Du lịch",
    "Bộ Công an", "Bộ Y tế", "Bộ Xây dựng", "Cục Thuế", "Sở Thông minh", "Công an xã",
    "Sở Tư pháp", "Ban Dân tộc", "lorem ipsum dolor", "Sở xây dựng Hà Nội",
])
def test_an_unknown_agency_resolves_to_nothing(kb, typed):
    assert resolve_agency(kb, typed) == []


@pytest.mark.parametrize("typed, agency", [
    ("so giao thong van tia", "sgtvt"),  # two letters swapped in a short word
    ("sở gíao dục", "sgddt"),
    ("cong an tinh", "cat"),
    ("Công an tỉnh Bắc Giang", "cat"),
    ("so tai nguyen moi truogn", "stnmt"),
    ("so cong thuogn", "sct"),
])
def test_typos_in_real_names_are_still_tolerated(kb, typed, agency):
    assert ids(resolve_agency(kb, typed)) == [agency]


@pytest.mark.parametrize("typed, expanded", [
    ("Sở Y tế có nv j ko", "so y te co nhiem vu gi khong"),
    ("đc giao bc ntn", "duoc giao bao cao nhu the nao"),
    ("cq nao lam KH", "co quan nao lam ke hoach"),
    ("UBND h Lục Ngạn", "ubnd huyen luc ngan"),
])
def test_chat_shorthand_is_spelled_out(typed, expanded):
    assert expand_shorthand(fold(typed)) == expanded


def test_shorthand_after_so_stays_an_abbreviation():
    # "sở KH ĐT", "sở NV": initials of an agency, not "kế hoạch", "nhiệm vụ"
    assert expand_shorthand("so kh dt") == "so kh dt"
    assert expand_shorthand("so nv co nv gi") == "so nv co nhiem vu gi"


# ---------------------------------------------------------------- chat style


def test_marked_words_line_up_with_the_folded_words():
    raw = "Doanh nghiệp Hàn Quốc, KH&ĐT: 5.6!"
    assert marked_words(raw) == ["doanh", "nghiệp", "hàn", "quốc", "kh&đt", "5.6"]
    assert len(marked_words(raw)) == len(fold(raw).split())


def _drop(raw: str) -> str:
    return " ".join(drop_fillers(fold(raw).split(), marked_words(raw)))


@pytest.mark.parametrize("raw, kept", [
    ("anh chị ơi sở xây dựng mình làm gì ạ", "so xay dung lam gi"),
    ("bọn em ở huyện mình phải làm gì", "em o huyen phai lam gi"),
    ("anh chi oi so xay dung minh lam gi", "so xay dung lam gi"),  # typed without marks
    ("bên sở công thương phụ trách gì", "so cong thuong phu trach gi"),
    ("bị phạt rồi vẫn chưa khắc phục", "bi phat khac phuc"),
])
def test_chat_courtesy_is_dropped(raw, kept):
    assert _drop(raw) == kept


@pytest.mark.parametrize("raw", [
    "công khai minh bạch thủ tục",  # "minh" of "minh bạch" is no pronoun
    "cong khai minh bach thu tuc",
    "hạ tầng bên ngoài hàng rào KCN",  # "bên ngoài" is a place
    "ảnh hưởng của dịch bệnh",  # "ảnh" is not "anh"
    "chỉ tiêu thu hút đầu tư",  # "chỉ" is not "chị"
    "đào tạo tiếng Anh cho lao động",  # the language, not the pronoun
])
def test_real_words_that_fold_like_fillers_stay(raw):
    assert _drop(raw) == fold(raw)


@pytest.mark.parametrize("typed, spelled", [
    ("ban qly cac kcn", "ban quan ly cac kcn"),  # after "ban", yet no agency's initials
    ("so ld tbxh", "so ld thuong binh xa hoi"),
    ("trien khai nq147", "trien khai nghi quyet 147"),
    ("cty xa thai", "cong ty xa thai"),
    ("trung tam gdnn gdtx", "trung tam giao duc nghe nghiep giao duc thuong xuyen"),
    ("xin phep xay nha", "xin phep xay dung nha"),
    ("xay dung nha", "xay dung nha"),
    ("so kh dt", "so kh dt"),  # an agency's initials stay
])
def test_more_chat_shorthand(typed, spelled):
    assert expand_shorthand(typed) == spelled


# ---------------------------------------------------------------- the province's committee


@pytest.mark.parametrize("typed", ["UBND tỉnh", "ubnd tinh", "Ủy ban nhân dân tỉnh",
                                   "UBND tỉnh Bắc Giang", "ub tỉnh", "tỉnh"])
def test_the_province_committee_is_no_agency_to_register_with(kb, typed):
    # /dangky, /nhacnho and /trangthai must not take it for Văn phòng UBND tỉnh
    assert resolve_agency(kb, typed) == []


@pytest.mark.parametrize("typed", ["Văn phòng UBND tỉnh", "VP UBND", "vpubnd", "VP UBND tỉnh",
                                   "văn phòng ủy ban nhân dân tỉnh", "van phong ubnd"])
def test_the_committees_office_is_still_resolved(kb, typed):
    assert ids(resolve_agency(kb, typed)) == ["vpubnd"]


def test_district_committees_are_unaffected(kb):
    assert ids(resolve_agency(kb, "UBND huyện")) == ["ubnd_huyen"]
    assert ids(resolve_agency(kb, "UBND huyện Lục Ngạn")) == ["luc_ngan"]


# ---------------------------------------------------------------- names typed with slips

def _slips(name: str) -> list[str]:
    """One letter dropped, two swapped, the words run together, all run together."""
    words = fold(name).split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    w = words[i]
    out = ["".join(words), words[0] + " " + "".join(words[1:])]
    if len(w) > 4:
        out.append(" ".join(words[:i] + [w[:2] + w[3:]] + words[i + 1:]))
        out.append(" ".join(words[:i] + [w[:1] + w[2] + w[1] + w[3:]] + words[i + 1:]))
    return out


def test_leading_agencies_typed_with_slips_are_found(kb):
    from bot.answer import answer
    leads = {s.lead for s in kb.sections if s.lead}
    asked = found = 0
    for a in kb.agencies:
        if a.id not in leads or a.parent:
            continue
        for typed in _slips(a.name):
            asked += 1
            found += answer(kb, f"{typed} phải làm gì").agency_ids[:1] == (a.id,)
    assert found >= 0.9 * asked, (found, asked)


def test_no_question_of_the_shared_set_gets_a_name_by_similarity_alone(kb):
    import json
    from pathlib import Path

    from bot.answer.question import Question
    path = Path("/work/shared/eval/questions.jsonl")
    if not path.exists():
        pytest.skip("shared set not here")
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        q = Question(kb, row["q"])
        fuzzy = [m for m in q.mentions if m.score < 100]
        assert not fuzzy or (row["type"] == "agency"
                             and kb.agency(fuzzy[0].agency_id).name == row["agency"]), row["q"]


def test_a_pasted_long_word_is_folded_without_a_quadratic_scan():
    # a 4,000-character word once cost ~0.3 s per fold: a pasted blob could stall the bot
    import time as _time

    start = _time.perf_counter()
    for _ in range(5):
        fold("a" * 4000)
        fold("b" * 3990 + "&c")
    assert _time.perf_counter() - start < 0.5
    assert fold("Sở KH&ĐT") == "so kh&dt"
