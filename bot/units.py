"""Today's units in the chat workflow: who registers, reports, is summarised and reminded.

The plan names its 2021 agencies; officials work in today's units (knowledge/organisation.json,
bot/organisation.py). This module is the one place the workflow asks about it:

    resolve_unit(kb, agency) -> Resolved    the current unit a typed name stands for, with the
                                            one-line note when it was a former name, or the
                                            question and choices when it is not one unit (a
                                            split department, a former district, a collective)
    reporting_units(kb) -> list[str]        current units that report, in the plan's order
                                            (former agencies replaced by their successors,
                                            the communes instead of their collective)
    held_tasks(kb, unit_id) -> list[Task]   the tasks a unit holds today, own and inherited
    section_tasks(kb, unit_id, section_id)  the tasks of a section a section update applies to
    holds(kb, unit_id, item_id) -> bool     the unit may report on the task or section
    plan_name(kb, unit_id, task) -> str     the unit the plan names for the task ("" when the
                                            unit itself)
    plan_names(kb, unit_id) -> list[str]    every unit the plan names for the unit's tasks
    label(kb, unit_id) -> str               "Sở Tài chính (KH: Sở Kế hoạch và Đầu tư)"
    row_unit(kb, agency_id, item_id) -> str the current unit an old status row now counts for
    with_sources(kb, ids) -> list[str]      ids plus the former agencies their duties come from
    moved_note(kb, former_id, unit_id)      "Sở Kế hoạch và Đầu tư nay là Sở Tài chính (từ
                                            01/3/2025)"
    current_member(svc, member) -> (member, note, question)   a member still registered under
                                            a former unit: moved to its successor (one), or the
                                            question which successor (several)
    move_member(svc, user_id, former_id, unit_id)   the member's approved row moves

Without an organisation attached (another plan) every function falls back to the plan's own
agencies, so the workflow is unchanged for it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import update

COLLECTIVE = "ubnd_cap_xa"  # "UBND cấp xã": reports through its communes
PLAN_COLLECTIVE = "ubnd_huyen"  # "UBND huyện, thành phố" of the plan


@dataclass(frozen=True)
class Resolved:
    unit: object | None = None  # the current Agency to act for, when it is clear
    note: str = ""  # said before the outcome when a former name was mapped
    question: str = ""  # when the name stands for several units
    choices: tuple = ()  # Agencies to choose from (may be empty: then type a name)


def fmt_date(d) -> str:
    """01/3/2025: the day with two digits, the month as written in Vietnamese documents."""
    return f"{d.day:02d}/{d.month}/{d.year}"


def _org(kb):
    return getattr(kb, "org", None)


def _since(kb, agency_id: str, bare: bool = False) -> str:
    """" (từ 01/3/2025)", or with bare " từ 01/3/2025"; "" when no change ended it."""
    org = _org(kb)
    change = org.change_of(agency_id) if org else None
    if change is None:
        return ""
    return f" từ {fmt_date(change.date)}" if bare else f" (từ {fmt_date(change.date)})"


def moved_note(kb, former_id: str, unit_id: str) -> str:
    return f"{kb.agency(former_id).name} nay là {kb.agency(unit_id).name}{_since(kb, former_id)}"


def resolve_unit(kb, agency) -> Resolved:
    """What a name an official typed (already matched to an Agency) means today."""
    if _org(kb) is None:
        return Resolved(agency)
    if kb.is_current(agency.id):
        if agency.id == COLLECTIVE:
            return _collective_question(kb)
        return Resolved(agency)
    if agency.id == PLAN_COLLECTIVE or kb.children(agency.id):
        return _collective_question(kb, agency)
    succ = kb.successors(agency.id)
    if agency.parent:  # a former district: its communes and wards now
        return Resolved(question=(
            f"{agency.name} không còn{_since(kb, agency.id, True)}; nhiệm "
            "vụ của huyện nay do từng xã, phường trên địa bàn thực hiện và báo cáo riêng. "
            "Đồng chí thuộc xã, phường nào?"), choices=succ)
    if len(succ) == 1:
        return Resolved(succ[0], moved_note(kb, agency.id, succ[0].id))
    return Resolved(question=_split_question(kb, agency, succ), choices=succ)


def _collective_question(kb, former=None) -> Resolved:
    """The communes report one by one: pick the former district first, or type the name."""
    districts = tuple(a for a in kb.children(PLAN_COLLECTIVE) if kb.successors(a.id))
    head = (f"{former.name} nay là UBND cấp xã{_since(kb, former.id)}; "
            if former is not None else "")
    return Resolved(question=(
        f"{head}UBND cấp xã báo cáo theo từng xã, phường. Xin ghi tên xã, phường của Đồng "
        "chí (ví dụ: UBND phường Nếnh), hoặc chọn địa bàn huyện, thành phố cũ:"),
        choices=districts)


def _split_question(kb, agency, succ) -> str:
    parts = []
    for s in succ:
        tids = [t.id for t in kb.tasks if t.lead == agency.id
                and s.id in {h.id for h in kb.successors(agency.id, t.id)}]
        parts.append(f"{s.name} ({', '.join(tids)})" if tids else s.name)
    return (f"{agency.name} không còn{_since(kb, agency.id, True)}; nhiệm vụ được chia cho: "
            + "; ".join(parts) + ". Đồng chí thuộc cơ quan nào?")


# ---------------------------------------------------------------- holdings

def held_tasks(kb, unit_id: str) -> list:
    """Tasks the unit holds today, own and inherited; a plan agency that no longer exists (old
    rows) and any agency of a plan without organisation: the tasks the plan gives it."""
    if _org(kb) is not None and kb.is_current(unit_id):
        return list(kb.tasks_held_by(unit_id))
    lead = kb.agency(unit_id).parent or unit_id
    sections = {s.id for s in kb.sections if s.lead == lead}
    return [t for t in kb.tasks if t.section in sections or t.lead == lead]


def _general(kb, section) -> bool:
    return section.binds_all or section.id in kb.general_section_ids


def section_tasks(kb, unit_id: str, section_id: str) -> list[str]:
    """Task ids a section-level update applies to: those of the section the unit holds (all of
    a general section's, which binds everyone)."""
    tasks = [t.id for t in kb.tasks_of(section_id)]
    if _general(kb, kb.section(section_id)):
        return tasks
    held = {t.id for t in held_tasks(kb, unit_id)}
    return [t for t in tasks if t in held]


def holds(kb, unit_id: str, item_id: str) -> bool:
    item = kb.item(item_id)
    if item is None:
        return False
    section = kb.section(item.section) if hasattr(item, "section") else item
    if _general(kb, section):
        return True
    held = {t.id for t in held_tasks(kb, unit_id)}
    if hasattr(item, "section"):
        return item.id in held
    return any(t.id in held for t in kb.tasks_of(item.id))


def holders_text(kb, item_id: str) -> str:
    """Who holds an item today, for a refusal: "Sở Xây dựng", "các xã, phường (UBND cấp xã)"."""
    item = kb.item(item_id)
    tasks = [item] if hasattr(item, "section") else list(kb.tasks_of(item_id))
    ids: list[str] = []
    for t in tasks:
        for a in kb.holders_of(t.id):
            if a.id not in ids:
                ids.append(a.id)
    names = [kb.agency(i).name for i in ids if kb.agency(i).parent != COLLECTIVE]
    if any(kb.agency(i).parent == COLLECTIVE for i in ids) and COLLECTIVE not in ids:
        names.append("UBND cấp xã")
    return ", ".join(dict.fromkeys(names))


def reporting_units(kb, plan_order: list[str]) -> list[str]:
    """Current units that report, in the order of the plan's reporting agencies `plan_order`:
    each former agency replaced by its successors, the collective by its communes."""
    if _org(kb) is None:
        return plan_order
    out: list[str] = []
    for aid in plan_order:
        for a in kb.current_of(aid):
            if a.id == COLLECTIVE:
                out.extend(c.id for c in kb.children(COLLECTIVE))
            else:
                out.append(a.id)
    out += [a.id for a in kb.agencies if kb.is_current(a.id) and a.id != COLLECTIVE]
    return [u for u in dict.fromkeys(out) if kb.tasks_held_by(u)]


# ---------------------------------------------------------------- names the plan uses

def plan_name(kb, unit_id: str, task) -> str:
    """The unit the plan names for a task the unit holds, or "" when it is the unit itself."""
    if _org(kb) is None or not task.lead or task.lead == unit_id:
        return ""
    lead = kb.agency(task.lead)
    if kb.children(lead.id):  # a district duty: the former districts this commune covers
        names = [src.name for src, _, tids in kb.inherited(unit_id)
                 if src.parent == lead.id and task.id in tids]
        return "; ".join(names) or lead.name
    return lead.name


def plan_names(kb, unit_id: str) -> list[str]:
    """Every unit the plan names for the tasks the unit holds, plan order."""
    out: list[str] = []
    for t in held_tasks(kb, unit_id):
        name = plan_name(kb, unit_id, t) or kb.agency(unit_id).name
        if name not in out:
            out.append(name)
    return out


def label(kb, unit_id: str) -> str:
    """The unit's name, with the plan's names of its duties when they differ."""
    name = kb.agency(unit_id).name
    names = plan_names(kb, unit_id)
    if not names or names == [name]:
        return name
    return f"{name} (KH: {'; '.join(names)})"


# ---------------------------------------------------------------- stored rows

def row_unit(kb, agency_id: str, item_id: str) -> str:
    """The current unit an update saved under `agency_id` counts for: itself, or the one unit
    holding that item of a former agency today (rows saved before the reorganisation). A
    former district's rows stay its own: each commune reports on its own."""
    org = _org(kb)
    if org is None or kb.is_current(agency_id):
        return agency_id
    try:
        agency = kb.agency(agency_id)
    except KeyError:
        return agency_id
    if agency.parent:
        return agency_id
    item = kb.item(item_id)
    task = item.id if item is not None and hasattr(item, "section") else None
    holders = org.holders(agency_id, task)
    return holders[0] if len(holders) == 1 else agency_id


def with_sources(kb, ids: list[str] | None) -> list[str] | None:
    """`ids` plus the former agencies whose duties they hold (their old rows count)."""
    if ids is None or _org(kb) is None:
        return ids
    out = list(ids)
    for i in ids:
        try:
            out += [src.id for src, _, _ in kb.inherited(i) if not src.parent]
        except KeyError:
            continue
    return list(dict.fromkeys(out))


# ---------------------------------------------------------------- members of former units

async def move_member(svc, user_id: int, former_id: str, unit_id: str) -> None:
    """The member's approved row now names the current unit (history rows stay as they are)."""
    from bot.db.models import Membership
    from bot.db.repo import APPROVED

    async with svc.sessions() as s, s.begin():
        await s.execute(update(Membership).where(
            Membership.user_id == user_id, Membership.agency_id == former_id,
            Membership.state == APPROVED).values(agency_id=unit_id))


async def current_member(svc, member):
    """(member, note, resolved): a member registered under a former unit is moved to its one
    successor (note says so); for several successors `resolved` holds the question and the
    member is None until they choose. A member of a current unit comes back unchanged."""
    kb = svc.kb
    if member is None or _org(kb) is None or kb.is_current(member.agency_id):
        return member, "", None
    try:
        agency = kb.agency(member.agency_id)
    except KeyError:
        return member, "", None
    r = resolve_unit(kb, agency)
    if r.unit is None:
        return None, "", r
    await move_member(svc, member.user_id, member.agency_id, r.unit.id)
    note = f"{r.note}; Đồng chí nay là cán bộ đầu mối của {r.unit.name}."
    return replace(member, agency_id=r.unit.id), note, None
