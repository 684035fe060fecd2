"""The plan as typed, immutable objects, loaded once per process from knowledge/kh147.json.

Public API (other modules rely on it):
    load_knowledge(path=None) -> Knowledge      cached per path; raises KnowledgeError
    parse_knowledge(raw: dict) -> Knowledge     validate an already-decoded file
    fold(text) -> str                           Vietnamese folding: NFC, lower case, no
                                                diacritics, đ→d, punctuation/space collapsed
    kb.document                                 Document (number, title, issued_by, date,
                                                signer, implements; extra: every other field,
                                                e.g. extra["signer_title"], extra["preamble"])
    kb.agencies / kb.agency(id)                 tuple[Agency] / Agency (KeyError if unknown)
    kb.sections / kb.section(id)                tuple[Section] / Section
    kb.tasks / kb.task(id)                      tuple[Task] / Task
    kb.objectives, kb.objective(id)             part II items with figures (dicts with name,
                                                value, unit, ...)
    kb.deadlines, kb.deadline(id)
    kb.places / kb.place(id)                    KCN/CCN the plan names, with the tasks naming them
    kb.glossary                                 tuple[GlossaryEntry] (abbr, expansion, aliases)
    kb.tasks_of(section_id)                     tasks of a section, in order
    kb.sections_led_by(agency_id)               sections whose lead is the agency (for a member
                                                district: its parent collective's sections)
    kb.partner_sections(agency_id)              sections naming it as partner, not lead
    kb.general_section_ids                      ("1", "IV.1", "IV.3"): binding every agency
    kb.children(agency_id)                      member units of a collective (districts)
    kb.item(id)                                 Task or Section for a task/section id, or None
    kb.resolve_agency(text)                     Agency whose name or alias folds to exactly the
                                                text ("Sở KH&ĐT", "so xay dung"), or None
    kb.resolve_place(text)                      Place likewise ("KCN Việt Hàn", "viet han"); the
                                                bare "Yên Lư" (a KCN and a CCN) names neither
    kb.alias_index                              {folded alias: agency id}, every name and alias
    kb.reporting_agencies()                     leads that report (ubnd_huyen replaced by its
                                                ten districts), in file order
    kb.deadlines_for(agency_id)                 deadlines binding the agency ("all", itself, or
                                                its parent collective, or an agency whose duties
                                                it took over)

Today's organisation (bot/organisation.py, knowledge/organisation.json), attached by
load_knowledge() to the default plan: kb.agencies then also holds the current units the plan
does not name ("Sở Tài chính", "UBND cấp xã", the 58 communes; Agency.plan is False), so every
agency lookup accepts current and former names.
    kb.org                                      the Organisation, or None
    kb.is_current(id) / kb.is_former(id)        a unit today / a plan agency that no longer is
    kb.successors(id)                           current Agencies holding a former one's duties
    kb.tasks_held_by(id), kb.sections_held_by(id)   what a unit holds today, own and inherited
                                                (without an organisation: what it leads)
    kb.inherited(id)                            (plan Agency, Change, task ids) per duty taken over
    kb.holders_of(task_id)                      current Agencies holding a task
    kb.current_of(id)                           the Agency itself when current, else its holders

Any plan file (an imported one, CONTRACT §2's schema) is checked by the same rules:
    validate_plan(raw) -> Knowledge             parse_knowledge under its other name
    load_plan(path) -> Knowledge                one plan file, without today's organisation
A plan other than KH147 describes its own shape in `shape` (parts, tasks_part,
general_sections, objectives_part, task_leads: "section" when every task has its section's
lead, "own" when a section headed by a theme leaves each task its own lead); without `shape`
the file has KH147's shape. A deadline may be monthly or quarterly (`frequency`, `day`, years;
a quarterly one falls in the quarter's last month).

Task.deadline is the first (nearest) deadline a bullet carries; Task.deadlines has all of them
(5.6.1 carries "5.6-2021" and "5.6-2025"). Task.places holds place ids (kb.place(id)).
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from bot.errors import ConfigError
from bot.validate import FieldReader
from bot.validate import where as _where

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "knowledge" / "kh147.json"
GENERAL_SECTIONS = ("1", "IV.1", "IV.3")
PARTS = ("I", "II", "III", "IV")
PLACE_KINDS = ("KCN", "CCN")
# section ids per part, as the plan numbers them
SECTION_ID = {"I": re.compile(r"I\.\d+"), "II": re.compile(r"II\.\d+"),
              "III": re.compile(r"\d+(\.\d+)?"), "IV": re.compile(r"IV\.\d+")}
FREQUENCIES = ("yearly", "quarterly", "monthly")


@dataclass(frozen=True)
class Shape:
    """What a plan file's numbering looks like; KH147's unless the file says otherwise."""
    parts: tuple[str, ...] = PARTS
    tasks_part: str | None = "III"
    general: tuple[str, ...] = GENERAL_SECTIONS
    objectives_part: str | None = "II"
    task_leads: str = "section"
    kh147: bool = True

    def id_pattern(self, part: str) -> re.Pattern:
        if self.kh147:
            return SECTION_ID[part]
        if part == self.tasks_part:
            return re.compile(r"\d+(\.[0-9a-zđ]+)*")
        return re.compile(re.escape(part) + r"(\.?[0-9A-Za-zđ]+)(\.[0-9a-zđx]+)*")


def _shape(raw: dict) -> Shape:
    sh = raw.get("shape")
    if sh is None:
        return Shape()
    if not isinstance(sh, dict):
        raise KnowledgeError("file: field 'shape' must be an object")
    parts = _strs(sh, "parts", "shape")
    general = _strs(sh, "general_sections", "shape", False)
    tasks_part = _opt_str(sh, "tasks_part", "shape", False)
    objectives_part = _opt_str(sh, "objectives_part", "shape", False)
    for name, p in (("tasks_part", tasks_part), ("objectives_part", objectives_part)):
        if p is not None and p not in parts:
            raise KnowledgeError(f"shape: {name} '{p}' is not one of the parts")
    leads = sh.get("task_leads", "section")
    if leads not in ("section", "own"):
        raise KnowledgeError("shape: task_leads must be 'section' or 'own'")
    return Shape(parts, tasks_part, general, objectives_part, leads, kh147=False)


class KnowledgeError(ConfigError):
    """The knowledge or organisation file is broken; the message names the place (a
    ConfigError: the command line prints the one line and exits 2)."""


_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Fold Vietnamese text for matching: 'Sở KH&ĐT' -> 'so kh dt', 'Hòa' -> 'hoa'."""
    s = unicodedata.normalize("NFC", text).lower().replace("đ", "d")
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", s).split())


