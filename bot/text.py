"""Vietnamese text folding and agency-name resolution, shared by every part of the bot.

    fold(s) -> str                          comparable form: NFC, casefold, no diacritics, đ→d,
                                            punctuation to spaces ("Sở KH&ĐT" → "so kh&dt")
    tokens(s) -> list[str]                  fold(s).split()
    resolve_agency(kb, text) -> [Agency]    what an official means by an agency name, best first
    names_province_committee(text) -> bool  "UBND tỉnh": the plan's issuer, no agency of it
    find_agencies(kb, text) -> [Mention]    agency names mentioned inside a longer question
    expand_shorthand(folded) -> str         chat shorthand spelled out ("co nv gi" → "co nhiem
                                            vu gi"), for questions (not for agency-name input)
    marked_words(s) -> list[str]            fold(s).split() with diacritics kept
    typed_syllable(word) -> bool            typed with its diacritics and well formed
    drop_fillers(words, marked) -> [str]    chat courtesy ("ạ", "anh chị", "tỉnh mình") removed

Typed names vary a lot ("Sở KH&ĐT", "so ke hoach dau tu", "SKHĐT", "BQL các KCN", "so xay dugn"),
so matching runs on a normalised form where "và"/"các" are dropped, "khu công nghiệp" is "kcn",
"ủy ban nhân dân" is "ubnd", and each name also has a compact (space-free) key.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

# ---------------------------------------------------------------- folding

_DEC = re.compile(r"(?<=\d)([.,])(?=\d)")
# anchored at a word's start: unanchored, a long word with no '&' costs a quadratic scan
_AMP = re.compile(r"(?<!\w)(\w+)(\s*)&(\s*)(\w+)")
_NONWORD = re.compile(r"[^\w&\x01\x02]+|_")
_STRAY_AMP = re.compile(r"(?<!\w)&|&(?!\w)")


def _amp(m: re.Match) -> str:
    # "KH&ĐT", "TN&MT": an abbreviation stays one token; "Kế hoạch & Đầu tư" reads "và"
    a, sp1, sp2, b = m.group(1), m.group(2), m.group(3), m.group(4)
    if not sp1 and not sp2 and len(a) <= 4 and len(b) <= 4:
        return f"{a}&{b}"
    return f"{a} va {b}"


def _marks_table() -> dict[int, str]:
    table = {}
    for cp in range(0xC0, 0x2000):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        if base != ch and base:
            table[cp] = base
    return table


_MARKS = _marks_table()  # "ệ" → "e", "Ở" → "O": precomposed letters, a plain lookup
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff]")


_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\ud800-\udfff]")


def clean_input(s: str) -> str:
    """What a channel hands the core: no lone surrogates (no database or encoder takes them)
    and no NUL or other C0 control characters, line breaks and tabs kept. CR is dropped, so
    CR LF becomes LF."""
    return _UNSAFE.sub("", s) if s else s


def strip_marks(s: str) -> str:
    s = s.translate(_MARKS)
    return _COMBINING.sub("", s) if _COMBINING.search(s) else s


# i and y in an open syllable after these consonants are one sound, spelt both ways ("quản
# lí"/"quản lý", "kĩ thuật"/"kỹ thuật", "qui chế"/"quy chế", "tỉ lệ"/"tỷ lệ"): folded to "y"
_IY = re.compile(r"(?<![\w&])(l|k|m|t|qu)i(?![\w&])")


def fold(s: str) -> str:
    """Comparable form of Vietnamese text: "Sở Xây dựng!" → "so xay dung".

    Decimal separators between digits survive ("5.6", "47,1"), so do '&' inside
    abbreviations ("gd&dt"); every other punctuation mark becomes a space. The spellings
    of one syllable with i or y ("lí"/"lý") fold alike.
    """
    s = unicodedata.normalize("NFC", s or "").casefold().replace("đ", "d")
    s = strip_marks(s)
    s = _DEC.sub(lambda m: "\x01" if m.group(1) == "." else "\x02", s)
    if "&" in s:
        s = _AMP.sub(_amp, s)
    s = _NONWORD.sub(" ", s)
    s = _STRAY_AMP.sub(" ", s)
    s = s.replace("\x01", ".").replace("\x02", ",")
    return _IY.sub(r"\1y", " ".join(s.split()))


# tone marks (combining, after NFD) and the vowel pairs where the old and the new placement
# differ: "hoà"/"hòa", "khoẻ"/"khỏe", "uỷ"/"ủy" (an open syllable; "quý" has one vowel)
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_TONE_PAIR = re.compile(r"(?<!q)(o[\u0300\u0301\u0303\u0309\u0323]?a|o[\u0300\u0301\u0303"
                        r"\u0309\u0323]?e|u[\u0300\u0301\u0303\u0309\u0323]?y)"
                        r"([\u0300\u0301\u0303\u0309\u0323]?)(?![^\W\d_])", re.IGNORECASE)


def _tone_first(m: re.Match) -> str:
    pair, tone = m.group(1), m.group(2)
    if not tone:
        return pair
    return pair[0] + tone + pair[1:]


def normalize_tones(s: str) -> str:
    """One tone placement for the syllables spelt two ways: "hoà" → "hòa", "thuỷ" → "thủy"
    (NFC in, NFC out). Folding drops tones anyway; this is for text read with its marks."""
    nfd = unicodedata.normalize("NFD", s or "")
    if not any(c in _TONES for c in nfd):
        return unicodedata.normalize("NFC", nfd)
    return unicodedata.normalize("NFC", _TONE_PAIR.sub(_tone_first, nfd))


# a Vietnamese syllable without its tone: onset (with the spelling rules "k"/"gh"/"ngh"
# before i, e, ê and "c"/"g"/"ng" elsewhere), an optional medial, a nucleus, a coda
_ONSET = (r"(?:ngh(?=[ieê])|ng(?![ieê])|gh(?=[ieê])|gi|g(?![eê])|k(?=[ieêy])|c(?![ieêy])"
          r"|qu|ch|kh|nh|ph|th|tr|[bdđhlmnprstvx])?")
_RHYME = (r"(?:o(?=[aăe])|u(?=[âêơy]))?(?:iê|yê|ia|ya|uô|ua|ươ|ưa|ă(?=[cmnpt])|â(?=[cmnptuy])"
          r"|[aeêioôơuưy])(?P<coda>ch|nh|ng|[cmnpt]|[iyou])?")
_SYLLABLE = re.compile(_ONSET + _RHYME)
_STOP_TONES = {"́", "̣"}  # a syllable ending in c, ch, p, t takes sắc or nặng
_MARKED_LETTERS = set("ăâêôơưđ")


def typed_syllable(word: str) -> bool:
    """Was the word typed with its Vietnamese diacritics (a tone, or ă â ê ô ơ ư đ) and is it
    a well-formed syllable? Such a word is deliberate ("nghèo"), not a slip for a plan word
    one letter away ("nghề"); "nhiệmm" or "ngèo" are not well formed."""
    nfd = unicodedata.normalize("NFD", word.casefold())
    tones = [c for c in nfd if c in _TONES]
    base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in _TONES))
    if len(tones) > 1 or not (tones or _MARKED_LETTERS & set(base)):
        return False
    m = _SYLLABLE.fullmatch(base)
    if not m:
        return False
    return m.group("coda") not in ("c", "ch", "p", "t") or (bool(tones) and tones[0] in _STOP_TONES)


def tokens(s: str) -> list[str]:
    return fold(s).split()


# ---------------------------------------------------------------- chat shorthand

# what officials type in chat, in folded form ("đc" folds to "dc")
SHORTHAND = {
    "nv": "nhiem vu", "nvu": "nhiem vu", "j": "gi", "gj": "gi", "ji": "gi", "ko": "khong",
    "k": "khong", "kg": "khong", "khg": "khong", "hok": "khong", "dc": "duoc",
    "ntn": "nhu the nao", "bc": "bao cao", "kh": "ke hoach", "cq": "co quan",
    "ptnt": "phat trien nong thon", "tp": "thanh pho", "h": "huyen", "ub": "uy ban",
    "qd": "quyet dinh", "nq": "nghi quyet", "vs": "voi", "sx": "san xuat", "cn": "cong nghiep",
    "ng": "nguoi", "bn": "bao nhieu", "bnhieu": "bao nhieu", "vde": "van de", "vb": "van ban",
    "cv": "cong van", "qly": "quan ly", "qli": "quan ly", "cty": "cong ty",
    "tbxh": "thuong binh xa hoi", "ldtbxh": "lao dong thuong binh xa hoi",
    "gdnn": "giao duc nghe nghiep", "gdtx": "giao duc thuong xuyen", "kd": "kinh doanh",
    "sxkd": "san xuat kinh doanh", "dnghiep": "doanh nghiep", "xd": "xay dung",
    "ptcn": "phat trien cong nghiep", "ttin": "thong tin", "pct": "pho chu tich", "ttr": "thanh tra",
}
# expanded even right after "sở"/"ban": they are no agency's initials ("ban qly các KCN")
_ALWAYS = {"qly", "qli", "tbxh", "ldtbxh", "cty", "gdnn", "gdtx", "sxkd", "dnghiep"}
# a document kind glued to its number: "nq147" → "nq 147", "KH1721" → "kh 1721"
_GLUED_REF = re.compile(r"^(nq|kh|qd|ct|tb|cv)(\d{2,5})$")
# after these a short token is part of an agency abbreviation ("sở KH ĐT", "sở NV")
_ABBR_HEADS = {"so", "s", "ban", "bql"}


def expand_shorthand(folded: str) -> str:
    """Chat shorthand in a folded question spelled out: "so xay dung co nv j" →
    "so xay dung co nhiem vu gi".

    A short token right after "sở"/"ban" or after another kept abbreviation stays: there it
    is part of an agency's abbreviation ("sở NV" is Sở Nội vụ, "sở KH CN" is KH&CN).
    """
    words: list[str] = []
    for w in folded.split():
        m = _GLUED_REF.match(w)
        words += [m.group(1), m.group(2)] if m else [w]
    out: list[str] = []
    kept_abbr = False
    for i, w in enumerate(words):
        exp = SHORTHAND.get(w)
        prev = words[i - 1] if i else ""
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if exp and (prev in _ABBR_HEADS or kept_abbr) and w not in _ALWAYS:
            exp = None
        if w == "h" and not nxt.isalpha():
            exp = None  # "h" is "huyện" only before a name ("h Lục Ngạn")
        if w == "k" and nxt[:1].isdigit():
            exp = None
        if w == "xay" and nxt != "dung":
            exp = "xay dung"  # "xây nhà xưởng": in the plan's words, "xây dựng"
        out.append(exp or w)
        kept_abbr = exp is None and len(w) <= 4 and w.isalpha() and w in SHORTHAND
    return " ".join(out)


def marked_words(s: str) -> list[str]:
    """The words of fold(s).split() with their diacritics kept ("Hàn Quốc" → "hàn quốc"):
    a word typed with marks says which of the syllables folding merges it is."""
    s = normalize_tones(s).casefold()
    s = _DEC.sub(lambda m: "\x01" if m.group(1) == "." else "\x02", s)
    if "&" in s:
        s = _AMP.sub(_amp, s)
    s = _NONWORD.sub(" ", s)
    s = _STRAY_AMP.sub(" ", s)
    return s.replace("\x01", ".").replace("\x02", ",").split()


# chat courtesy that says nothing: "ạ", "ơi", "anh chị", "bọn em", "tỉnh mình", "bên sở …"
_MARKED_FILLERS = {"ạ", "ơi", "nhé", "nhỉ", "nhá", "dạ", "vâng", "mình", "anh", "chị", "bọn",
                   "ạh", "hả", "tôi",
                   # chat adverbs ("bị phạt rồi vẫn chưa khắc phục"): no topic, and folded
                   # they would read as other words ("vẫn" → "van" of "văn bản")
                   "rồi", "vẫn", "chưa", "nữa", "lắm", "mãi", "hoài", "đấy", "vậy", "quá"}
_MINH_AFTER = {"tinh", "ben", "so", "huyen", "xa", "cua", "vi", "phong", "nganh", "cho",
               "bon", "cap", "o", "tai", "thi"}
# "mình" before what the unit must do; not in "thông minh", "chứng minh", "liên minh"
_MINH_BEFORE = {"lam", "phai", "duoc", "can", "co", "nen", "se", "dang", "hoi"}
_MINH_WORDS = {"thong", "chung", "lien", "binh", "quang", "van", "minh"}
_BEN_BEFORE = {"so", "phong", "ban", "minh", "em", "toi", "huyen", "tinh", "nganh", "cap",
               "ubnd", "ub", "bql", "cong", "thanh", "van"}


def drop_fillers(words: list[str], marked: list[str] | None = None) -> list[str]:
    """A question's folded words without chat courtesy ("anh chị cho em hỏi bên công thương
    mình được giao gì ạ" → "cho em hoi cong thuong duoc giao gi").

    `marked` (marked_words of the same text) settles words folding merges: "mình" is a
    pronoun, "minh" in "minh bạch" is not. Unmarked words are judged by their neighbours.
    """
    if marked is not None and len(marked) != len(words):
        marked = None
    out: list[str] = []
    n = len(words)
    for i, w in enumerate(words):
        m = marked[i] if marked else w
        prev = words[i - 1] if i else ""
        nxt = words[i + 1] if i + 1 < n else ""
        if m in _MARKED_FILLERS and not (m == "mình" and nxt == "bach") and not (
                m == "anh" and prev in ("tieng", "nuoc", "vuong")):  # "tiếng Anh"
            continue
        if m != w and m not in ("bên", "chúng"):  # typed with other marks: a real word
            out.append(w)
            continue
        if (w == "oi" or (w == "nhe" and i == n - 1)
                or (w == "anh" and nxt in ("chi", "oi"))
                or (w == "chi" and (prev == "anh" or nxt == "oi"))
                or (w == "minh" and nxt != "bach" and prev not in _MINH_WORDS
                    and (prev in _MINH_AFTER or nxt in _MINH_BEFORE or i == n - 1))
                or (w == "ben" and nxt in _BEN_BEFORE)
                or (w in ("bon", "chung") and nxt in ("em", "toi", "minh", "ta"))):
            continue
        out.append(w)
    return out


# ---------------------------------------------------------------- agency names

# dropped before comparing names: "Sở Kế hoạch và Đầu tư" = "Sở Kế hoạch Đầu tư"
_NAME_NOISE = {"va", "cac", "nhung", "&"}
# phrases rewritten to one form before comparing names
_NAME_PHRASES = [
    (("uy", "ban", "nhan", "dan"), ("ubnd",)),
    (("khu", "cong", "nghiep"), ("kcn",)),
    (("cum", "cong", "nghiep"), ("ccn",)),
    (("ban", "quan", "ly"), ("bql",)),
    (("thanh", "pho"), ("tp",)),
    (("thi", "xa"), ("tx",)),
    (("van", "phong"), ("vp",)),
]
# words that may follow a shortened name ("sở giáo dục làm gì", "sở kế hoạch được giao")
AFTER_NAME = {"phai", "lam", "co", "duoc", "can", "nhiem", "vu", "gi", "la", "thi", "cua",
               "chu", "tri", "giao", "trong", "theo", "ve", "voi", "phoi", "hop", "tham", "muu",
               "bao", "cao", "thuc", "hien", "se", "da", "dang", "nhu", "the", "nao", "ra", "sao",
               "trien", "khai",
               "o", "khi", "de", "cho", "nhung", "cac", "dam", "phu", "vai", "trach"}
_PHRASE_STARTS = {src[0] for src, _ in _NAME_PHRASES}
# words that never name an agency on their own
_GENERIC = {"so", "ban", "ubnd", "tinh", "huyen", "tp", "vp", "kcn", "ccn", "bac giang",
            "ubnd tinh", "tinh bac giang", "nganh", "so nganh", "co quan", "don vi",
            "xay dung", "ke hoach", "cong nghiep", "phat trien", "dau tu",
            "giao thong", "lao dong", "noi", "y", "te"}
_HEADS = ("so", "ban", "ubnd", "vp", "thanh", "cong", "bql", "huyen", "tp", "tx")


def name_tokens(s: str) -> list[str]:
    """Tokens of a name in the form names are compared in."""
    return [t for t, _, _ in _name_tokens_at(s)]


def _name_tokens_at(s: str) -> list[tuple[str, int, int]]:
    """Name-form tokens, each with the span of fold(s).split() positions it stands for."""
    toks: list[tuple[str, int]] = []
    for i, w in enumerate(fold(s).split()):
        toks += [(t, i) for t in w.split("&") if t and t not in _NAME_NOISE]
    out: list[tuple[str, int, int]] = []
    i = 0
    while i < len(toks):
        if toks[i][0] not in _PHRASE_STARTS:
            out.append((toks[i][0], toks[i][1], toks[i][1] + 1))
            i += 1
            continue
        for src, dst in _NAME_PHRASES:
            if tuple(t for t, _ in toks[i:i + len(src)]) == src:
                first, last = toks[i][1], toks[i + len(src) - 1][1]
                out += [(d, first, last + 1) for d in dst]
                i += len(src)
                break
        else:
            out.append((toks[i][0], toks[i][1], toks[i][1] + 1))
            i += 1
    return out


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words if w)


def _name_variants(name: str, is_district: bool) -> set[str]:
    """Spellings derivable from a canonical name: without "Sở", initials, district short forms."""
    toks = name_tokens(name)
    out = {" ".join(toks)}
    first = name_tokens(name.split(",")[0])
    if "," in name and len(first) >= 2 and first[0] in _HEADS:
        out.add(" ".join(first))  # "UBND huyện, thành phố" → "ubnd huyen"
        if first[0] == "ubnd":
            out |= {"ubnd cap " + " ".join(first[1:]), "cap " + " ".join(first[1:])}
    if toks and toks[-1] == "tinh" and len(toks) > 2:
        out.add(" ".join(toks[:-1]))
    head, rest = (toks[0], toks[1:]) if toks else ("", [])
    if head == "so" and rest:
        out.add(" ".join(rest))
        ini = _initials(rest)
        out |= {"s" + ini, "so " + ini}
        if len(ini) >= 3:
            out.add(ini)
    if head == "bql":
        out |= {"bql kcn", "bqlkcn", "bql kcn tinh", "ban quan ly kcn"}
    if is_district and head == "ubnd" and len(rest) >= 2:
        kind, place = rest[0], rest[1:]
        p = " ".join(place)
        if p != "bac giang":
            out.add(p)
        out |= {f"{kind} {p}", f"ubnd {p}", f"ubnd {kind} {p}"}
        if kind in ("huyen", "tx"):
            out |= {f"huyen {p}", f"tx {p}", f"ubnd huyen {p}", f"ubnd tx {p}"}
    return out


@dataclass(frozen=True)
class Mention:
    agency_id: str
    start: int  # span of fold(text).split() positions

    end: int
    score: float  # 100 for an exact name, lower for fuzzy
    weak: bool  # a name that is also an ordinary phrase ("xây dựng", "thanh tra")
    abbr: bool = False  # one space-free token ("SXD", "snv"), not a spelled-out name


def _corpus_without_names(kb) -> str:
    """The plan's task text in name form, with every full agency name cut out."""
    text = " " + " | ".join(" ".join(name_tokens(t.text)) for t in kb.tasks) + " "
    names = sorted({" ".join(name_tokens(a.name)) for a in kb.agencies}, key=len, reverse=True)
    for n in names:
        text = text.replace(f" {n} ", " | ")
    return text


