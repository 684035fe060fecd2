"""Partnering: the tasks where the plan names an agency "phối hợp", an agency's own partners,
and what two agencies do together (one leads, the other partners)."""
from __future__ import annotations

from datetime import date

from bot.answer.deadline import deadline_cue
from bot.answer.model import Answer
from bot.answer.question import Question
from bot.answer.render import (
    agency_name,
    clean,
    plan_ids,
    section_heading,
    section_label,
    sentences,
    trim,
    with_parent,
)
from bot.answer.vocab import DUTY_WORDS, STOP, has_phrase
from bot.text import find_agencies


def asks_partner(q: Question) -> bool:
    """"Sở Xây dựng phối hợp những việc gì", "SXD phối hợp với ai": the partner side only
    ("chủ trì, phối hợp" asks about everything the agency does)."""
    return has_phrase(q.fixed, "phoi hop") and not has_phrase(q.fixed, "chu tri")


def asks_who_partners(q: Question) -> bool:
    """"ai phối hợp với Sở Xây dựng": the partners of the agency's own sections come first."""
    return has_phrase(q.fixed, "ai phoi hop", "co quan nao phoi hop", "don vi nao phoi hop",
                      "so nao phoi hop", "nganh nao phoi hop")


# words of "who works with whom" asked with no agency named: "phối hợp giữa các sở", "những
# việc cần phối hợp", "cơ quan nào phối hợp với nhau"
_COORDINATION_WORDS = {"giua", "nhau", "lien", "nganh", "quan", "don", "vi", "so", "cac",
                       "moi", "tat", "ca", "cung", "huyen", "dia", "phuong", "nhung", "viec",
                       "cong", "danh", "sach", "nhiem", "vu", "gi", "nao", "ai", "voi", "co",
                       "dong", "bo", "chat", "che", "hieu", "qua", "yeu", "cau"}


def by_coordination(kb, q: Question, today: date) -> Answer | None:
    """"Phối hợp" asked with no agency and no topic: who works with whom, section by section."""
    if not has_phrase(q.fixed, "phoi hop") or q.mentions or deadline_cue(q):
        return None
    words = q.fixed.split()
    if any(w not in _COORDINATION_WORDS and w not in DUTY_WORDS and w not in STOP
           for w in words):
        return None  # "phối hợp thu hút đầu tư", "quy chế phối hợp": a topic
    return coordination_answer(kb)


def coordination_answer(kb) -> Answer:
    """The plan's requirement to coordinate (Mục I.2), then each section naming its partners:
    lead → partners."""
    lines: list[str] = []
    sections: list[str] = []
    rule = _coordination_rule(kb)
    if rule:
        lines.append(f"Kế hoạch yêu cầu «{rule}» ({section_label(_RULE_SECTION)}).")
        sections.append(_RULE_SECTION)
    named = [s for s in kb.sections if s.lead and s.partners]
    lines.append(f"Các mục nêu tên cơ quan phối hợp ({len(named)} mục; cơ quan chủ trì → cơ quan "
                 "phối hợp):")
    for s in named:
        partners = ", ".join(agency_name(kb, p) for p in s.partners)
        lines.append(f"• {section_label(s.id)}: {agency_name(kb, s.lead)} → {partners}")
        sections.append(s.id)
    lines.append("Các mục khác ghi chung «phối hợp với các sở, ngành liên quan». Xin hỏi cụ thể "
                 "một cơ quan, ví dụ: “Sở Công Thương phối hợp những việc gì?”.")
    leads = list(dict.fromkeys(s.lead for s in named))
    # the agencies partnering most, offered: "Việc Sở Công Thương phối hợp"
    partners = list(dict.fromkeys(p for s in named for p in s.partners))
    partners.sort(key=lambda a: -sum(a in s.partners for s in named))
    names = [agency_name(kb, a) for a in partners[:3]]
    choices = tuple((f"Việc {n} phối hợp", f"{n} phối hợp những việc gì") for n in names)
    return Answer("topic", "\n".join(lines), tuple(agency_name(kb, a) for a in leads),
                  tuple(leads), tuple(sections), (), (), choices)