@dataclass(frozen=True)
class Document:
    number: str
    title: str
    issued_by: str
    date: str
    signer: str
    implements: str
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def dated(self) -> str:
        """The date as a sentence gives it: "ngày 26/3/2026" for a plan dated by its day,
        "tháng 8/2021" by its month (KH147), "" with none."""
        if not self.date:
            return ""
        return f"{'ngày' if self.date.count('/') == 2 else 'tháng'} {self.date}"


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    aliases: tuple[str, ...]
    parent: str | None = None
    kind: str = ""
    short: str = ""  # the usual short form, e.g. "Sở KH&ĐT"
    plan: bool = True  # named in the plan; False for a unit of today's organisation only


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
    leads: tuple[str, ...] = ()  # when several units lead it together (lead is the first)


@dataclass(frozen=True)
class Task:
    id: str
    section: str
    lead: str | None
    partners: tuple[str, ...]
    text: str
    deadline: str | None = None
    places: tuple[str, ...] = ()  # place ids
    deadlines: tuple[str, ...] = ()  # every deadline the bullet carries; deadline is the first
    leads: tuple[str, ...] = ()  # when several units lead it together (lead is the first)


@dataclass(frozen=True)
class Objective:
    id: str
    text: str
    figures: tuple[dict, ...] = field(default=(), hash=False)  # dicts are not hashable
    title: str = ""


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
    note: str = ""  # how the date was read from the plan
    places: tuple[str, ...] = ()
    frequency: str = "yearly"  # of a rule: "yearly" (month and day) or "monthly" (day)

    @property
    def recurring(self) -> bool:
        return self.due is None

    def months(self) -> tuple[int, ...]:
        """The months a rule falls in each year: its month, or all twelve when monthly."""
        if self.frequency == "monthly":
            return tuple(range(1, 13))
        return (3, 6, 9, 12) if self.frequency == "quarterly" else (self.month,)


@dataclass(frozen=True)
class Place:
    id: str
    name: str  # "KCN Việt Hàn"
    kind: str  # "KCN" or "CCN"
    aliases: tuple[str, ...]
    tasks: tuple[str, ...]
    short: str = ""  # "Việt Hàn"
    deadlines: tuple[str, ...] = ()


