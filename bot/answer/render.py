"""Text helpers shared by the answers: names, section labels and headings, plan text cleaned
and cut into sentences. Everything quoted comes from the plan's text; nothing is paraphrased.
"""
from __future__ import annotations

import re


def agency_name(kb, aid: str | None) -> str:
    """The agency's name (its id when unknown, "" for none)."""
    if not aid:
        return ""
    try:
        return kb.agency(aid).name
    except KeyError:
        return aid


def today_note(kb, aid: str | None) -> str:
    """" (nay: Sở Tài chính)" after a plan name that no longer exists, else ""."""
    if not aid or not kb.is_former(aid):
        return ""
    holders = kb.successors(aid)
    if len(holders) > 4:  # a district: its communes, named in the agency's own answer
        return " (nay: UBND cấp xã trên địa bàn)"
    return f" (nay: {', '.join(h.name for h in holders)})" if holders else ""


def plan_ids(kb, aid: str) -> set[str]:
    """The plan's ids an agency answers for: itself, its collective, and for a unit of today
    the plan agencies it wholly took over (their collectives too; a split is task by task)."""
    a = kb.agency(aid)
    ids = {a.id, a.parent} - {None}
    for src, ch, _ in kb.inherited(aid):
        if ch is None or ch.kind != "split":
            ids |= {src.id, src.parent} - {None}
    return ids


def fmt_day(d) -> str:
    """"01/3/2025": the way the reorganisation's dates are written."""
    return f"{d.day:02d}/{d.month}/{d.year}"


def section_label(sid: str) -> str:
    return f"Mục {sid}"


def with_parent(kb, a) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names and ids of an agency and of the collective it belongs to, if any."""
    names = (a.name,) + ((agency_name(kb, a.parent),) if a.parent else ())
    aids = (a.id,) + ((a.parent,) if a.parent else ())
    return names, aids


def lead_names(kb, sids) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names and ids of the sections' leads, in order, each once."""
    ids: list[str] = []
    for sid in sids:
        s = kb.section(sid)
        if s.lead and s.lead not in ids:
            ids.append(s.lead)
    return tuple(agency_name(kb, a) for a in ids), tuple(ids)


def section_heading(kb, sid: str) -> str:
    """"Mục 2.2 — Sở Xây dựng (phối hợp: …)", or the title for a section with no lead."""
    s = kb.section(sid)
    who = agency_name(kb, s.lead) + today_note(kb, s.lead)
    if who:
        partners = ", ".join(agency_name(kb, p) + today_note(kb, p) for p in s.partners)
        return f"{section_label(sid)} — {who}" + (f" (phối hợp: {partners})" if partners else "")
    return f"{section_label(sid)} — {s.title}"


def clean(text: str) -> str:
    """Plan text without markdown emphasis and the closing "./."."""
    t = re.sub(r"\*+", "", text).replace("./.", ".")
    return " ".join(t.split())


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;])\s+(?=[A-ZĐÀ-Ỹ(])", clean(text)) if s]


def group_title(kb, sid: str) -> str:
    """"2. Title" of the task group a subsection belongs to ("" for none)."""
    s = kb.section(sid)
    if s.group:
        g = kb.section(s.group)
        return f"{g.id}. {g.title}"
    return ""


def trim(s: str, limit: int = 420) -> str:
    """At most `limit` characters, cut at a word and marked "…"."""
    return s if len(s) <= limit else s[:limit].rsplit(" ", 1)[0] + " …"
