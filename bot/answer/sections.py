"""A section asked by its number: "mục 5.6", a bare "7" or "IV.3", "phần 4", a task "2.2.1";
a number that is no section gets a one-line hint."""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from bot.answer.model import Answer
from bot.answer.objectives import objectives_answer
from bot.answer.question import Question
from bot.answer.render import (
    agency_name,
    clean,
    group_title,
    lead_names,
    section_heading,
    section_label,
)
from bot.text import strip_marks

_PARTS = ("I", "II", "III", "IV")
# "mục IV.3", "2.2", "IV.3", "mục 7" anywhere in a question
_SECTION_RE = re.compile(
    r"(?:(?<![\w.])(?:muc|phan|nhom|khoan|tieu muc|nhiem vu)\s*(?P<roman>iv|iii|ii|i)"
    r"(?:\s*[.\-]\s*(?P<rsub>\d))?(?![\w.]))"
    r"|(?<![\w.,/])(?P<num>\d(?:\.\d){1,2})(?![\w,/]|\.\d)"
    r"|(?<![\w.,/])(?P<broman>iv|ii|i)\.(?P<bsub>\d)(?![\w,/]|\.\d)"
    r"|(?:(?<![\w.])(?:muc|nhom)\s+(?P<group>\d)(?![\w.]|\.\d))")
# "mục 9 …", "phần 4 nói gì": a number typed as a section's, known or not
_NO_SECTION_RE = re.compile(
    r"^(?P<head>muc|nhom|phan)\s+(?:so\s+)?(?P<id>\d+(?:\.\d+)*|[ivx]+(?:\.\d+)?)\b")


def _section_ids(kb, q: Question) -> list[str]:
    """The plan's section ids the question names, in order."""
    plain = strip_marks(q.raw.casefold()).replace("đ", "d")
    plain = re.sub(r"\s+", " ", plain)
    out: list[str] = []
    for m in _SECTION_RE.finditer(plain):
        if m.group("num"):
            sid = m.group("num")
        elif m.group("broman"):
            sid = f"{m.group('broman').upper()}.{m.group('bsub')}"
        elif m.group("roman"):
            sid = m.group("roman").upper() + (f".{m.group('rsub')}" if m.group("rsub") else "")
        else:
            sid = m.group("group")
        if _exists(kb, sid) and sid not in out:
            out.append(sid)
    return out


# a question that is nothing but a section number: "1", "7", "IV", "IV.3", "2.2.", "số 7",
# "mục số 7", "phần 4"
_BARE_NUMBER_RE = re.compile(
    r"^(?:(?P<head>muc|nhom|phan|tieu muc|khoan)\s*)?(?:so\s*)?"
    r"(?:(?P<roman>vi|v|iv|iii|ii|i)|(?P<num>\d{1,2}))(?P<rest>(?:\.\d{1,2}){0,2})$")
_ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV"}
_EDGE_PUNCT = re.compile(r"^[\s#.:;,!?\"'“”«»()\[\]-]+|[\s.:;,!?\"'“”«»()\[\]-]+$")


def _bare_number(q: Question) -> tuple[str, str] | None:
    """(section id, number as typed) when the question is only a section number: officials type a
    group's number ("7") meaning that section, never a topic."""
    typed = _EDGE_PUNCT.sub("", unicodedata.normalize("NFC", q.raw))
    m = _BARE_NUMBER_RE.match(" ".join(strip_marks(typed.casefold()).replace("đ", "d").split()))
    if not m:
        return None
    shown = (m.group("roman") or "").upper() or m.group("num")  # "mục 9" shows as “9”
    return (_typed_id(m.group("head"), m.group("roman") or m.group("num"), m.group("rest")),
            shown + m.group("rest"))


def _typed_id(head: str | None, number: str, rest: str) -> str:
    """A section id from what was typed: "phần 4" is part IV (parts are numbered I–IV)."""
    if number.isdigit():
        number = str(int(number))
        if head == "phan" and not rest and number in _ROMAN:
            return _ROMAN[number]
        return number + rest
    return number.upper() + rest


def _no_section(typed: str) -> Answer:
    """One line for a number that is no section of the plan ("mục 9", "2.9")."""
    return Answer("none", f"Không có mục “{typed}” trong Kế hoạch; ví dụ: mục 2.2 (các nhóm "
                          "nhiệm vụ 1 đến 8, mục tiêu II.1 đến II.6, tổ chức thực hiện IV.1 đến "
                          "IV.3).")