@dataclass(frozen=True)
class GlossaryEntry:
    abbr: str
    expansion: str
    aliases: tuple[str, ...] = ()


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
    places: tuple[Place, ...] = ()
    glossary: tuple[GlossaryEntry, ...] = ()
    _place: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    _objective: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    _alias: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    _by_section: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    _place_alias: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    org: Any = field(default=None, compare=False, hash=False, repr=False)
    shape: Shape = field(default_factory=Shape, compare=False, hash=False, repr=False)

    @property
    def general_section_ids(self) -> tuple[str, ...]:
        return self.shape.general

    def agency(self, agency_id: str) -> Agency:
        return self._agency[agency_id]

    def section(self, section_id: str) -> Section:
        return self._section[section_id]

    def task(self, task_id: str) -> Task:
        return self._task[task_id]

    def deadline(self, deadline_id: str) -> Deadline:
        return self._deadline[deadline_id]

    def place(self, place_id: str) -> Place:
        return self._place[place_id]

    def objective(self, objective_id: str) -> Objective:
        return self._objective[objective_id]

    def item(self, item_id: str) -> Task | Section | None:
        return self._task.get(item_id) or self._section.get(item_id)

    def tasks_of(self, section_id: str) -> tuple[Task, ...]:
        return self._by_section.get(section_id, ())

    def children(self, agency_id: str) -> tuple[Agency, ...]:
        return tuple(a for a in self.agencies if a.parent == agency_id)

    def sections_led_by(self, agency_id: str) -> tuple[Section, ...]:
        lead = self._agency[agency_id].parent or agency_id
        if self.shape.task_leads == "own":  # a theme section: the unit leads some of its tasks
            own = {t.section for t in self.tasks if t.lead == lead or lead in t.leads}
            return tuple(s for s in self.sections
                         if s.lead == lead or lead in s.leads or s.id in own)
        return tuple(s for s in self.sections if s.lead == lead or lead in s.leads)

    def partner_sections(self, agency_id: str) -> tuple[Section, ...]:
        a = self._agency[agency_id]
        ids = {agency_id, a.parent} - {None}
        return tuple(s for s in self.sections if s.lead not in ids and ids & set(s.partners))

    @property
    def alias_index(self) -> dict[str, str]:
        return dict(self._alias)

    def resolve_agency(self, text: str) -> Agency | None:
        aid = self._alias.get(fold(text))
        return self._agency[aid] if aid else None

    def resolve_place(self, text: str) -> Place | None:
        pid = self._place_alias.get(fold(text))
        return self._place[pid] if pid else None

    def reporting_agencies(self) -> tuple[Agency, ...]:
        leads = {s.lead for s in self.sections if s.lead}
        out: list[Agency] = []
        for a in self.agencies:
            if a.id in leads and self.children(a.id):
                continue  # a collective reports through its member units
            if a.id in leads or (a.parent in leads):
                out.append(a)
        return tuple(out)

    def deadlines_for(self, agency_id: str) -> tuple[Deadline, ...]:
        a = self._agency[agency_id]
        ids = {agency_id, a.parent} - {None}
        for src, _, _ in self.inherited(agency_id):
            ids |= {src.id, src.parent} - {None}
        return tuple(d for d in self.deadlines
                     if d.applies_to == "all" or ids & set(d.applies_to))

    # --- today's organisation -------------------------------------------------------------

    def is_current(self, agency_id: str) -> bool:
        """A unit that exists today (every agency, when no organisation is attached)."""
        return self.org is None or self.org.is_current(agency_id)

    def is_former(self, agency_id: str) -> bool:
        return self.org is not None and agency_id in self._agency and not self.is_current(
            agency_id)

    def successors(self, agency_id: str, task_id: str | None = None) -> tuple[Agency, ...]:
        if not self.is_former(agency_id):
            return ()
        return tuple(self._agency[u] for u in self.org.holders(agency_id, task_id))

    def current_of(self, agency_id: str) -> tuple[Agency, ...]:
        """The agency itself when it exists today, else the units holding its duties."""
        if self.is_current(agency_id):
            return (self._agency[agency_id],)
        return self.successors(agency_id)

    def tasks_held_by(self, agency_id: str) -> tuple[Task, ...]:
        if self.org is None or not self.org.is_current(agency_id):
            led = tuple(t for s in self.sections_led_by(agency_id) for t in self.tasks_of(s.id))
            if self.shape.task_leads != "own":
                return led
            lead = self._agency[agency_id].parent or agency_id
            return tuple(t for t in self.tasks if t in led or t.lead == lead or lead in t.leads)
        held = set(self.org.held_tasks(agency_id))
        return tuple(t for t in self.tasks if t.id in held)

    def sections_held_by(self, agency_id: str) -> tuple[Section, ...]:
        """Subsections whose duties the unit holds today, its own and inherited, plan order."""
        if (self.org is None or not self.org.is_current(agency_id)) and \
                self.shape.task_leads != "own":
            return self.sections_led_by(agency_id)
        ids = {t.section for t in self.tasks_held_by(agency_id)}
        if self.shape.task_leads == "own":  # a theme section the unit leads as a whole
            ids |= {s.id for s in self.sections_led_by(agency_id)}
        return tuple(s for s in self.sections if s.id in ids)

    def inherited(self, agency_id: str) -> tuple[tuple[Agency, Any, tuple[str, ...]], ...]:
        if self.org is None:
            return ()
        return tuple((self._agency[src], ch, tids)
                     for src, ch, tids in self.org.sources(agency_id))

    def holders_of(self, task_id: str) -> tuple[Agency, ...]:
        if self.org is None:
            t = self._task[task_id]
            return (self._agency[t.lead],) if t.lead else ()
        return tuple(self._agency[u] for u in self.org.task_holders(task_id))


