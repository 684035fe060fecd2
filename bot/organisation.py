"""Today's organisation of the province, apart from the plan: knowledge/organisation.json.

The plan (knowledge/kh147.json) keeps its 2021 names. This file says which units exist today
and who holds the duties of a unit the plan names that no longer exists (the 2025 mergers, the
split of Sở Lao động, Thương binh và Xã hội task by task, the districts replaced by communes).
The operator edits it when the next reform comes; a broken file stops start-up with a line
naming the place. `communes` and `former_districts` are written by
knowledge/build_organisation.py from the packages `vietnam-provinces` and `vietnamadminunits`.

Public API:
    parse_organisation(raw, plan) -> Organisation    validate against the plan (its agency and
                                                     task ids); raises OrganisationError
    load_organisation(plan, path=None)               the same from the file (None when absent
                                                     and no path was asked for)
    org.units / org.unit(id)                         current units (departments, boards,
                                                     the collective "UBND cấp xã", communes)
    org.is_current(id)                               a unit that exists today
    org.holders(agency_id, task_id=None)             current units holding a plan agency's
                                                     duties (for a split: of that task)
    org.change_of(agency_id)                         the Change that ended a plan agency
    org.held_tasks(unit_id)                          plan task ids the unit holds today
    org.sources(unit_id)                             (plan agency id, Change, task ids): where
                                                     the unit's inherited duties come from
    org.communes_of(district_id)                     communes now covering a former district
    org.setting(name)                                an operator setting (so_ngoai_vu_kept)
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.validate import FieldReader
from bot.validate import where as _where

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "knowledge" / "organisation.json"
UNIT_KINDS = ("department", "office", "board", "inspectorate", "police", "collective",
              "commune", "ward")
CHANGE_KINDS = ("merge", "split", "territory")
# the settings an operator may change, with their defaults
SETTINGS = {"so_ngoai_vu_kept": True}
COLLECTIVE = "ubnd_cap_xa"  # "UBND cấp xã": the communes together
DISTRICTS = "districts"  # a territory change's `from`: every member district of the plan


class OrganisationError(ValueError):
    """The organisation file is broken; the message names the place."""


@dataclass(frozen=True)
class Unit:
    id: str
    name: str  # "Sở Tài chính", "UBND phường Nếnh", "UBND cấp xã"
    kind: str
    since: date | None
    aliases: tuple[str, ...]
    short: str = ""
    note: str = ""
    covers: tuple[str, ...] = ()  # a commune: the plan's district ids it now covers
    code: int | None = None  # a commune's code (vietnam-provinces)
    collective: str | None = None  # a commune: "ubnd_cap_xa"


@dataclass(frozen=True)
class TaskShare:
    to: str  # unit id
    about: str = ""


@dataclass(frozen=True)
class Change:
    id: str
    date: date
    kind: str  # "merge" (one or many into one), "split" (task by task), "territory"
    source: str
    from_id: str  # a plan agency id (or an earlier unit), or "districts"
    to: str | None = None  # merge: the unit that took over
    tasks: dict = field(default_factory=dict, hash=False)  # split: task id -> TaskShare
    note: str = ""
    unless: str | None = None  # a setting that, when true, cancels the change


@dataclass(frozen=True)
class Organisation:
    province: dict = field(hash=False)
    settings: dict = field(hash=False)
    units: tuple[Unit, ...]
    changes: tuple[Change, ...]  # those that apply (a change cancelled by a setting is left out)
    former_districts: dict = field(hash=False)  # district id -> commune ids
    raw: dict = field(compare=False, hash=False, repr=False)
    _unit: dict = field(compare=False, hash=False, repr=False)
    _ended: dict = field(compare=False, hash=False, repr=False)  # agency id -> Change
    _held: dict = field(compare=False, hash=False, repr=False)  # unit id -> task ids
    _sources: dict = field(compare=False, hash=False, repr=False)
    _task_holders: dict = field(compare=False, hash=False, repr=False)  # task id -> unit ids

    def unit(self, unit_id: str) -> Unit:
        return self._unit[unit_id]

    def is_current(self, unit_id: str) -> bool:
        return unit_id in self._unit and unit_id not in self._ended

    def setting(self, name: str) -> Any:
        return self.settings[name]

    def change_of(self, agency_id: str) -> Change | None:
        return self._ended.get(agency_id)

    @property
    def communes(self) -> tuple[Unit, ...]:
        return tuple(u for u in self.units if u.collective == COLLECTIVE)

    def communes_of(self, district_id: str) -> tuple[Unit, ...]:
        return tuple(self._unit[c] for c in self.former_districts.get(district_id, ()))

    def holders(self, agency_id: str, task_id: str | None = None) -> tuple[str, ...]:
        """Current units holding the agency's duties (of `task_id` only, for a split)."""
        return _holders(self, agency_id, task_id, ())

    def held_tasks(self, unit_id: str) -> tuple[str, ...]:
        return self._held.get(unit_id, ())

    def task_holders(self, task_id: str) -> tuple[str, ...]:
        """Current units holding a task (the communes of a district duty: the collective)."""
        return self._task_holders.get(task_id, ())

    def sources(self, unit_id: str) -> tuple[tuple[str, Change, tuple[str, ...]], ...]:
        """(plan agency id, the change, the task ids) for each duty the unit took over."""
        return self._sources.get(unit_id, ())


