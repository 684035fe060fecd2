"""The answering engine: one question in, one `Answer` out, whatever the channel.

    answer(kb, question, today=None) -> Answer
    agency_answer(kb, agency_id) -> Answer     one agency's duties (/nhiemvu)
    partner_answer(kb, agency_id) -> Answer    the tasks naming it "phối hợp" (partner only)
    pair_answer(kb, a, b) -> Answer            tasks one of two agencies leads, the other partners
    general_duties_answer(kb) -> Answer        Mục 1, IV.1, IV.3: binding every agency
    objectives_answer(kb) -> Answer            part II (/muctieu)
    upcoming_answer(kb, today) -> Answer       deadlines still ahead
    cli_ask(question, as_json) -> int          `python -m bot ask [--json] QUESTION|-`

Full dates read dd/mm/yyyy (bot.calendar.fmt_date); the plan's own "15/6" stays as written.

How a question is read: set aside an official's self-introduction ("em ở phòng Kinh tế - Hạ
tầng, cho em hỏi …"), fold it (bot.text), drop chat courtesy ("ạ", "anh chị ơi", "tỉnh mình",
judged with the diacritics typed), spell out chat shorthand ("nv" → "nhiệm vụ", "j" → "gì",
"qly" → "quản lý"), fix typos against the plan's own vocabulary, then decide what is asked, in
this order: a section number ("mục 5.6", or a bare "7", "IV.3"; a number that is no section
gets a one-line hint), another document the plan cites, by its number ("Kế hoạch
1721/KH-UBND" → the bullet citing it), the document itself (who signed it, which resolution it
implements), using the bot (greetings; how to register, update progress, get reminders,
export: the command with an example), everyday information the plan does not hold (prices,
timetables, phone numbers, hiring, a person's name: "outside the plan" even when a word of
them is the plan's), UBND tỉnh itself (the plan's issuer, not Văn phòng UBND tỉnh), the
reports one agency owes (IV.3), the duties binding every agency ("nhiệm vụ chung của các
sở"), an agency's duties (a name or alias with nothing else of substance, or with a duty
question and no topic the plan deals with; only the tasks naming it partner when "phối hợp" is
asked), a deadline or report date, an objective figure, or a topic.
Topics are ranked by BM25 over the plan's bullets (words and word pairs, abbreviations expanded
from the glossary, places boosted). A topic must show evidence of being about the plan (an
acronym or number the plan uses, or a word pair the plan writes that is not an everyday term
such as "thủ tục", "đăng ký"; words the plan never uses count neither way); a question without
it gets a short "what I can do" answer, and one whose words are too common to point anywhere
gets two or three choices instead.

Everything quoted comes from the plan's text; nothing is paraphrased into new facts.
Imports stay light (no database, no channel library) so `ask` starts fast.
"""
from __future__ import annotations

import json
import math
import os
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from bot.calendar import fmt_date
from bot.text import (
    AFTER_NAME,
    SHORTHAND,
    agency_index,
    drop_fillers,
    expand_shorthand,
    find_agencies,
    fold,
    marked_words,
    resolve_agency,
    strip_marks,
)

INTENTS = ("agency", "topic", "deadline", "objective", "section", "document", "ambiguous",
           "help", "none")


@dataclass(frozen=True)
class Answer:
    intent: str
    text: str
    agencies: tuple[str, ...] = ()  # canonical names, most relevant first
    agency_ids: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()  # section ids, most relevant first
    partner_sections: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (label, query)

    def to_json(self, question: str) -> dict:
        """The object `ask --json` prints (CONTRACT.md §3), with a few extra fields."""
        return {"question": question, "intent": self.intent, "agencies": list(self.agencies),
                "sections": list(self.sections), "answer": self.text,
                "agency_ids": list(self.agency_ids),
                "partner_sections": list(self.partner_sections), "tasks": list(self.tasks),
                "choices": [{"label": label, "query": q} for label, q in self.choices]}


# ---------------------------------------------------------------- vocabulary

# words that carry no topic: question words, politeness, "who does it"
# (folding merges words: "đầu"/"đâu", "tài"/"tại", "chữa"/"chưa" — those stay out of it)
STOP = {
    "ai", "gi", "nao", "sao", "khong", "vay", "nhi", "nhe", "oi", "a", "u", "cua", "phai",
    "lam", "la", "co", "duoc", "nhung", "cac", "nhu", "can", "cho", "ve", "voi", "va", "trong",
    "nay", "do", "boi", "hay", "xin", "biet", "em", "bot", "lo", "den", "theo", "khi", "vao",
    "len", "cung", "se", "nhiem", "vu", "viec", "thi", "|",
}
# courtesy around a question
POLITE = ("dong chi", "cho hoi", "xin hoi", "vui long", "lam on", "xin cho biet", "cho biet",
          "muon biet", "muon hoi", "cho em hoi", "cho toi hoi", "giup toi", "tra loi giup",
          "lam ro", "hien nay", "xin cam on", "cam on")
# phrases removed before ranking (checked on the folded question)
STOP_PHRASES = ("phu trach", "chiu trach nhiem", "dam nhiem", "dam nhan", "co quan nao",
                "don vi nao", "so nao", "nganh nao", "the nao", "nhu the nao", "la gi",
                "lam gi", "hom nay", "bao nhieu", "khi nao", "bao gio", "o dau", "ve dau",
                "duoc giao", "giao cho", "ke hoach nay", "o bac giang", "tai bac giang",
                "ke hoach 147", "trong ke hoach", "theo ke hoach", "cho biet", "xin hoi",
                "cho hoi", "can lam", "phai lam", "co nhiem vu", "nhiem vu", "cong viec",
                "tinh bac giang", "bac giang", "viet nam",
                "bao nhieu phan tram", "bo tri", *POLITE)
# words of an agency-duty question that say nothing about a topic
DUTY_WORDS = {
    "nhiem", "vu", "viec", "gi", "lam", "phai", "can", "duoc", "giao", "co", "nhung", "cac",
    "cua", "trong", "ke", "hoach", "147", "nq", "tu", "theo", "trach", "chiu", "phan", "cong",
    "thuc", "hien", "nhu", "the", "nao", "la", "ai", "chu", "tri", "phoi", "hop", "noi",
    "dung", "tai", "so", "nganh", "nay", "cu", "ve", "dang", "ky", "hoi", "xin", "cho", "biet",
    "tom", "tat", "liet", "danh", "sach", "toan", "bo", "ca", "va", "voi", "nghi", "quyet",
    "tinh", "bac", "giang", "trien", "khai", "dam", "nhan", "phu", "vai", "tro",
    "chuc", "nang", "linh", "vuc", "tac", "tham", "gia", "lien", "quan", "muc", "gom",
    "don", "vi",  # "đơn vị em phải làm gì": the unit named elsewhere
    "chung",  # "nhiệm vụ chung của Sở Xây dựng": the duties, not "quy hoạch chung"
}
# built-in glossary; the knowledge file's glossary is merged over it
GLOSSARY = {
    "kcn": "khu cong nghiep", "ccn": "cum cong nghiep", "gpmb": "giai phong mat bang",
    "pccc": "phong chay chua chay", "dtm": "danh gia tac dong moi truong",
    "tthc": "thu tuc hanh chinh", "dn": "doanh nghiep", "cchc": "cai cach hanh chinh",
    "ndt": "nha dau tu", "cntt": "cong nghe thong tin", "bvmt": "bao ve moi truong",
    "nhxh": "nha o xa hoi", "xttm": "xuc tien thuong mai", "tmdt": "thuong mai dien tu",
    "dmst": "doi moi sang tao", "nnl": "nguon nhan luc", "attp": "an toan thuc pham",
    "antt": "an ninh trat tu", "hcc": "hanh chinh cong", "ktxh": "kinh te xa hoi",
}
# fixed rewrites of the ranked words: "khu, cụm công nghiệp" names both; "diện tích" is not
# "điện" once folded, so it becomes one word
COMPOUNDS = [
    (("khu", "cum", "cong", "nghiep"), ("khu", "cong", "nghiep", "cum", "cong", "nghiep")),
    (("dien", "tich"), ("dientich",)),
]
# "1 lần" is written "một lần" in the plan
DIGITS = {"1": "mot", "2": "hai", "3": "ba"}
# everyday words for what the plan names otherwise (question side only)
SYNONYMS = [(tuple(a.split()), tuple(b.split())) for a, b in (
    ("covid 19", "dich benh"), ("covid", "dich benh"), ("dai dich", "dich benh"),
    ("nha may", "doanh nghiep san xuat"), ("xe buyt", "van tai"), ("xe khach", "van tai"),
    ("o nhiem", "o nhiem moi truong"), ("chay no", "phong chay chua chay"),
    ("cho o", "nha o"), ("truong nghe", "co so giao duc nghe nghiep"),
    ("day nghe", "dao tao nghe"), ("cap ba", "trung hoc pho thong"),
    ("giai toa", "giai phong"), ("den bu", "boi thuong"), ("khu cn", "khu cong nghiep"),
    ("cum cn", "cum cong nghiep"), ("cong nhan vien", "nguoi lao dong"),
    ("cap dien", "cung cap dien"), ("tien dien", "chi phi tiep can dien nang"),
    ("giay phep xay dung", "cap phep xay dung"), ("nha xuong", "co so san xuat"),
    ("xin giay phep", "cap phep"), ("xin phep", "cap phep"), ("xa thai", "nguon thai"), ("bo hoang", "khong su dung"), ("bi phat", "bi xu phat"),
)]
# everyday syllables the plan does not use: real words, not slips of plan words ("xưởng" is
# not "xung")
CHAT_WORDS = {"xuong", "thue", "phong", "tro", "oi", "nhe", "nha", "a", "minh", "anh", "chi",
              "bon", "chung", "roi", "van", "chua", "hoang", "bo", "lau", "qua", "lam", "sao"}
# everyday words and pairs the plan happens to use too: alone they do not show that a
# question is about the plan ("thủ tục đăng ký kết hôn", "giá đất", "căn cước công dân")
GENERIC_TERMS = {
    "thu tuc", "dang ky", "cong dan", "nguoi dan", "ky ket", "bac giang", "gia", "dat", "o",
    "lam", "thu", "tuc", "dang", "ky", "nguoi", "dan", "nha", "tinh", "huyen", "xa", "ngay",
    "nam", "thang", "gio", "hom", "mai", "moi", "cach", "tot", "tien", "muon", "mua", "ban",
    "thanh pho", "thanh", "pho", "dia chi", "thong tin", "hoi dap", "van ban",
}
# other documents the plan cites: "Kế hoạch số 1721/KH-UBND", "Quyết định 35/2021/QĐ-UBND"
_PLAN_REF_RE = re.compile(
    r"(?<![\d/])(\d{1,5})(?:/\d{4})?[/-]([A-ZĐ]{1,4})(?:-[A-ZĐ]+)?(?:/[A-ZĐ]+)?")
# a number the question gives as a document's: "1721/KH-UBND", "35/2021/QĐ", "99-NQ"
_ASKED_REF_RE = re.compile(r"(?<![\d/.,])(\d{1,5})\s*(?:/\s*\d{4}\s*)?[/-]\s*([a-z]+)")
# words naming a kind of document, right before its number ("quyết định 787", "QĐ 787")
# (None: any kind)
_REF_KINDS = {"quyet dinh": "qd", "ke hoach": "kh", "nghi quyet": "nq", "chi thi": "ct",
              "thong bao": "tb", "cong van": None, "van ban": None, "so": None}
# a place ("KCN Việt Hàn") named in the question lifts the bullets that name it
PLACE_BOOST = 0.6
BIGRAM_WEIGHT = 1.2
K1, B = 1.2, 0.6

_SECTION_RE = re.compile(
    r"(?:(?<![\w.])(?:muc|phan|nhom|khoan|tieu muc|nhiem vu)\s*(?P<roman>iv|iii|ii|i)"
    r"(?:\s*[.\-]\s*(?P<rsub>\d))?(?![\w.]))"
    r"|(?<![\w.,/])(?P<num>\d(?:\.\d){1,2})(?![\w,/]|\.\d)"
    r"|(?<![\w.,/])(?P<broman>iv|ii|i)\.(?P<bsub>\d)(?![\w,/]|\.\d)"
    r"|(?:(?<![\w.])(?:muc|nhom)\s+(?P<group>\d)(?![\w.]|\.\d))")
_NO_SECTION_RE = re.compile(
    r"^(?P<head>muc|nhom|phan)\s+(?:so\s+)?(?P<id>\d+(?:\.\d+)*|[ivx]+(?:\.\d+)?)\b")
_DIGIT = re.compile(r"\d")
_YEAR_RE = re.compile(r"\b(20[2-3]\d)\b")


_PHRASE_RES: dict[tuple[str, ...], re.Pattern] = {}


def _has(text: str, *phrases: str) -> bool:
    """Does `text` (folded words) contain one of the phrases as whole words?"""
    pattern = _PHRASE_RES.get(phrases)
    if pattern is None:
        alts = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
        pattern = _PHRASE_RES[phrases] = re.compile(rf"(?<!\S)(?:{alts})(?!\S)")
    return pattern.search(text) is not None


