"""A conversation, not single questions: a follow-up keeps the previous intent and reads "họ",
"sở đó", "mục đó", "còn … thì sao" as the last agency or section.

    converse(kb, question, previous, today) -> (Answer, Subject)

`Subject` is what a conversation remembers between two messages (the question as understood,
its intent, agencies and sections); the chat handlers store it per chat and user (JSON), the
engine stays free of the database. A follow-up is rewritten into the question it stands for
("còn Sở Công Thương thì sao?" after "hạn báo cáo của Sở Y tế" → "hạn báo cáo của Sở Công
Thương") and answered like any question.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.answer.engine import answer
from bot.answer.live import period_named
from bot.answer.model import Answer
from bot.answer.question import Question
from bot.text import find_agencies, fold, marked_words, normalize_tones

# answers that leave the subject as it was (a greeting, a refusal, a choice offered)
_NO_SUBJECT = {"none", "help", "ambiguous"}
# "còn Sở Công Thương thì sao?", "thế còn mục 5.6?", "Sở Công Thương thì sao"
_ELSE_RE = re.compile(r"^(?:(?:vay|the|nhu vay) )?(?:con )?(?P<x>.+?)(?: thi)?"
                      r"(?: sao| the nao| ra sao| nhu the nao)?$")
_ELSE_START = re.compile(r"^(?:(?:vay|the|nhu vay) )?con ")
_ELSE_END = re.compile(r" thi(?: sao| the nao| ra sao| nhu the nao)?$| thi$")
# words standing for the last agency, folded ("sở đó", "cơ quan này", "bên đó")
_AGENCY_REFS = ("co quan do", "co quan nay", "co quan tren", "don vi do", "don vi nay",
                "so do", "so nay", "ban do", "ban nay", "ben do", "ben ay", "so ay", "co quan ay")
# marked words standing for the last agency ("họ", "bọn họ")
_AGENCY_PRONOUNS = {"họ"}
# words standing for the last section ("mục đó", "nhiệm vụ này")
_SECTION_REFS = ("muc do", "muc nay", "muc tren", "muc ay", "nhiem vu do", "nhiem vu nay",
                 "viec do", "viec nay", "noi dung do", "noi dung nay")
_SECTION_ID = re.compile(r"(?<!\S)(?:muc )?((?:[ivx]+\.)?\d(?:\.\d{1,2}){0,2}|[ivx]+\.\d)(?!\S)")


@dataclass(frozen=True)
class Subject:
    """What the conversation is about after an answer."""

    question: str
    intent: str
    agencies: tuple[str, ...] = ()  # agency ids, most relevant first
    sections: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"question": self.question, "intent": self.intent,
                "agencies": list(self.agencies), "sections": list(self.sections)}

    @classmethod
    def from_dict(cls, d: dict | None) -> Subject | None:
        if not isinstance(d, dict) or not isinstance(d.get("question"), str):
            return None
        return cls(d["question"], str(d.get("intent") or ""),
                   tuple(str(a) for a in d.get("agencies") or ()),
                   tuple(str(s) for s in d.get("sections") or ()))


def converse(kb, question: str, previous: Subject | None = None,
             today: date | None = None) -> tuple[Answer, Subject | None]:
    """Answer `question` in the light of the previous subject; the subject after it."""
    asked = resolve(kb, question, previous) if previous else question
    ans = answer(kb, asked, today)
    if ans.intent in _NO_SUBJECT:
        return ans, previous
    return ans, Subject(asked, ans.intent, tuple(ans.agency_ids), tuple(ans.sections))


def resolve(kb, question: str, previous: Subject) -> str:
    """The question a follow-up stands for (the question itself when it is none)."""
    folded = fold(question)
    other = _something_else(kb, folded)
    if other is not None:
        return _instead(kb, previous, *other) or question
    text = _pronouns(kb, question, folded, previous)
    if text is not None:
        return text
    return _same_subject(kb, folded, previous) or question


def _same_subject(kb, folded: str, previous: Subject) -> str | None:
    """"còn hạn chót thì sao?" after an agency's duties: the new question about the last
    agency (or section) when it names none of its own."""
    if not _ELSE_START.match(folded) or not _ELSE_END.search(folded):
        return None
    x = _ELSE_END.sub("", _ELSE_START.sub("", folded)).strip()
    if not x:
        return None
    if previous.intent == "progress":  # "còn kỳ trước thì sao?": the same, another period
        other = _another_period(previous.question, x)
        if other is not None:
            return other
    if find_agencies(kb, x) or _SECTION_ID.search(x):
        return None
    if previous.agencies:
        return f"{x} cua {fold(kb.agency(previous.agencies[0]).name)}"
    if previous.sections:
        return f"{x} muc {previous.sections[0].casefold()}"
    return None


def _another_period(question: str, x: str) -> str | None:
    """The progress question asked again for the period `x` names, when `x` is only that."""
    named = period_named(x)
    if named is None or named[1].group(0) != x:
        return None
    q = fold(question)
    old = period_named(q)
    if old is not None:
        q = q[:old[1].start()] + q[old[1].end():]
    return " ".join(f"{q} {x}".split())


def _something_else(kb, folded: str) -> tuple[str, str] | None:
    """"còn X thì sao": ("agency", id) or ("section", id) for X, when X is only that."""
    if not (_ELSE_START.match(folded) or _ELSE_END.search(folded)):
        return None
    x = _ELSE_END.sub("", _ELSE_START.sub("", folded)).strip()
    if not x:
        return None
    m = _SECTION_ID.fullmatch(x)
    if m and kb.item(m.group(1).upper()):
        return "section", m.group(1).upper()
    mentions = find_agencies(kb, x)
    if len({mm.agency_id for mm in mentions}) == 1:
        left = [w for i, w in enumerate(x.split())
                if not any(mm.start <= i < mm.end for mm in mentions)]
        if not left:
            return "agency", mentions[0].agency_id
    return None


def _instead(kb, previous: Subject, kind: str, new_id: str) -> str | None:
    """The previous question about another agency or section."""
    q = Question(kb, previous.question)
    toks = q.fixed.split()
    if kind == "agency":
        name = fold(kb.agency(new_id).name)
        if q.mentions:
            m = q.mentions[0]
            return " ".join([*toks[:m.start], name, *toks[m.end:]])
        return f"nhiệm vụ của {kb.agency(new_id).name}"
    old = [s for s in previous.sections if s.casefold() in toks]
    if old:
        return " ".join(new_id.casefold() if w == old[0].casefold() else w for w in toks)
    return f"mục {new_id}"


def _pronouns(kb, question: str, folded: str, previous: Subject) -> str | None:
    """"hạn chót của họ", "sở đó phải làm gì", "ai chủ trì mục đó": the last agency or
    section put in their place."""
    words = folded.split()
    marked = [normalize_tones(w) for w in marked_words(question)]
    if len(marked) != len(words):
        marked = words
    agency = kb.agency(previous.agencies[0]).name if previous.agencies else None
    section = previous.sections[0] if previous.sections else None
    out: list[str] = []
    changed = False
    i = 0
    while i < len(words):
        two, three = " ".join(words[i:i + 2]), " ".join(words[i:i + 3])
        if agency and three in _AGENCY_REFS:
            out.append(fold(agency))
            i, changed = i + 3, True
        elif agency and two in _AGENCY_REFS:
            out.append(fold(agency))
            i, changed = i + 2, True
        elif section and two in _SECTION_REFS and marked[i] != "mức":
            out.append(f"muc {section.casefold()}")
            i, changed = i + 2, True
        elif section and three in _SECTION_REFS:
            out.append(f"muc {section.casefold()}")
            i, changed = i + 3, True
        elif agency and (marked[i] in _AGENCY_PRONOUNS or (
                words[i] == "ho" and marked[i] == "ho" and i and words[i - 1] in ("cua", "cho"))):
            out.append(fold(agency))
            i, changed = i + 1, True
        else:
            out.append(words[i])
            i += 1
    return " ".join(out) if changed else None