class AgencyIndex:
    """Lookup tables for one Knowledge, built once, or read back from what `data()` gave
    (the on-disk cache: `agency_index`)."""

    def __init__(self, kb, data: dict | None = None) -> None:
        self.kb = kb
        if data is None:
            self._build(kb)
        else:
            self._load(data)
        self._by_start: dict[tuple[str, int], list[str]] = {}
        self._starts: dict[str, bool] = {}
        self.choices = list(self.keys)
        self.compact_max = max((len(k) for k in self.compact), default=0)
        self.vocab = {w for k in self.keys for w in k.split()}
        self.max_len = max(len(k.split()) for k in self.keys)

    _SETS = ("prefixes", "weak", "heads", "first_words")

    def data(self) -> dict:
        """What building found, as JSON (sorted: the same index writes the same file)."""
        out = {name: sorted(getattr(self, name)) for name in self._SETS}
        out.update(keys={k: sorted(v) for k, v in self.keys.items()}, corpus=self.corpus,
                   compact=self.compact)
        return out

    def _load(self, data: dict) -> None:
        for name in self._SETS:
            setattr(self, name, set(data[name]))
        self.keys = {k: set(v) for k, v in data["keys"].items()}
        self.corpus, self.compact = data["corpus"], dict(data["compact"])

    def _build(self, kb) -> None:
        self.keys: dict[str, set[str]] = {}  # spaced or compact key -> agency ids
        self.prefixes: set[str] = set()  # "so giao duc": the start of a longer name
        self.weak: set[str] = set()
        corpus = self.corpus = _corpus_without_names(kb)
        # the plan's districts; communes of today have only the spellings they are given
        district_ids = {a.id for a in kb.agencies if a.parent and getattr(a, "plan", True)}
        given = {a.id: {" ".join(name_tokens(x)) for x in (a.name, *a.aliases)} for a in kb.agencies}
        derived = {a.id: _name_variants(a.name, a.id in district_ids) - given[a.id]
                   for a in kb.agencies}
        # a unit of today's organisation (Agency.plan False) takes no spelling from the plan's
        # agencies: "ban quan ly kcn" stays the plan's board
        plan_keys = set().union(*(given[a.id] | derived[a.id] for a in kb.agencies
                                  if getattr(a, "plan", True)))
        for a in kb.agencies:
            if not getattr(a, "plan", True):
                derived[a.id] -= plan_keys
        owners: dict[str, int] = {}
        for keys in [*given.values(), *derived.values()]:
            for k in keys:
                owners[k] = owners.get(k, 0) + 1
        for a in kb.agencies:
            # a derived spelling two agencies share ("snv": Nội vụ or Ngoại vụ) names neither
            spellings = given[a.id] | {k for k in derived[a.id] if owners[k] == 1}
            for key in spellings:
                if not key or key in _GENERIC:
                    continue
                self._add(key, a.id)
                if " " in key and len(key.replace(" ", "")) >= 3:
                    self._add(key.replace(" ", ""), a.id)
                if f" {key} " in corpus:
                    self.weak.add(key)  # "thanh tra", "y te": also an ordinary phrase
        self._add_prefixes()
        self.compact = self._compact_names(kb)
        # the first words of the names and aliases, in name form ("so", "bql", "ubnd", "cong")
        self.heads = {name_tokens(x)[0] for a in kb.agencies for x in (a.name, *a.aliases)
                      if name_tokens(x)} | {fold(x).split()[0] for a in kb.agencies
                                            for x in (a.name, *a.aliases) if fold(x)}
        # where a name can start: a key's first word, or the start of a space-free key
        # ("kh dt" is looked up as "khdt")
        self.first_words = {k.split()[0] for k in self.keys}
        self.first_words |= {k[:n] for k in self.keys if " " not in k for n in range(1, len(k))}

    def _compact_names(self, kb) -> dict[str, str]:
        """Space-free spellings of each name and alias, both in name form ("sokehoachdautu",
        "bqlkcntinh") and as typed in full ("banquanlykhucongnghieptinh"), for names typed
        with a slip or run together; a spelling two agencies share names neither."""
        out: dict[str, set[str]] = {}
        for a in kb.agencies:
            for x in (a.name, *a.aliases):
                plain = [w for w in fold(x).split() if w not in _NAME_NOISE]
                for key in ("".join(name_tokens(x)), "".join(plain)):
                    if len(key) >= FUZZY_MIN_LEN and key not in _GENERIC:
                        out.setdefault(key, set()).add(a.id)
        return {k: next(iter(ids)) for k, ids in out.items() if len(ids) == 1}

    def may_start_name(self, tok: str) -> bool:
        """Can a name typed with a slip start at this word? A name's first word, one slip
        away from one ("sỏ", "ubdn"), or a long word that may be a name run together."""
        hit = self._starts.get(tok)
        if hit is None:
            hit = self._starts[tok] = len(tok) >= FUZZY_MIN_LEN or tok in self.heads or any(
                OSA.distance(tok, h) <= 1 for h in self.heads if len(h) >= 3)
        return hit

    def compact_by_start(self, first: str, size: int) -> list[str]:
        """Space-free names starting with `first` whose length is within 3 of `size` (a slip
        keeps a name's start and about its length), cached per (first, size)."""
        key = (first, size)
        hit = self._by_start.get(key)
        if hit is None:
            hit = self._by_start[key] = [k for k in self.compact if k[:1] == first
                                         and abs(len(k) - size) <= 3]
        return hit

    def _add_prefixes(self) -> None:
        """"sở giáo dục" names Sở Giáo dục và Đào tạo; "sở giao" names two (both kept)."""
        prefixes: dict[str, set[str]] = {}
        for key, ids in self.keys.items():
            words = key.split()
            if len(words) < 3 or words[0] != "so":
                continue
            for n in range(2, len(words)):
                prefixes.setdefault(" ".join(words[:n]), set()).update(ids)
        for p, ids in prefixes.items():
            if p not in self.keys and p.split()[1] not in ("tinh", "nganh"):
                self.keys[p] = set(ids)
                self.prefixes.add(p)

    def _add(self, key: str, agency_id: str) -> None:
        self.keys.setdefault(key, set()).add(agency_id)

    def exact(self, key: str) -> set[str]:
        return self.keys.get(key) or self.keys.get(key.replace(" ", "")) or set()


