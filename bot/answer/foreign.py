"""What the plan does not answer because the question is about something else: another
document (a decree, a circular, a decision the plan never cites), a ministry, another province.
Declined in one line with what the bot can do, instead of quoting sections that share a word.

The references are recognised by their form, not by a list of questions: a document kind with
a number (or the kinds the plan never cites at all), "Bộ" before a capitalised name or before a
department's own name, a province's name (knowledge/vocabulary.json, from vietnam-provinces)."""
from __future__ import annotations

import re
from datetime import date

from bot.answer.help import help_answer
from bot.answer.model import Answer
from bot.answer.question import Question
from bot.answer.vocab import PROVINCES, VOCABULARY, has_phrase
from bot.text import agency_index, fold, normalize_tones, strip_marks

# a document kind, folded, and its abbreviation in a number ("15/2018/NĐ-CP")
_KINDS = {"nghi dinh": "nd", "thong tu": "tt", "quyet dinh": "qd", "nghi quyet": "nq",
          "ke hoach": "kh", "chi thi": "ct", "cong van": "cv", "thong bao": "tb", "luat": "luat"}
# "15/2018/NĐ-CP", "02/2022/TT-BXD", "1234/QĐ-TTg", "45/NQ-CP"
_NUMBERED = re.compile(r"(?<![\d/.,])(\d{1,5})\s*(?:/\s*(\d{4}))?\s*/\s*([a-z]{2,4})\s*-\s*([a-z]+)")
_KIND_NUMBER = re.compile(r"(?<!\S)(" + "|".join(_KINDS) + r")(?: so)? (\d{1,5})(?!\S)")
# bodies of the central government, written with the plan's own kinds
_CENTRAL = {"cp", "ttg", "bxd", "btc", "bct", "bkhdt", "btnmt", "bldtbxh", "byt", "bca", "qh",
            "ubtvqh", "nhnn", "bnv", "bgddt", "bkhcn", "btttt", "bnnptnt", "bgtvt", "btp"}
# words after "bộ" that make it no ministry ("bộ phận", "bộ tiêu chí", "bộ máy")
_NOT_MINISTRY = {"phan", "may", "tieu", "chi", "tai", "lieu", "ho", "so", "nganh", "doi",
                 "dam", "hanh", "cau", "khung", "quy"}
# words before "bo" that make it no ministry ("toàn bộ", "cán bộ", "công bố", "đồng bộ")
_NOT_BEFORE = {"toan", "can", "dong", "so", "cong", "phan", "tuyen", "ban", "cac"}
_PROVINCE_HEADS = ("tinh", "thanh pho", "tp")
# a province's folded name -> as written ("thai nguyen" -> "Thái Nguyên")
_PROVINCE_NAMES = {fold(n): n for n in VOCABULARY.get("provinces", ())}


def _department(idx, key: str) -> bool:
    """A department's whole name (not the start of one: "sở công" is no name)."""
    return key not in idx.prefixes and bool(idx.exact(key))


def by_foreign(kb, q: Question, today: date) -> Answer | None:
    """Another document, a ministry or another province asked about: outside the plan."""
    what = _foreign_document(q) or _national(q) or _ministry(kb, q) or _province(q)
    if what is None:
        return None
    return Answer("none", f"Kế hoạch này không nói về {what}. "
                  + help_answer(kb, "help").text)


# kinds of programme a nation or a province adopts; "… quốc gia" after one names the nation's
_PROGRAMME_KINDS = ("chuong trinh", "chien luoc", "de an", "quy hoach", "ke hoach", "du an")
_NATIONAL = re.compile(r"(?<!\S)(" + "|".join(_PROGRAMME_KINDS)
                       + r")((?: \S+){0,4}?) quoc gia(?!\S)")


def _national(q: Question) -> str | None:
    """A national programme or strategy ("chương trình mục tiêu quốc gia …", "chiến lược quốc
    gia về …"): a document of the central government, unless the plan itself writes it."""
    m = _NATIONAL.search(q.folded)
    if m is None or m.group(0) in _plan_text(q.idx):
        return None
    return _as_typed_words(q.raw, m.group(0).split())


def _plan_text(idx) -> str:
    """The plan's bullets and headings folded into one text. Read once per index."""
    text = getattr(idx, "_folded_text", None)
    if text is None:
        text = idx._folded_text = " ".join(fold(f"{d.heading} {d.text}") for d in idx.docs)
    return text


def _plain(q: Question) -> str:
    return strip_marks(q.raw.casefold()).replace("đ", "d")


