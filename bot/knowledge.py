"""The plan as typed, immutable objects, loaded once per process from knowledge/kh147.json.

Public API (other modules rely on it):
    load_knowledge(path=None) -> Knowledge      cached per path; raises KnowledgeError
    kb.document                                 Document
    kb.agencies / kb.agency(id)                 tuple[Agency] / Agency (KeyError if unknown)
    kb.sections / kb.section(id)                tuple[Section] / Section
    kb.tasks / kb.task(id)                      tuple[Task] / Task
    kb.objectives, kb.deadlines, kb.deadline(id)
    kb.tasks_of(section_id)                     tasks of a section, in order
    kb.sections_led_by(agency_id)               sections whose lead is the agency (for a member
                                                district: its parent collective's sections)
    kb.partner_sections(agency_id)              sections naming it as partner, not lead
    kb.general_section_ids                      ("1", "IV.1", "IV.3"): binding every agency
    kb.children(agency_id)                      member units of a collective (districts)
    kb.item(id)                                 Task or Section for a task/section id, or None
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "knowledge" / "kh147.json"
GENERAL_SECTIONS = ("1", "IV.1", "IV.3")


class KnowledgeError(ValueError):
    """The knowledge file is broken; the message names the place."""


@dataclass(frozen=True)
class Document:
    number: str
    title: str
    issued_by: str
    date: str
    signer: str
    implements: str
    extra: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    aliases: tuple[str, ...]
    parent: str | None = None
    kind: str = ""


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    lead: str | None
    partners: tuple[str, ...]
    text: str
    part: str = ""  # "I", "II", "III", "IV"
    group: str | None = None  # "2" for "2.2"; None for a group itself and parts I, II, IV
    binds_all: bool = False


@dataclass(frozen=True)
class Task:
    id: str
    section: str
    lead: str | None
    partners: tuple[str, ...]
    text: str
    deadline: str | None = None
    places: tuple[str, ...] = ()


@dataclass(frozen=True)
class Objective:
    id: str
    text: str
    figures: tuple[dict, ...] = ()


@dataclass(frozen=True)
class Deadline:
    id: str
    title: str
    due: str | None  # ISO date for a one-off
    month: int | None
    day: int | None
    from_year: int | None
    to_year: int | None
    applies_to: tuple[str, ...] | str  # agency ids or "all"
    report_to: str | None
    source: str
    kind: str = ""  # "report" for the IV.3 periodic reports, "milestone", "plan", "target"

    @property
    def recurring(self) -> bool:
        return self.due is None


@dataclass(frozen=True)
class Knowledge:
    document: Document
    agencies: tuple[Agency, ...]
    sections: tuple[Section, ...]
    tasks: tuple[Task, ...]
    objectives: tuple[Objective, ...]
    deadlines: tuple[Deadline, ...]
    raw: dict = field(compare=False, hash=False, repr=False)
    _agency: dict = field(compare=False, hash=False, repr=False)
    _section: dict = field(compare=False, hash=False, repr=False)
    _task: dict = field(compare=False, hash=False, repr=False)
    _deadline: dict = field(compare=False, hash=False, repr=False)

    general_section_ids = GENERAL_SECTIONS

    def agency(self, agency_id: str) -> Agency:
        return self._agency[agency_id]

    def section(self, section_id: str) -> Section:
        return self._section[section_id]

    def task(self, task_id: str) -> Task:
        return self._task[task_id]

    def deadline(self, deadline_id: str) -> Deadline:
        return self._deadline[deadline_id]

    def item(self, item_id: str) -> Task | Section | None:
        return self._task.get(item_id) or self._section.get(item_id)

    def tasks_of(self, section_id: str) -> tuple[Task, ...]:
        return tuple(t for t in self.tasks if t.section == section_id)

    def children(self, agency_id: str) -> tuple[Agency, ...]:
        return tuple(a for a in self.agencies if a.parent == agency_id)

    def sections_led_by(self, agency_id: str) -> tuple[Section, ...]:
        lead = self._agency[agency_id].parent or agency_id
        return tuple(s for s in self.sections if s.lead == lead)

    def partner_sections(self, agency_id: str) -> tuple[Section, ...]:
        a = self._agency[agency_id]
        ids = {agency_id, a.parent} - {None}
        return tuple(s for s in self.sections if s.lead not in ids and ids & set(s.partners))


def _need(obj: dict, key: str, where: str) -> Any:
    if key not in obj:
        raise KnowledgeError(f"{where}: missing field '{key}'")
    return obj[key]


def _index(items, what: str) -> dict:
    out: dict = {}
    for it in items:
        if it.id in out:
            raise KnowledgeError(f"{what} '{it.id}': duplicate id")
        out[it.id] = it
    return out


def parse_knowledge(raw: dict) -> Knowledge:
    d = _need(raw, "document", "file")
    document = Document(**{k: str(_need(d, k, "document")) for k in
                           ("number", "title", "issued_by", "date", "signer", "implements")},
                        extra={k: v for k, v in d.items()})
    agencies = tuple(
        Agency(id=_need(a, "id", f"agencies[{i}]"), name=_need(a, "name", f"agencies[{i}]"),
               aliases=tuple(_need(a, "aliases", f"agency {a.get('id')}")),
               parent=a.get("parent"), kind=a.get("kind", ""))
        for i, a in enumerate(_need(raw, "agencies", "file")))
    sections = tuple(
        Section(id=str(_need(s, "id", f"sections[{i}]")), title=_need(s, "title", f"section {s.get('id')}"),
                lead=_need(s, "lead", f"section {s.get('id')}"),
                partners=tuple(_need(s, "partners", f"section {s.get('id')}")),
                text=_need(s, "text", f"section {s.get('id')}"), part=s.get("part", ""),
                group=s.get("group"), binds_all=bool(s.get("binds_all", False)))
        for i, s in enumerate(_need(raw, "sections", "file")))
    tasks = tuple(
        Task(id=str(_need(t, "id", f"tasks[{i}]")), section=str(_need(t, "section", f"task {t.get('id')}")),
             lead=_need(t, "lead", f"task {t.get('id')}"),
             partners=tuple(_need(t, "partners", f"task {t.get('id')}")),
             text=_need(t, "text", f"task {t.get('id')}"),
             deadline=_need(t, "deadline", f"task {t.get('id')}"), places=tuple(t.get("places", ())))
        for i, t in enumerate(_need(raw, "tasks", "file")))
    objectives = tuple(
        Objective(id=_need(o, "id", f"objectives[{i}]"), text=_need(o, "text", f"objective {o.get('id')}"),
                  figures=tuple(o.get("figures", ())))
        for i, o in enumerate(_need(raw, "objectives", "file")))
    deadlines = tuple(
        Deadline(id=_need(x, "id", f"deadlines[{i}]"), title=_need(x, "title", f"deadline {x.get('id')}"),
                 due=x.get("due"), month=x.get("month"), day=x.get("day"),
                 from_year=x.get("from_year"), to_year=x.get("to_year"),
                 applies_to=(x["applies_to"] if isinstance(_need(x, "applies_to", f"deadline {x.get('id')}"), str)
                             else tuple(x["applies_to"])),
                 report_to=_need(x, "report_to", f"deadline {x.get('id')}"),
                 source=str(_need(x, "source", f"deadline {x.get('id')}")), kind=x.get("kind", ""))
        for i, x in enumerate(_need(raw, "deadlines", "file")))
    kb = Knowledge(document, agencies, sections, tasks, objectives, deadlines, raw,
                   _index(agencies, "agency"), _index(sections, "section"), _index(tasks, "task"),
                   _index(deadlines, "deadline"))
    _check_references(kb)
    return kb


def _check_references(kb: Knowledge) -> None:
    def agency_ref(aid, where):
        if aid is not None and aid not in kb._agency:
            raise KnowledgeError(f"{where}: unknown agency id '{aid}'")

    for a in kb.agencies:
        agency_ref(a.parent, f"agency {a.id} parent")
    for s in kb.sections:
        agency_ref(s.lead, f"section {s.id} lead")
        for p in s.partners:
            agency_ref(p, f"section {s.id} partners")
    for t in kb.tasks:
        if t.section not in kb._section:
            raise KnowledgeError(f"task {t.id}: unknown section '{t.section}'")
        agency_ref(t.lead, f"task {t.id} lead")
        for p in t.partners:
            agency_ref(p, f"task {t.id} partners")
        if t.deadline is not None and t.deadline not in kb._deadline:
            raise KnowledgeError(f"task {t.id}: unknown deadline '{t.deadline}'")
    for x in kb.deadlines:
        if x.source not in kb._section:
            raise KnowledgeError(f"deadline {x.id}: unknown source section '{x.source}'")
        agency_ref(x.report_to, f"deadline {x.id} report_to")
        if not isinstance(x.applies_to, str):
            for aid in x.applies_to:
                agency_ref(aid, f"deadline {x.id} applies_to")
        elif x.applies_to != "all":
            raise KnowledgeError(f"deadline {x.id}: applies_to must be a list or 'all'")
        if x.due is None and None in (x.month, x.day, x.from_year, x.to_year):
            raise KnowledgeError(f"deadline {x.id}: needs 'due' or month/day/from_year/to_year")


@cache
def load_knowledge(path: str | Path | None = None) -> Knowledge:
    p = Path(path) if path else DEFAULT_PATH
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise KnowledgeError(f"{p}: file not found") from e
    except json.JSONDecodeError as e:
        raise KnowledgeError(f"{p}: invalid JSON at line {e.lineno}: {e.msg}") from e
    return parse_knowledge(raw)