# ---------------------------------------------------------------- index


@dataclass
class Doc:
    id: str  # task id, objective id, or section id
    section: str
    kind: str  # "task", "objective", "part"
    text: str
    lead: str | None
    partners: tuple[str, ...]
    places: tuple[str, ...]
    length: int = 0
    heading: str = ""  # indexed with the text, never quoted: the part's title


class Index:
    """Everything the engine precomputes for one Knowledge."""

    def __init__(self, kb) -> None:
        self.kb = kb
        self.glossary = dict(GLOSSARY)
        self.phrase_map: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        for g in getattr(kb, "glossary", ()):
            abbr, exp = fold(g.abbr), fold(g.expansion)
            if abbr and exp and len(exp.split()) <= 6:
                self.glossary[abbr.replace(" ", "")] = exp
                for al in g.aliases:  # "giải tỏa mặt bằng" → "giải phóng mặt bằng"
                    fa = fold(al)
                    if fa and fa != exp and len(fa.split()) > 1:
                        self.phrase_map.append((tuple(fa.split()), tuple(exp.split())))
        self.docs = self._docs(kb)
        self.vocab_freq: dict[str, int] = {}
        self.postings: dict[str, dict[int, int]] = {}
        self.pairs: set[tuple[str, str]] = set()  # meaningful words at most 2 apart in the plan
        for i, d in enumerate(self.docs):
            raw = fold(f"{d.text} {d.heading}").split()
            for w in raw:
                self.vocab_freq[w] = self.vocab_freq.get(w, 0) + 1
            toks = self.canon(raw)
            terms = self.terms(toks)
            d.length = len(terms)
            for t in terms:
                self.postings.setdefault(t, {}).setdefault(i, 0)
                self.postings[t][i] += 1
            words = [w for w in toks if w not in STOP]
            for j, w in enumerate(words):
                for k in range(j + 1, min(j + 3, len(words))):
                    self.pairs.add((w, words[k]))
        n = len(self.docs)
        self.avg_len = sum(d.length for d in self.docs) / max(n, 1)
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5))
                    for t, p in self.postings.items()}
        self.max_idf = math.log(1 + (n - 0.5) / 1.5)
        self.places = self._places(kb)
        self.marks = self._marks(kb)
        self.place_names = sorted(
            {fold(x) for p in getattr(kb, "places", ()) for x in (p.name, *p.aliases,
                                                                   getattr(p, "short", ""))
             if x and len(fold(x).split()) >= 2}, key=len, reverse=True)
        extra = set(self.glossary) | agency_index(kb).vocab | STOP | DUTY_WORDS | CHAT_WORDS
        extra |= {w for src, _ in SYNONYMS for w in src}
        extra |= {w for p in _EVERYDAY for w in p.split()}
        for w in extra:
            self.vocab_freq.setdefault(w, 1)
        self.vocab = list(self.vocab_freq)
        self._canon_cache: dict[str, list[str]] = {}
        self.doc_deadlines = {d.id: _task_deadlines(kb, d.id) for d in self.docs}
        self.refs, self.ref_names = self._refs(kb)

    def _refs(self, kb) -> tuple[dict[str, list[int]], dict[str, str]]:
        """Documents the plan cites, by number: "1721" → the bullets citing 1721/KH-UBND.

        The plan's own number and the resolution it implements are left out: a question
        naming those is about this document.
        """
        d = kb.document
        own = {m.group(1) for m in _PLAN_REF_RE.finditer(f"{d.number} {d.implements}")}
        refs: dict[str, list[int]] = {}
        names: dict[str, str] = {}
        self.ref_kinds: dict[str, set[str]] = {}
        for i, doc in enumerate(self.docs):
            for m in _PLAN_REF_RE.finditer(doc.text):
                num = m.group(1)
                if num in own:
                    continue
                if i not in refs.setdefault(num, []):
                    refs[num].append(i)
                names.setdefault(num, m.group(0))
                self.ref_kinds.setdefault(num, set()).add(fold(m.group(2)))
        return refs, names

    def canon_text(self, text: str) -> list[str]:
        """Canonical tokens of a piece of the plan (cached: the plan does not change)."""
        found = self._canon_cache.get(text)
        if found is None:
            found = self._canon_cache[text] = self.canon(fold(text).split())
        return found

    @staticmethod
    def _docs(kb) -> list[Doc]:
        docs = [Doc(t.id, t.section, "task", t.text, t.lead, tuple(t.partners),
                    tuple(getattr(t, "places", ()))) for t in kb.tasks]
        parts = {p.get("id"): p.get("title", "") for p in
                 (getattr(kb.document, "extra", {}) or {}).get("parts", ()) if isinstance(p, dict)}
        parts = {k: v for k, v in parts.items() if k in ("I", "II")} or {
            "I": "Mục đích, yêu cầu", "II": "Mục tiêu"}
        docs += [Doc(o.id, o.id, "objective", o.text, None, (), (), heading=parts.get("II", ""))
                 for o in kb.objectives]
        have = {d.section for d in docs}
        docs += [Doc(s.id, s.id, "part", s.text, s.lead, tuple(s.partners), (),
                     heading=parts.get(s.part, ""))
                 for s in kb.sections if s.id not in have and s.part in ("I", "IV") and s.text]
        return docs

    def _marks(self, kb) -> set[str]:
        """Terms that identify a topic alone: acronyms and numbers the plan uses."""
        words = set(self.glossary)
        for d in self.docs:
            for w in re.findall(r"\b(?:[A-ZĐ]{2,}|\d{2,})\b", d.text):
                words.add(fold(w))
        return {w for w in words if (w in self.postings or w in self.glossary) and len(w) >= 3
                and not _YEAR_RE.fullmatch(w) and w not in ("ubnd", "hdnd", "xix")}

    def _places(self, kb) -> list[tuple[tuple[str, ...], set[str]]]:
        out = []
        for p in getattr(kb, "places", ()):
            names = {fold(x) for x in (p.name, *p.aliases, getattr(p, "short", ""))}
            for nm in names:
                toks = tuple(self.canon(nm.split()))
                if len(toks) >= 2:
                    out.append((toks, set(p.tasks)))
        return out

    def canon(self, toks: list[str]) -> list[str]:
        """Abbreviations expanded, split on '&', "khu, cụm công nghiệp" read as both."""
        out: list[str] = []
        for w in toks:
            if "&" in w:
                out.extend(x for x in w.split("&") if x)
                continue
            exp = self.glossary.get(w)
            out.extend(exp.split() if exp else (w,))
        out = _rewrite(out, self.phrase_map)
        out = _rewrite(out, COMPOUNDS)
        return [DIGITS.get(w, w) for w in out]

    def expand(self, toks: list[str]) -> list[str]:
        """A question's canonical words with everyday wording put in the plan's terms."""
        return _rewrite(toks, SYNONYMS)

    @staticmethod
    def terms(toks: list[str]) -> list[str]:
        uni = [w for w in toks if w not in STOP]
        bi = [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)
              if not (a in STOP and b in STOP)]
        return uni + bi

    def correct(self, w: str) -> str:
        """A typo'd word → the most frequent plan word one slip away.

        Vietnamese syllables are short, so a changed letter in a 4-letter word is as likely a
        different real word ("bóng" is not "công"): short words are only un-swapped ("dugn"
        → "dung"); longer ones may also lose, gain or change one letter (two from 8 letters).
        """
        if w in self.vocab_freq or len(w) < 4 or not w.isalpha():
            return w
        limit = 1 if len(w) < 8 else 2
        found = process.extract(w, self.vocab, scorer=OSA.distance, score_cutoff=limit,
                                limit=12)
        if len(w) < 5:
            found = [f for f in found if f[1] == 1 and Levenshtein.distance(w, f[0]) == 2]
        found = [f for f in found if f[0][0] == w[0]]  # the first letter is rarely the slip
        if not found:
            return w
        best = min(d for _, d, _ in found)
        cands = [c for c, d, _ in found if d == best]
        # two swapped letters is the commonest slip: "ngaoi" is "ngoai", not "nguoi"
        return max(cands, key=lambda c: (Levenshtein.distance(w, c) > best,
                                         self.vocab_freq.get(c, 0), c))

    def score(self, toks: list[str]) -> list[float]:
        """BM25 of every bullet for the question's words and word pairs."""
        scores = [0.0] * len(self.docs)
        for t in dict.fromkeys(self.terms(toks)):
            post = self.postings.get(t)
            if not post:
                continue
            w = self.idf[t] * (BIGRAM_WEIGHT if " " in t else 1.0)
            for i, tf in post.items():
                norm = K1 * (1 - B + B * self.docs[i].length / self.avg_len)
                scores[i] += w * tf * (K1 + 1) / (tf + norm)
        return scores

    def blank_places(self, text: str) -> str:
        padded = f" {text} "
        for name in self.place_names:
            if f" {name} " in padded:
                padded = padded.replace(f" {name} ", " | ")
        return padded.strip()

    def place_tasks(self, toks: list[str]) -> set[str]:
        s = " " + " ".join(toks) + " "
        found: set[str] = set()
        for name, tasks in self.places:
            if f" {' '.join(name)} " in s:
                found |= tasks
        return found


def _rewrite(toks: list[str], rules) -> list[str]:
    present = set(toks)
    for src, dst in rules:
        if src[0] in present:
            toks = _replace_seq(toks, src, dst)
            present.update(dst)
    return toks


def _replace_seq(toks: list[str], src: tuple[str, ...], dst: tuple[str, ...]) -> list[str]:
    if len(toks) < len(src) or src[0] not in toks:
        return toks
    out: list[str] = []
    i = 0
    while i < len(toks):
        if tuple(toks[i:i + len(src)]) == src:
            out.extend(dst)
            i += len(src)
        else:
            out.append(toks[i])
            i += 1
    return out


_INDEXES: dict[int, tuple[object, Index]] = {}


def index_for(kb) -> Index:
    """Built once per Knowledge, never per question."""
    hit = _INDEXES.get(id(kb))
    if hit is None or hit[0] is not kb:
        hit = _INDEXES[id(kb)] = (kb, Index(kb))
    return hit[1]


# ---------------------------------------------------------------- formatting helpers


def _agency_name(kb, aid: str | None) -> str:
    if not aid:
        return ""
    try:
        return kb.agency(aid).name
    except KeyError:
        return aid


def _section_label(sid: str) -> str:
    return f"Mục {sid}"


def _lead_names(kb, sids) -> tuple[tuple[str, ...], tuple[str, ...]]:
    ids: list[str] = []
    for sid in sids:
        s = kb.section(sid)
        if s.lead and s.lead not in ids:
            ids.append(s.lead)
    return tuple(_agency_name(kb, a) for a in ids), tuple(ids)


def _heading(kb, sid: str) -> str:
    s = kb.section(sid)
    who = _agency_name(kb, s.lead)
    if who:
        partners = ", ".join(_agency_name(kb, p) for p in s.partners)
        return f"{_section_label(sid)} — {who}" + (f" (phối hợp: {partners})" if partners else "")
    return f"{_section_label(sid)} — {s.title}"


