"""The per-Knowledge index: the plan's bullets as BM25 documents, its vocabulary, places and
the other documents it cites. Built once per Knowledge (`index_for`), never per question.

Topics are ranked by BM25 over the plan's bullets (words and word pairs, abbreviations expanded
from the glossary, places boosted).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from bot.answer.vocab import (
    CHAT_WORDS,
    COMPOUNDS,
    DIGITS,
    DUTY_WORDS,
    EVERYDAY,
    FIGURE_PHRASES,
    GLOSSARY,
    STOP,
    SYNONYMS,
    YEAR_RE,
)
from bot.text import agency_index, disk_cached, fold, marked_words

# other documents the plan cites: "Kế hoạch số 1721/KH-UBND", "Quyết định 35/2021/QĐ-UBND"
_PLAN_REF_RE = re.compile(
    r"(?<![\d/])(\d{1,5})(?:/\d{4})?[/-]([A-ZĐ]{1,4})(?:-[A-ZĐ]+)?(?:/[A-ZĐ]+)?")

# BM25: word pairs weigh more than single words
BIGRAM_WEIGHT = 1.2
K1, B = 1.2, 0.6


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
        self.glossary, self.phrase_map = _glossary(kb)
        self.docs = self._docs(kb)
        self.vocab_freq, self.postings, self.pairs, self.marked = self._read_docs_cached()
        self.avg_len, self.idf, self.max_idf = self._weights()
        self.places = self._places(kb)
        self.marks = self._marks(kb)
        self.place_names = _place_names(kb)
        self._know_question_words(kb)
        self.vocab = list(self.vocab_freq)
        self._canon_cache: dict[str, list[str]] = {}
        self.doc_deadlines = {d.id: task_deadlines(kb, d.id) for d in self.docs}
        self.refs, self.ref_names = self._refs(kb)
        self.synonyms = self._synonyms()

    def _read_docs_cached(self):
        """What `_read_docs` and the marked words give, read back from the on-disk cache when
        a process already built them for the same docs, glossary and code (bot.text.disk_cached;
        keyed by everything they are computed from)."""
        def build() -> dict:
            vocab_freq, postings, pairs = self._read_docs()
            return {"vocab_freq": vocab_freq, "lengths": [d.length for d in self.docs],
                    "postings": {t: [x for item in p.items() for x in item]
                                 for t, p in postings.items()},
                    "pairs": [f"{a} {b}" for a, b in sorted(pairs)],
                    "marked": sorted(self._marked_words())}

        data = disk_cached("plan-index", self._cache_inputs(), build)
        for d, length in zip(self.docs, data["lengths"], strict=True):
            d.length = length
        postings = {t: dict(zip(p[::2], p[1::2], strict=True))
                    for t, p in data["postings"].items()}
        pairs = {tuple(p.split(" ")) for p in data["pairs"]}
        return data["vocab_freq"], postings, pairs, set(data["marked"])

    def _cache_inputs(self):
        """The code and data the cached part of the index is computed from."""
        here = Path(__file__)
        yield here.read_text(encoding="utf-8")
        yield (here.parents[1] / "text.py").read_text(encoding="utf-8")
        yield repr((sorted(self.glossary.items()), self.phrase_map, COMPOUNDS,
                    sorted(DIGITS.items()), sorted(STOP)))
        yield from (f"{d.id}\0{d.text}\0{d.heading}" for d in self.docs)

    def _marked_words(self) -> set[str]:
        """The plan's words as written, with their marks: "nghị" is the plan's, "nghỉ" is not."""
        return {w for d in self.docs for w in marked_words(f"{d.text} {d.heading}")}

    def _read_docs(self) -> tuple[dict[str, int], dict[str, dict[int, int]],
                                  set[tuple[str, str]]]:
        """Word counts, the postings of every term (doc → count) and the plan's word pairs
        (meaningful words at most 2 apart); sets each doc's length in terms."""
        vocab_freq: dict[str, int] = {}
        postings: dict[str, dict[int, int]] = {}
        pairs: set[tuple[str, str]] = set()
        for i, d in enumerate(self.docs):
            raw = fold(f"{d.text} {d.heading}").split()
            for w in raw:
                vocab_freq[w] = vocab_freq.get(w, 0) + 1
            toks = self.canon(raw)
            terms = self.terms(toks)
            d.length = len(terms)
            for t in terms:
                postings.setdefault(t, {}).setdefault(i, 0)
                postings[t][i] += 1
            pairs |= _near_pairs([w for w in toks if w not in STOP])
        return vocab_freq, postings, pairs

    def _weights(self) -> tuple[float, dict[str, float], float]:
        """BM25's average doc length, the idf of every term, and the idf of an unseen one."""
        n = len(self.docs)
        avg_len = sum(d.length for d in self.docs) / max(n, 1)
        idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5))
               for t, p in self.postings.items()}
        return avg_len, idf, math.log(1 + (n - 0.5) / 1.5)

    def _know_question_words(self, kb) -> None:
        """Words questions use that the plan may not (abbreviations, agency names, chat,
        everyday terms): known words, never "corrected" into a plan word."""
        extra = set(self.glossary) | agency_index(kb).vocab | STOP | DUTY_WORDS | CHAT_WORDS
        extra |= {w for src, _ in SYNONYMS for w in src}
        extra |= {w for p in (*EVERYDAY, *FIGURE_PHRASES) for w in p.split()}
        for w in extra:
            self.vocab_freq.setdefault(w, 1)

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
        """The plan's bullets, its objectives, and the sections of parts I and IV that have
        text but no bullets."""
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
                and not YEAR_RE.fullmatch(w) and w not in ("ubnd", "hdnd", "xix")}

    def _places(self, kb) -> list[tuple[tuple[str, ...], set[str]]]:
        """Each place name of two words or more (canonical tokens) with the tasks naming it."""
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

    def _synonyms(self) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """The everyday rewrites; an everyday phrase the plan itself writes as a word pair
        ("đền bù" in 5.6, beside "bồi thường" in Mục 1) is kept and the plan's other wording
        added, so that the bullets using it still match."""
        out = []
        for src, dst in SYNONYMS:
            own = len(src) > 1 and all(f"{a} {b}" in self.postings
                                       for a, b in zip(src, src[1:], strict=False))
            out.append((src, src + dst if own and src != dst[:len(src)] else dst))
        return out

    def expand(self, toks: list[str]) -> list[str]:
        """A question's canonical words with everyday wording put in the plan's terms."""
        return _rewrite(toks, self.synonyms)

    def vocabulary_words(self, toks: list[str]) -> set[str]:
        """The plan's words an everyday phrase of the question stands for (knowledge/
        vocabulary.json: "đền bù" → "bồi thường", and "đền bù" itself, which the plan writes
        too): the plan's own wording by construction."""
        text = f" {' '.join(toks)} "
        return {w for src, dst in self.synonyms if f" {' '.join(src)} " in text for w in dst}

    @staticmethod
    def terms(toks: list[str]) -> list[str]:
        """What BM25 counts: the meaningful words, and each pair of neighbours."""
        uni = [w for w in toks if w not in STOP]
        bi = [f"{a} {b}" for a, b in zip(toks, toks[1:], strict=False)
              if not (a in STOP and b in STOP)]
        return uni + bi

    def correct(self, w: str, typed: bool = False) -> str:
        """A typo'd word → the most frequent plan word one slip away; a word `typed` with its
        diacritics as a well-formed syllable ("nghèo", not the plan's "nghề") is kept.

        Vietnamese syllables are short, so a changed letter in a 4-letter word is as likely a
        different real word ("bóng" is not "công"): short words are only un-swapped ("dugn"
        → "dung"); longer ones may also lose, gain or change one letter (two from 8 letters).
        """
        if typed or w in self.vocab_freq or len(w) < 4 or not w.isalpha():
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
        """The folded text with place names replaced by "|" ("Việt Hàn" is not "hạn")."""
        padded = f" {text} "
        for name in self.place_names:
            if f" {name} " in padded:
                padded = padded.replace(f" {name} ", " | ")
        return padded.strip()

    def place_tasks(self, toks: list[str]) -> set[str]:
        """The tasks naming a place the tokens name."""
        s = " " + " ".join(toks) + " "
        found: set[str] = set()
        for name, tasks in self.places:
            if f" {' '.join(name)} " in s:
                found |= tasks
        return found