# --- field readers: each failure names the place (bot/validate.py) ---------------------------

_read = FieldReader(KnowledgeError)
_need, _str, _strs, _list = _read.need, _read.text, _read.texts, _read.items


def _opt_str(obj: dict, key: str, where: str, required: bool = True) -> str | None:
    v = _need(obj, key, where) if required else obj.get(key)
    if v is not None and (not isinstance(v, str) or not v.strip()):
        raise KnowledgeError(f"{where}: field '{key}' must be a string or null")
    return v


def _opt_int(obj: dict, key: str, where: str) -> int | None:
    v = obj.get(key)
    if v is not None and (not isinstance(v, int) or isinstance(v, bool)):
        raise KnowledgeError(f"{where}: field '{key}' must be an integer or null")
    return v


def _index(items, what: str) -> dict:
    out: dict = {}
    for it in items:
        if it.id in out:
            raise KnowledgeError(f"{what} '{it.id}': duplicate id")
        out[it.id] = it
    return out


# --- parsing ----------------------------------------------------------------------------------


def _document(raw: dict) -> Document:
    d = _need(raw, "document", "file")
    keys = ("number", "title", "issued_by", "date", "signer", "implements")
    return Document(**{k: _str(d, k, "document") for k in keys},
                    extra={k: v for k, v in d.items()})


def _agency(a: dict, where: str) -> Agency:
    return Agency(id=_str(a, "id", where), name=_str(a, "name", where),
                  aliases=_strs(a, "aliases", where), parent=_opt_str(a, "parent", where, False),
                  kind=a.get("kind") or "", short=a.get("short") or "")


def _section(s: dict, where: str, parts: tuple[str, ...] = PARTS) -> Section:
    part = _str(s, "part", where) if "part" in s else ""
    if part and part not in parts:
        raise KnowledgeError(f"{where}: part '{part}' is not one of {', '.join(parts)}")
    return Section(id=_str(s, "id", where), title=_str(s, "title", where),
                   lead=_opt_str(s, "lead", where), partners=_strs(s, "partners", where),
                   text=_str(s, "text", where), part=part,
                   group=_opt_str(s, "group", where, False),
                   binds_all=bool(s.get("binds_all", False)),
                   leads=_strs(s, "leads", where, False))


def _task(t: dict, where: str) -> Task:
    deadline = _opt_str(t, "deadline", where)
    deadlines = _strs(t, "deadlines", where, False) or ((deadline,) if deadline else ())
    return Task(id=_str(t, "id", where), section=_str(t, "section", where),
                lead=_opt_str(t, "lead", where), partners=_strs(t, "partners", where),
                text=_str(t, "text", where), deadline=deadline,
                places=_strs(t, "places", where, False), deadlines=deadlines,
                leads=_strs(t, "leads", where, False))


def _objective(o: dict, where: str) -> Objective:
    figures = o.get("figures", [])
    if not isinstance(figures, list) or not all(isinstance(f, dict) for f in figures):
        raise KnowledgeError(f"{where}: field 'figures' must be a list of objects")
    for k, f in enumerate(figures):
        if not isinstance(f.get("value"), int | float) or isinstance(f.get("value"), bool):
            raise KnowledgeError(f"{where} figures[{k}]: 'value' must be a number")
        _str(f, "unit", f"{where} figures[{k}]")
    return Objective(id=_str(o, "id", where), text=_str(o, "text", where),
                     figures=tuple(figures), title=o.get("title") or "")


def _deadline(x: dict, where: str) -> Deadline:
    applies = _need(x, "applies_to", where)
    if isinstance(applies, str):
        if applies != "all":
            raise KnowledgeError(f"{where}: applies_to must be a list of agency ids or 'all'")
    else:
        applies = _strs(x, "applies_to", where)
    return Deadline(id=_str(x, "id", where), title=_str(x, "title", where),
                    due=_opt_str(x, "due", where, False), month=_opt_int(x, "month", where),
                    day=_opt_int(x, "day", where), from_year=_opt_int(x, "from_year", where),
                    to_year=_opt_int(x, "to_year", where), applies_to=applies,
                    report_to=_opt_str(x, "report_to", where), source=_str(x, "source", where),
                    kind=x.get("kind") or "", note=x.get("note") or "",
                    places=_strs(x, "places", where, False),
                    frequency=x.get("frequency") or "yearly")


