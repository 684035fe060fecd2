"""The periodic reports one agency owes (Mục IV.3): "bọn em bên BQL các KCN cần báo cáo gì"."""
from __future__ import annotations

from datetime import date

from bot.answer.deadline import DEADLINE_WORDS, asked_reports, cue_text
from bot.answer.model import Answer
from bot.answer.question import Question
from bot.answer.render import agency_name, clean, section_heading, trim
from bot.answer.schedule import deadline_answer, next_occurrence
from bot.answer.vocab import STOP, has_phrase

# words of "what must we report, when, to whom" besides the agency's name
_REPORT_DUTY_WORDS = DEADLINE_WORDS | {"bao", "cao", "nop", "gui", "dinh", "ky", "ket", "qua",
                                      "6", "sau", "hang", "cuoi", "nua", "ve", "dau", "ai",
                                      "cai", "loai", "nhung", "gi", "chung", "minh"}


def by_agency_reports(kb, q: Question, today: date) -> Answer | None:
    """"bọn em bên BQL các KCN cần báo cáo gì": the periodic reports that agency owes (IV.3),
    not a topic search for the word "báo cáo"."""
    t = cue_text(q)
    if not has_phrase(t, "bao cao"):
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
    reports = sorted(asked_reports(kb, t), key=lambda d: next_occurrence(d, today) or today)
    return agency_reports_answer(kb, ids[0], reports, today) if reports else None


def agency_reports_answer(kb, agency_id: str, reports, today: date) -> Answer:
    """The periodic reports one agency sends, when and to whom; and the reporting tasks it
    leads itself (Sở Công Thương sums them up for UBND tỉnh)."""
    a = kb.agency(agency_id)
    base = deadline_answer(kb, reports, today, where=False)
    lines = [_reports_head(kb, a, reports), base.text]
    sections = list(base.sections)
    own = [t for s in kb.sections_led_by(a.parent or a.id) if s.part == "IV"
           for t in kb.tasks_of(s.id) if "báo cáo" in t.text.casefold()]
    for t in own:
        lines.append(f"{section_heading(kb, t.section)}\n• «{trim(clean(t.text))}»")
        if t.section not in sections:
            sections.append(t.section)
    ids = [a.id] + [x for x in base.agency_ids if x != a.id]
    return Answer("deadline", "\n".join(lines), tuple(agency_name(kb, x) for x in ids),
                  tuple(ids), tuple(sections), (), base.tasks + tuple(t.id for t in own))


def _reports_head(kb, a, reports) -> str:
    """How often the agency reports and to whom; or, for the recipient, that it sums them up."""
    to = next((r.report_to for r in reports if r.report_to), None)
    kinds = sorted({"6 tháng" if (r.month or 12) <= 6 else "hằng năm" for r in reports})
    every = " và ".join(kinds)
    if to in (a.id, a.parent):
        return (f"{a.name} nhận báo cáo kết quả thực hiện định kỳ {every} của các sở, ngành, "
                "UBND huyện, thành phố (Mục IV.3) để tổng hợp, báo cáo UBND tỉnh.")
    return (f"{a.name} gửi báo cáo kết quả thực hiện Kế hoạch định kỳ {every}"
            + (f" về {agency_name(kb, to)}" if to else "") + " (Mục IV.3).")