def _clean(text: str) -> str:
    """Plan text without markdown emphasis and the closing "./."."""
    t = re.sub(r"\*+", "", text).replace("./.", ".")
    return " ".join(t.split())


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;])\s+(?=[A-ZĐÀ-Ỹ(])", _clean(text)) if s]


def _group_title(kb, sid: str) -> str:
    s = kb.section(sid)
    if s.group:
        g = kb.section(s.group)
        return f"{g.id}. {g.title}"
    return ""


# ---------------------------------------------------------------- the engine


def answer(kb, question: str, today: date | None = None) -> Answer:
    """Answer one question about the plan (see the module docstring for the reading order)."""
    today = today or _local_today()
    q = _Question(kb, question)
    if not q.folded:
        return _help(kb, "help")
    for step in (_by_help, _by_section_number, _by_reference, _by_document, _by_everyday,
                 _by_province_committee, _by_agency_reports, _by_general_duties, _by_agency,
                 _by_deadline, _by_topic):
        found = step(kb, q, today)
        if found is not None:
            return found
    return _help(kb, "none")


_OUTSIDE_HEADS = {"bo", "cuc"}
_HAN_NOT_DEADLINE = {"hàn", "hán", "hãn", "hản", "hăn", "hân"}


class _Question:
    """A question read once: folded, typo-fixed, canonical tokens, agency mentions."""

    def __init__(self, kb, text: str) -> None:
        self.raw = text or ""
        self.idx = index_for(kb)
        intro, asked = _split_intro(self.raw)
        district = bool(intro) and fold(intro).split()[:1] in (["phong"], ["xa"])
        # "phòng Tài nguyên và Môi trường huyện" stands for its district
        self.intro_mentions = [_Intro(_districts_id(kb))] if district else []
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
        toks = self.folded.split()
        self.toks = [self.idx.correct(w) for w in toks]
        self.fixed = " ".join(self.toks)
        self.mentions = find_agencies(kb, self.fixed, fuzzy=False) if self.toks else []
        # "Bộ Công an", "Cục Thuế": a body outside the province that shares a name's words
        self.mentions = [m for m in self.mentions
                         if not (m.start and self.toks[m.start - 1] in _OUTSIDE_HEADS)]
        self.canon = self.idx.expand(self.idx.canon(self.toks))
        # what cue words are looked for in: no place or agency names ("Việt Hàn" is not "hạn")
        blank = set()
        for m in self.mentions:
            blank |= set(range(m.start, m.end))
        cue = [("|" if i in blank else w) for i, w in enumerate(self.toks)]
        self.cues = self.idx.blank_places(" ".join(cue))
        self.canon_nonames = self.idx.expand(self.idx.canon([w for w in cue if w != "|"]))

    def seq(self, drop: set[str] | None = None, names: bool = True) -> list[str]:
        """Canonical tokens in order, without stop phrases (and `drop` words): what is ranked;
        stopwords stay so that word pairs are the question's real neighbours. names=False
        leaves out the agency names the question mentions."""
        text = " " + " ".join(self.canon if names else self.canon_nonames) + " "
        for p in STOP_PHRASES:
            text = text.replace(f" {p} ", " ")
        return [w for w in text.split() if not drop or w not in drop]

    def content(self, drop: set[str] | None = None, names: bool = True) -> list[str]:
        """The words of `seq` that carry meaning."""
        return [w for w in self.seq(drop, names) if w not in STOP]


# "em ở phòng Kinh tế hạ tầng, …", "tôi là cán bộ Sở Xây dựng, xin hỏi …": who is asking
_INTRO_RE = re.compile(
    r"^\s*(?:(?:da|vang|xin chao|chao \w+|anh chi oi|anh oi|chi oi|xin hoi|"
    r"cho (?:em|toi|minh) hoi(?: la)?)\s*[,.!]?\s*)*"
    r"(?:em|toi|minh|chung toi|chung em|bon em)\s+"
    r"(?:o|la|thuoc|ben|lam o|lam viec o|lam viec tai|cong tac o|cong tac tai|la can bo|"
    r"la can bo o|la can bo cua)\s+(?P<who>[^,.;:?!]{3,80}?)"
    r"(?:\s*[,.;:!]\s*|\s+(?=(?:cho|xin|muon)\s+(?:(?:em|toi|minh)\s+)?hoi\b)|\s+thi\s+)")


def _split_intro(raw: str) -> tuple[str, str]:
    """An official's self-introduction, and the question after it ("", raw when none)."""
    nfc = unicodedata.normalize("NFC", raw)
    plain = strip_marks(nfc.casefold()).replace("đ", "d")
    m = _INTRO_RE.match(plain) if len(plain) == len(nfc) else None
    if not m:
        return "", raw
    return nfc[m.start("who"):m.end("who")], nfc[m.end():]


def _districts_id(kb) -> str:
    """The collective the districts belong to ("UBND huyện, thành phố")."""
    return next((a.parent for a in kb.agencies if a.parent), "ubnd_huyen")


@dataclass(frozen=True)
class _Intro:
    agency_id: str


def _local_today() -> date:
    try:
        from zoneinfo import ZoneInfo
        tz = ZoneInfo(os.environ.get("BOT_TIMEZONE") or "Asia/Ho_Chi_Minh")
        return datetime.now(tz).date()
    except Exception:  # an unknown zone name: the machine's date is close enough here
        return date.today()


def _help(kb, intent: str) -> Answer:
    text = (f"{_WHAT_I_DO}\n"
            "Ví dụ: «Nhiệm vụ của Sở Y tế?» hoặc «Ai lo giải phóng mặt bằng các cụm công "
            "nghiệp?»")
    if intent == "none":
        text = "Câu hỏi này nằm ngoài nội dung Kế hoạch. " + text
    return Answer(intent, text)


# ---- section by number


def _section_ids(kb, q: _Question) -> list[str]:
    plain = strip_marks(q.raw.casefold()).replace("đ", "d")
    plain = re.sub(r"\s+", " ", plain)
    out: list[str] = []
    for m in _SECTION_RE.finditer(plain):
        if m.group("num"):
            sid = m.group("num")
        elif m.group("broman"):
            sid = f"{m.group('broman').upper()}.{m.group('bsub')}"
        elif m.group("roman"):
            sid = m.group("roman").upper() + (f".{m.group('rsub')}" if m.group("rsub") else "")
        else:
            sid = m.group("group")
        known = kb.item(sid) is not None or sid in ("I", "II", "III", "IV")
        if known and sid not in out:
            out.append(sid)
    return out


# a question that is nothing but a section number: "1", "7", "IV", "IV.3", "2.2.", "số 7",
# "mục số 7", "phần 4"
_BARE_NUMBER_RE = re.compile(
    r"^(?:(?P<head>muc|nhom|phan|tieu muc|khoan)\s*)?(?:so\s*)?"
    r"(?:(?P<roman>vi|v|iv|iii|ii|i)|(?P<num>\d{1,2}))(?P<rest>(?:\.\d{1,2}){0,2})$")
_ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV"}
_EDGE_PUNCT = re.compile(r"^[\s#.:;,!?\"'“”«»()\[\]-]+|[\s.:;,!?\"'“”«»()\[\]-]+$")


def _bare_number(q: _Question) -> tuple[str, str] | None:
    """(section id, number as typed) when the question is only a section number: officials type a
    group's number ("7") meaning that section, never a topic."""
    typed = _EDGE_PUNCT.sub("", unicodedata.normalize("NFC", q.raw))
    m = _BARE_NUMBER_RE.match(" ".join(strip_marks(typed.casefold()).replace("đ", "d").split()))
    if not m:
        return None
    shown = (m.group("roman") or "").upper() or m.group("num")  # "mục 9" shows as “9”
    return (_typed_id(m.group("head"), m.group("roman") or m.group("num"), m.group("rest")),
            shown + m.group("rest"))


def _typed_id(head: str | None, number: str, rest: str) -> str:
    """A section id from what was typed: "phần 4" is part IV (parts are numbered I–IV)."""
    if number.isdigit():
        number = str(int(number))
        if head == "phan" and not rest and number in _ROMAN:
            return _ROMAN[number]
        return number + rest
    return number.upper() + rest


def _no_section(typed: str) -> Answer:
    """One line for a number that is no section of the plan ("mục 9", "2.9")."""
    return Answer("none", f"Không có mục “{typed}” trong Kế hoạch; ví dụ: mục 2.2 (các nhóm "
                          "nhiệm vụ 1 đến 8, mục tiêu II.1 đến II.6, tổ chức thực hiện IV.1 đến "
                          "IV.3).")


def _by_section_number(kb, q: _Question, today: date) -> Answer | None:
    bare = _bare_number(q)
    if bare:
        sid, typed = bare
        if kb.item(sid) is None and sid not in ("I", "II", "III", "IV"):
            return _no_section(typed)
        ids = [sid]
    else:
        ids = _section_ids(kb, q)
    if not ids:
        m = _NO_SECTION_RE.match(q.folded)
        if not m:
            return None
        num, dot, rest = m.group("id").partition(".")
        sid = _typed_id(m.group("head"), num, dot + rest)
        if kb.item(sid) is None and sid not in ("I", "II", "III", "IV"):
            return _no_section(m.group("id").upper())  # "mục 2.8": say so rather than guess
        ids = [sid]  # "phần 4 nói gì", "mục số 7 gồm những gì"
    sid = ids[0]
    if sid in ("I", "II", "III", "IV"):
        return _part_answer(kb, sid)
    item = kb.item(sid)
    if item is not None and not hasattr(item, "title"):  # a task id such as "2.2.1"
        s = kb.section(item.section)
        text = f"{_heading(kb, s.id)}\nNhiệm vụ {item.id}:\n• {_clean(item.text)}"
        names, aids = _lead_names(kb, [s.id])
        return Answer("section", text, names, aids, (s.id,), (), (item.id,))
    return _section_answer(kb, sid)


def _section_answer(kb, sid: str) -> Answer:
    s = kb.section(sid)
    lines: list[str] = []
    tasks = list(kb.tasks_of(sid))
    if s.part == "III" and s.group is None:  # a task group: its own bullets and its subsections
        lines.append(f"Mục {sid}. {s.title}")
        subs = [x for x in kb.sections if x.group == sid]
        if tasks:
            lines.append("Nhiệm vụ chung của các sở, ngành và UBND huyện, thành phố:" if
                         s.binds_all else "")
            lines += [f"• {_clean(t.text)}" for t in tasks]
        for x in subs:
            lines.append(f"• {_section_label(x.id)} — {_agency_name(kb, x.lead)} "
                         f"({len(kb.tasks_of(x.id))} nhiệm vụ)")
        names, aids = _lead_names(kb, [x.id for x in subs])
        return Answer("section", "\n".join(x for x in lines if x), names, aids,
                      (sid, *[x.id for x in subs]), (), tuple(t.id for t in tasks))
    if s.part == "II":
        obj = kb.objective(sid) if hasattr(kb, "objective") else None
        body = _clean(obj.text if obj else s.text)
        text = f"{_section_label(sid)} (mục tiêu {sid[3:]}) — {s.title}\n• {body}"
        return Answer("section", text, (), (), (sid,))
    group = _group_title(kb, sid)
    lines.append(_heading(kb, sid))
    if group:
        lines.append(f"(thuộc nhóm nhiệm vụ {group})")
    elif s.part in ("I", "IV"):
        lines[0] = f"{_section_label(sid)} — {s.title}"
        if s.lead:
            partners = ", ".join(_agency_name(kb, p) for p in s.partners)
            lines.append(f"Chủ trì: {_agency_name(kb, s.lead)}"
                         + (f"; phối hợp: {partners}" if partners else ""))
    body = tasks or [s]
    lines += [f"• {_clean(t.text)}" for t in body]
    ids = [s.lead] if s.lead else []
    ids += [p for p in s.partners if p not in ids]
    return Answer("section", "\n".join(lines), tuple(_agency_name(kb, a) for a in ids),
                  tuple(ids), (sid,), (), tuple(t.id for t in tasks))


def _part_answer(kb, part: str) -> Answer:
    if part == "II":
        return objectives_answer(kb)
    secs = [s for s in kb.sections if s.part == part and (part != "III" or s.group is None)]
    titles = {"I": "Mục đích, yêu cầu", "III": "Nội dung, nhiệm vụ", "IV": "Tổ chức thực hiện"}
    lines = [f"Phần {part}. {titles.get(part, '')}"]
    for s in secs:
        body = " ".join(_clean(t.text) for t in kb.tasks_of(s.id)) or _clean(s.text)
        lines.append(f"• {_section_label(s.id)} — {s.title}" +
                     (f": {body}" if part != "III" else ""))
    return Answer("section", "\n".join(lines), (), (), tuple(s.id for s in secs))


def objectives_answer(kb) -> Answer:
    """Part II, all six objectives (the /muctieu command)."""
    lines = ["Mục tiêu của Kế hoạch (phần II):"]
    for o in kb.objectives:
        lines.append(f"• {_section_label(o.id)}: {_clean(o.text)}")
    return Answer("objective", "\n".join(lines), (), (), tuple(o.id for o in kb.objectives))


# ---- another document the plan cites


def _asked_refs(q: _Question) -> list[str]:
    """Cited documents the question names by number: "Kế hoạch 1721/KH-UBND", "QĐ 787",
    "văn bản 1721". A kind that differs from the cited one's ("chỉ thị 99" is not Nghị quyết
    99/NQ-CP) names another document."""
    idx = q.idx
    plain = strip_marks(q.raw.casefold()).replace("đ", "d")
    asked = [(m.group(1), m.group(2)) for m in _ASKED_REF_RE.finditer(plain)]
    words = q.folded.split()
    for i, w in enumerate(words):
        if not w.isdigit():
            continue
        before = " ".join(words[max(0, i - 3):i])
        kinds = [k for phrase, k in _REF_KINDS.items() if (" " + before).endswith(" " + phrase)]
        if kinds:
            asked.append((w, kinds[0]))
        elif len(w) >= 3 and not _YEAR_RE.fullmatch(w):
            asked.append((w, None))  # "1721 là gì": a long number is the document's own
    found = []
    for num, kind in asked:
        num = num.lstrip("0") or num
        # a long number is one document whatever kind the official remembers
        if num in idx.refs and (kind is None or kind in idx.ref_kinds[num] or len(num) >= 3):
            found.append(num)
    return list(dict.fromkeys(found))


def _by_reference(kb, q: _Question, today: date) -> Answer | None:
    """A document the plan cites, by its number: the bullets citing it."""
    idx = q.idx
    nums = _asked_refs(q)
    if not nums:
        return None
    docs = list(dict.fromkeys(i for n in nums for i in idx.refs[n]))
    scores = idx.score(q.seq())
    docs.sort(key=lambda i: -scores[i])
    lines = [f"Kế hoạch nhắc tới văn bản số {', '.join(idx.ref_names[n] for n in nums)}:"]
    sections: list[str] = []
    tasks: list[str] = []
    for i in docs:
        d = idx.docs[i]
        if d.section not in sections:
            sections.append(d.section)
            lines.append(_heading(kb, d.section))
        if d.kind == "task":
            tasks.append(d.id)
        cited = [s for s in _sentences(d.text) if any(idx.ref_names[n] in s for n in nums)]
        lines.append(f"• «{_trim(cited[0] if cited else _clean(d.text))}»")
    names, aids = _lead_names(kb, sections)
    return Answer("topic", "\n".join(lines), names, aids, tuple(sections), (), tuple(tasks))


# ---- the document itself

_DOC_CUES = ("nghi quyet nao", "nghi quyet gi", "ai ky", "nguoi ky", "ky boi", "ky ke hoach",
             "ky van ban", "ky ban hanh", "duoc ky", "chu ky", "ai ban hanh", "co quan ban hanh",
             "ban hanh ngay", "ban hanh khi nao", "ban hanh nam", "ban hanh thang",
             "ban hanh luc nao", "so hieu", "trich yeu", "ten ke hoach", "ten van ban",
             "ke hoach nay la gi", "van ban nay", "ke hoach nay ve", "can cu nghi quyet",
             "ke hoach so may", "ke hoach so bao nhieu", "ngay ban hanh", "do ai ky",
             "ky khi nao", "ai da ky", "may phan", "bo cuc", "gom nhung phan",
             "gom nhung noi dung gi", "cau truc")


# words of a question about the document itself
_DOC_WORDS = {"ke", "hoach", "van", "ban", "nay", "ky", "hanh", "nghi", "quyet", "147", "nq",
              "tu", "nguoi", "ngay", "thang", "nam", "so", "hieu", "co", "quan", "don", "vi",
              "trien", "khai", "thuc", "hien", "ten", "trich", "yeu", "can", "cu", "ubnd",
              "tinh", "chu", "tich", "pho", "boi", "da", "nao", "gi", "ai", "bao", "gio",
              "luc", "khi", "may", "2021", "cua", "la", "do", "uy", "nhan", "dan"}


def _by_document(kb, q: _Question, today: date) -> Answer | None:
    asks = _has(q.cues, *_DOC_CUES) or (
        _has(q.cues, "ban hanh") and _has(q.cues, "ai", "nao", "bao gio", "khi nao", "ngay nao"))
    if not asks:
        return None
    text = f" {q.fixed} "
    for p in POLITE:
        text = text.replace(f" {p} ", " ")
    rest = [w for w in text.split() if w not in _DOC_WORDS and w not in STOP]
    if len(rest) > 1:  # "ai tham mưu ban hành kế hoạch đầu tư hạ tầng KCN" is a topic
        return None
    return document_answer(kb)


def _document_facts(kb) -> tuple:
    """The document, its displayed number and the signer's title."""
    d = kb.document
    return d, d.extra.get("number_display") or d.number, d.extra.get("signer_title") or ""


def document_answer(kb) -> Answer:
    d, number, title = _document_facts(kb)
    text = (f"Kế hoạch số {number} của {d.issued_by}, ban hành tháng {d.date}: "
            f"«{_clean(d.title)}».\n"
            f"• Kế hoạch triển khai thực hiện {d.implements}.\n"
            f"• Người ký: {d.signer}" + (f" ({title}, ký thay Chủ tịch)" if title else "") + ".\n"
            "• Nội dung gồm 4 phần: I. Mục đích, yêu cầu; II. Mục tiêu; III. Nội dung, nhiệm vụ; "
            "IV. Tổ chức thực hiện.")
    return Answer("document", text, (), (), ())


# ---- using the bot: greetings and "how do I …" questions


@dataclass(frozen=True)
class _HelpTopic:
    key: str
    triggers: tuple[str, ...]  # folded phrases, one of which the question must hold
    words: frozenset[str]  # what else the question may say about this topic
    names: bool  # may name an agency ("đăng ký cho Sở Xây dựng thế nào")
    text: str


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# how-to wording and the bot itself: no topic of the plan
_HOW_WORDS = _wordset(
    "nhu the nao lam sao ra bang cach huong dan o dau de muon can phai gi duoc khong co toi "
    "em minh giup voi cho hoi xin biet lenh buoc bot chatbot ban tro ly he thong nay ung dung "
    "su zalo telegram tren trong tai vao len chi ai khi nhan go gui tin nhe a u roi thi ma")
_EXAMPLES = "Ví dụ: «Sở Xây dựng phải làm gì?» hoặc «Hạn báo cáo năm là khi nào?»"
_WHAT_I_DO = ("Tôi trả lời câu hỏi về Kế hoạch của UBND tỉnh Bắc Giang triển khai Nghị quyết số "
              "147-NQ/TU về phát triển công nghiệp giai đoạn 2021-2030: nhiệm vụ của từng cơ "
              "quan, ai chủ trì một việc, hạn chót và báo cáo, các mục tiêu, nội dung một mục.")
_COMMANDS = ("Các lệnh: /nhiemvu CƠ QUAN — nhiệm vụ của một cơ quan; /hanchot — các hạn sắp "
             "tới; /muctieu — các mục tiêu; /dangky CƠ QUAN — đăng ký làm cán bộ đầu mối; "
             "/capnhat MỤC TRẠNG THÁI [GHI CHÚ] — cập nhật tiến độ, ví dụ: /capnhat 2.2.1 đang "
             "thực hiện Đã phê duyệt 2 đồ án; /trangthai [CƠ QUAN] — tình trạng từng nhiệm vụ; "
             "/nhacnho [CƠ QUAN|tat] — nhận nhắc hạn; quản trị viên: /tonghop, /xuat. "
             "Gõ /help để xem đầy đủ.")
_STATUS_NAMES = {"chua thuc hien": "chưa thực hiện", "dang thuc hien": "đang thực hiện",
                 "hoan thanh": "hoàn thành", "vuong mac": "vướng mắc"}
_STATUSES = "Trạng thái: " + ", ".join(_STATUS_NAMES.values()) + "."
_HELP_TOPICS = (
    _HelpTopic("nhacnho", ("nhac", "nhacnho", "thong bao han", "bao han"), _wordset(
        "dang ky ki nhan han chot nhom tat bat huy thong bao tu dong moi khi den sap truoc "
        "nhac nho viec cho chat cuoc tro chuyen bao cao"), True,
        "Nhận nhắc hạn trong cuộc trò chuyện này: /nhacnho (mọi hạn) hoặc /nhacnho CƠ QUAN "
        "(hạn của một cơ quan), ví dụ: /nhacnho Sở Xây dựng; tắt nhắc: /nhacnho tat. Trong "
        "nhóm, lệnh này dành cho quản trị viên nhóm. Xem các hạn sắp tới: /hanchot."),
    _HelpTopic("xuat", ("xuat", "excel", "xlsx", "csv", "tai file", "tai tep", "file bao cao",
                        "tep bao cao"), _wordset(
        "bao cao file tep excel xlsx csv du lieu tong hop ket qua danh sach tai ve bang tinh "
        "tien do trang thai ky"), False,
        "Xuất báo cáo tiến độ ra tệp (dành cho quản trị viên — cán bộ Sở Công Thương): "
        "/xuat [csv|xlsx] [KỲ], ví dụ: /xuat xlsx 2026 hoặc /xuat csv 6T/2026. Xem tổng hợp "
        "ngay trong tin nhắn: /tonghop [KỲ]."),
    _HelpTopic("capnhat", ("cap nhat", "capnhat", "nhap tien do", "nhap trang thai"), _wordset(
        "tien do trang thai tinh hinh trang ket qua thuc hien nhiem vu muc cong viec cua so "
        "don vi co quan ghi chu hoan thanh bao cao nhap da dang chua vuong mac"), True,
        "Cập nhật tiến độ một nhiệm vụ: /capnhat MỤC TRẠNG THÁI [GHI CHÚ], ví dụ: /capnhat "
        f"2.2.1 đang thực hiện Đã phê duyệt 2 đồ án. {_STATUSES} Chỉ cán bộ đã được duyệt của "
        "cơ quan chủ trì mục đó cập nhật được (đăng ký: /dangky CƠ QUAN); gõ /capnhat không "
        "kèm gì để được hướng dẫn từng bước."),
    _HelpTopic("trangthai", ("tien do", "trang thai", "tinh trang", "trangthai"), _wordset(
        "xem tra cuu theo doi nhiem vu cua so co quan don vi thuc hien hien tai cac moi "
        "nhat"), True,
        "Xem tình trạng mới nhất của từng nhiệm vụ: /trangthai [CƠ QUAN], ví dụ: /trangthai "
        "Sở Xây dựng. Các hạn sắp tới: /hanchot."),
    _HelpTopic("dangky", ("dang ky", "dang ki", "dangky", "lam thanh vien", "lam dau moi"),
               _wordset("thanh vien tai khoan dau moi can bo co quan so don vi tham gia nhom "
                        "nguoi duyet xong lau bao"), True,
               "Đăng ký làm cán bộ đầu mối của cơ quan: /dangky CƠ QUAN, ví dụ: /dangky Sở Xây "
               "dựng. Yêu cầu được gửi tới quản trị viên (Sở Công Thương) duyệt, Đồng chí được "
               "báo kết quả; sau đó cập nhật tiến độ bằng /capnhat MỤC TRẠNG THÁI [GHI CHÚ]."),
    _HelpTopic("overview", ("tro giup", "help", "start", "huong dan", "lam duoc gi",
                            "lam duoc nhung gi", "biet gi", "chuc nang", "cac lenh", "lenh gi",
                            "lenh nao", "danh sach lenh", "menu", "su dung", "dung the nao",
                            "dung nhu the nao", "cach dung", "dung bot", "dung sao",
                            "giup duoc gi", "ho tro gi"), _wordset(
        "nhung cac gi lam nao chuc nang ho tro tinh nang xem danh sach"), False,
        f"{_WHAT_I_DO}\n{_EXAMPLES}\n{_COMMANDS}"),
    _HelpTopic("greeting", ("xin chao", "chao", "hello", "helo", "hi", "alo", "a lo", "hey",
                            "halo"),
               _wordset("ban bot em ca nha moi nguoi oi buoi sang chieu toi khoe khong ad "
                        "admin tro ly chuc ngay tot lanh nhe"), False,
               f"Xin chào Đồng chí! {_WHAT_I_DO}\n{_EXAMPLES}. Gõ /help để xem các lệnh."),
    _HelpTopic("thanks", ("cam on", "thank", "thanks", "tks", "ok", "oke", "okay", "duoc roi"),
               _wordset("ban bot em nhieu nhe a rat da"), False,
               f"Vâng. Đồng chí cần tra cứu thêm xin cứ hỏi tiếp. {_EXAMPLES}."),
)
# a task or section id typed with a "how do I update" question ("cập nhật 2.2.1 hoàn thành")
_ID_TOKEN = re.compile(r"^(?:\d(?:\.\d{1,2}){0,2}|iv\.\d|ii\.\d|i\.\d)$")


def _by_help(kb, q: _Question, today: date) -> Answer | None:
    """Greetings and questions about using the bot (registering, updating progress,
    reminders, exports): the command that does it, with an example. Only when nothing else
    is said: "ai cập nhật quy hoạch" and "thủ tục đăng ký doanh nghiệp" are the plan's."""
    words = q.folded.split()
    names = {i for m in q.mentions for i in range(m.start, m.end)}
    folded = " ".join(words)
    for topic in _HELP_TOPICS:
        if not _has(folded, *topic.triggers) or (names and not topic.names):
            continue
        said = {w for trig in topic.triggers for w in trig.split()}
        ids = [w.upper() for w in words if _ID_TOKEN.match(w) and kb.item(w.upper())]
        if ids and topic.key != "capnhat":
            continue  # "tiến độ mục 5.6" asks about that section
        rest = [w for i, w in enumerate(words) if i not in names and w not in said
                and w not in topic.words and w not in _HOW_WORDS and w not in STOP
                and not (ids and _ID_TOKEN.match(w))]
        if rest:
            continue
        text = topic.text
        named = [m.agency_id for m in q.mentions if not m.weak]
        if named:  # the example shows the agency asked about
            text = text.replace("Sở Xây dựng", _agency_name(kb, named[0]))
        if ids:  # the command for the item asked about, ready to send
            status = next((v for k, v in _STATUS_NAMES.items() if _has(folded, k)),
                          "TRẠNG THÁI")
            text += f"\nVới mục {ids[0]}: /capnhat {ids[0]} {status} [GHI CHÚ]"
        return Answer("help", text)
    return None


# ---- everyday information the plan does not hold

# prices, timetables, phone numbers, addresses, weather, jobs: asked in passing by officials,
# never in the plan, even when a word of them is ("giá điện", "lịch thi THPT")
_EVERYDAY = ("gia dien", "gia xang", "gia vang", "gia ve", "gia thue", "gia dat", "gia nha",
             "gia ca", "ty gia", "bang gia", "lich thi", "lich nghi", "lich cup dien", "cup dien",
             "mat dien", "diem thi", "diem chuan", "ket qua thi", "xo so", "thoi tiet",
             "so dien thoai", "dien thoai", "sdt", "hotline", "duong day nong", "dia chi",
             "email", "website", "trang web", "fanpage", "tuyen dung", "gio lam viec",
             "lich lam viec", "lich tiep dan", "hoc phi", "lai suat", "ket qua bong da",
             "lich chieu", "gia xe", "cuoc phi")
# …unless the question also asks who does what under the plan
_PLAN_ASKS = ("ai", "co quan nao", "don vi nao", "so nao", "chu tri", "nhiem vu", "ke hoach",
              "muc tieu", "giai phap", "trach nhiem", "duoc giao", "phai lam", "lam gi")


# who holds an office, and a person's details: the plan names offices, never people
# (its signer aside, answered as the document's)
_PERSON_TITLES = ("giam doc", "pho giam doc", "chu tich", "pho chu tich", "truong ban",
                  "pho truong ban", "truong phong", "chanh van phong", "chanh thanh tra",
                  "thu truong", "bi thu", "lanh dao", "can bo phu trach", "nguoi phu trach")
_PERSON_ASKS = ("ten gi", "ten la gi", "ten la", "la ai", "ho ten", "ho va ten", "tuoi",
                "que o dau", "que quan", "sinh nam", "tieu su", "dien thoai", "zalo", "email",
                "ong nao", "ba nao", "la nguoi nao", "nguoi nao", "la ong", "la ba")
# "ai (đang) làm giám đốc …": who, asked before the office
_WHO_HOLDS = ("ai la", "ai lam", "ai dang lam", "ai dang la", "ai giu", "ai dang giu")
# hiring and exams: everyday administration, not in the plan
_HIRING = ("tuyen cong chuc", "tuyen vien chuc", "thi cong chuc", "thi vien chuc",
           "tuyen nhan vien", "tuyen can bo", "thi tuyen", "xet tuyen", "tuyen sinh",
           "tuyen dung")


def _personal_cue(q: _Question) -> bool:
    """"giám đốc Sở Xây dựng tên gì", "ai là chủ tịch huyện": a person, not a duty."""
    t = q.fixed
    if not _has(t, *_PERSON_TITLES):
        return False
    if _has(t, *_PERSON_ASKS):
        return True
    return any(_has(t, *(f"{w} {p}" for w in _WHO_HOLDS)) for p in _PERSON_TITLES)


def _everyday_cue(q: _Question) -> bool:
    if _has(q.fixed, *_EVERYDAY, *_HIRING) or _personal_cue(q):
        return True
    # "giá" with its mark, not the plan's "đánh giá", "giá trị", "niêm yết giá", "giá thành"
    marked = marked_words(q.raw)
    return any(w == "giá" and (not i or marked[i - 1] not in ("đánh", "định", "thẩm", "yết"))
               and marked[i + 1:i + 2] not in (["trị"], ["thành"]) for i, w in enumerate(marked))


def _by_everyday(kb, q: _Question, today: date) -> Answer | None:
    personal = _personal_cue(q)
    if not _everyday_cue(q) or (_has(q.fixed, *_PLAN_ASKS) and not personal):
        return None
    ids = list(dict.fromkeys(m.agency_id for m in q.mentions if not m.weak))
    text = ("Tôi không có thông tin này (giá cả, lịch, tuyển dụng, số điện thoại, địa chỉ… không thuộc "
            "nội dung Kế hoạch).")
    if personal:
        text = ("Kế hoạch không có thông tin cá nhân (họ tên, liên hệ của lãnh đạo, cán bộ); "
                "Kế hoạch chỉ giao nhiệm vụ cho các cơ quan.")
    choices: tuple[tuple[str, str], ...] = ()
    if ids:
        names = [_agency_name(kb, a) for a in ids[:2]]
        text += (f" Về {', '.join(names)}, tôi chỉ biết nhiệm vụ được giao trong Kế hoạch "
                 "triển khai Nghị quyết 147-NQ/TU.")
        choices = tuple((n, f"Nhiệm vụ của {n}") for n in names)
    help_text = _help(kb, "help").text
    return Answer("none", f"{text}\n{help_text}", choices=choices)


# ---- the province's People's Committee, which issued the plan

# "UBND tỉnh", "ủy ban nhân dân tỉnh Bắc Giang", "ub tỉnh" (shorthand spelled out), in folded
# words; "văn phòng UBND tỉnh" and "các cơ quan thuộc UBND tỉnh" are other bodies
_PROVINCE_RE = re.compile(r"(?<!\S)(?:ubnd|uy ban(?: nhan dan)?)(?: tinh)(?: bac giang)?(?!\S)")
_NOT_BEFORE_PROVINCE = {"vp", "phong", "thuoc", "truc"}
# besides the name: who in it, and courtesy
_PROVINCE_FRAME = {"chu", "tich", "pho", "lanh", "dao", "chi", "dieu", "hanh", "ban"}


def _by_province_committee(kb, q: _Question, today: date) -> Answer | None:
    """"UBND tỉnh phải làm gì": the committee issued the plan and assigns its tasks; it is no
    section's lead, and not Văn phòng UBND tỉnh (offered as a choice)."""
    if any(not m.weak for m in q.mentions):
        return None
    m = _PROVINCE_RE.search(q.fixed)
    if not m or (q.fixed[:m.start()].split()[-1:] and
                 q.fixed[:m.start()].split()[-1] in _NOT_BEFORE_PROVINCE):
        return None
    rest = (q.fixed[:m.start()] + " " + q.fixed[m.end():]).split()
    if any(w not in DUTY_WORDS and w not in STOP and w not in _PROVINCE_FRAME for w in rest):
        return None  # "ai tham mưu UBND tỉnh ban hành …" is a topic
    return province_committee_answer(kb)


def province_committee_answer(kb) -> Answer:
    d, number, title = _document_facts(kb)
    try:
        vp = kb.agency("vpubnd")  # the committee's office: the one the name is mistaken for
    except KeyError:
        vp = None
    text = (f"{d.issued_by} là cơ quan ban hành Kế hoạch này (Kế hoạch số {number}, tháng "
            f"{d.date}, người ký: {d.signer}" + (f", {title}" if title else "") + "), triển "
            f"khai thực hiện {d.extra.get('implements_short') or d.implements}.\n"
            "Kế hoạch không giao nhiệm vụ cho UBND tỉnh mà giao cho các sở, ngành và UBND huyện, "
            "thành phố; Sở Công Thương tổng hợp, báo cáo UBND tỉnh (Mục IV.2, IV.3).")
    choices: tuple[tuple[str, str], ...] = ()
    if vp is not None:
        led = ", ".join(s.id for s in kb.sections_led_by(vp.id))
        text += f"\nNếu Đồng chí hỏi về {vp.name} (chủ trì Mục {led}), xin chọn bên dưới."
        choices = ((vp.name, f"Nhiệm vụ của {vp.name}"),)
    return Answer("document", text, choices=choices)


# ---- an agency's duties


def _by_agency(kb, q: _Question, today: date) -> Answer | None:
    mentions = q.mentions
    ids = list(dict.fromkeys(m.agency_id for m in mentions))
    # what the question says besides the names
    taken = set()
    name_toks = q.fixed.split()
    for m in mentions:
        taken |= set(range(m.start, m.end))
    rest_raw = [w for i, w in enumerate(name_toks) if i not in taken]
    rest_text = f" {' '.join(rest_raw)} "
    for p in (*POLITE, *_TITLE_PHRASES):
        rest_text = rest_text.replace(f" {p} ", " ")
    if mentions:  # "UBND tỉnh giao gì cho Sở Xây dựng": the committee assigns, no topic
        rest_text = _PROVINCE_RE.sub(" ", rest_text)
    rest = [w for w in q.idx.canon(rest_text.split()) if w not in DUTY_WORDS and w not in STOP]
    if _deadline_cue(q) or _objective_cue(q):
        return None
    if q.fixed.startswith("phong ") and _has(q.fixed, *_DUTY_PHRASES):
        # "phòng Kinh tế - Hạ tầng huyện làm gì": an office of a district's committee, whatever
        # department its name echoes
        collective = _districts_id(kb)
        local = [m.agency_id for m in mentions if m.agency_id == collective
                 or kb.agency(m.agency_id).parent == collective]
        return _duties(kb, q, local[0] if local else collective)
    if not ids and q.intro_mentions and _has(q.fixed, *_DUTY_PHRASES):
        # "em ở phòng Kinh tế - Hạ tầng, bọn em phải làm gì": a district office
        return _duties(kb, q, q.intro_mentions[0].agency_id)
    if not ids:
        words = rest_text.split()
        if words and words[0] in _OUTSIDE_HEADS and _has(q.fixed, *_DUTY_PHRASES):
            return _unknown_agency(kb)  # "Bộ Công an làm gì": a ministry, not in the plan
        if (words and len(words) <= 8 and words[0] in ("so", "ban", "ubnd", "van", "vp")
                and not (len(words) > 1 and words[0] == "so" and words[1] in _SO_WORDS)):
            name = words[:1]  # the name runs until the question proper starts
            for w in words[1:]:
                if w in AFTER_NAME:
                    break
                name.append(w)
            guess = resolve_agency(kb, " ".join(name))
            guess = [a for a in guess if not (a.parent and any(g.id == a.parent for g in guess))]
            if len(guess) == 1:
                return _duties(kb, q, guess[0].id)
            if 1 < len(guess) <= 4:
                return _choose_agency(kb, [a.id for a in guess])
            # "Sở Tài chính có nhiệm vụ gì?": a department the plan does not name
            if (words[0] == "so" and 2 <= len(name) <= 4 and words[1] not in ("nao", "nganh")
                    and (len(words) <= 4 or _has(q.fixed, *_DUTY_PHRASES))):
                return _unknown_agency(kb)
            # "UBND xã …": communes get no task of their own, their district does
            if words[0] == "ubnd" and words[1:2] in (["xa"], ["phuong"], ["thi"]):
                return _unknown_agency(kb)
        return None
    strong = [m for m in mentions if not m.weak]
    # an agency and words the plan never uses ("Sở Y tế xyz"): still that agency
    unknown_only = bool(strong) and not any(w in q.idx.postings for w in rest)
    said = [w for w in q.idx.canon(rest_text.split()) if w not in STOP]
    if rest and not unknown_only and not (_asks_duty(q, strong)
                                          and not _topic_evidence(q.idx, rest, said)):
        return None  # the names come with a topic: ranked as a topic, led by them
    if len(ids) > 1 and len({kb.agency(a).parent or a for a in ids}) > 1:
        # a full name outranks an abbreviation; one that is also chat shorthand goes
        words = q.fixed.split()
        full = [m for m in (strong or mentions) if not m.abbr]
        abbr = [m for m in (strong or mentions) if m.abbr
                and not (full and words[m.start] in SHORTHAND)]
        pick = [m.agency_id for m in full + abbr]
        pick = list(dict.fromkeys(pick))
        if len(pick) == 1:
            return _duties(kb, q, pick[0])
        if len(pick) == 2 and _asks_partner(q):  # "Sở KH&ĐT phối hợp với Sở Xây dựng …"
            return pair_answer(kb, pick[0], pick[1])
        return _choose_agency(kb, pick)
    return _duties(kb, q, ids[0])


# "sở hữu", "số liệu", "số lượng", "sơ đồ": "so" that starts no department's name
_SO_WORDS = {"huu", "lieu", "luong", "do", "hoa", "sanh", "hieu", "voi", "ket"}
# the plan's own title in a question is no topic ("… trong KH phát triển công nghiệp")
_TITLE_PHRASES = ("ke hoach phat trien cong nghiep", "phat trien cong nghiep", "nghi quyet 147",
                  "ke hoach 147", "ke hoach nay", "ke hoach")


def _asks_duty(q: _Question, strong) -> bool:
    """An agency named outright and asked what it must do ("… được giao những việc gì")."""
    return bool(strong) and _has(q.fixed, *_DUTY_PHRASES)


def _topic_evidence(idx: Index, rest: list[str], said: list[str]) -> bool:
    """Do the words besides the agency's name point at something the plan deals with?

    `rest` are the words left after duty words, `said` the same stretch with them: a pair
    the plan writes ("nhà ở | xã hội") counts even when a word of it is a duty word; words the
    plan never uses ("xyz", a typo, chat) do not.
    """
    if any(w in idx.marks or (w in idx.postings and w not in GENERIC_TERMS) for w in rest):
        return True
    pairs = (f"{a} {b}" for a, b in zip(said, said[1:], strict=False))
    return any(p in idx.postings and p not in GENERIC_TERMS and not
               set(p.split()) <= DUTY_WORDS for p in pairs)


_DUTY_PHRASES = ("nhiem vu", "lam gi", "phai lam", "duoc giao", "trach nhiem", "viec gi",
                 "noi dung gi", "nhung gi", "duoc phan", "trien khai gi", "nhung noi dung",
                 "chu tri", "phan cong", "can lam", "giao gi", "lam nhung")


def _unknown_agency(kb) -> Answer:
    leads = {s.lead for s in kb.sections if s.lead}
    names = [a.name for a in kb.agencies if a.id in leads]
    text = ("Kế hoạch không giao nhiệm vụ riêng cho cơ quan này (ngoài các nhiệm vụ chung ở Mục 1, "
            "IV.1 và IV.3). Các cơ quan chủ trì: " + "; ".join(names) + ".")
    return Answer("none", text)


def _choose_agency(kb, ids: list[str]) -> Answer:
    names = [_agency_name(kb, a) for a in ids]
    text = "Có nhiều cơ quan khớp với câu hỏi. Xin chọn cơ quan Đồng chí muốn hỏi."
    return Answer("ambiguous", text, tuple(names), tuple(ids), (), (), (),
                  tuple((n, f"Nhiệm vụ của {n}") for n in names))


def agency_answer(kb, agency_id: str) -> Answer:
    """Every subsection the agency leads, by task group, each bullet quoted; then partner work."""
    a = kb.agency(agency_id)
    lead_id = a.parent or a.id
    led = list(kb.sections_led_by(a.id))
    led_ids = [s.id for s in led]
    who = a.name
    if a.parent:
        who = f"{a.name} (thuộc {_agency_name(kb, a.parent)})"
    lines = [f"Nhiệm vụ của {who} theo Kế hoạch triển khai Nghị quyết 147-NQ/TU: chủ trì "
             f"{len(led)} mục" + (f" ({', '.join(led_ids)})" if led_ids else "") + "."]
    tasks: list[str] = []
    last_group = None
    for s in led:
        group = _group_title(kb, s.id) or ("IV. Tổ chức thực hiện" if s.part == "IV" else "")
        if group != last_group:
            lines.append("")
            lines.append(group)
            last_group = group
        lines.append(_heading(kb, s.id))
        for t in kb.tasks_of(s.id):
            lines.append(f"• {_clean(t.text)}")
            tasks.append(t.id)
    ids = {a.id, lead_id}
    partner_tasks = [t for t in kb.tasks if t.section not in led_ids and ids & set(t.partners)
                     and t.lead not in ids]
    partner_secs = list(dict.fromkeys(
        [t.section for t in partner_tasks] + [s.id for s in kb.partner_sections(a.id)]))
    if partner_secs:
        lines.append("")
        lines.append("Phối hợp (cơ quan khác chủ trì):")
        for sid in partner_secs:
            s = kb.section(sid)
            lines.append(f"{_section_label(sid)} — {_agency_name(kb, s.lead) or s.title} chủ trì")
            for t in kb.tasks_of(sid):
                if t in partner_tasks or not any(x.section == sid for x in partner_tasks):
                    lines.append(f"• {_clean(t.text)}")
    lines.append("")
    lines.append("Nhiệm vụ chung của mọi cơ quan: Mục 1 (tuyên truyền, người đứng đầu, phân cấp); "
                 "Mục IV.1 (xây dựng kế hoạch cụ thể, hoàn thành trong tháng 9 năm 2021); "
                 "Mục IV.3 (báo cáo 6 tháng trước ngày 15/6, báo cáo năm trước ngày 15/12, gửi "
                 "Sở Công Thương).")
    sections = tuple(led_ids) + tuple(g for g in kb.general_section_ids if g not in led_ids)
    names = (a.name,) + ((_agency_name(kb, a.parent),) if a.parent else ())
    aids = (a.id,) + ((a.parent,) if a.parent else ())
    return Answer("agency", "\n".join(lines).strip(), names, aids, sections,
                  tuple(s for s in partner_secs if s not in led_ids), tuple(tasks))


# ---- partnering: the tasks where an agency is named "phối hợp"


def _asks_partner(q: _Question) -> bool:
    """"Sở Xây dựng phối hợp những việc gì", "SXD phối hợp với ai": the partner side only
    ("chủ trì, phối hợp" asks about everything the agency does)."""
    return _has(q.fixed, "phoi hop") and not _has(q.fixed, "chu tri")


def _duties(kb, q: _Question, agency_id: str) -> Answer:
    """One agency's duties, or only its partnering when that is what is asked."""
    if _asks_partner(q):
        return partner_answer(kb, agency_id, who_first=_asks_who_partners(q))
    return agency_answer(kb, agency_id)


def _asks_who_partners(q: _Question) -> bool:
    """"ai phối hợp với Sở Xây dựng": the partners of the agency's own sections come first."""
    return _has(q.fixed, "ai phoi hop", "co quan nao phoi hop", "don vi nao phoi hop",
                "so nao phoi hop", "nganh nao phoi hop")


def _partner_tasks(kb, ids: set[str]) -> dict[str, list]:
    """Section id → the tasks of it naming one of `ids` as partner (all of a section's tasks
    when only the section names it), for sections another agency leads."""
    out: dict[str, list] = {}
    for t in kb.tasks:
        if ids & set(t.partners) and t.lead not in ids:
            out.setdefault(t.section, []).append(t)
    for aid in ids:
        for s in kb.partner_sections(aid):
            if s.lead not in ids and s.id not in out:
                out[s.id] = list(kb.tasks_of(s.id))
    order = {s.id: i for i, s in enumerate(kb.sections)}
    return dict(sorted(out.items(), key=lambda kv: order.get(kv[0], 0)))


_PARTNER_QUOTES: dict[tuple, str] = {}


def _partner_quote(kb, task, ids: set[str]) -> str:
    """The sentence of a bullet that names the agency as partner (else the whole bullet);
    remembered, as the plan does not change."""
    key = (task.id, task.text, frozenset(ids))
    found = _PARTNER_QUOTES.get(key)
    if found is None:
        found = _trim(_clean(task.text))
        for sent in _sentences(task.text):
            if "phối hợp" in sent.casefold() and any(
                    m.agency_id in ids for m in find_agencies(kb, sent, fuzzy=False)):
                found = _trim(sent)
                break
        _PARTNER_QUOTES[key] = found
    return found


def partner_answer(kb, agency_id: str, who_first: bool = False) -> Answer:
    """The tasks where the plan names the agency as partner ("phối hợp"), each with its
    section and lead; the sections it leads stay in `sections` (CONTRACT.md §3)."""
    a = kb.agency(agency_id)
    ids = {a.id, a.parent} - {None}
    led_ids = [s.id for s in kb.sections_led_by(a.id)]
    found = _partner_tasks(kb, ids)
    led = ", ".join(led_ids)
    lines: list[str] = []
    tasks: list[str] = []
    if found:
        lines.append(f"Kế hoạch nêu tên {a.name} là cơ quan phối hợp ở {len(found)} mục "
                     f"({', '.join(found)}):")
        for sid, ts in found.items():
            lines.append(f"{_section_label(sid)} — {_agency_name(kb, kb.section(sid).lead)} "
                         "chủ trì")
            for t in ts:
                lines.append(f"• «{_partner_quote(kb, t, ids)}»")
                tasks.append(t.id)
        if led:
            lines.append(f"Các mục {a.name} chủ trì: {led}.")
    else:
        lines.append(f"Kế hoạch không nêu tên {a.name} là cơ quan phối hợp ở mục nào; các "
                     f"nhiệm vụ {a.name} chủ trì: {led}.")
    helpers = _own_partners(kb, led_ids)
    if helpers:
        line = f"Cơ quan phối hợp ở các mục {a.name} chủ trì: {helpers}."
        lines.insert(0 if who_first else len(lines), line)
    names = (a.name,) + ((_agency_name(kb, a.parent),) if a.parent else ())
    aids = (a.id,) + ((a.parent,) if a.parent else ())
    return Answer("agency", "\n".join(lines), names, aids, tuple(led_ids),
                  tuple(s for s in found if s not in led_ids), tuple(tasks))


def _own_partners(kb, led_ids: list[str]) -> str:
    """"Sở Kế hoạch và Đầu tư (Mục 2.2)": who partners the given sections, and where."""
    where: dict[str, list[str]] = {}
    for sid in led_ids:
        for p in kb.section(sid).partners:
            where.setdefault(p, []).append(sid)
    return "; ".join(f"{_agency_name(kb, p)} (Mục {', '.join(sids)})"
                     for p, sids in where.items())


def pair_answer(kb, first: str, second: str) -> Answer:
    """What two agencies do together: the tasks one leads with the other named as partner."""
    a, b = kb.agency(first), kb.agency(second)
    ids_a, ids_b = {a.id, a.parent} - {None}, {b.id, b.parent} - {None}
    lines: list[str] = []
    sections: list[str] = []
    tasks: list[str] = []
    for t in kb.tasks:
        lead = {t.lead} | {kb.section(t.section).lead}
        partners = set(t.partners)
        if not ((lead & ids_a and partners & ids_b) or (lead & ids_b and partners & ids_a)):
            continue
        if t.section not in sections:
            sections.append(t.section)
            lines.append(_heading(kb, t.section))
        mates = ids_a | ids_b
        lines.append(f"• «{_partner_quote(kb, t, mates - {t.lead})}»")
        tasks.append(t.id)
    if lines:
        lines.insert(0, f"Việc {a.name} và {b.name} cùng làm theo Kế hoạch (một bên chủ trì, "
                        "bên kia phối hợp):")
    else:
        lines.append(f"Kế hoạch không có nhiệm vụ nào nêu {a.name} và {b.name} cùng thực "
                     "hiện (một bên chủ trì, bên kia phối hợp). Xin hỏi nhiệm vụ của từng cơ "
                     "quan, ví dụ: «Nhiệm vụ của " + a.name + "?».")
    return Answer("agency", "\n".join(lines), (a.name, b.name), (a.id, b.id), tuple(sections),
                  (), tuple(tasks))


# ---- duties binding every agency (Mục 1, IV.1, IV.3)

# words of "what must every agency do" besides duty words: "các sở", "mọi cơ quan", "tất cả
# sở, ngành và huyện"
_ALL_AGENCY_WORDS = {"cac", "moi", "tat", "ca", "toan", "bo", "so", "nganh", "co", "quan",
                     "don", "vi", "huyen", "thanh", "pho", "ubnd", "uy", "ban", "nhan", "dan",
                     "dia", "phuong", "cap", "tinh", "deu", "cung", "chung", "lien"}
# "every agency" said outright; "các sở" alone with a duty question means the same
_EVERY = ("moi co quan", "moi so", "moi nganh", "moi don vi", "tat ca", "toan bo", "cac so",
          "so nganh", "cac co quan", "cac nganh", "cac don vi", "cac huyen", "moi huyen")


def _by_general_duties(kb, q: _Question, today: date) -> Answer | None:
    """"nhiệm vụ chung của các sở", "mọi cơ quan phải làm gì": the duties binding every
    agency. Not "quy hoạch chung" (a topic) nor one named agency's duties."""
    words = q.fixed.split()
    if not ("chung" in words or _has(q.fixed, *_EVERY)):
        return None
    if not _has(q.fixed, *_DUTY_PHRASES, "viec", "lam") or _deadline_cue(q):
        return None  # "các sở nộp kế hoạch khi nào" is a deadline
    collective = _districts_id(kb)
    if any(not m.weak and m.agency_id != collective for m in q.mentions):
        return None
    if any(w not in DUTY_WORDS and w not in STOP and w not in _ALL_AGENCY_WORDS
           for w in words):
        return None
    if "chung" not in words and "huyen" in words and not _has(
            q.fixed, "so", "nganh", "co quan", "don vi"):
        return _duties(kb, q, collective)  # "tất cả các huyện phải làm gì": the districts'
    return general_duties_answer(kb)


def general_duties_answer(kb) -> Answer:
    """Mục 1, IV.1 and IV.3, quoted: what every sở, ngành and district committee must do."""
    lines = ["Nhiệm vụ chung của mọi sở, ngành và UBND huyện, thành phố theo Kế hoạch:"]
    tasks: list[str] = []
    for sid in kb.general_section_ids:
        s = kb.section(sid)
        lines.append(f"{_section_label(sid)} — {s.title}")
        for t in kb.tasks_of(sid) or ():
            lines.append(f"• «{_clean(t.text)}»")
            tasks.append(t.id)
        for d in kb.deadlines:
            if d.source == sid and d.due:
                lines.append(f"  Hạn: {fmt_date(date.fromisoformat(d.due))}.")
    lines.append("Nhiệm vụ riêng của từng cơ quan: /nhiemvu CƠ QUAN, ví dụ: /nhiemvu Sở Xây dựng.")
    return Answer("agency", "\n".join(lines), (), (), tuple(kb.general_section_ids), (),
                  tuple(tasks))


# ---- deadlines and reports

_TIME_CUES = ("han", "han chot", "thoi han", "khi nao", "bao gio", "ngay nao", "thang nao",
              "nam nao", "truoc ngay", "luc nao", "con bao nhieu ngay", "may ngay", "thoi diem",
              "moc", "tien do", "xong", "ngay may", "dinh ky", "khi nao xong")
# words of a deadline question that say nothing about which task
DEADLINE_WORDS = {"han", "chot", "xong", "hoan", "thanh", "nam", "moc", "ngay", "thang", "truoc",
                  "sap", "toi", "gan", "nhat", "tiep", "het", "thoi", "deadline", "luc", "bao",
                  "gio", "con", "may", "nhieu", "dau", "ca", "xem"} | DUTY_WORDS
_REPORT_WHERE = ("gui ve", "gui cho", "gui ai", "nop ve", "nop cho", "nop ai", "ve dau",
                 "gui dau", "nop dau", "noi nhan", "bao cao ai", "bao cao cho ai", "cho ai")


def _deadline_cue(q: _Question) -> bool:
    t = _cue_text(q)
    report = _has(t, "bao cao") and (
        _has(t, *_TIME_CUES, *_REPORT_WHERE, "6 thang", "sau thang", "hang nam", "bao cao nam",
             "nam", "ket qua thuc hien", "dinh ky", "nop", "gui", "ky bao cao"))
    if report:
        return True
    # "xong" alone is no question of time ("học xong cấp 3"): "xong khi nào", "tháng mấy" are
    if _has(t, "han", "han chot", "thoi han", "khi nao", "bao gio", "ngay nao", "thang nao",
            "truoc ngay", "luc nao", "con bao nhieu ngay", "may ngay", "thang may", "nam may",
            "ngay may", "bao lau"):
        return True
    return bool(_YEAR_RE.search(t)) and _has(t, "hoan thanh", "xong", "phai", "moc")


# words of "the unit's own detailed plan" (Mục IV.1): "kế hoạch cụ thể của phòng em"
_OWN_PLAN_WORDS = {"cu", "the", "rieng", "chi", "tiet", "ban", "hanh", "xay", "dung", "phong",
                   "don", "vi", "co", "quan", "dia", "phuong", "so", "nganh", "huyen", "minh"}


def _cue_text(q: _Question) -> str:
    """The cue words with look-alikes of "hạn" blanked: "hạn chế" restricts, "Hàn Quốc" is a
    country (when typed with its marks, "han" there is never "hạn")."""
    t = q.cues.replace("han che", "|").replace("han quoc", "|")
    if q.han_is_place:
        t = " ".join("|" if w == "han" else w for w in t.split())
    return t


def _by_deadline(kb, q: _Question, today: date) -> Answer | None:
    if not _deadline_cue(q):
        return None
    t = _cue_text(q)
    dls = list(kb.deadlines)
    if _has(t, "bao cao", "nop", "gui"):
        reports = _asked_reports(kb, t)
        if reports and not _topic_beats_reports(q):
            reports.sort(key=lambda d: next_occurrence(d, today) or today)
            return _deadline_answer(kb, reports, today, where=True)
    years = {int(y) for y in _YEAR_RE.findall(t)}
    drop = DEADLINE_WORDS | {str(y) for y in years}
    content = q.content(drop, names=False)
    seq = q.seq(drop, names=False)
    agencies = [m.agency_id for m in q.mentions if not m.weak]
    if agencies:  # "hạn của BQL KCN": the deadlines binding that agency
        bound = {d.id for a in agencies for d in _deadlines_for(kb, a)}
        dls = [d for d in dls if d.id in bound]
    plans = [d for d in dls if d.kind == "plan"]
    if (plans and not [w for w in content if w not in _OWN_PLAN_WORDS] and _has(t, "ke hoach")
            and _has(t, "xong", "hoan thanh", "ban hanh", "xay dung")):
        return _deadline_answer(kb, plans, today)  # "kế hoạch của sở phải xong tháng mấy"
    if not content and not years:
        return upcoming_answer(kb, today, dls)
    if content and not _plausible(q.idx, content):
        return None
    scores = q.idx.score(seq) if content else [0.0] * len(q.idx.docs)
    ranked = []
    for d in dls:
        if d.kind == "report":
            continue
        if years and not (d.due and int(d.due[:4]) in years):
            continue
        linked = [i for i, doc in enumerate(q.idx.docs) if d.id in q.idx.doc_deadlines[doc.id]]
        linked = linked or [i for i, doc in enumerate(q.idx.docs) if doc.section == d.source]
        s = max((scores[i] for i in linked), default=0.0)
        ranked.append((s, d))
    if not ranked:
        return None
    ranked.sort(key=lambda x: (-x[0], x[1].due or ""))
    top = ranked[0][0]
    if content and top <= 0:
        return None
    if content and max(scores) > 2 * top:
        return None  # the words point at a bullet with no date: "cấp phép … mất mấy ngày"
    if content and top > 0:
        chosen = [d for s, d in ranked if s >= 0.85 * top][:4]
    else:
        chosen = [d for _, d in sorted(ranked, key=lambda x: x[1].due or "")]
    return _deadline_answer(kb, chosen, today)


def _asked_reports(kb, t: str) -> list:
    """The periodic reports a question's cue words point at: the 6-month one, the annual
    one, or both."""
    reports = [d for d in kb.deadlines if d.kind == "report"]
    if _has(t, "6 thang", "sau thang", "nua nam"):
        return [d for d in reports if d.month and d.month <= 6]
    if _has(t, "bao cao nam", "hang nam", "cuoi nam", "ca nam") or (
            _has(t, "nam") and not _YEAR_RE.search(t)):
        return [d for d in reports if d.month and d.month > 6] or reports
    return reports


# words of "what must we report, when, to whom" besides the agency's name
_REPORT_DUTY_WORDS = DEADLINE_WORDS | {"bao", "cao", "nop", "gui", "dinh", "ky", "ket", "qua",
                                      "6", "sau", "hang", "cuoi", "nua", "ve", "dau", "ai",
                                      "cai", "loai", "nhung", "gi", "chung", "minh"}


def _by_agency_reports(kb, q: _Question, today: date) -> Answer | None:
    """"bọn em bên BQL các KCN cần báo cáo gì": the periodic reports that agency owes (IV.3),
    not a topic search for the word "báo cáo"."""
    t = _cue_text(q)
    if not _has(t, "bao cao"):
        return None
    ids = list(dict.fromkeys(m.agency_id for m in q.mentions if not m.weak))
    if not ids and not q.mentions:
        ids = [m.agency_id for m in q.intro_mentions]
    if len(ids) != 1:
        return None
    taken = {i for m in q.mentions for i in range(m.start, m.end)}
    rest = [w for i, w in enumerate(q.toks) if i not in taken]
    if any(w not in _REPORT_DUTY_WORDS and w not in STOP for w in rest):
        return None  # "Sở TN&MT thẩm định báo cáo ĐTM": a topic
    reports = sorted(_asked_reports(kb, t), key=lambda d: next_occurrence(d, today) or today)
    return agency_reports_answer(kb, ids[0], reports, today) if reports else None


def agency_reports_answer(kb, agency_id: str, reports, today: date) -> Answer:
    """The periodic reports one agency sends, when and to whom; and the reporting tasks it
    leads itself (Sở Công Thương sums them up for UBND tỉnh)."""
    a = kb.agency(agency_id)
    base = _deadline_answer(kb, reports, today, where=False)
    to = next((r.report_to for r in reports if r.report_to), None)
    kinds = sorted({"6 tháng" if (r.month or 12) <= 6 else "hằng năm" for r in reports})
    every = " và ".join(kinds)
    if to in (a.id, a.parent):
        head = (f"{a.name} nhận báo cáo kết quả thực hiện định kỳ {every} của các sở, ngành, "
                "UBND huyện, thành phố (Mục IV.3) để tổng hợp, báo cáo UBND tỉnh.")
    else:
        head = (f"{a.name} gửi báo cáo kết quả thực hiện Kế hoạch định kỳ {every}"
                + (f" về {_agency_name(kb, to)}" if to else "") + " (Mục IV.3).")
    lines = [head, base.text]
    sections = list(base.sections)
    own = [t for s in kb.sections_led_by(a.parent or a.id) if s.part == "IV"
           for t in kb.tasks_of(s.id) if "báo cáo" in t.text.casefold()]
    for t in own:
        lines.append(f"{_heading(kb, t.section)}\n• «{_trim(_clean(t.text))}»")
        if t.section not in sections:
            sections.append(t.section)
    ids = [a.id] + [x for x in base.agency_ids if x != a.id]
    return Answer("deadline", "\n".join(lines), tuple(_agency_name(kb, x) for x in ids),
                  tuple(ids), tuple(sections), (), base.tasks + tuple(t.id for t in own))


def _deadlines_for(kb, agency_id: str):
    if hasattr(kb, "deadlines_for"):
        return kb.deadlines_for(agency_id)
    a = kb.agency(agency_id)
    ids = {agency_id, a.parent}
    return tuple(d for d in kb.deadlines if d.applies_to == "all" or ids & set(d.applies_to))


def upcoming_answer(kb, today: date, deadlines=None) -> Answer:
    """Deadlines still ahead, nearest first; the passed one-off dates summed up after."""
    dls = list(kb.deadlines if deadlines is None else deadlines)
    ahead = [(next_occurrence(d, today), d) for d in dls]
    coming = sorted([(o, d) for o, d in ahead if o and o >= today], key=lambda x: x[0])
    passed = sorted([(o, d) for o, d in ahead if o and o < today], key=lambda x: x[0])
    if not coming:
        found = _deadline_answer(kb, [d for _, d in passed], today)
        return found
    ans = _deadline_answer(kb, [d for _, d in coming], today)
    text = ans.text.replace("Hạn theo Kế hoạch", "Các hạn sắp tới theo Kế hoạch", 1)
    if passed:
        text += "\nĐã qua: " + "; ".join(
            f"{d.title} ({_section_label(d.source)}, {fmt_date(o)})"
            for o, d in passed) + "."
        sections = ans.sections + tuple(dict.fromkeys(
            d.source for _, d in passed if d.source not in ans.sections))
    else:
        sections = ans.sections
    return Answer("deadline", text, ans.agencies, ans.agency_ids, sections, (), ans.tasks)


def _task_deadlines(kb, doc_id: str) -> tuple[str, ...]:
    try:
        t = kb.task(doc_id)
    except KeyError:
        return ()
    return tuple(getattr(t, "deadlines", ()) or ((t.deadline,) if t.deadline else ()))


def _topic_beats_reports(q: _Question) -> bool:
    """"báo cáo đánh giá tác động môi trường" is a topic, not the periodic report."""
    # the committee the reports end up with is no topic ("UBND tỉnh nhận báo cáo khi nào")
    drop = DEADLINE_WORDS | {"cao", "nop", "gui", "6", "ket", "qua", "dinh", "ky", "hang",
                             "uy", "ban", "nhan", "dan"}
    content = q.content(drop, names=False)
    if len(content) < 2:
        return False
    scores = q.idx.score(q.seq({"bao", "cao", "nop", "gui", "han", "ngay", "thang"}, names=False))
    best = max(range(len(scores)), key=scores.__getitem__)
    return scores[best] > 6 and q.idx.docs[best].section != "IV.3"


def next_occurrence(d, today: date) -> date | None:
    """The deadline's next date on or after today (the last one when all have passed)."""
    if d.due:
        return date.fromisoformat(d.due)
    last = None
    for y in range(d.from_year, d.to_year + 1):
        last = date(y, d.month, d.day)
        if last >= today:
            return last
    return last


def _when(d, today: date) -> str:
    occ = next_occurrence(d, today)
    if occ is None:
        return ""
    days = (occ - today).days
    ds = fmt_date(occ)
    if days > 0:
        return f"{ds} (còn {days} ngày)"
    if days == 0:
        return f"{ds} (hạn là hôm nay)"
    return f"{ds} (đã qua)"


def _deadline_answer(kb, dls, today: date, where: bool = False) -> Answer:
    lines: list[str] = []
    sections: list[str] = []
    agencies: list[str] = []
    tasks: list[str] = []
    for d in dls:
        src = d.source
        if src not in sections:
            sections.append(src)
        occ = _when(d, today)
        to = f", gửi {_agency_name(kb, d.report_to)}" if d.report_to else ""
        if d.applies_to != "all":
            to += "; thực hiện: " + ", ".join(_agency_name(kb, a) for a in d.applies_to)
        if d.recurring:
            rule = f"trước ngày {d.day}/{d.month} hằng năm ({d.from_year}-{d.to_year})"
            lines.append(f"• {d.title} ({_section_label(src)}): {rule}{to}. Kỳ tới: {occ}.")
        else:
            lines.append(f"• {d.title} ({_section_label(src)}): hạn {occ}{to}.")
        if d.report_to and d.report_to not in agencies:
            agencies.append(d.report_to)
        if d.applies_to != "all":
            for a in d.applies_to:
                if a not in agencies:
                    agencies.append(a)
        linked = [t for t in kb.tasks if d.id in _task_deadlines(kb, t.id)]
        tasks += [t.id for t in linked if t.id not in tasks]
        quote = _deadline_quote(kb, d, linked)
        if quote:
            lines.append(f"  Trích Kế hoạch: «{quote}»")
    head = f"Hạn theo Kế hoạch (tính đến ngày {fmt_date(today)}):"
    if where and dls and dls[0].report_to:
        head = (f"Báo cáo kết quả thực hiện gửi về {_agency_name(kb, dls[0].report_to)}. " + head)
    seen = set()
    quotes = []
    for line in lines:  # the two reports quote the same sentence: say it once
        if line.startswith("  Trích") and line in seen:
            continue
        seen.add(line)
        quotes.append(line)
    return Answer("deadline", "\n".join([head, *quotes]),
                  tuple(_agency_name(kb, a) for a in agencies), tuple(agencies),
                  tuple(sections), (), tuple(tasks))


def _deadline_quote(kb, d, linked) -> str:
    texts = [t.text for t in linked] or [t.text for t in kb.tasks_of(d.source)]
    if not texts:
        try:
            texts = [kb.objective(d.source).text]
        except (KeyError, AttributeError):
            texts = [kb.section(d.source).text]
    if len(texts) == 1 and len(_clean(texts[0])) <= 420:
        return _clean(texts[0])
    sents = [s for t in texts for s in _sentences(t)]
    if not sents:
        return ""
    want = fold(d.title).split() + [str(d.day or ""), str(d.month or "")]
    if d.due:
        want += [d.due[:4]]

    def overlap(s: str) -> int:
        fs = set(fold(s).split())
        return sum(1 for w in set(want) if w in fs)
    best = max(sents, key=overlap)
    return _trim(best)


def _trim(s: str, limit: int = 420) -> str:
    return s if len(s) <= limit else s[:limit].rsplit(" ", 1)[0] + " …"


# ---- objectives and topics

_OBJ_CUES = ("muc tieu", "chi tieu", "bao nhieu", "ty le", "ty trong", "toc do", "tang truong",
             "phan tram", "den nam 2030", "den 2030", "vao nam 2030", "tong so", "so luong",
             "dat bao nhieu", "may khu", "may cum", "bao nhieu khu", "bao nhieu cum",
             "chi so", "grdp", "ty dong", "nghin ty")


# words of a question about the objectives in general ("kế hoạch có mấy mục tiêu")
OBJECTIVE_WORDS = {"muc", "tieu", "chi", "may", "gom", "bao", "nhieu", "chinh", "the", "neu",
                   "ra", "de", "tat", "ca", "cac", "nhung", "dat", "duoc", "den", "2030"}


def _objective_cue(q: _Question) -> bool:
    return _has(q.cues, *_OBJ_CUES) or "%" in q.raw


def _by_topic(kb, q: _Question, today: date) -> Answer | None:
    idx = q.idx
    names = set()
    for m in q.mentions:
        names |= set(range(m.start, m.end))
    strong_ids = [m.agency_id for m in q.mentions if not m.weak]
    # names stay in the ranked words when weak ("thanh tra" is also a verb)
    toks = [w for i, w in enumerate(q.toks) if i not in names or
            any(m.weak and m.start <= i < m.end for m in q.mentions)]
    q2 = _Question.__new__(_Question)
    q2.__dict__.update(q.__dict__)
    q2.canon = idx.expand(idx.canon(toks))
    content = q2.content()
    seq = q2.seq()
    if not content:
        if strong_ids:
            return agency_answer(kb, strong_ids[0])
        return None
    if not _plausible(idx, content):
        return None
    scores = idx.score(seq)
    places = idx.place_tasks(q.canon)
    objective = _objective_cue(q)
    if objective and _has(q.fixed, "muc tieu", "chi tieu") and not [
            w for w in content if w not in DUTY_WORDS and w not in OBJECTIVE_WORDS]:
        return objectives_answer(kb)  # "mục tiêu của kế hoạch là gì"
    top = max(scores) if scores else 0.0
    if top <= 0:
        return None
    for i, d in enumerate(idx.docs):
        s = scores[i]
        if s <= 0:
            continue
        if places and d.id in places:
            s += PLACE_BOOST * top
        if objective and d.kind == "objective":
            s *= 1.6
        if strong_ids and (d.lead in strong_ids or _parent_in(kb, d.lead, strong_ids)):
            s *= 1.5
        scores[i] = s
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    best = scores[order[0]]
    if _too_broad(idx, content):
        return _ambiguous(kb, idx, content, order, scores, q.raw)
    picked = [i for i in order[:8] if scores[i] >= 0.45 * best]
    top_doc = idx.docs[picked[0]]
    intent = "objective" if top_doc.kind == "objective" else "topic"
    if intent == "objective" and objective:
        picked = [i for i in picked if idx.docs[i].kind == "objective"]
    return _topic_answer(kb, idx, q2, content, picked, intent)


def _parent_in(kb, aid: str | None, ids: list[str]) -> bool:
    if not aid:
        return False
    return any(kb.agency(x).parent == aid for x in ids if x in kb._agency)


def _plausible(idx: Index, content: list[str]) -> bool:
    """Does the question touch the plan at all?

    More than half of its words the plan uses must sit in a word pair the plan also has, or
    be one of the plan's marked terms (acronyms such as "SIPAS", numbers such as "1721"). Single Vietnamese
    syllables prove little: "lãi suất" shares both with the plan ("lại", "suất đầu tư").
    One known word may stand alone.
    """
    known = [w for w in content if w in idx.postings]
    if not known or not _has_evidence(idx, content):
        return False
    if len(content) == 1:
        return True
    covered = set()
    for j, (a, b) in enumerate(zip(content, content[1:], strict=False)):
        if (a, b) in idx.pairs:
            covered |= {j, j + 1}
    covered |= {j for j, w in enumerate(content) if w in idx.marks}
    # words the plan never uses (chat, a slip, a name) neither prove nor disprove anything
    if len(covered) > 0.5 * len(known):
        return True
    # or a phrase only a few bullets use, in a bullet that holds most of the question
    specific = [f"{a} {b}" for a, b in zip(content, content[1:], strict=False)
                if 0 < len(idx.postings.get(f"{a} {b}", ())) <= 3]
    return bool(specific) and _best_coverage(idx, content, specific) >= 0.55


def _has_evidence(idx: Index, content: list[str]) -> bool:
    """Does the question name something distinctive of the plan?

    An acronym or number the plan uses, or a word pair read left to right the way the plan
    writes it ("giải phóng mặt bằng"), other than everyday terms: "thủ tục | đăng ký | kết hôn"
    pairs only into everyday terms and a pair the plan never has.
    """
    if any(w in idx.marks for w in content):
        return True
    if len(content) == 1:
        return content[0] not in GENERIC_TERMS
    i = 0
    while i < len(content) - 1:
        pair = f"{content[i]} {content[i + 1]}"
        if pair in idx.postings:
            if pair not in GENERIC_TERMS:
                return True
            i += 2
        else:
            i += 1
    return False


def _best_coverage(idx: Index, content: list[str], phrases: list[str]) -> float:
    """The largest share of the question's information one bullet holding a phrase has."""
    words = list(dict.fromkeys(content))
    total = sum(idx.idf.get(w, idx.max_idf) for w in words)
    best = 0.0
    for i in {i for p in phrases for i in idx.postings[p]}:
        toks = set(idx.canon_text(idx.docs[i].text))
        best = max(best, sum(idx.idf.get(w, idx.max_idf) for w in words if w in toks) / total)
    return best


def _too_broad(idx: Index, content: list[str]) -> bool:
    """Every word of the question is everywhere in the plan ("công nghiệp" alone)."""
    if len(content) > 3:
        return False
    terms = Index.terms(content)
    n = len(idx.docs)
    dfs = [len(idx.postings.get(t, ())) for t in terms]
    dfs = [x for x in dfs if x]
    return bool(dfs) and min(dfs) >= 0.25 * n


def _ambiguous(kb, idx: Index, content, order, scores, q_raw: str) -> Answer:
    """Offer the two or three readings that fit best instead of guessing."""
    choices: list[tuple[str, str]] = []
    sections: list[str] = []
    if any(idx.docs[i].kind == "objective" for i in order[:15]):
        choices.append(("Các mục tiêu của Kế hoạch (phần II)", "mục II"))
        sections.append("II")
    groups: list[str] = []
    for i in order:
        s = kb.section(idx.docs[i].section)
        g = s.group or (s.id if s.part == "III" else None)
        if g and g not in groups:
            groups.append(g)
        if len(groups) + len(choices) >= 3:
            break
    for g in groups:
        gs = kb.section(g)
        choices.append((f"Nhóm {g}: {gs.title}", f"mục {g}"))
        sections.append(g)
    choices = choices[:3]
    words = " ".join(re.sub(r"[^\w\s&/-]", " ", q_raw).split()) or " ".join(content)
    text = (f"Từ “{words}” có trong nhiều phần của Kế hoạch. Xin chọn một nội dung, hoặc hỏi cụ "
            "thể hơn (ví dụ: cơ quan nào, việc gì).")
    return Answer("ambiguous", text, (), (), (), (), (), tuple(choices))


def _best_sentence(idx: Index, content: list[str], text: str, quantity: bool = False) -> str:
    """The sentence of a bullet that answers best (a figure when one is asked for)."""
    want = set(content)
    pairs = {f"{a} {b}" for a, b in zip(content, content[1:], strict=False)}
    best, best_s = "", -1.0
    for s in _sentences(text):
        toks = idx.canon_text(s)
        ts = set(toks)
        score = sum(idx.idf.get(w, 0.5) for w in want if w in ts)
        score += 1.5 * len(pairs & {f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)})
        if (quantity or any(w.isdigit() for w in want)) and _DIGIT.search(s):
            score += 1.0
        if score > best_s:
            best, best_s = s, score
    if len(best) > 420:  # a long sentence: the clause that matches, marked as cut
        clauses = best.split("; ")
        ranked = max(range(len(clauses)), key=lambda k: _overlap(idx, want, clauses[k]))
        part = clauses[ranked]
        return _trim(("… " if ranked else "") + part + (" …" if ranked < len(clauses) - 1 else ""))
    return _trim(best)


