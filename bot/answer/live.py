"""Questions about live progress, read without the database: "Sở Xây dựng đã báo cáo chưa?",
"ai chưa báo cáo kỳ này?", "tiến độ mục 2.2", "mục 5.6 đang vướng gì?".

    live_question(kb, text) -> LiveAsk | None
    asked_period(live, tz, today) -> Period | str     the period named, or the refusal line

The plan's text cannot answer these; the chat handlers (handlers/ask.py) answer them from the
status store, with the period and the time the figures stand at. A question may name its
period ("kỳ 6 tháng đầu năm 2026", "6 tháng cuối năm 2025", "năm 2025", "6T/2026", "kỳ
trước"); without one it is the current period. `ask` on the command line has no store and
answers them from the plan as before.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, tzinfo

from bot.answer.vocab import has_phrase
from bot.periods import (
    Period,
    current_period,
    half_year,
    in_plan,
    parse_period,
    period_refusal,
    year_period,
)
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
# a period named in a folded question: "ky 6 thang dau nam 2026", "6t 2026", "2026 6t", "6 thang
# cuoi nam 2025", "(ky bao cao) nam 2025", "ky 2025", "ky truoc", "ky nay"; "6 thang (dau nam)
# (nay)", "(ca) nam nay": this year's
_PERIOD = re.compile(
    r"(?<!\S)(?P<ky>(?:ky|dot) (?:bao cao )?)?(?:"
    r"6 ?t(?:hang)?(?: (?P<side>dau|cuoi))?(?: nam)? (?P<half>20\d\d|nay)"
    r"|(?P<six>6 ?t(?:hang)?(?: (?P<side2>dau|cuoi))?(?: nam)?)"
    r"|(?:ca )?nam (?P<now>nay)"
    r"|(?P<half2>20\d\d) 6 ?t(?:hang)?"
    r"|(?:ca )?nam (?P<year>20\d\d)"
    r"|(?P<bare>20\d\d)"
    r"|(?P<prev>truoc|vua qua|lien truoc)"
    r"|(?P<this>nay|hien tai|hien nay))(?!\S)")


@dataclass(frozen=True)
class LiveAsk:
    kind: str  # "reported", "missing", "progress", "obstacles"
    agencies: tuple[str, ...] = ()  # agency ids
    items: tuple[str, ...] = ()  # section or task ids
    period: str = ""  # as bot.periods reads it ("6T/2026", "năm 2025"), "trước", "" (current)


THIS_YEAR = "{nay}"  # in a period's text: the year of `today` (asked_period fills it in)


def period_named(folded: str) -> tuple[str, re.Match] | None:
    """The period a folded question names, as bot.periods.parse_period reads it ("6T/2026",
    "năm 2025"; "trước": the one before the current; "": the current), with its match."""
    for m in _PERIOD.finditer(folded):
        if m.group("bare") and not m.group("ky"):
            continue  # a bare year is a period only as "kỳ 2025"
        if m.group("prev") or m.group("this"):
            if not m.group("ky"):
                continue  # "trước", "nay" alone are ordinary words
            return ("trước" if m.group("prev") else ""), m
        if m.group("half"):  # the second half of a year is reported in that year's report
            y = m.group("half").replace("nay", THIS_YEAR)
            return (f"năm {y}" if m.group("side") == "cuoi" else f"6T/{y}"), m
        if m.group("six"):  # "6 tháng đầu năm": this year's; "6 tháng cuối năm": its annual
            return (f"năm {THIS_YEAR}" if m.group("side2") == "cuoi" else "6T"), m
        if m.group("now"):
            return f"năm {THIS_YEAR}", m
        if m.group("half2"):
            return f"6T/{m.group('half2')}", m
        return f"năm {m.group('year') or m.group('bare')}", m
    return None


def asked_period(live: LiveAsk, tz: tzinfo, today: date) -> Period | str:
    """The period a progress question is about, or the one line refusing a period that is not
    one of the plan's."""
    current = current_period(today, tz)
    if not live.period:
        return current
    typed = live.period.replace(THIS_YEAR, str(today.year))
    if live.period == "trước":
        year = current.due.year
        before = year_period(year - 1, tz) if current.kind == "6T" else half_year(year, tz)
        if in_plan(before):
            return before
        # only the year before the plan's first report falls outside it
        return period_refusal(f"năm {before.due.year}", tz, today) or ""
    return parse_period(typed, tz, today) or period_refusal(typed, tz, today) or ""


def live_question(kb, text: str) -> LiveAsk | None:
    """A question the status store answers, or None."""
    t = fold(text)
    if not t:
        return None
    named = period_named(t)
    if named is None:
        return _kind_of(kb, t)
    # asked without the period's words ("đã báo cáo 6T/2026 chưa" is "đã báo cáo chưa")
    m = named[1]
    ask = _kind_of(kb, " ".join(f"{t[:m.start()]} {t[m.end():]}".split()))
    return None if ask is None else LiveAsk(ask.kind, ask.agencies, ask.items, named[0])


def _kind_of(kb, t: str) -> LiveAsk | None:
    """What a folded question asks of the status store, or None."""
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