_INDEXES: dict[int, tuple[object, AgencyIndex]] = {}


def agency_index(kb) -> AgencyIndex:
    """Built once per Knowledge (the entry keeps kb alive, so its id is not reused); across
    processes read back from the on-disk cache, keyed by what the index is built from."""
    hit = _INDEXES.get(id(kb))
    if hit is None or hit[0] is not kb:
        built: list[AgencyIndex] = []

        def build() -> dict:
            built.append(AgencyIndex(kb))
            return built[0].data()

        data = disk_cached("agency-index", _index_inputs(kb), build)
        hit = _INDEXES[id(kb)] = (kb, built[0] if built else AgencyIndex(kb, data))
    return hit[1]


def _index_inputs(kb) -> Iterable[str]:
    """Everything the agency index depends on: this module's code, the agencies (names,
    aliases, parents, whether the plan names them) and the tasks' text."""
    yield Path(__file__).read_text(encoding="utf-8")
    yield from (repr(a) for a in kb.agencies)
    yield from (t.text for t in kb.tasks)


# ---------------------------------------------------------------- the on-disk cache

CACHE_FILES_KEPT = 8  # per name: older contents' files are removed when a new one is written


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/kh147, else ~/.cache/kh147: the user's, never the checkout."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kh147"


def disk_cached(name: str, inputs: Iterable[str], build: Callable[[], dict]) -> dict:
    """JSON data that depends only on `inputs`: read from `<cache dir>/<name>-<hash>.json`
    when a process already built it, else built and written there. A cache that cannot be
    read or written (a read-only checkout, no home, a damaged file) costs the build, never
    an error. The file is written under a temporary name and renamed, so a reader never sees
    half of it."""
    digest = hashlib.sha256()
    for part in inputs:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    path = cache_dir() / f"{name}-{digest.hexdigest()[:32]}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    data = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent,
                                         prefix=f".{name}-", delete=False) as f:
            json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
        os.replace(f.name, path)
        _prune(path.parent, name)
    except OSError:
        pass  # not writable: the next process builds again
    return data