def _overlap(idx: Index, want: set[str], text: str) -> float:
    toks = set(idx.canon_text(text))
    return sum(idx.idf.get(w, 0.5) for w in want if w in toks)


def _topic_answer(kb, idx: Index, q: _Question, content, picked, intent) -> Answer:
    lines = ["Theo Kế hoạch, nội dung liên quan:"]
    sections: list[str] = []
    tasks: list[str] = []
    by_section: dict[str, list[int]] = {}
    for i in picked:
        sid = idx.docs[i].section
        if sid not in by_section and len(by_section) >= 3:
            continue
        by_section.setdefault(sid, []).append(i)
    for sid, docs in by_section.items():
        sections.append(sid)
        s = kb.section(sid)
        if idx.docs[docs[0]].kind == "objective":
            lines.append(f"{_section_label(sid)} — Mục tiêu: {s.title}")
        elif s.lead:
            lines.append(_heading(kb, sid))
        else:
            lines.append(f"{_section_label(sid)} — {s.title}")
        for i in docs[:2]:
            d = idx.docs[i]
            if d.kind == "task":
                tasks.append(d.id)
            quote = (_clean(d.text) if d.kind == "objective" else
                     _best_sentence(idx, content, d.text, _objective_cue(q)))
            lines.append(f"• «{quote}»")
    names, aids = _lead_names(kb, sections)
    return Answer(intent, "\n".join(lines), names, aids, tuple(sections), (), tuple(tasks))