def _holders(org: Organisation, agency_id: str, task_id: str | None,
             seen: tuple[str, ...]) -> tuple[str, ...]:
    if agency_id in seen:
        raise OrganisationError(f"changes: '{agency_id}' succeeds itself through "
                                f"{' -> '.join(seen)}")
    change = org._ended.get(agency_id)
    if change is None:
        return (agency_id,) if agency_id in org._unit else ()
    chain = (*seen, agency_id)
    if change.kind == "merge":
        return _holders(org, change.to, task_id, chain)
    if change.kind == "split":
        shares = [change.tasks[task_id]] if task_id in change.tasks else list(
            change.tasks.values())
        return tuple(dict.fromkeys(h for s in shares for h in _holders(org, s.to, None, chain)))
    return tuple(dict.fromkeys(h for c in org.former_districts.get(agency_id, ())
                               for h in _holders(org, c, None, chain)))


# --- field readers: each failure names the place (bot/validate.py) ---------------------------

_read = FieldReader(OrganisationError)
_need, _str, _strs, _list = _read.need, _read.text, _read.texts, _read.items


def _date(obj: dict, key: str, where: str, required: bool = True) -> date | None:
    v = _need(obj, key, where) if required else obj.get(key)
    if v is None and not required:
        return None
    try:
        return date.fromisoformat(v)
    except (TypeError, ValueError):
        raise OrganisationError(f"{where}: field '{key}' must be an ISO date "
                                f"(YYYY-MM-DD), not {v!r}") from None


# --- parsing ----------------------------------------------------------------------------------


def _unit(u: dict, where: str) -> Unit:
    kind = _str(u, "kind", where)
    if kind not in UNIT_KINDS:
        raise OrganisationError(f"{where}: kind '{kind}' is not one of {', '.join(UNIT_KINDS)}")
    return Unit(id=_str(u, "id", where), name=_str(u, "name", where), kind=kind,
                since=_date(u, "since", where, False), aliases=_strs(u, "aliases", where, False),
                short=_str(u, "short", where, False), note=_str(u, "note", where, False))


def _commune(c: dict, where: str) -> Unit:
    kind = _str(c, "kind", where)
    if kind not in ("commune", "ward"):
        raise OrganisationError(f"{where}: kind '{kind}' is not commune or ward")
    name = _str(c, "name", where)
    head = "UBND xã " if kind == "commune" else "UBND phường "
    if not name.startswith(head):
        raise OrganisationError(f"{where}: name '{name}' must start with '{head.strip()}'")
    code = c.get("code")
    if code is not None and (not isinstance(code, int) or isinstance(code, bool)):
        raise OrganisationError(f"{where}: field 'code' must be an integer")
    short = name.split(" ", 1)[1]  # "xã Lục Ngạn"
    return Unit(id=_str(c, "id", where), name=name, kind=kind, since=None,
                aliases=(short, *_strs(c, "aliases", where, False)), short=short,
                covers=_strs(c, "covers", where), code=code, collective=COLLECTIVE)


