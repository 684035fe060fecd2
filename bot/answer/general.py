"""The duties binding every agency (Mục 1, IV.1, IV.3): "nhiệm vụ chung của các sở"."""
from __future__ import annotations

from datetime import date

from bot.answer.agency import duties
from bot.answer.deadline import deadline_cue
from bot.answer.model import Answer
from bot.answer.question import Question, districts_id
from bot.answer.render import clean, section_label
from bot.answer.vocab import DUTY_PHRASES, DUTY_WORDS, STOP, has_phrase
from bot.calendar import fmt_date

# words of "what must every agency do" besides duty words: "các sở", "mọi cơ quan", "tất cả
# sở, ngành và huyện"
_ALL_AGENCY_WORDS = {"cac", "moi", "tat", "ca", "toan", "bo", "so", "nganh", "co", "quan",
                     "don", "vi", "huyen", "thanh", "pho", "ubnd", "uy", "ban", "nhan", "dan",
                     "dia", "phuong", "cap", "tinh", "deu", "cung", "chung", "lien"}
# "every agency" said outright; "các sở" alone with a duty question means the same
_EVERY = ("moi co quan", "moi so", "moi nganh", "moi don vi", "tat ca", "toan bo", "cac so",
          "so nganh", "cac co quan", "cac nganh", "cac don vi", "cac huyen", "moi huyen")


def by_general_duties(kb, q: Question, today: date) -> Answer | None:
    """"nhiệm vụ chung của các sở", "mọi cơ quan phải làm gì": the duties binding every
    agency. Not "quy hoạch chung" (a topic) nor one named agency's duties."""
    words = q.fixed.split()
    if not ("chung" in words or has_phrase(q.fixed, *_EVERY)):
        return None
    if not has_phrase(q.fixed, *DUTY_PHRASES, "viec", "lam") or deadline_cue(q):
        return None  # "các sở nộp kế hoạch khi nào" is a deadline
    collective = districts_id(kb)
    if any(not m.weak and m.agency_id != collective for m in q.mentions):
        return None
    if any(w not in DUTY_WORDS and w not in STOP and w not in _ALL_AGENCY_WORDS
           for w in words):
        return None
    if "chung" not in words and "huyen" in words and not has_phrase(
            q.fixed, "so", "nganh", "co quan", "don vi"):
        return duties(kb, q, collective)  # "tất cả các huyện phải làm gì": the districts'
    return general_duties_answer(kb)


def general_duties_answer(kb) -> Answer:
    """Mục 1, IV.1 and IV.3, quoted: what every sở, ngành and district committee must do."""
    lines = ["Nhiệm vụ chung của mọi sở, ngành và UBND huyện, thành phố theo Kế hoạch:"]
    tasks: list[str] = []
    for sid in kb.general_section_ids:
        s = kb.section(sid)
        lines.append(f"{section_label(sid)} — {s.title}")
        for t in kb.tasks_of(sid) or ():
            lines.append(f"• «{clean(t.text)}»")
            tasks.append(t.id)
        for d in kb.deadlines:
            if d.source == sid and d.due:
                lines.append(f"  Hạn: {fmt_date(date.fromisoformat(d.due))}.")
    lines.append("Nhiệm vụ riêng của từng cơ quan: /nhiemvu CƠ QUAN, ví dụ: /nhiemvu Sở Xây dựng.")
    return Answer("agency", "\n".join(lines), (), (), tuple(kb.general_section_ids), (),
                  tuple(tasks))