def _prune(folder: Path, name: str) -> None:
    """Keep the newest CACHE_FILES_KEPT files of `name` (each edit of the inputs adds one)."""
    files = sorted(folder.glob(f"{name}-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[CACHE_FILES_KEPT:]:
        old.unlink(missing_ok=True)


def _correct(tok: str, vocab: set[str]) -> str:
    """One typo in a word of a name ("dugn" → "dung"), when unambiguous."""
    if tok in vocab or len(tok) < 4 or not tok.isalpha():
        return tok
    best = process.extract(tok, vocab, scorer=OSA.distance, limit=2, score_cutoff=1)
    if len(best) == 1 or (len(best) == 2 and best[0][1] < best[1][1]):
        return best[0][0]
    return tok


# a name typed with a slip or run together ("so ke hoch va dau tu", "banquanlycackcn"):
# the similarity (rapidfuzz ratio, 0-100) of its space-free form to a name's. Calibrated on
# generated slips of every leading agency's name (one letter dropped, changed, two swapped,
# words run together: 200/204 found at 90) against the 544 questions of the visible sets
# (no name found by similarity alone at 90; one at 88, five at 82)
FUZZY_NAME_SCORE = 90
FUZZY_MIN_LEN = 9  # shorter spellings are abbreviations: exact only
_FUZZY_MAX_WORDS = 8


def fuzzy_agencies(kb, text: str, taken: set[int] = frozenset()) -> list[Mention]:
    """Names typed with one or two letters wrong, or run together, inside a question: the
    longest stretch of words whose space-free form is close to one name's (positions in
    `taken` are left alone). Weak, like an ordinary phrase, is never set: only whole names
    of FUZZY_MIN_LEN letters or more are compared."""
    idx = agency_index(kb)
    at = _name_tokens_at(text)
    out: list[Mention] = []
    used: set[int] = set(taken)
    i = 0
    while i < len(at):
        best = None
        if not idx.may_start_name(at[i][0]):
            i += 1
            continue
        for n in range(min(_FUZZY_MAX_WORDS, len(at) - i), 0, -1):
            typed = "".join(t for t, _, _ in at[i:i + n])
            if (len(typed) < FUZZY_MIN_LEN or len(typed) > idx.compact_max + 3
                    or typed in idx.keys or used & set(range(at[i][1], at[i + n - 1][2]))):
                continue
            # a slip keeps the name's start and about its length ("nong nghiep" is no "cong")
            choices = idx.compact_by_start(typed[0], len(typed))
            hit = choices and process.extractOne(typed, choices, scorer=fuzz.ratio,
                                                 score_cutoff=FUZZY_NAME_SCORE)
            if hit and n > 1 and f" {' '.join(t for t, _, _ in at[i:i + n])} " in idx.corpus:
                hit = None  # words the plan writes as they are ("cổng thông tin"): no slip
            if hit and (best is None or hit[1] > best[1] + 2):
                best = (n, hit[1], idx.compact[hit[0]])
        if best is None:
            i += 1
            continue
        n, score, aid = best
        start, end = at[i][1], at[i + n - 1][2]
        out.append(Mention(aid, start, end, float(score), False))
        used |= set(range(start, end))
        i += n
    return out


def find_agencies(kb, text: str, fuzzy: bool = True) -> list[Mention]:
    """Agency names inside a question, longest match first, non-overlapping, in text order.

    Spans are positions in fold(text).split(), so callers can cut the names out.
    """
    idx = agency_index(kb)
    at = _name_tokens_at(text)
    toks = [t for t, _, _ in at]
    if fuzzy:
        toks = [_correct(t, idx.vocab) for t in toks]
    found: list[Mention] = []
    taken = [False] * len(toks)
    starts = [i for i, t in enumerate(toks) if t in idx.first_words]
    for size in range(min(idx.max_len, len(toks)), 0, -1):
        for i in starts:
            if i + size > len(toks) or any(taken[i:i + size]):
                continue
            key = " ".join(toks[i:i + size])
            ids = idx.exact(key)
            if not ids:
                continue
            if (key in idx.prefixes and size < 3 and i + size < len(toks)
                    and toks[i + size] not in AFTER_NAME):
                continue  # "sở tài chính" is not the start of "Sở Tài nguyên…"
            start, end = at[i][1], at[i + size - 1][2]
            abbr = size == 1 and " " not in key and end - start == 1
            for aid in sorted(ids):
                found.append(Mention(aid, start, end, 100.0, key in idx.weak, abbr))
            taken[i:i + size] = [True] * size
    return sorted(found, key=lambda m: m.start)


# words that may surround a typed name without changing whom it names
_NAME_FRAME = AFTER_NAME | {"tinh", "bac", "giang", "cua", "o", "tai", "thuoc"}
# first words of bodies outside the province's agencies ("Bộ Y tế", "Cục Thuế", "Hội Nông dân")
_FOREIGN_HEADS = {"bo", "cuc", "chi", "tong", "vien", "hoi", "truong", "benh", "cong ty"}


def _words_fit(words: list[str], choice: str) -> bool:
    """Is every typed word in the candidate name, at most one slip away?

    Typos are tolerated, other words are not: "sở thông minh" is not "sở thông tin".
    """
    cws = choice.split()
    if len(cws) == 1 and len(words) == 1:
        return True  # an abbreviation: the similarity score alone decides
    for w in words:
        if w in cws:
            continue
        if any(OSA.distance(w, c) <= 1 and (len(w) >= 4 or sorted(w) == sorted(c))
               for c in cws):
            continue  # one slip; in a short word only two swapped letters ("tia")
        return False
    return True


def _only_name(text: str, mentions: list[Mention]) -> bool:
    """Is `text` the mentioned name with nothing else of substance? ("Bộ Công an" is not
    Công an tỉnh: "bộ" names another body.)"""
    words = fold(text).split()
    taken = {i for m in mentions for i in range(m.start, m.end)}
    rest = [w for i, w in enumerate(words) if i not in taken and w not in _NAME_NOISE]
    return all(w in _NAME_FRAME for w in rest)


# the words of "UBND tỉnh (Bắc Giang)", "Ủy ban tỉnh", "tỉnh" in name form
_PROVINCE_WORDS = {"ubnd", "ub", "uy", "ban", "nhan", "dan", "tinh", "bac", "giang", "bg"}


def names_province_committee(text: str) -> bool:
    """Does `text` name the province's People's Committee ("UBND tỉnh", "ủy ban nhân dân tỉnh
    Bắc Giang")? It issued the plan and leads no section: it is not Văn phòng UBND tỉnh,
    whose name only looks alike."""
    toks = name_tokens(text)
    return bool(toks) and set(toks) <= _PROVINCE_WORDS and bool({"tinh", "giang"} & set(toks))


def resolve_agency(kb, text: str) -> list:
    """Agencies an official means by `text` (a name, alias or abbreviation), best first.

    An exact name or alias gives that agency alone; otherwise close spellings ranked by
    similarity (typos tolerated); an empty list when nothing is plausible, and for the
    province's committee itself ("UBND tỉnh" is no agency with tasks of its own).
    """
    idx = agency_index(kb)
    key = " ".join(name_tokens(text))
    if not key or names_province_committee(text):
        return []
    ids = idx.exact(key)
    if ids:
        return [kb.agency(i) for i in sorted(ids)]
    corrected = " ".join(_correct(t, idx.vocab) for t in key.split())
    ids = idx.exact(corrected)
    if ids:
        return [kb.agency(i) for i in sorted(ids)]
    if key.split()[0] in _FOREIGN_HEADS or " ".join(key.split()[:2]) in _FOREIGN_HEADS:
        return []  # a ministry, a department office, an association: not in the plan
    mentions = [m for m in find_agencies(kb, text) if not m.weak]
    if mentions and len({m.agency_id for m in mentions}) == 1 and _only_name(text, mentions):
        return [kb.agency(mentions[0].agency_id)]
    scores: dict[str, float] = {}
    for choice, score, _ in process.extract(corrected, idx.choices, scorer=fuzz.ratio,
                                            limit=20, score_cutoff=60):
        if not _words_fit(corrected.split(), choice):
            continue
        if len(corrected) >= 5 and " " in choice and choice.startswith(corrected + " "):
            score = max(score, 90.0)  # "so giao" → both "so giao thong…" and "so giao duc…"
        for aid in idx.keys[choice]:
            scores[aid] = max(scores.get(aid, 0.0), score)
    for choice in idx.choices:  # prefixes shorter than the scorer's cutoff
        if len(corrected) >= 4 and choice.startswith(corrected + " "):
            extra = len(choice.split()) - len(corrected.split())  # the closer, the better
            for aid in idx.keys[choice]:
                scores[aid] = max(scores.get(aid, 0.0), 90.0 - 0.1 * extra)
    if not scores:
        return []
    best = max(scores.values())
    if best < 80:
        return []
    ranked = [kb.agency(aid) for aid, s in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
              if s >= best - 5]
    # a collective stands for its members here ("ubnd" → UBND huyện, not ten districts)
    ranked = [a for a in ranked if not (a.parent and a.parent in scores)]
    return ranked[:5]


def shorten(text: str, size: int = 60) -> str:
    """One line of at most `size` characters, cut at a word boundary, "…" when cut."""
    text = " ".join((text or "").split())
    if len(text) <= size:
        return text
    cut = text[:size - 1]
    space = cut.rfind(" ")
    if space > size // 2:  # a word boundary not too far back; else cut inside the long word
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"
