"""Questions about live progress, read without the database: "Sở Xây dựng đã báo cáo chưa?",
"ai chưa báo cáo kỳ này?", "tiến độ mục 2.2", "mục 5.6 đang vướng gì?".

    live_question(kb, text) -> LiveAsk | None

The plan's text cannot answer these; the chat handlers (handlers/ask.py) answer them from the
status store, with the period and the time the figures stand at. `ask` on the command line has
no store and answers them from the plan as before.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answer.vocab import has_phrase
from bot.text import find_agencies, fold, fuzzy_agencies

# "đã báo cáo chưa", "cập nhật chưa", "nộp báo cáo chưa" (folded; "chưa" kept here, though
# courtesy-dropping removes it from questions: a rewritten follow-up may lack it)
_REPORTED = ("da bao cao chua", "bao cao chua", "da cap nhat chua", "cap nhat chua",
             "nop bao cao chua", "gui bao cao chua", "co bao cao chua", "da bao cao",
             "da cap nhat", "da nop bao cao", "bao cao du chua", "bao cao den dau")
_MISSING = ("ai chua bao cao", "nhung ai chua bao cao", "ai chua cap nhat", "con ai chua",
            "nao chua bao cao", "nao chua cap nhat", "chua bao cao ky nay", "chua bao cao du",
            "ai chua nop", "nao chua nop", "ai con thieu bao cao", "nao con thieu bao cao")
_PROGRESS = ("tien do", "den dau", "xong chua", "hoan thanh chua", "tinh hinh thuc hien",
             "tinh hinh", "trang thai", "thuc hien the nao", "lam den dau", "da lam gi",
             "ket qua thuc hien")
_OBSTACLES = ("vuong gi", "vuong mac", "kho khan", "dang vuong", "bi vuong", "vuong o dau",
              "vuong cho nao", "tac o dau", "vuong")
_ITEM = re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d{1,2}){1,2}|iv\.\d)(?![\d])")


@dataclass(frozen=True)
class LiveAsk:
    kind: str  # "reported", "missing", "progress", "obstacles"
    agencies: tuple[str, ...] = ()  # agency ids
    items: tuple[str, ...] = ()  # section or task ids


def live_question(kb, text: str) -> LiveAsk | None:
    """A question the status store answers, or None."""
    t = fold(text)
    if not t:
        return None
    items = tuple(dict.fromkeys(m.group(1).upper() for m in _ITEM.finditer(t)
                                if kb.item(m.group(1).upper()) is not None))
    if items and has_phrase(t, *_OBSTACLES):
        return LiveAsk("obstacles", items=items)
    if items and has_phrase(t, *_PROGRESS, *_REPORTED):
        return LiveAsk("progress", items=items)
    if items:
        return None
    if has_phrase(t, *_MISSING):
        return LiveAsk("missing")
    mentions = find_agencies(kb, t, fuzzy=False) or fuzzy_agencies(kb, t)
    ids = tuple(dict.fromkeys(m.agency_id for m in mentions if not m.weak))
    if ids and (has_phrase(t, *_REPORTED) or (has_phrase(t, "tien do", "tinh hinh thuc hien")
                                              and not has_phrase(t, "han", "khi nao"))):
        return LiveAsk("reported", agencies=ids[:1])
    return None