def _foreign_document(q: Question) -> str | None:
    """A document named by number that the plan does not cite, or a kind it never cites."""
    own = {"147"} | set(q.idx.refs)
    for m in _NUMBERED.finditer(_plain(q)):
        num, kind, body = m.group(1).lstrip("0"), m.group(3), m.group(4)
        if num not in own or body in _CENTRAL and kind in ("nd", "tt"):
            return "văn bản số " + _as_typed(q.raw, m.group(0))
    for m in _KIND_NUMBER.finditer(q.folded):
        kind, num = m.group(1), m.group(2).lstrip("0")
        if num in own or len(num) < 2 or re.fullmatch(r"(19|20)\d\d", num):
            continue  # a year ("kế hoạch 2021-2030") is no document number
        return f"{_label(kind)} số {num}"
    for kind in ("nghi dinh", "thong tu"):  # the plan cites neither decrees nor circulars
        if has_phrase(q.folded, kind):
            return _label(kind)
    return _law(q)


# "luật" that names no law: "pháp luật", "kỷ luật", "quy luật", "luật sư", "luật lệ"
_LAW_COMPOUND_BEFORE = {"phap", "ky", "quy"}
_LAW_COMPOUND_AFTER = {"su", "le"}


def _law_words(words: list[str]) -> list[int]:
    """Where "luật" stands as a document kind ("Luật Đất đai"), not inside a compound."""
    return [i for i, w in enumerate(words) if w == "luat"
            and (not i or words[i - 1] not in _LAW_COMPOUND_BEFORE)
            and (i + 1 >= len(words) or words[i + 1] not in _LAW_COMPOUND_AFTER)]


def _law(q: Question) -> str | None:
    """A law by name ("Luật Đất đai 2024", "luat dau tu"), when the plan itself names none
    (it only says "quy định của pháp luật"): what a law provides is not the plan's."""
    at = _law_words(q.folded.split())
    if not at or _plan_names_laws(q.idx):
        return None
    name = q.folded.split()[at[0]:at[0] + 3]
    return "luật (" + _as_typed_words(q.raw, name) + ")" if len(name) > 1 else "luật"


def _plan_names_laws(idx) -> bool:
    """Does the plan cite a law by name? Read once per index."""
    found = getattr(idx, "_names_laws", None)
    if found is None:
        found = idx._names_laws = any(
            _law_words(fold(f"{d.text} {d.heading}").split()) for d in idx.docs)
    return found


def _as_typed_words(raw: str, folded: list[str]) -> str:
    """The run of words as the official typed them, found by their folded forms."""
    words = raw.split()
    plain = [fold(w.strip(",.?!;:")) for w in words]
    for i in range(len(plain) - len(folded) + 1):
        if plain[i:i + len(folded)] == folded:
            return " ".join(w.strip(",.?!;:") for w in words[i:i + len(folded)])
    return " ".join(folded)


def _as_typed(raw: str, plain: str) -> str:
    """The document number as the official typed it (the plain form has no marks)."""
    key = plain.replace(" ", "")
    for w in raw.split():
        if strip_marks(w.casefold()).replace("đ", "d").strip(",.?!;:") == key:
            return w.strip(",.?!;:")
    return key.upper()


def _label(kind: str) -> str:
    return {"nghi dinh": "nghị định", "thong tu": "thông tư", "quyet dinh": "quyết định",
            "nghi quyet": "nghị quyết", "ke hoach": "kế hoạch", "chi thi": "chỉ thị",
            "cong van": "công văn", "thong bao": "thông báo", "luat": "luật"}[kind]


def _ministry(kb, q: Question) -> str | None:
    """"Bộ Công Thương", "Bộ Tài chính", "bo xay dung": a ministry, not a department."""
    if "bo" not in q.folded.split():
        return None
    raw = normalize_tones(q.raw).split()
    words = [fold(w) for w in raw]
    idx = agency_index(kb)
    for i, w in enumerate(raw[:-1]):
        if (w.casefold().strip(",.?!;:") not in ("bộ", "bo") or words[i + 1] in _NOT_MINISTRY
                or (i and words[i - 1] in _NOT_BEFORE)):
            continue
        nxt = raw[i + 1]
        stem = " ".join(words[i + 1:i + 4])
        capital = nxt[:1].isupper() and raw[i][:1] == "B"
        department = any(_department(idx, "so " + " ".join(words[i + 1:i + 1 + n]))
                         for n in (1, 2, 3))
        if capital or department:
            return "các bộ, ngành Trung ương (" + " ".join(raw[i:i + 3]).strip(",.?!") + ")" \
                if stem else "các bộ, ngành Trung ương"
    return None


def _province(q: Question) -> str | None:
    """Another province by name ("tỉnh Thái Nguyên", "Hà Nội"): the plan is Bắc Giang's."""
    text = f" {q.folded} "
    for name in PROVINCES:
        if f" {name} " not in text:
            continue
        headed = any(f" {h} {name} " in text for h in _PROVINCE_HEADS)
        # a one-word or plan-used name needs "tỉnh"/"thành phố" before it ("Lào Cai" is
        # clear, "Hà Nam" might be a street)
        if headed or (len(name.split()) >= 2 and name not in q.idx.place_names
                      and not agency_index(q.idx.kb).exact(name)):
            return f"tỉnh, thành phố khác ({_PROVINCE_NAMES.get(name, name)})"
    return None