def _change(x: dict, where: str) -> Change:
    kind = _str(x, "kind", where)
    if kind not in CHANGE_KINDS:
        raise OrganisationError(f"{where}: kind '{kind}' is not one of {', '.join(CHANGE_KINDS)}")
    tasks = {}
    if kind == "split":
        raw_tasks = _need(x, "tasks", where)
        if not isinstance(raw_tasks, dict) or not raw_tasks:
            raise OrganisationError(f"{where}: field 'tasks' must be an object of task id -> "
                                    f"{{\"to\": unit id}}")
        for tid, share in raw_tasks.items():
            tasks[tid] = TaskShare(to=_str(share, "to", f"{where} task '{tid}'"),
                                   about=_str(share, "about", f"{where} task '{tid}'", False))
    unless = x.get("unless")
    if unless is not None and unless not in SETTINGS:
        raise OrganisationError(f"{where}: 'unless' names no setting ({', '.join(SETTINGS)})")
    return Change(id=_str(x, "id", where), date=_date(x, "date", where), kind=kind,
                  source=_str(x, "source", where), from_id=_str(x, "from", where),
                  to=_str(x, "to", where) if kind == "merge" else None, tasks=tasks,
                  note=_str(x, "note", where, False), unless=unless)


def _settings(raw: dict) -> dict:
    given = raw.get("settings", {})
    if not isinstance(given, dict):
        raise OrganisationError("settings: expected an object")
    for k, v in given.items():
        if k not in SETTINGS:
            raise OrganisationError(f"settings: unknown setting '{k}' "
                                    f"(known: {', '.join(SETTINGS)})")
        if not isinstance(v, type(SETTINGS[k])):
            raise OrganisationError(f"settings: '{k}' must be true or false")
    return {**SETTINGS, **given}


def _typed(raw: dict, key: str, kind: str, make, required: bool = True) -> tuple:
    items = _list(raw, key, required)
    return tuple(make(it, _where(kind, items, i)) for i, it in enumerate(items))


def parse_organisation(raw: dict, plan) -> Organisation:
    """Validate the organisation against the plan (a bot.knowledge.Knowledge)."""
    if not isinstance(raw, dict):
        raise OrganisationError("file: expected a JSON object at the top")
    province = _need(raw, "province", "file")
    _str(province, "name", "province")
    settings = _settings(raw)
    units = _typed(raw, "units", "unit", _unit) + _typed(raw, "communes", "commune", _commune)
    changes = _typed(raw, "changes", "change", _change)
    applied = tuple(c for c in changes if not (c.unless and settings[c.unless]))
    by_id: dict[str, Unit] = {}
    for u in units:
        if u.id in by_id:
            raise OrganisationError(f"unit '{u.id}': duplicate id")
        by_id[u.id] = u
    former = _former_districts(raw, plan, by_id)
    ended = _ended(applied, plan, by_id)
    org = Organisation(province, settings, units, applied, former, raw, by_id, ended, {}, {},
                       {})
    _check_units(org, plan)
    _check_changes(org, changes, plan)
    _bind(org, plan)
    _check_aliases(org, plan)
    return org


def _former_districts(raw: dict, plan, units: dict) -> dict:
    plan_districts = [a.id for a in plan.agencies if a.parent]
    fd = raw.get("former_districts", {})
    if not isinstance(fd, dict):
        raise OrganisationError("former_districts: expected an object")
    for did, ids in fd.items():
        where = f"former_districts '{did}'"
        if did not in plan_districts:
            raise OrganisationError(f"{where}: not a district of the plan")
        if not isinstance(ids, list) or not ids:
            raise OrganisationError(f"{where}: expected a non-empty list of commune ids")
        for cid in ids:
            u = units.get(cid)
            if u is None or u.collective != COLLECTIVE:
                raise OrganisationError(f"{where}: unknown commune '{cid}'")
            if did not in u.covers:
                raise OrganisationError(f"{where}: commune '{cid}' does not list it in covers")
    for u in units.values():
        for did in u.covers:
            if u.id not in fd.get(did, ()):
                raise OrganisationError(f"commune '{u.id}': covers '{did}' but "
                                        f"former_districts '{did}' does not list it")
    return {k: tuple(v) for k, v in fd.items()}


def _ended(changes: tuple[Change, ...], plan, units: dict) -> dict:
    """Plan agency (or unit) id -> the change that ended it."""
    out: dict[str, Change] = {}
    plan_ids = {a.id for a in plan.agencies}
    for c in changes:
        where = f"change '{c.id}'"
        froms = [a.id for a in plan.agencies if a.parent] if c.from_id == DISTRICTS else [
            c.from_id]
        if c.kind == "territory" and c.from_id != DISTRICTS:
            raise OrganisationError(f"{where}: a territory change is 'from': \"{DISTRICTS}\"")
        for f in froms:
            if f not in plan_ids and f not in units:
                raise OrganisationError(f"{where}: 'from' names no plan agency or unit '{f}'")
            if f in out:
                raise OrganisationError(f"{where}: '{f}' already ended by change "
                                        f"'{out[f].id}'")
            out[f] = c
    return out