def _place(p: dict, where: str) -> Place:
    kind = _str(p, "kind", where)
    if kind not in PLACE_KINDS:
        raise KnowledgeError(f"{where}: kind '{kind}' is not KCN or CCN")
    return Place(id=_str(p, "id", where), name=_str(p, "name", where), kind=kind,
                 aliases=_strs(p, "aliases", where), tasks=_strs(p, "tasks", where),
                 short=p.get("short") or "", deadlines=_strs(p, "deadlines", where, False))


def _glossary(g: dict, where: str) -> GlossaryEntry:
    return GlossaryEntry(abbr=_str(g, "abbr", where), expansion=_str(g, "expansion", where),
                         aliases=_strs(g, "aliases", where, False))


def _typed(raw: dict, key: str, kind: str, make, required: bool = True) -> tuple:
    items = _list(raw, key) if required or key in raw else []
    return tuple(make(it, _where(kind, items, i)) for i, it in enumerate(items))


def parse_knowledge(raw: dict) -> Knowledge:
    if not isinstance(raw, dict):
        raise KnowledgeError("file: expected a JSON object at the top")
    shape = _shape(raw)
    document = _document(raw)
    agencies = _typed(raw, "agencies", "agency", _agency)
    sections = _typed(raw, "sections", "section",
                      lambda s, where: _section(s, where, shape.parts))
    tasks = _typed(raw, "tasks", "task", _task)
    objectives = _typed(raw, "objectives", "objective", _objective)
    deadlines = _typed(raw, "deadlines", "deadline", _deadline)
    places = _typed(raw, "places", "place", _place, required=False)
    glossary = _typed(raw, "glossary", "glossary entry", _glossary, required=False)
    by_section: dict[str, list[Task]] = {}
    for t in tasks:
        by_section.setdefault(t.section, []).append(t)
    kb = Knowledge(document, agencies, sections, tasks, objectives, deadlines, raw,
                   _index(agencies, "agency"), _index(sections, "section"), _index(tasks, "task"),
                   _index(deadlines, "deadline"), places, glossary,
                   _place=_index(places, "place"), _objective=_index(objectives, "objective"),
                   _alias=_alias_index(agencies),
                   _by_section={k: tuple(v) for k, v in by_section.items()},
                   _place_alias=_place_alias_index(places), shape=shape)
    _check_references(kb)
    _check_numbering(kb)
    _check_places(kb)
    _check_glossary(kb)
    return kb


def _alias_index(agencies: tuple[Agency, ...]) -> dict[str, str]:
    """Folded name/alias -> agency id; an alias naming two agencies is an error."""
    return _read.claim_names({}, agencies, "agency", fold, also="agency ")


def _place_alias_index(places: tuple[Place, ...]) -> dict[str, str]:
    return _read.claim_names({}, places, "place", fold, also="place ", empty_ok=True)


# --- cross-reference checks -------------------------------------------------------------------


def _check_references(kb: Knowledge) -> None:
    def agency_ref(aid, where):
        if aid is not None and aid not in kb._agency:
            raise KnowledgeError(f"{where}: unknown agency id '{aid}'")

    for a in kb.agencies:
        agency_ref(a.parent, f"agency '{a.id}' parent")
        if a.parent and kb._agency[a.parent].parent:
            raise KnowledgeError(f"agency '{a.id}': parent '{a.parent}' is itself a member unit")
    for s in kb.sections:
        _check_section(kb, s, agency_ref)
    for t in kb.tasks:
        _check_task(kb, t, agency_ref)
    for o in kb.objectives:
        sec = kb._section.get(o.id)
        if sec is None or sec.part not in ("", kb.shape.objectives_part):
            raise KnowledgeError(f"objective '{o.id}': no part {kb.shape.objectives_part} "
                                 f"section with this id")
    for x in kb.deadlines:
        _check_deadline(kb, x, agency_ref)
    for sid in kb.shape.general:
        if sid not in kb._section:
            raise KnowledgeError(f"general section '{sid}' is missing")


def _check_section(kb: Knowledge, s: Section, agency_ref) -> None:
    if s.part and not kb.shape.id_pattern(s.part).fullmatch(s.id):
        raise KnowledgeError(f"section '{s.id}': id is not numbered like part {s.part}")
    if s.binds_all != (s.id in kb.shape.general):
        raise KnowledgeError(f"section '{s.id}': binds_all must be true exactly for "
                             f"{', '.join(kb.shape.general) or 'no section'}")
    for lead in s.leads:
        agency_ref(lead, f"section '{s.id}' leads")
    if s.leads and s.leads[0] != s.lead:
        raise KnowledgeError(f"section '{s.id}': lead '{s.lead}' is not the first of its leads")
    agency_ref(s.lead, f"section '{s.id}' lead")
    for p in s.partners:
        agency_ref(p, f"section '{s.id}' partners")
    if s.id in kb._task:
        raise KnowledgeError(f"section '{s.id}': id is also a task id")
    if s.group is not None:
        if s.group not in kb._section:
            raise KnowledgeError(f"section '{s.id}': unknown group '{s.group}'")
        if not s.id.startswith(s.group + "."):
            raise KnowledgeError(f"section '{s.id}': id does not start with its group "
                                 f"'{s.group}.'")


