"""Deadlines put in words: the next date of each (days left), who reports to whom, the plan's
sentence setting it; and the deadlines still ahead (/hanchot)."""
from __future__ import annotations

from calendar import monthrange
from datetime import date

from bot.answer.index import task_deadlines
from bot.answer.model import Answer
from bot.answer.render import agency_name, clean, section_label, sentences, trim
from bot.calendar import fmt_date
from bot.text import fold


def deadlines_for(kb, agency_id: str):
    """The deadlines binding an agency (its collective's and everyone's included)."""
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
        return deadline_answer(kb, [d for _, d in passed], today)
    ans = deadline_answer(kb, [d for _, d in coming], today)
    text = ans.text.replace("Hạn theo Kế hoạch", "Các hạn sắp tới theo Kế hoạch", 1)
    if passed:
        text += "\nĐã qua: " + "; ".join(
            f"{d.title} ({section_label(d.source)}, {fmt_date(o)})"
            for o, d in passed) + "."
        sections = ans.sections + tuple(dict.fromkeys(
            d.source for _, d in passed if d.source not in ans.sections))
    else:
        sections = ans.sections
    return Answer("deadline", text, ans.agencies, ans.agency_ids, sections, (), ans.tasks)


def next_occurrence(d, today: date) -> date | None:
    """The deadline's next date on or after today (the last one when all have passed)."""
    if d.due:
        return date.fromisoformat(d.due)
    last = None
    for y in range(d.from_year, d.to_year + 1):
        for month in d.months():  # one month, or twelve for a monthly report
            last = date(y, month, min(d.day, monthrange(y, month)[1]))
            if last >= today:
                return last
    return last


def _when(d, today: date) -> str:
    """"15/06/2026 (còn N ngày)", "(hạn là hôm nay)" or "(đã qua)"."""
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


def deadline_answer(kb, dls, today: date, where: bool = False) -> Answer:
    """Each deadline with its date (the next one of a recurring report, the days left), who
    does it and whom it goes to, and the plan's sentence setting it."""
    lines: list[str] = []
    sections: list[str] = []
    agencies: list[str] = []
    tasks: list[str] = []
    for d in dls:
        if d.source not in sections:
            sections.append(d.source)
        lines.append(_deadline_line(kb, d, today))
        agencies += [a for a in dict.fromkeys(_deadline_agencies(d)) if a not in agencies]
        linked = [t for t in kb.tasks if d.id in task_deadlines(kb, t.id)]
        tasks += [t.id for t in linked if t.id not in tasks]
        quote = _deadline_quote(kb, d, linked)
        if quote:
            lines.append(f"  Trích Kế hoạch: «{quote}»")
    head = f"Hạn theo Kế hoạch (tính đến ngày {fmt_date(today)}):"
    if where and dls and dls[0].report_to:
        head = (f"Báo cáo kết quả thực hiện gửi về {agency_name(kb, dls[0].report_to)}. " + head)
    return Answer("deadline", "\n".join([head, *_quotes_once(lines)]),
                  tuple(agency_name(kb, a) for a in agencies), tuple(agencies),
                  tuple(sections), (), tuple(tasks))


def _deadline_line(kb, d, today: date) -> str:
    """"• Title (Mục IV.3): hạn 15/06/2026 (còn N ngày), gửi …; thực hiện: …"."""
    src = d.source
    occ = _when(d, today)
    to = f", gửi {agency_name(kb, d.report_to)}" if d.report_to else ""
    if d.applies_to != "all":
        to += "; thực hiện: " + ", ".join(agency_name(kb, a) for a in d.applies_to)
    if d.recurring:
        every = {"monthly": f"{d.day} hằng tháng", "quarterly": f"{d.day} tháng cuối mỗi quý"}
        years = f"năm {d.from_year}" if d.from_year == d.to_year else \
            f"{d.from_year}-{d.to_year}"
        rule = f"trước ngày {every.get(d.frequency, f'{d.day}/{d.month} hằng năm')} ({years})"
        return f"• {d.title} ({section_label(src)}): {rule}{to}. Kỳ tới: {occ}."
    return f"• {d.title} ({section_label(src)}): hạn {occ}{to}."


def _deadline_agencies(d) -> list[str]:
    """Whom the deadline's report goes to, then who must meet it."""
    ids = [d.report_to] if d.report_to else []
    return ids + (list(d.applies_to) if d.applies_to != "all" else [])


def _quotes_once(lines: list[str]) -> list[str]:
    """The lines with a repeated quote left out: the two reports quote the same sentence."""
    seen = set()
    out = []
    for line in lines:
        if line.startswith("  Trích") and line in seen:
            continue
        seen.add(line)
        out.append(line)
    return out


def _deadline_quote(kb, d, linked) -> str:
    """The plan's text setting the deadline: the bullet when short, else its sentence that
    shares most words with the deadline's title and date."""
    texts = [t.text for t in linked] or [t.text for t in kb.tasks_of(d.source)]
    if not texts:
        try:
            texts = [kb.objective(d.source).text]
        except (KeyError, AttributeError):
            texts = [kb.section(d.source).text]
    if len(texts) == 1 and len(clean(texts[0])) <= 420:
        return clean(texts[0])
    sents = [s for t in texts for s in sentences(t)]
    if not sents:
        return ""
    want = fold(d.title).split() + [str(d.day or ""), str(d.month or "")]
    if d.due:
        want += [d.due[:4]]

    def overlap(s: str) -> int:
        fs = set(fold(s).split())
        return sum(1 for w in set(want) if w in fs)
    best = max(sents, key=overlap)
    return trim(best)
