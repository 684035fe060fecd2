"""A question read once: the official's self-introduction set aside, folded, courtesy dropped,
shorthand spelled out, typos fixed against the plan's vocabulary, agency mentions found."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.answer.index import index_for
from bot.answer.vocab import DUTY_WORDS, STOP, STOP_PHRASES
from bot.text import (
    AFTER_NAME,
    drop_fillers,
    expand_shorthand,
    find_agencies,
    fold,
    fuzzy_agencies,
    marked_words,
    strip_marks,
    typed_syllable,
)

# "Bộ …", "Cục …": a body outside the province that shares a name's words
OUTSIDE_HEADS = {"bo", "cuc"}
# "hàn" typed with its marks is never "hạn" (a deadline)
_HAN_NOT_DEADLINE = {"hàn", "hán", "hãn", "hản", "hăn", "hân"}


class Question:
    """A question read once: folded, typo-fixed, canonical tokens, agency mentions."""

    def __init__(self, kb, text: str) -> None:
        self.raw = text or ""
        self.idx = index_for(kb)
        intro, asked = _split_intro(self.raw)
        district = bool(intro) and _district_intro(kb, fold(intro))
        # "phòng Tài nguyên và Môi trường huyện" stands for its district
        self.intro_mentions = [_Intro(districts_id(kb))] if district else []
        self._read(kb, asked)
        if intro and not district and not self.mentions:
            # "em ở Sở Xây dựng, bọn em phải làm gì": the unit introduced is the one asked about
            self._read(kb, f"{intro}, {asked}")

    def _read(self, kb, asked: str) -> None:
        marked = marked_words(asked)
        self.folded = expand_shorthand(" ".join(drop_fillers(fold(asked).split(), marked)))
        # "Hàn Quốc", "hàn xì": typed with marks, "han" is not "hạn"
        self.han_is_place = (any(w in _HAN_NOT_DEADLINE for w in marked)
                             and not any(w.startswith("hạn") for w in marked))
        # a word typed with its diacritics and well formed ("nghèo") is meant, not a slip
        typed = {fold(w) for w in marked if typed_syllable(w)}
        self.toks = [self.idx.correct(w, w in typed) for w in self.folded.split()]
        self.fixed = " ".join(self.toks)
        self.mentions = find_agencies(kb, self.fixed, fuzzy=False) if self.toks else []
        if self.toks and (not self.mentions or self._name_goes_on()):
            # a name typed with a slip or run together ("so ke hoch va dau tu"), or a name
            # found whole only in part ("ban quan ly | cac khu cong gnhiep tinh")
            self.mentions = _longer(self.mentions, fuzzy_agencies(kb, self.fixed))
        # "Bộ Công an", "Cục Thuế": a body outside the province that shares a name's words
        self.mentions = [m for m in self.mentions
                         if not (m.start and self.toks[m.start - 1] in OUTSIDE_HEADS
                                 and self.toks[m.start - 2:m.start] != ["can", "bo"])]
        self._province_today()
        self.homographs = _homographs(self.idx, marked)
        self.canon = self.idx.expand(self.idx.canon(self.toks))
        # what cue words are looked for in: no place or agency names ("Việt Hàn" is not "hạn")
        blank = set()
        for m in self.mentions:
            blank |= set(range(m.start, m.end))
        cue = [("|" if i in blank else w) for i, w in enumerate(self.toks)]
        self.cues = self.idx.blank_places(" ".join(cue))
        self.canon_nonames = self.idx.expand(self.idx.canon([w for w in cue if w != "|"]))

    def _name_goes_on(self) -> bool:
        """Does a word that may belong to the name follow a name found (no question word)?"""
        return any(m.end < len(self.toks) and (self.toks[m.end] in ("cac", "va") or (
            self.toks[m.end] not in AFTER_NAME and self.toks[m.end] not in STOP))
            for m in self.mentions)

    def _province_today(self) -> None:
        """"Bắc Ninh" outside an agency's name is the province the plan's Bắc Giang is part of
        today: read as the plan's own province ("KCN của tỉnh Bắc Ninh" is in scope). A name
        ("BQL KCN Bắc Ninh") keeps it; the word count stays, so mention spans hold."""
        inside = {i for m in self.mentions for i in range(m.start, m.end)}
        toks = list(self.toks)
        for i in range(len(toks) - 1):
            if toks[i] == "bac" and toks[i + 1] == "ninh" and i not in inside:
                toks[i + 1] = "giang"
        if toks != self.toks:
            self.toks = toks
            self.fixed = " ".join(toks)

    def seq(self, drop: set[str] | None = None, names: bool = True) -> list[str]:
        """Canonical tokens in order, without stop phrases (and `drop` words): what is ranked;
        stopwords stay so that word pairs are the question's real neighbours. names=False
        leaves out the agency names the question mentions."""
        text = " " + " ".join(self.canon if names else self.canon_nonames) + " "
        for p in STOP_PHRASES:
            if f" {p} " in text:
                text = self._drop_phrase(text, p)
        return [w for w in text.split() if not drop or w not in drop]

    def _drop_phrase(self, text: str, phrase: str) -> str:
        """The text without a stop phrase, except its last word where that word and the next
        one are a compound the plan writes ("được giao | đất": "giao đất" is the plan's)."""
        words = text.split()
        p = phrase.split()
        out: list[str] = []
        i = 0
        while i < len(words):
            if words[i:i + len(p)] != p:
                out.append(words[i])
                i += 1
                continue
            nxt = words[i + len(p)] if i + len(p) < len(words) else ""
            if nxt and nxt not in DUTY_WORDS and nxt not in STOP and \
                    f"{p[-1]} {nxt}" in self.idx.postings:
                out.append(p[-1])
            i += len(p)
        return f" {' '.join(out)} "

    def content(self, drop: set[str] | None = None, names: bool = True) -> list[str]:
        """The words of `seq` that carry meaning."""
        return [w for w in self.seq(drop, names) if w not in STOP]


# "em ở phòng Kinh tế hạ tầng, …", "tôi là cán bộ Sở Xây dựng, xin hỏi …": who is asking
_INTRO_RE = re.compile(
    r"^\s*(?:(?:da|vang|xin chao|chao \w+|anh chi oi|anh oi|chi oi|xin hoi|"
    r"cho (?:em|toi|minh) hoi(?: la)?)\s*[,.!]?\s*)*"
    r"(?:em|toi|minh|chung toi|chung em|bon em)\s+"
    r"(?:la can bo cua|la can bo o|la can bo|lam viec o|lam viec tai|cong tac o|cong tac tai|"
    r"lam o|o|la|thuoc|ben)\s+(?P<who>[^,.;:?!]{3,80}?)"
    r"(?:\s*[,.;:!]\s*|\s+(?=(?:cho|xin|muon)\s+(?:(?:em|toi|minh)\s+)?hoi\b)|\s+thi\s+)")


def _split_intro(raw: str) -> tuple[str, str]:
    """An official's self-introduction, and the question after it ("", raw when none)."""
    nfc = unicodedata.normalize("NFC", raw)
    plain = strip_marks(nfc.casefold()).replace("đ", "d")
    m = _INTRO_RE.match(plain) if len(plain) == len(nfc) else None
    if not m:
        return "", raw
    return nfc[m.start("who"):m.end("who")], nfc[m.end():]


def _district_intro(kb, intro: str) -> bool:
    """Does the introduction stand for the districts' collective? A district's office
    ("phòng Kinh tế - Hạ tầng") or a commune the plan lists no unit for does; a commune of
    today by its name ("em ở xã Kép") is that commune."""
    head = intro.split()[:1]
    return head == ["phong"] or (head == ["xa"] and not find_agencies(kb, intro, fuzzy=False))


def districts_id(kb) -> str:
    """The collective the districts belong to ("UBND huyện, thành phố")."""
    return next((a.parent for a in kb.agencies if a.parent), "ubnd_huyen")


@dataclass(frozen=True)
class _Intro:
    """The unit an official introduced themself with, standing in for an agency mention."""

    agency_id: str


def _homographs(idx, marked: list[str]) -> set[str]:
    """Folded words the question typed with marks the plan never writes them with ("nghỉ
    phép": the plan has "nghị", never "nghỉ"): once folded they look like the plan's words,
    but they are not. A word typed without marks is not judged; one the plan never writes
    even folded ("nghèo") is an unknown word, and counts as one."""
    typed = {w for w in marked if w != strip_marks(w) and w.isalpha()}
    if not typed:
        return set()
    plans = {fold(w) for w in typed if w in idx.marked}
    return {f for w in typed if w not in idx.marked and (f := fold(w)) not in plans
            and f in idx.postings}


def _longer(exact: list, fuzzy: list) -> list:
    """The names found whole, each replaced by a similar name of the same agency that spans
    it and more; the similar names alone when none was found whole."""
    if not exact:
        return fuzzy
    out = []
    for m in exact:
        wider = [f for f in fuzzy if f.agency_id == m.agency_id and f.start <= m.start
                 and f.end >= m.end and f.end - f.start > m.end - m.start]
        out.append(wider[0] if wider else m)
    return out