def _check_task(kb: Knowledge, t: Task, agency_ref) -> None:
    sec = kb._section.get(t.section)
    if sec is None:
        raise KnowledgeError(f"task '{t.id}': unknown section '{t.section}'")
    agency_ref(t.lead, f"task '{t.id}' lead")
    for lead in t.leads:
        agency_ref(lead, f"task '{t.id}' leads")
    own = kb.shape.task_leads == "own" and sec.lead is None  # a theme: each task its own lead
    if t.lead != sec.lead and not own:
        raise KnowledgeError(f"task '{t.id}': lead '{t.lead}' differs from the lead "
                             f"'{sec.lead}' of section '{sec.id}'")
    for p in t.partners:
        agency_ref(p, f"task '{t.id}' partners")
    for d in (t.deadline, *t.deadlines):
        if d is not None and d not in kb._deadline:
            raise KnowledgeError(f"task '{t.id}': unknown deadline '{d}'")
    if t.deadline is not None and t.deadlines and t.deadline != t.deadlines[0]:
        raise KnowledgeError(f"task '{t.id}': deadline '{t.deadline}' is not the first of "
                             f"its deadlines")


def _check_deadline(kb: Knowledge, x: Deadline, agency_ref) -> None:
    where = f"deadline '{x.id}'"
    if x.source not in kb._section:
        raise KnowledgeError(f"{where}: unknown source section '{x.source}'")
    agency_ref(x.report_to, f"{where} report_to")
    if not isinstance(x.applies_to, str):
        if not x.applies_to:
            raise KnowledgeError(f"{where}: applies_to is empty")
        for aid in x.applies_to:
            agency_ref(aid, f"{where} applies_to")
    for pid in x.places:
        if pid not in kb._place:
            raise KnowledgeError(f"{where}: unknown place '{pid}'")
    if x.due is not None:
        try:
            date.fromisoformat(x.due)
        except ValueError as e:
            raise KnowledgeError(f"{where}: due '{x.due}' is not an ISO date") from e
        return
    if x.frequency not in FREQUENCIES:
        raise KnowledgeError(f"{where}: frequency '{x.frequency}' is not one of "
                             f"{', '.join(FREQUENCIES)}")
    if x.frequency in ("monthly", "quarterly"):
        if None in (x.day, x.from_year, x.to_year) or not 1 <= x.day <= 31:
            raise KnowledgeError(f"{where}: a {x.frequency} deadline needs day 1-31, "
                                 f"from_year, to_year")
        if x.from_year > x.to_year:
            raise KnowledgeError(f"{where}: from_year {x.from_year} is after to_year "
                                 f"{x.to_year}")
        return
    if None in (x.month, x.day, x.from_year, x.to_year):
        raise KnowledgeError(f"{where}: needs 'due' or month/day/from_year/to_year")
    try:
        date(x.from_year, x.month, x.day)
    except ValueError as e:
        raise KnowledgeError(f"{where}: month {x.month} day {x.day} is not a date") from e
    if x.from_year > x.to_year:
        raise KnowledgeError(f"{where}: from_year {x.from_year} is after to_year {x.to_year}")


def _check_numbering(kb: Knowledge) -> None:
    """Task ids are the section id plus the 1-based position: '2.2.1', '2.2.2', …, '1.3'."""
    seen: set[str] = set()
    last = None
    for t in kb.tasks:
        if t.section != last and t.section in seen:
            raise KnowledgeError(f"task '{t.id}': tasks of section '{t.section}' are not "
                                 f"listed together")
        seen.add(t.section)
        last = t.section
    for sid, tasks in kb._by_section.items():
        for k, t in enumerate(tasks, 1):
            if t.id != f"{sid}.{k}":
                raise KnowledgeError(f"task '{t.id}': id does not follow the numbering rule "
                                     f"(task {k} of section '{sid}' must be '{sid}.{k}')")