# the part of the plan's requirements that asks every body to work together
_RULE_SECTION = "I.2"


def _coordination_rule(kb) -> str:
    """The clause of Mục I.2 requiring coordination, "…" marking what is cut ("" if none)."""
    if not any(s.id == _RULE_SECTION for s in kb.sections):
        return ""
    for sent in sentences(kb.section(_RULE_SECTION).text):
        clauses = sent.split("; ")
        for k, c in enumerate(clauses):
            if "phối hợp" in c:
                last = k == len(clauses) - 1
                return trim(("… " if k else "") + (c.rstrip(".") if last else c + " …"))
    return ""


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
        found = trim(clean(task.text))
        for sent in sentences(task.text):
            if "phối hợp" in sent.casefold() and any(
                    m.agency_id in ids for m in find_agencies(kb, sent, fuzzy=False)):
                found = trim(sent)
                break
        _PARTNER_QUOTES[key] = found
    return found


def partner_answer(kb, agency_id: str, who_first: bool = False) -> Answer:
    """The tasks where the plan names the agency as partner ("phối hợp"), each with its
    section and lead; the sections it leads stay in `sections` (README: Command line)."""
    a = kb.agency(agency_id)
    ids = plan_ids(kb, a.id)
    led_ids = [s.id for s in kb.sections_held_by(a.id)]
    found = _partner_tasks(kb, ids)
    led = ", ".join(led_ids)
    if found:
        lines, tasks = _partnered_lines(kb, a.name, found, ids)
        if led:
            lines.append(f"Các mục {a.name} chủ trì: {led}.")
    else:
        lines = [f"Kế hoạch không nêu tên {a.name} là cơ quan phối hợp ở mục nào; các "
                 f"nhiệm vụ {a.name} chủ trì: {led}."]
        tasks = []
    helpers = _own_partners(kb, led_ids)
    if helpers:
        line = f"Cơ quan phối hợp ở các mục {a.name} chủ trì: {helpers}."
        lines.insert(0 if who_first else len(lines), line)
    names, aids = with_parent(kb, a)
    return Answer("agency", "\n".join(lines), names, aids, tuple(led_ids),
                  tuple(s for s in found if s not in led_ids), tuple(tasks))


def _partnered_lines(kb, name: str, found: dict[str, list], ids: set[str]
                     ) -> tuple[list[str], list[str]]:
    """Each section where the agency partners, with its lead and the sentences naming the
    agency; and the task ids quoted."""
    lines = [f"Kế hoạch nêu tên {name} là cơ quan phối hợp ở {len(found)} mục "
             f"({', '.join(found)}):"]
    tasks: list[str] = []
    for sid, ts in found.items():
        lines.append(f"{section_label(sid)} — {agency_name(kb, kb.section(sid).lead)} "
                     "chủ trì")
        for t in ts:
            lines.append(f"• «{_partner_quote(kb, t, ids)}»")
            tasks.append(t.id)
    return lines, tasks


def _own_partners(kb, led_ids: list[str]) -> str:
    """"Sở Kế hoạch và Đầu tư (Mục 2.2)": who partners the given sections, and where."""
    where: dict[str, list[str]] = {}
    for sid in led_ids:
        for p in kb.section(sid).partners:
            where.setdefault(p, []).append(sid)
    return "; ".join(f"{agency_name(kb, p)} (Mục {', '.join(sids)})"
                     for p, sids in where.items())


def pair_answer(kb, first: str, second: str) -> Answer:
    """What two agencies do together: the tasks one leads with the other named as partner."""
    a, b = kb.agency(first), kb.agency(second)
    ids_a, ids_b = plan_ids(kb, a.id), plan_ids(kb, b.id)
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
            lines.append(section_heading(kb, t.section))
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
