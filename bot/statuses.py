"""Status vocabulary: four codes, their labels, and what officials type for them.

    STATUSES                      codes in display order: chua, dang, xong, vuong
    LABELS[code]                  "Chưa thực hiện", "Đang thực hiện", "Hoàn thành", "Vướng mắc"
    label(code) -> str
    parse_status(text) -> (code | None, rest)   status at the start of `text`, the rest is the note
"""
from __future__ import annotations

import re

from bot.text import fold

STATUSES = ("chua", "dang", "xong", "vuong")
LABELS = {
    "chua": "Chưa thực hiện",
    "dang": "Đang thực hiện",
    "xong": "Hoàn thành",
    "vuong": "Vướng mắc",
}

# Folded phrases (no diacritics, lower case) an official may type for each status.
_SYNONYMS = {
    "chua": ["chua", "chua thuc hien", "chua lam", "chua bat dau", "chua trien khai",
             "chua th", "not started"],
    "dang": ["dang", "dang lam", "dang thuc hien", "dang trien khai", "dang tien hanh",
             "dang th", "dang xu ly", "in progress"],
    "xong": ["xong", "da xong", "hoan thanh", "da hoan thanh", "hoan tat", "da hoan tat",
             "ht", "done"],
    "vuong": ["vuong", "vuong mac", "co vuong mac", "dang vuong mac", "bi vuong", "kho khan",
              "gap kho khan", "co kho khan", "dang gap kho khan", "blocked"],
}
_PHRASES = sorted(((tuple(p.split()), code) for code, ps in _SYNONYMS.items() for p in ps),
                  key=lambda pc: -len(pc[0]))
for _code in STATUSES:  # the codes themselves
    _PHRASES.append(((_code,), _code))

_LONGEST = max(len(p) for p, _ in _PHRASES)
_WORD = re.compile(r"\S+")
_LEAD_SEP = re.compile(r"^[\s:;,.\-–—|]+")


def label(code: str) -> str:
    return LABELS.get(code, code)


def parse_status(text: str) -> tuple[str | None, str]:
    """The status the text starts with and the rest (the note, as typed).

    "đang làm Đã phê duyệt 2 đồ án" -> ("dang", "Đã phê duyệt 2 đồ án");
    the longest known phrase wins ("chưa thực hiện" over "chưa"); (None, text) if none.
    """
    words = []
    for m in _WORD.finditer(text or ""):  # a status is at most a few words long
        words.append(m)
        if len(words) == _LONGEST:
            break
    folded = [fold(m.group()) for m in words]
    for phrase, code in _PHRASES:
        n = len(phrase)
        if n <= len(words) and tuple(folded[:n]) == phrase:
            rest = text[words[n - 1].end():]
            return code, _LEAD_SEP.sub("", rest).strip() if _starts_with_sep(rest) else rest.strip()
    return None, (text or "").strip()


def _starts_with_sep(rest: str) -> bool:
    """A separator typed between status and note ("xong: …", "xong - …"), not a note's sign."""
    m = _LEAD_SEP.match(rest)
    return bool(m) and (m.end() == len(rest) or rest[m.end() - 1].isspace())