def _check_units(org: Organisation, plan) -> None:
    for u in org.units:
        try:
            a = plan.agency(u.id)
        except KeyError:
            continue
        if a.name != u.name:
            raise OrganisationError(f"unit '{u.id}': the plan names this id '{a.name}'; a "
                                    f"renamed unit needs a new id and a change")
    if COLLECTIVE not in org._unit and org.communes:
        raise OrganisationError(f"units: communes need the collective unit '{COLLECTIVE}'")


def _check_changes(org: Organisation, changes: tuple[Change, ...], plan) -> None:
    for c in changes:
        where = f"change '{c.id}'"
        if c.kind == "merge" and c.to not in org._unit:
            raise OrganisationError(f"{where}: 'to' names no unit '{c.to}'")
        if c.kind == "split":
            own = {t.id for t in plan.tasks if t.lead == c.from_id}
            if set(c.tasks) != own:
                missing, extra = sorted(own - set(c.tasks)), sorted(set(c.tasks) - own)
                raise OrganisationError(
                    f"{where}: tasks must be exactly the tasks '{c.from_id}' leads"
                    + (f"; missing {', '.join(missing)}" if missing else "")
                    + (f"; not its tasks {', '.join(extra)}" if extra else ""))
            for tid, share in c.tasks.items():
                if share.to not in org._unit:
                    raise OrganisationError(f"{where} task '{tid}': 'to' names no unit "
                                            f"'{share.to}'")
        if c.kind == "territory":
            for a in plan.agencies:
                if a.parent and not org.former_districts.get(a.id):
                    raise OrganisationError(f"{where}: former_districts has no communes for "
                                            f"'{a.id}'")
    leads = {t.lead for t in plan.tasks if t.lead}
    for aid in sorted(leads):
        if not org.holders(aid):
            raise OrganisationError(f"plan agency '{aid}': no current unit holds its duties "
                                    f"(add it to units or end it with a change)")


def _bind(org: Organisation, plan) -> None:
    """Who holds each task today, and where each unit's inherited duties come from."""
    districts = [a for a in plan.agencies if a.parent]
    held: dict[str, list[str]] = {}
    sources: dict[str, dict[str, tuple[Change | None, list[str]]]] = {}
    task_holders: dict[str, tuple[str, ...]] = {}
    for t in plan.tasks:
        if not t.lead:
            continue
        holders = org.holders(t.lead, t.id)
        task_holders[t.id] = holders
        for h in holders:
            held.setdefault(h, []).append(t.id)
            if h != t.lead:
                _note_source(org, sources, h, t.lead, t.id)
        for d in districts:  # a district duty: every commune covering a district
            if d.parent != t.lead:
                continue
            for h in org.holders(d.id):
                if t.id not in held.setdefault(h, []):
                    held[h].append(t.id)
                _note_source(org, sources, h, d.id, t.id)
    org._held.update({k: tuple(v) for k, v in held.items()})
    org._task_holders.update(task_holders)
    org._sources.update({u: tuple((aid, ch, tuple(ts)) for aid, (ch, ts) in by.items())
                         for u, by in sources.items()})


def _note_source(org, sources, unit_id: str, agency_id: str, task_id: str) -> None:
    """Record that unit_id holds task_id from agency_id, through the first change on the way."""
    ch = org._ended.get(agency_id)
    by = sources.setdefault(unit_id, {})
    entry = by.setdefault(agency_id, (ch, []))
    entry[1].append(task_id)


def _check_aliases(org: Organisation, plan) -> None:
    """An alias naming a unit may not also name another unit or another plan agency."""
    from bot.text import fold

    owner: dict[str, str] = {}
    for a in plan.agencies:
        for alias in (a.name, *a.aliases):
            owner.setdefault(fold(alias), a.id)
    _read.claim_names(owner, org.units, "unit", fold)


def load_organisation(plan, path: str | Path | None = None) -> Organisation | None:
    """The organisation file validated against the plan; None when the default file is absent."""
    p = Path(path) if path else DEFAULT_PATH
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if path is None:
            return None
        raise OrganisationError(f"{p}: file not found") from None
    except json.JSONDecodeError as e:
        raise OrganisationError(f"{p.name}: invalid JSON at line {e.lineno}: {e.msg}") from None
    try:
        return parse_organisation(raw, plan)
    except OrganisationError as e:
        raise OrganisationError(f"{p.name}: {e}") from None