def _check_places(kb: Knowledge) -> None:
    for p in kb.places:
        for tid in p.tasks:
            if tid not in kb._task:
                raise KnowledgeError(f"place '{p.id}': unknown task '{tid}'")
            if p.id not in kb._task[tid].places:
                raise KnowledgeError(f"place '{p.id}': task '{tid}' does not list it in places")
        for did in p.deadlines:
            if did not in kb._deadline:
                raise KnowledgeError(f"place '{p.id}': unknown deadline '{did}'")
    for t in kb.tasks:
        for pid in t.places:
            if pid not in kb._place:
                raise KnowledgeError(f"task '{t.id}': unknown place '{pid}'")
            if t.id not in kb._place[pid].tasks:
                raise KnowledgeError(f"task '{t.id}': place '{pid}' does not list the task")


def _check_glossary(kb: Knowledge) -> None:
    seen: set[str] = set()
    for g in kb.glossary:
        key = fold(g.abbr)
        if key in seen:
            raise KnowledgeError(f"glossary entry '{g.abbr}': duplicate abbreviation")
        seen.add(key)


def with_organisation(kb: Knowledge, org) -> Knowledge:
    """The plan with today's organisation attached: the current units join kb.agencies (the
    plan's own agencies keep their names and gain today's spellings, "Sở Xây dựng Bắc Ninh")."""
    from dataclasses import replace

    province = [p for p in org.province.get("aliases", ()) if " " in p.strip()] or [
        "Bắc Ninh", "tỉnh Bắc Ninh"]
    agencies: list[Agency] = []
    for a in kb.agencies:
        if org.is_current(a.id):
            u = org.unit(a.id)
            a = replace(a, aliases=_with_province(a, [*a.aliases, *u.aliases], province))
        agencies.append(a)
    for u in org.units:
        if u.id in kb._agency:
            continue
        new = Agency(id=u.id, name=u.name, aliases=tuple(u.aliases), kind=u.kind,
                     short=u.short, plan=False, parent=u.collective)
        if u.collective is None:
            new = replace(new, aliases=_with_province(new, list(u.aliases), province))
        agencies.append(new)
    agencies_t = tuple(agencies)
    return replace(kb, agencies=agencies_t, _agency=_index(agencies_t, "agency"),
                   _alias=_alias_index(agencies_t), org=org)


def _with_province(a: Agency, aliases: list[str], province: list[str]) -> tuple[str, ...]:
    """Aliases plus each spelling followed by the province's name ("SXD Bắc Ninh")."""
    out = list(dict.fromkeys(aliases))
    seen = {fold(x) for x in (a.name, *out)}
    for name in dict.fromkeys([a.name, a.short, *aliases]):
        if not name or "ninh" in fold(name) or len(fold(name)) < 3:
            continue
        base = name[:-len(" tỉnh")] if name.endswith(" tỉnh") else name
        for p in province:
            if fold(f"{base} {p}") not in seen:  # one spelling per folded form
                seen.add(fold(f"{base} {p}"))
                out.append(f"{base} {p}")
    return tuple(out)


def validate_plan(raw: dict) -> Knowledge:
    """Any plan file's data, checked as strictly as knowledge/kh147.json; KnowledgeError names
    the place of the first fault."""
    return parse_knowledge(raw)


def load_plan(path: str | Path) -> Knowledge:
    """One plan file, validated, without today's organisation attached."""
    return _load_plan(path)


@cache
def load_knowledge(path: str | Path | None = None) -> Knowledge:
    """The plan; the default plan comes with today's organisation (knowledge/organisation.json)."""
    kb = _load_plan(path)
    if path is not None and Path(path).resolve() != DEFAULT_PATH:
        return kb
    from bot.organisation import OrganisationError, load_organisation
    try:
        org = load_organisation(kb)
    except OrganisationError as e:
        raise KnowledgeError(str(e)) from None
    return with_organisation(kb, org) if org is not None else kb


def _load_plan(path: str | Path | None) -> Knowledge:
    p = Path(path) if path else DEFAULT_PATH
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise KnowledgeError(f"{p}: file not found") from e
    except json.JSONDecodeError as e:
        raise KnowledgeError(f"{p}: invalid JSON at line {e.lineno}: {e.msg}") from e
    try:
        return parse_knowledge(raw)
    except KnowledgeError as e:
        raise KnowledgeError(f"{p.name}: {e}") from None


# --- several plans ------------------------------------------------------------------------

DEFAULT_PLAN = "kh147"
PLAN_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_LEAD_IN = {"theo", "cua", "trong", "thuoc", "o", "tai", "ve"}
_PLAN_WORDS = (("ke", "hoach"), ("kh",))
_DOC_WORDS = (("nghi", "quyet"), ("nq",), ("chi", "thi"), ("ct",))
# title words too common among plans of this kind to tell one from another
_COMMON = {"ke", "hoach", "thuc", "hien", "trien", "khai", "nghi", "quyet", "so", "cua", "tinh",
           "uy", "ve", "phat", "tren", "dia", "ban", "giai", "doan", "nam", "va", "cac",
           "ngay", "thuong", "vu", "nq", "tu", "ubnd", "kh", "khu", "cum", "cong",
           "nghiep", "chi", "thi", "ct", "den", "tam", "nhin"}


