"""Another document the plan cites, asked by its number ("Kế hoạch 1721/KH-UBND", "QĐ 787"):
the bullets citing it."""
from __future__ import annotations

import re
from datetime import date

from bot.answer.model import Answer
from bot.answer.question import Question
from bot.answer.render import clean, lead_names, section_heading, sentences, trim
from bot.answer.vocab import YEAR_RE
from bot.text import strip_marks

# a number the question gives as a document's: "1721/KH-UBND", "35/2021/QĐ", "99-NQ"
_ASKED_REF_RE = re.compile(r"(?<![\d/.,])(\d{1,5})\s*(?:/\s*\d{4}\s*)?[/-]\s*([a-z]+)")
# words naming a kind of document, right before its number ("quyết định 787", "QĐ 787")
# (None: any kind)
_REF_KINDS = {"quyet dinh": "qd", "ke hoach": "kh", "nghi quyet": "nq", "chi thi": "ct",
              "thong bao": "tb", "cong van": None, "van ban": None, "so": None}


def _asked_refs(q: Question) -> list[str]:
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
        elif len(w) >= 3 and not YEAR_RE.fullmatch(w):
            asked.append((w, None))  # "1721 là gì": a long number is the document's own
    found = []
    for num, kind in asked:
        num = num.lstrip("0") or num
        # a long number is one document whatever kind the official remembers
        if num in idx.refs and (kind is None or kind in idx.ref_kinds[num] or len(num) >= 3):
            found.append(num)
    return list(dict.fromkeys(found))


def by_reference(kb, q: Question, today: date) -> Answer | None:
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
            lines.append(section_heading(kb, d.section))
        if d.kind == "task":
            tasks.append(d.id)
        cited = [s for s in sentences(d.text) if any(idx.ref_names[n] in s for n in nums)]
        lines.append(f"• «{trim(cited[0] if cited else clean(d.text))}»")
    names, aids = lead_names(kb, sections)
    return Answer("topic", "\n".join(lines), names, aids, tuple(sections), (), tuple(tasks))