# ---------------------------------------------------------------- command line


def _emit(ans: Answer, question: str, as_json: bool, one_line: bool) -> None:
    if as_json:
        out = json.dumps(ans.to_json(question), ensure_ascii=False)
    else:
        text = ans.text + "".join(f"\n• {label}: «{q}»" for label, q in ans.choices)
        out = text.replace("\n", " | ") if one_line else text
    sys.stdout.write(out + "\n")
    sys.stdout.flush()


def cli_ask(question: str, as_json: bool) -> int:
    """`ask`: one question, or with "-" one question per stdin line (one output line each)."""
    from bot.knowledge import KnowledgeError, load_knowledge
    try:
        kb = load_knowledge()
    except KnowledgeError as e:
        sys.stderr.write(f"Không đọc được dữ liệu Kế hoạch: {e}\n")
        return 1
    today = _local_today()
    try:
        if question.strip() != "-":
            _emit(_safe_answer(kb, question, today), question, as_json, one_line=False)
            return 0
        for line in sys.stdin:
            q = line.rstrip("\r\n")
            _emit(_safe_answer(kb, q, today), q, as_json, one_line=True)
    except BrokenPipeError:  # the reader went away (`| head`): nothing left to do
        sys.stderr.close()
    return 0


def _safe_answer(kb, question: str, today: date) -> Answer:
    """One odd line must not cost the answers to the lines after it."""
    try:
        return answer(kb, question, today)
    except Exception as e:  # noqa: BLE001 — reported, and the stream goes on
        sys.stderr.write(f"ask: {type(e).__name__}: {e} (question: {question[:80]!r})\n")
        return Answer("none", "Xin lỗi, chưa trả lời được câu hỏi này. Xin hỏi cách khác, ví dụ "
                              "«Nhiệm vụ của Sở Y tế?».")