@dataclass(frozen=True)
class Plans:
    """Every plan the bot serves: KH147 (`kh147`, the default) first, then PLANS_DIR's files
    by name."""
    by_id: dict[str, Knowledge]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.by_id)

    @property
    def default(self) -> Knowledge:
        return self.by_id[DEFAULT_PLAN]

    def get(self, plan_id: str) -> Knowledge:
        return self.by_id[plan_id]

    def named_in(self, question: str) -> tuple[str, str] | None:
        """The plan a question names ("kế hoạch 134", "KH134", "134/KH-UBND", "nghị quyết
        34", "KH khoáng sản") and the question without those words; None when it names none
        or names it ambiguously."""
        words = [(m.start(), m.end(), fold(m.group(0))) for m in re.finditer(r"\S+", question)]
        for i in range(len(words)):
            hit = self._plan_at(words, i)
            if hit is not None:
                pid, j = hit
                start = words[i - 1][0] if i and words[i - 1][2] in _LEAD_IN else words[i][0]
                rest = (question[:start] + question[words[j - 1][1]:]).strip(" ,.?")
                return pid, " ".join(rest.split()) or question
        return None

    def _plan_at(self, words: list, i: int) -> tuple[str, int] | None:
        folded = [w for _, _, w in words]
        for kind, phrases in (("plan", _PLAN_WORDS), ("doc", _DOC_WORDS)):
            for phrase in phrases:
                n = len(phrase)
                head = " ".join(folded[i:i + n])
                glued = re.fullmatch(rf"{''.join(phrase)}\s?(\d+)", folded[i])  # "kh134"
                if glued:
                    return self._by_number(glued.group(1), kind, i + 1)
                if head != " ".join(phrase):
                    continue
                j = i + n
                if j < len(folded) and folded[j] == "so":
                    j += 1
                if j < len(folded) and re.match(r"\d+", folded[j]):
                    return self._by_number(re.match(r"\d+", folded[j]).group(0), kind, j + 1)
                if kind == "plan":
                    return self._by_title(folded, j)
        m = re.fullmatch(r"(\d+) kh ubnd", folded[i])  # "134/KH-UBND"
        return self._by_number(m.group(1), "plan", i + 1) if m else None

    def _by_number(self, number: str, kind: str, end: int) -> tuple[str, int] | None:
        found = []
        for pid, kb in self.by_id.items():
            own = re.match(r"\d+", kb.document.number)
            doc = re.search(r"\d+", kb.document.extra.get("implements_short") or
                            kb.document.implements)
            ids = re.search(r"\d+", pid)
            numbers = {own.group(0) if own else None, ids.group(0) if ids else None} \
                if kind == "plan" else {doc.group(0) if doc else None}
            if number.lstrip("0") in {x.lstrip("0") for x in numbers if x}:
                found.append(pid)
        return (found[0], end) if len(found) == 1 else None

    def _by_title(self, folded: list[str], j: int) -> tuple[str, int] | None:
        """"KH khoáng sản": the words after "kế hoạch" that only one plan's title has."""
        words = [w for w in folded[j:j + 3] if w not in _COMMON and len(w) > 1]
        best, end = None, j
        for k in range(len(words), 0, -1):
            phrase = " ".join(words[:k])
            hits = [pid for pid, kb in self.by_id.items()
                    if re.search(rf"\b{re.escape(phrase)}\b", fold(kb.document.title))]
            if len(hits) == 1:
                best, end = hits[0], j + folded[j:].index(words[k - 1]) + 1
                break
        return (best, end) if best else None

    def pick(self, question: str) -> tuple[str, str]:
        """(plan id, question to answer): the plan the question names, else the default."""
        return self.named_in(question) or (DEFAULT_PLAN, question)


@cache
def load_plans(plans_dir: str | None = None) -> Plans:
    """KH147 and every `*.json` of plans_dir (PLANS_DIR), each validated like kh147.json;
    a broken file stops with a line naming it."""
    by_id = {DEFAULT_PLAN: load_knowledge()}
    if plans_dir:
        for path in sorted(Path(plans_dir).glob("*.json")):
            pid = path.stem
            if pid == DEFAULT_PLAN:
                raise KnowledgeError(f"{path}: '{DEFAULT_PLAN}' là Kế hoạch mặc định, luôn được "
                                     f"nạp; xin đặt tên tệp khác")
            if not PLAN_ID.fullmatch(pid):
                raise KnowledgeError(f"{path}: tên tệp là mã kế hoạch: chỉ chữ thường không "
                                     f"dấu, chữ số, - và _")
            by_id[pid] = load_plan(path)
    return Plans(by_id)