def by_section_number(kb, q: Question, today: date) -> Answer | None:
    """"mục 5.6", a bare "7" or "IV.3", "phần 4 nói gì": that section (or task, or part)."""
    bare = _bare_number(q)
    if bare:
        sid, typed = bare
        return _number_answer(kb, sid) if _exists(kb, sid) else _no_section(typed)
    ids = _section_ids(kb, q)
    if ids:
        return _number_answer(kb, ids[0])
    m = _NO_SECTION_RE.match(q.folded)
    if not m:
        return None
    num, dot, rest = m.group("id").partition(".")
    sid = _typed_id(m.group("head"), num, dot + rest)
    if not _exists(kb, sid):
        return _no_section(m.group("id").upper())  # "mục 2.8": say so rather than guess
    return _number_answer(kb, sid)  # "phần 4 nói gì", "mục số 7 gồm những gì"


def _exists(kb, sid: str) -> bool:
    """A part, section, objective or task of the plan."""
    return kb.item(sid) is not None or sid in _PARTS


def _number_answer(kb, sid: str) -> Answer:
    if sid in _PARTS:
        return _part_answer(kb, sid)
    item = kb.item(sid)
    if item is not None and not hasattr(item, "title"):  # a task id such as "2.2.1"
        return _task_answer(kb, item)
    return _section_answer(kb, sid)


def _task_answer(kb, task) -> Answer:
    s = kb.section(task.section)
    text = f"{section_heading(kb, s.id)}\nNhiệm vụ {task.id}:\n• {clean(task.text)}"
    names, aids = lead_names(kb, [s.id])
    return Answer("section", text, names, aids, (s.id,), (), (task.id,))


def _section_answer(kb, sid: str) -> Answer:
    s = kb.section(sid)
    tasks = list(kb.tasks_of(sid))
    if s.part == "III" and s.group is None:
        return _group_answer(kb, s, tasks)
    if s.part == "II":
        return _objective_section_answer(kb, s)
    lines = [section_heading(kb, sid)]
    group = group_title(kb, sid)
    if group:
        lines.append(f"(thuộc nhóm nhiệm vụ {group})")
    elif s.part in ("I", "IV"):
        lines[0] = f"{section_label(sid)} — {s.title}"
        if s.lead:
            partners = ", ".join(agency_name(kb, p) for p in s.partners)
            lines.append(f"Chủ trì: {agency_name(kb, s.lead)}"
                         + (f"; phối hợp: {partners}" if partners else ""))
    body = tasks or [s]
    lines += [f"• {clean(t.text)}" for t in body]
    ids = [s.lead] if s.lead else []
    ids += [p for p in s.partners if p not in ids]
    return Answer("section", "\n".join(lines), tuple(agency_name(kb, a) for a in ids),
                  tuple(ids), (sid,), (), tuple(t.id for t in tasks))


def _group_answer(kb, s, tasks: list) -> Answer:
    """A task group: its own bullets and its subsections."""
    lines = [f"Mục {s.id}. {s.title}"]
    subs = [x for x in kb.sections if x.group == s.id]
    if tasks:
        lines.append("Nhiệm vụ chung của các sở, ngành và UBND huyện, thành phố:" if
                     s.binds_all else "")
        lines += [f"• {clean(t.text)}" for t in tasks]
    for x in subs:
        lines.append(f"• {section_label(x.id)} — {agency_name(kb, x.lead)} "
                     f"({len(kb.tasks_of(x.id))} nhiệm vụ)")
    names, aids = lead_names(kb, [x.id for x in subs])
    return Answer("section", "\n".join(x for x in lines if x), names, aids,
                  (s.id, *[x.id for x in subs]), (), tuple(t.id for t in tasks))


def _objective_section_answer(kb, s) -> Answer:
    obj = kb.objective(s.id) if hasattr(kb, "objective") else None
    body = clean(obj.text if obj else s.text)
    text = f"{section_label(s.id)} (mục tiêu {s.id[3:]}) — {s.title}\n• {body}"
    return Answer("section", text, (), (), (s.id,))


def _part_answer(kb, part: str) -> Answer:
    if part == "II":
        return objectives_answer(kb)
    secs = [s for s in kb.sections if s.part == part and (part != "III" or s.group is None)]
    titles = {"I": "Mục đích, yêu cầu", "III": "Nội dung, nhiệm vụ", "IV": "Tổ chức thực hiện"}
    lines = [f"Phần {part}. {titles.get(part, '')}"]
    for s in secs:
        body = " ".join(clean(t.text) for t in kb.tasks_of(s.id)) or clean(s.text)
        lines.append(f"• {section_label(s.id)} — {s.title}" +
                     (f": {body}" if part != "III" else ""))
    return Answer("section", "\n".join(lines), (), (), tuple(s.id for s in secs))