def _glossary(kb) -> tuple[dict[str, str], list[tuple[tuple[str, ...], tuple[str, ...]]]]:
    """The built-in glossary with the plan's merged over it, and the plan's multi-word aliases
    as rewrites to their expansion."""
    glossary = dict(GLOSSARY)
    phrase_map: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for g in getattr(kb, "glossary", ()):
        abbr, exp = fold(g.abbr), fold(g.expansion)
        if abbr and exp and len(exp.split()) <= 6:
            glossary[abbr.replace(" ", "")] = exp
            for al in g.aliases:  # "giải tỏa mặt bằng" → "giải phóng mặt bằng"
                fa = fold(al)
                if fa and fa != exp and len(fa.split()) > 1:
                    phrase_map.append((tuple(fa.split()), tuple(exp.split())))
    return glossary, phrase_map


def _near_pairs(words: list[str]) -> set[tuple[str, str]]:
    """Each word with the next two after it."""
    pairs = set()
    for j, w in enumerate(words):
        for k in range(j + 1, min(j + 3, len(words))):
            pairs.add((w, words[k]))
    return pairs


def _place_names(kb) -> list[str]:
    """The plan's place names of two words or more, folded, longest first."""
    names = {fold(x) for p in getattr(kb, "places", ())
             for x in (p.name, *p.aliases, getattr(p, "short", ""))
             if x and len(fold(x).split()) >= 2}
    return sorted(names, key=len, reverse=True)


def _rewrite(toks: list[str], rules) -> list[str]:
    """Apply each (source words, replacement words) rule, in order."""
    present = set(toks)
    for src, dst in rules:
        if src[0] in present:
            toks = _replace_seq(toks, src, dst)
            present.update(dst)
    return toks


def _replace_seq(toks: list[str], src: tuple[str, ...], dst: tuple[str, ...]) -> list[str]:
    """Every run of `src` in `toks` replaced by `dst`."""
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


_INDEXES: dict[int, tuple[object, Index]] = {}  # id(kb) → (kb, its index)


def index_for(kb) -> Index:
    """Built once per Knowledge, never per question."""
    hit = _INDEXES.get(id(kb))
    if hit is None or hit[0] is not kb:
        hit = _INDEXES[id(kb)] = (kb, Index(kb))
    return hit[1]


def task_deadlines(kb, doc_id: str) -> tuple[str, ...]:
    """The deadline ids a task carries (none for objectives and sections)."""
    try:
        t = kb.task(doc_id)
    except KeyError:
        return ()
    return tuple(getattr(t, "deadlines", ()) or ((t.deadline,) if t.deadline else ()))
