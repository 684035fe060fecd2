"""Status updates: /capnhat (one line, or a guided flow with choices), /sua and /rut (correct
or withdraw one's last update for a while), /huy and /trangthai.

Nothing is saved before the official's intent is clear: an ambiguous status ("chưa hoàn
thành") or a section-level update that would touch an already finished task is kept as a
draft (the user's pending row) and asked back with choices; the choice saves it.

Any plan the bot serves (KH147 and PLANS_DIR's): an update names its plan before the item
("/capnhat kế hoạch 134 1.2 …") or goes to the chat's default plan (/kehoach chon); an item the
member's agency may report on in several plans, with neither, is asked back (which plan?).
Every draft, button and flow step carries its plan; /sua and /rut act on the update's own.

Public helpers: shorten(text, size), item_summary(kb, item_id), example_command(kb, agency_id).
"""
from __future__ import annotations

import json
import secrets
from dataclasses import asdict, replace
from datetime import timedelta

from bot import export, units
from bot.calendar import fmt_int
from bot.core import Choice, Reply, Request
from bot.db import pending as pending_store
from bot.db import repo
from bot.knowledge import DEFAULT_PLAN
from bot.periods import COLLECTIVE, fmt_local, reporting_agencies
from bot.progress import from_report
from bot.services import Services
from bot.statuses import (
    LABELS,
    STATUSES,
    Details,
    details,
    label,
    normalise_item,  # noqa: F401  (kept importable from here)
    parse_update,
    plan_prefix,
)
from bot.text import fold, shorten
from handlers.plans import chat_plan, chosen_plan, plan_name, plans_of
from handlers.registry import callback, command, pending

MAX_NOTE = 1000
SUMMARY = 60  # characters of a task's text shown beside its id
NOTE_KIND = "capnhat_note"  # guided flow waiting for result / obstacles / proposals
DRAFT_KIND = "capnhat_draft"  # a typed update waiting for the official to choose
CORRECTION_WINDOW = timedelta(minutes=30)
DRAFT_TTL = timedelta(hours=2)  # as handlers.PENDING_TTL: an old question's buttons are dead
NOT_MEMBER = ("Chỉ cán bộ đầu mối đã được duyệt mới cập nhật được tiến độ; xin đăng ký bằng lệnh "
              "/dangky TÊN CƠ QUAN.")
STATUS_WORDS = "chưa thực hiện, đang thực hiện, hoàn thành, vướng mắc"
EXPIRED = "Lựa chọn này không còn hiệu lực. Xin gõ lại /capnhat."
NO_NOTE = {"bo qua", "khong", "khong co", "khong co ghi chu", "skip", "khong co gi"}
CANCEL = {"huy", "huy bo"}  # "hủy", "huỷ", "huy", "hủy bỏ" once folded


def item_summary(kb, item_id: str) -> str:
    """What an item id stands for: a task's text, shortened; for a section, its extent."""
    item = kb.item(item_id)
    if item is None:
        return ""
    if _is_task(item):
        return shorten(item.text)
    section, tasks = item, kb.tasks_of(item_id)
    extent = f"cả mục {item_id}, {len(tasks)} nhiệm vụ"
    named = {a.name for a in kb.agencies}
    if section.title and section.title not in named:  # in part III the title is the agency
        return f"{shorten(section.title)} ({extent})"
    return extent[0].upper() + extent[1:]


def _is_task(item) -> bool:
    return hasattr(item, "section")


def _own_tasks(kb, agency_id: str) -> list:
    return export.agency_tasks(kb, agency_id) or export.general_tasks(kb)


def example_command(kb, agency_id: str, words: str = "") -> str:
    """A /capnhat line built from the member's own first task (`words`: the plan's name)."""
    tasks = _own_tasks(kb, agency_id)
    item = tasks[0].id if tasks else "MỤC"
    return f"/capnhat {words + ' ' if words else ''}{item} đang thực hiện NỘI DUNG"


def _usage(svc: Services, agency_id: str, plan: str = DEFAULT_PLAN) -> str:
    words = "" if plan == DEFAULT_PLAN else mention(svc, plan)
    example = example_command(plan_kb(svc, plan), agency_id, words)
    return f"Ví dụ: {example} (trạng thái: {STATUS_WORDS})."


def plan_kb(svc: Services, plan: str = DEFAULT_PLAN):
    """The plan's knowledge (KH147: the services' own, with today's organisation)."""
    return svc.kb if plan == DEFAULT_PLAN else plans_of(svc).get(plan)


def _plan_of(draft: dict) -> str:
    return draft.get("plan") or DEFAULT_PLAN


def _in_plan(svc: Services, plan: str) -> str:
    """How a message names the plan: "Kế hoạch" for KH147, as it always has, else its number."""
    return "Kế hoạch" if plan == DEFAULT_PLAN else plan_name(svc, plan)


def _leads_in(kb, agency_id: str) -> bool:
    """The unit is one the plan names. An imported plan names its units with the ids today's
    organisation uses (bot.importer), so a member's unit is the same unit there."""
    try:
        kb.agency(agency_id)
    except KeyError:
        return False
    return True


def check_item(svc: Services, agency_id: str, item_id: str,
               plan: str = DEFAULT_PLAN) -> str | None:
    """None when the agency may report on the item of the plan, else the one-line reason."""
    kb, where = plan_kb(svc, plan), _in_plan(svc, plan)
    if not _leads_in(kb, agency_id):
        return (f"{svc.kb.agency(agency_id).name} không được giao nhiệm vụ nào trong {where}; "
                "chưa lưu gì.")
    item = kb.item(item_id)
    if item is None:
        tasks = _own_tasks(kb, agency_id)
        example = f"; ví dụ đúng: {tasks[0].section} hoặc {tasks[0].id}" if tasks else ""
        return f"Không có mục “{shorten(item_id, 40)}” trong {where}{example}."
    section = kb.section(item.section) if _is_task(item) else item
    if section.binds_all or section.id in kb.general_section_ids:
        return None  # group 1, IV.1, IV.3 bind every agency
    agency = kb.agency(agency_id)
    if units.holds(kb, agency_id, item_id):  # own or inherited today (bot.units)
        return None
    owner = getattr(item, "lead", None) or section.lead
    own = ", ".join(s.id for s in kb.sections_held_by(agency_id)) or "không có"
    of = "" if plan == DEFAULT_PLAN else f" của {where}"
    if owner is None:
        return (f"Mục {item_id}{of} không giao riêng cho cơ quan nào; các mục của "
                f"{agency.name}: {own}.")
    holder = units.holders_text(kb, item_id) or kb.agency(owner).name
    return (f"Mục {item_id}{of} do {holder} chủ trì, không thuộc {agency.name} (các mục của "
            f"{agency.name}: {own}).")


async def not_member(req: Request, svc: Services) -> list[Reply]:
    """Why a non-member cannot report: a waiting request is named, with when and who decides."""
    waiting = await repo.pending_request(svc.sessions, req.channel, req.user_id)
    if waiting is None:
        return [Reply(NOT_MEMBER)]
    try:
        agency = svc.kb.agency(waiting.agency_id).name
    except KeyError:
        agency = waiting.agency_id
    names = await repo.admin_names(svc.sessions, svc.settings)
    deciders = "quản trị viên của Sở Công Thương" + (f" ({', '.join(names)})" if names else "")
    return [Reply(f"Yêu cầu số {waiting.id} tham gia {agency} của Đồng chí đang chờ duyệt (gửi "
                  f"lúc {fmt_local(waiting.requested_at, svc.settings.tz)}); {deciders} sẽ "
                  "duyệt. Khi được duyệt, Đồng chí sẽ nhận được thông báo và có thể cập nhật "
                  "tiến độ; không cần đăng ký lại.")]


# ---------------------------------------------------------------- /capnhat

@command("capnhat")
async def cmd_update(req: Request, svc: Services, args: str) -> list[Reply]:
    member = await repo.member_of(svc.sessions, req.channel, req.user_id)
    if member is None:
        return await not_member(req, svc)
    member, moved, ask = await units.current_member(svc, member)
    if ask is not None:  # registered under a split unit: asked once which successor
        return [_which_successor(ask)]
    if not args.strip():
        return _noted(moved, await _guided_start(req, svc, member.agency_id))
    draft, refused = await _plan_draft(req, svc, member, args)
    if refused:
        return _noted(moved, [Reply(refused)])
    return _noted(moved, await proceed(req, svc, member, draft))


async def _plan_draft(req: Request, svc: Services, member: repo.Member,
                      args: str) -> tuple[dict, str | None]:
    """The draft of a typed update with its plan: the one named before the item, else the
    chat's chosen plan, else KH147; with neither named nor chosen, an item the agency may
    report on in several plans leaves the plan to ask ("plans")."""
    plans = plans_of(svc)
    head, _, tail = args.strip().partition(" ")
    named = plan_prefix(args, plans.named_in)
    if head.lower() in plans.ids:  # "/capnhat kh134 1.2 xong": the plan's id
        named = replace(named, plan=head.lower(), rest=tail.strip(), unknown="")
    if named.unknown:
        return {}, (f"Không có kế hoạch «{shorten(named.unknown, 40)}»; chưa lưu gì. Các kế "
                    f"hoạch: {', '.join(plans.ids)} (xem /kehoach).")
    if len(plans.ids) == 1:  # KH147 alone: nothing to choose, no read of the chat's choice
        return _draft_from(svc, member, named.rest)
    plan = named.plan or await chosen_plan(req, svc)
    if plan is not None:
        return _draft_from(svc, member, named.rest, plan=plan)
    item = parse_update(args).item
    fits = [p for p in plans.ids
            if item is not None and check_item(svc, member.agency_id, item, p) is None]
    draft, refused = _draft_from(svc, member, args, plan=fits[0] if len(fits) > 1 else
                                 DEFAULT_PLAN)
    if refused and fits and DEFAULT_PLAN not in fits:
        return {}, f"{refused} {_hint(svc, fits[-1], item)}"
    if not refused and len(fits) > 1:
        draft["plans"] = fits
    return draft, refused


def _hint(svc: Services, plan: str, item: str) -> str:
    """How to name the plan for an item the agency reports on there, not in KH147."""
    return (f"Nếu là mục {item} của {plan_name(svc, plan)}, xin gõ: /capnhat "
            f"{mention(svc, plan)} {item} TRẠNG THÁI [GHI CHÚ].")


def mention(svc: Services, plan: str) -> str:
    """The words that name the plan in a /capnhat line: "kế hoạch 134", else its id."""
    number = "".join(ch for ch in plan_kb(svc, plan).document.number.split("/")[0]
                     if ch.isdigit())
    words = f"kế hoạch {number}"
    named = plans_of(svc).named_in(words) if number else None
    return words if named and named[0] == plan else plan


def _which_successor(ask) -> Reply:
    return Reply(ask.question, tuple(Choice(a.name, f"mv:{a.id}") for a in ask.choices))


def _noted(note: str, replies: list[Reply]) -> list[Reply]:
    """The one-line note of a member moved to today's unit, before the first reply."""
    if not note or not replies:
        return replies
    return [replace(replies[0], text=f"{note}\n{replies[0].text}"), *replies[1:]]


def _draft_from(svc: Services, member: repo.Member, args: str,
                default_item: str | None = None,
                plan: str = DEFAULT_PLAN) -> tuple[dict, str | None]:
    """The draft of a typed update, or the one-line reason it is refused."""
    if not _leads_in(plan_kb(svc, plan), member.agency_id):
        return {}, check_item(svc, member.agency_id, "", plan)  # names the plan, no example

    def usage() -> str:  # built only for a refusal: the hot path saves without it
        return _usage(svc, member.agency_id, plan)

    p = parse_update(args)
    item = p.item or default_item
    if item is None:
        if p.codes or not p.head:
            return {}, "Thiếu mục cần cập nhật. " + usage()
        return {}, check_item(svc, member.agency_id, normalise_item(p.head), plan)
    reason = check_item(svc, member.agency_id, item, plan)
    if reason:
        return {}, reason
    if not p.codes:
        if not p.rest:
            return {}, "Thiếu trạng thái. " + usage()
        return {}, (f"Không hiểu trạng thái “{shorten(p.rest, 30)}”. "
                    + usage())
    refused = too_long(p.rest)
    if refused:
        return {}, refused
    codes = list(p.codes)
    if len(codes) > 1 and "vuong" not in codes and details("dang", p.rest).obstacles:
        codes.append("vuong")  # "chưa hoàn thành, còn vướng GPMB": blocked is a candidate
    return {"item": item, "codes": codes, "phrase": p.phrase, "rest": p.rest,
            **_plan_key(plan)}, None


def too_long(note: str) -> str | None:
    if len(note) <= MAX_NOTE:
        return None
    return (f"Ghi chú dài {fmt_int(len(note))} ký tự, vượt mức tối đa {fmt_int(MAX_NOTE)} ký tự; "
            "chưa lưu gì. Xin rút gọn ghi chú.")


def _status(draft: dict) -> str | None:
    codes = draft.get("codes") or []
    return codes[0] if len(codes) == 1 else None


async def proceed(req: Request, svc: Services, member: repo.Member, draft: dict) -> list[Reply]:
    """Save the draft once its intent is clear, else ask the one question still open (the
    plan first: the other questions speak of the plan's item)."""
    if _status(draft) is None or (draft.get("plans") and "plan" not in draft):
        return await _ask(req, svc, draft)
    tasks = draft.get("tasks")
    if tasks is None:
        kb = plan_kb(svc, _plan_of(draft))
        item = kb.item(draft["item"])
        if _is_task(item):
            tasks = [item.id]
        else:
            # the tasks of the section the unit holds today (8.1: Sở Nội vụ's 8.1.4 only)
            all_tasks = units.section_tasks(kb, member.agency_id, item.id) or [item.id]
            draft["held"] = all_tasks
            finished = await _finished(svc, member.agency_id, all_tasks, _plan_of(draft))
            scope = draft.get("scope")
            if finished and _status(draft) != "xong" and scope is None:
                draft["finished"] = finished
                return await _ask(req, svc, draft)
            tasks = [t for t in all_tasks if t not in finished] if scope == "open" else all_tasks
    return await save(req, svc, member, draft, tasks)


async def _finished(svc: Services, agency_id: str, tasks: list[str],
                    plan: str = DEFAULT_PLAN) -> dict[str, str]:
    """Tasks whose status in force is "Hoàn thành": task id -> local date it was reported."""
    latest = await repo.effective_latest(svc.sessions, plan_kb(svc, plan), [agency_id],
                                         until=svc.now(), plan_id=plan)
    return {t: fmt_local(latest[(agency_id, t)].created_at, svc.settings.tz, False)
            for t in tasks if (agency_id, t) in latest
            and latest[(agency_id, t)].status == "xong"}


def _question(svc: Services, draft: dict) -> Reply:
    """The question a draft is waiting on, with its choices."""
    tok, item = draft["t"], draft["item"]
    if draft.get("plans") and "plan" not in draft:
        text = (f"Mục {item} có trong {len(draft['plans'])} kế hoạch mà cơ quan của Đồng chí "
                "có thể báo cáo; Đồng chí cập nhật cho kế hoạch nào? Chưa lưu gì cho đến khi "
                "Đồng chí chọn.")
        choices = [Choice(shorten(f"{plan_name(svc, p)}: {item_summary(plan_kb(svc, p), item)}"),
                          f"cn:g:{tok}:{p}") for p in draft["plans"]]
    elif _status(draft) is None:
        said = draft.get("phrase") or shorten(draft.get("rest", ""), 40)
        kb = plan_kb(svc, _plan_of(draft))
        text = (f"“{said}” có thể hiểu theo nhiều cách; Đồng chí muốn ghi trạng thái nào cho "
                f"{item} ({item_summary(kb, item)})? Chưa lưu gì cho đến khi Đồng chí chọn.")
        choices = [Choice(LABELS[c], f"cn:a:{tok}:{c}") for c in draft["codes"]]
    else:
        finished = draft["finished"]
        tasks = draft.get("held") or [t.id for t in plan_kb(svc, _plan_of(draft)).tasks_of(item)]
        open_ = [t for t in tasks if t not in finished]
        done = ", ".join(f"{t} (báo cáo ngày {d})" for t, d in finished.items())
        text = (f"Mục {item} có {len(tasks)} nhiệm vụ; đã hoàn thành: {done}. Ghi "
                f"“{label(_status(draft))}” cho những nhiệm vụ nào? Chưa lưu gì cho đến khi "
                "Đồng chí chọn.")
        choices = []
        if open_:
            choices.append(Choice(f"Chỉ {', '.join(open_)} (giữ nguyên nhiệm vụ đã hoàn thành)",
                                  f"cn:p:{tok}:open"))
        choices.append(Choice(f"Cả {len(tasks)} nhiệm vụ, kể cả {', '.join(finished)}",
                              f"cn:p:{tok}:all"))
    choices.append(Choice("Hủy, không lưu", f"cn:x:{tok}"))
    return Reply(text, tuple(choices))


async def _ask(req: Request, svc: Services, draft: dict) -> list[Reply]:
    draft["t"] = secrets.token_hex(4)  # buttons of an older question no longer act
    pending_store.current().start_flow(DRAFT_KIND, draft)
    return [_question(svc, draft)]


async def _take_draft(req: Request, svc: Services, tok: str) -> dict | None:
    """The user's draft the pressed button belongs to, removed from the store; else None."""
    found = pending_store.current().flow(DRAFT_TTL)
    if not found or found[0] != DRAFT_KIND or found[1].get("t") != tok:
        return None
    pending_store.current().end_flow()
    return found[1]


async def _answer_draft(req: Request, svc: Services, member: repo.Member, draft: dict,
                        step: str, value: str) -> list[Reply]:
    if step == "x":
        return [Reply(f"Đã hủy cập nhật {draft['item']}; không có gì được lưu.")]
    if step == "a" and value in draft.get("codes", []):
        draft["codes"] = [value]
    elif step == "p" and value in ("open", "all") and "finished" in draft:
        draft["scope"] = value
    elif step == "g" and value in draft.get("plans", []) and value in plans_of(svc).ids:
        draft["plan"] = value
    else:
        return [Reply(EXPIRED)]
    if _plan_of(draft) not in plans_of(svc).ids:  # its file was taken out meanwhile
        return [Reply(EXPIRED)]
    reason = check_item(svc, member.agency_id, draft["item"], _plan_of(draft))
    if reason:
        return [Reply(reason)]
    return await proceed(req, svc, member, draft)


@pending(DRAFT_KIND)
async def on_draft_text(req: Request, svc: Services, payload: str) -> list[Reply]:
    """A typed answer to a draft's question: its number, its label, or a status phrase."""
    draft = json.loads(payload)
    member = await repo.member_of(svc.sessions, req.channel, req.user_id)
    if member is None:
        return await not_member(req, svc)
    text = (req.text or "").strip()
    if fold(text) in CANCEL:
        return [Reply(f"Đã hủy cập nhật {draft.get('item', '')}; không có gì được lưu.")]
    choices = _question(svc, draft).choices
    data = _pick(choices, text, draft)
    if data is None:
        pending_store.current().start_flow(DRAFT_KIND, draft)
        return [Reply(f"Chưa lưu gì. Xin chọn một số từ 1 đến {len(choices)} hoặc gõ /huy "
                      "để hủy.", choices)]
    _, step, _tok, *value = data.split(":")
    return await _answer_draft(req, svc, member, draft, step, value[0] if value else "")


def _pick(choices, text: str, draft: dict) -> str | None:
    if text.isdigit():
        n = int(text)
        return choices[n - 1].data if 1 <= n <= len(choices) else None
    typed = fold(text)
    for c in choices:
        if typed and fold(c.label) == typed:
            return c.data
    if draft.get("plans") and "plan" not in draft:  # "kh134" answers "which plan?"
        return f"cn:g:{draft['t']}:{text.lower()}" if text.lower() in draft["plans"] else None
    if _status(draft) is None:  # "đang làm" answers "which status?"
        p = parse_update(f"{draft['item']} {text}")
        if p.status in draft["codes"]:
            return f"cn:a:{draft['t']}:{p.status}"
    return None


# ---------------------------------------------------------------- saving

async def save(req: Request, svc: Services, member: repo.Member, draft: dict,
               tasks: list[str]) -> list[Reply]:
    """Store the update for `tasks` (one row each, one instant, one transaction), applying a
    correction when the draft replaces rows; confirm once committed."""
    code = _status(draft)
    d = Details(**draft["details"]) if draft.get("details") else details(code, draft["rest"])
    at = svc.now()
    base = dict(user_id=member.user_id, agency_id=member.agency_id, status=code,
                note=d.note, result=d.result, obstacles=d.obstacles, proposals=d.proposals,
                channel=req.channel, at=at, plan_id=_plan_of(draft))
    replaced = {r["item"]: r for r in draft.get("replace", [])}
    rows = [dict(base, item_id=t, supersedes_id=replaced.get(t, {}).get("id")) for t in tasks]
    rows += [dict(base, item_id=r["item"], status=r["status"], note="", result="",
                  obstacles="", proposals="", supersedes_id=r["id"], withdrawn=True)
             for item, r in replaced.items() if item not in tasks]
    if len(rows) == 1:  # the common case goes through the group commit
        saved = [await repo.add_status(svc.sessions, user_name=member.display_name, **rows[0])]
    else:
        saved = await repo.add_statuses(svc.sessions, rows, user_name=member.display_name)
    kept = {t: day for t, day in (draft.get("finished") or {}).items() if t not in tasks}
    return [confirmation(svc, draft["item"], [r for r in saved if not r.withdrawn], kept,
                         corrected=bool(replaced))]


def confirmation(svc: Services, item_id: str, rows: list[repo.StatusRow],
                 kept: dict[str, str] | None = None, corrected: bool = False) -> Reply:
    """The acknowledgement; called only with committed rows (all of one instant). It names
    the plan when it is not KH147."""
    row = rows[0]
    kb, tz = plan_kb(svc, row.plan_id), svc.settings.tz
    agency = kb.agency(row.agency_id).name
    verb = "Đã sửa" if corrected else "Đã lưu"
    if row.plan_id != DEFAULT_PLAN:
        verb += f" vào {plan_name(svc, row.plan_id)}"
    when = fmt_local(row.created_at, tz)
    if len(rows) == 1 and rows[0].item_id == item_id:
        text = (f"{verb}: {item_id} — {label(row.status)} ({agency}), lúc {when}.\n"
                f"Nhiệm vụ: {item_summary(kb, item_id)}")
    else:
        ids = ", ".join(r.item_id for r in rows)
        text = (f"{verb} cho {len(rows)} nhiệm vụ của mục {item_id} ({ids}) — "
                f"{label(row.status)} ({agency}), lúc {when}.")
        if kept:
            text += "\nGiữ nguyên (đã hoàn thành): " + ", ".join(
                f"{t} (báo cáo ngày {d})" for t, d in kept.items()) + "."
    for field, name in (("result", "Kết quả"), ("obstacles", "Khó khăn, vướng mắc"),
                        ("proposals", "Kiến nghị, đề xuất")):
        if getattr(row, field):
            text += f"\n{name}: {getattr(row, field)}"
    if row.status == "vuong" and not row.obstacles:
        text += ("\nXin nêu rõ khó khăn và kiến nghị: /sua vướng mắc Khó khăn: … "
                 "Kiến nghị: …")
    until = (row.created_at + CORRECTION_WINDOW).astimezone(tz).strftime("%H:%M")
    text += (f"\nNếu có nhầm lẫn, trong {_minutes()} phút (đến {until}) Đồng chí có thể sửa "
             "bằng /sua TRẠNG THÁI [GHI CHÚ] hoặc rút lại bằng /rut.")
    return Reply(text)


def _minutes() -> int:
    return int(CORRECTION_WINDOW.total_seconds() // 60)


# ---------------------------------------------------------------- guided flow

async def _guided_start(req: Request, svc: Services, agency_id: str) -> list[Reply]:
    """The guided flow's first step: the plan when the agency has tasks in several (the
    chat's default first), else KH147's tasks. KH147's general duties bind every unit, so
    KH147 is always one; another plan is one when it gives the unit tasks of its own."""
    own = [DEFAULT_PLAN] + [p for p in plans_of(svc).ids
                            if p != DEFAULT_PLAN and _leads_in(plan_kb(svc, p), agency_id)
                            and export.agency_tasks(plan_kb(svc, p), agency_id)]
    if len(own) == 1:
        return _task_picker(svc, agency_id)
    first = await chat_plan(req, svc)
    own.sort(key=lambda p: p != first)
    return [Reply(f"{svc.kb.agency(agency_id).name} có nhiệm vụ trong {len(own)} kế hoạch; "
                  "Đồng chí cập nhật cho kế hoạch nào? Gõ /huy để hủy.",
                  tuple(Choice(plan_name(svc, p), f"cn:k:{p}") for p in own))]


def _plan_data(plan: str) -> str:
    """The plan's part of a button's data: nothing for KH147 (buttons sent before several
    plans were served keep their meaning)."""
    return "" if plan == DEFAULT_PLAN else f":{plan}"


def _task_picker(svc: Services, agency_id: str, plan: str = DEFAULT_PLAN) -> list[Reply]:
    kb = plan_kb(svc, plan)
    tasks = export.agency_tasks(kb, agency_id) + export.general_tasks(kb)
    tail = f":{_plan_data(plan)}" if plan != DEFAULT_PLAN else ""  # "cn:t:1.2::kh134"
    choices = tuple(Choice(f"{t.id} {shorten(t.text, 48)}", f"cn:t:{t.id}{tail}")
                    for t in tasks)
    where = "" if plan == DEFAULT_PLAN else f", {plan_name(svc, plan)}"
    return [Reply(f"Chọn nhiệm vụ cần cập nhật ({kb.agency(agency_id).name}{where}); gõ /huy "
                  "để hủy:", choices)]


PROMPTS = {
    "result": ("Xin gửi kết quả thực hiện (số liệu, văn bản đã ban hành); có thể kèm "
               "“Khó khăn: …”, “Kiến nghị: …”. Gõ “-” hoặc “bỏ qua” nếu không có, /huy để hủy "
               "(không lưu)."),
    "obstacles": ("Xin nêu khó khăn, vướng mắc cụ thể (ví dụ: chưa bố trí được vốn, vướng giải "
                  "phóng mặt bằng); /huy để hủy (không lưu)."),
    "proposals": ("Kiến nghị, đề xuất để tháo gỡ (cơ quan nào, việc gì)? Gõ “-” hoặc “bỏ qua” "
                  "nếu không có, /huy để hủy (không lưu)."),
}


@callback("cn")
async def cb_update(req: Request, svc: Services, rest: str) -> list[Reply]:
    step, _, data = rest.partition(":")
    member = await repo.member_of(svc.sessions, req.channel, req.user_id)
    if member is None:
        return await not_member(req, svc)
    member, _moved, ask = await units.current_member(svc, member)
    if ask is not None:
        return [_which_successor(ask)]
    if step in ("a", "p", "x", "g"):
        tok, _, value = data.partition(":")
        draft = await _take_draft(req, svc, tok)
        if draft is None:
            return [Reply(EXPIRED)]
        return await _answer_draft(req, svc, member, draft, step, value)
    if step == "k":  # the guided flow's plan
        if data not in plans_of(svc).ids:
            return [Reply(EXPIRED)]
        return _task_picker(svc, member.agency_id, data)
    item_id, code, plan = (data.split(":") + ["", ""])[:3]
    plan = plan or DEFAULT_PLAN
    if plan not in plans_of(svc).ids:
        return [Reply(EXPIRED)]
    reason = check_item(svc, member.agency_id, item_id, plan)
    if reason:
        return [Reply(reason)]
    if step == "t":
        summary = item_summary(plan_kb(svc, plan), item_id)
        return [Reply(f"Trạng thái của {item_id} ({summary}):",
                      tuple(Choice(LABELS[c], f"cn:s:{item_id}:{c}{_plan_data(plan)}")
                            for c in STATUSES))]
    if step == "s" and code in STATUSES:
        draft = {"item": item_id, "codes": [code], "rest": "", **_plan_key(plan)}
        if not req.is_private:
            # a group delivers plain text only when it replies to or mentions the bot, so a
            # detail step would stall: save now, and say how to add details in one line
            replies = await proceed(req, svc, member, draft)
            words = "" if plan == DEFAULT_PLAN else f"{mention(svc, plan)} "
            hint = (f"Để kèm kết quả, khó khăn, kiến nghị, gõ: /capnhat {words}{item_id} "
                    f"{label(code).lower()} NỘI DUNG")
            return [Reply(f"{replies[0].text}\n{hint}", replies[0].choices)]
        first = "obstacles" if code == "vuong" else "result"
        pending_store.current().start_flow(NOTE_KIND, {"item": item_id, "status": code,
                                                       "step": first, **_plan_key(plan)})
        return [Reply(f"{item_id} — {label(code)}. {PROMPTS[first]}")]
    return [Reply(EXPIRED)]


def _plan_key(plan: str) -> dict:
    """A draft's or flow's plan: no key for KH147 (as stored before several plans)."""
    return {} if plan == DEFAULT_PLAN else {"plan": plan}


@command("huy")
async def cmd_cancel(req: Request, svc: Services, args: str) -> list[Reply]:
    """Abandon the guided flow; dispatch has already dropped the user's own pending step."""
    if req.is_private:  # numbered choices shown in a private chat belong to that one user
        pending_store.current().clear_lists()
    return [Reply("Đã hủy thao tác đang dở (nếu có); không có gì được lưu.")]


@pending(NOTE_KIND)
async def on_note(req: Request, svc: Services, payload: str) -> list[Reply]:
    state = json.loads(payload)
    member = await repo.member_of(svc.sessions, req.channel, req.user_id)
    if member is None:
        return await not_member(req, svc)
    item_id, code = state.get("item", ""), state.get("status", "")
    step, plan = state.get("step", "result"), _plan_of(state)
    if plan not in plans_of(svc).ids:
        return [Reply(EXPIRED)]
    reason = check_item(svc, member.agency_id, item_id, plan)
    if reason or code not in STATUSES or step not in PROMPTS:
        return [Reply(reason or EXPIRED)]
    text = (req.text or "").strip()
    folded = fold(text)
    if folded in CANCEL:
        return [Reply(f"Đã hủy cập nhật {item_id}; không có gì được lưu.")]
    if not folded or folded in NO_NOTE:  # "-", "bỏ qua", "không": nothing to add
        text = ""
    refused = too_long(text)
    if refused:  # keep waiting for a shorter answer
        pending_store.current().start_flow(NOTE_KIND, state)
        return [Reply(f"{refused} Xin gửi lại nội dung ngắn hơn, hoặc gõ /huy để hủy.")]
    if step == "obstacles":
        d = details("vuong", text)
        if not d.proposals:  # ask for proposals next, unless typed with a label already
            state.update(step="proposals", note=d.note, obstacles=d.obstacles, result=d.result)
            pending_store.current().start_flow(NOTE_KIND, state)
            return [Reply(PROMPTS["proposals"])]
    elif step == "proposals":
        d = Details(state.get("note", ""), state.get("result", ""), state.get("obstacles", ""),
                    text.strip(" \t\n,;.:-–—"))
    else:
        d = details(code, text)
    draft = {"item": item_id, "codes": [code], "rest": "", "details": asdict(d),
             **_plan_key(plan)}
    return await proceed(req, svc, member, draft)


# ---------------------------------------------------------------- /sua, /rut

async def _correctable(req: Request, svc: Services, member: repo.Member,
                       verb: str) -> tuple[list[repo.StatusRow], str | None]:
    """The member's last update if it may still be corrected, else the reason it may not."""
    batch = await repo.last_batch(svc.sessions, member.user_id)
    tz = svc.settings.tz
    if not batch:
        return [], f"Đồng chí chưa có cập nhật nào để {verb}; gửi cập nhật bằng /capnhat."
    at = batch[0].created_at
    if all(r.withdrawn for r in batch):
        return [], (f"Cập nhật gần nhất của Đồng chí đã được rút lại lúc {fmt_local(at, tz)}; "
                    "không còn gì để " + verb + ".")
    if batch[0].agency_id != member.agency_id:
        return [], (f"Cập nhật gần nhất của Đồng chí thuộc "
                    f"{svc.kb.agency(batch[0].agency_id).name}, không còn {verb} được.")
    if svc.now() - at > CORRECTION_WINDOW:
        return [], (f"Cập nhật gần nhất (lúc {fmt_local(at, tz)}) đã lưu quá {_minutes()} phút, "
                    f"không {verb} được nữa; xin gửi cập nhật mới bằng /capnhat (bản mới sẽ "
                    "thay cho bản cũ).")
    if batch[0].plan_id not in plans_of(svc).ids:  # its plan file was taken out meanwhile
        return [], (f"Cập nhật gần nhất của Đồng chí thuộc kế hoạch {batch[0].plan_id}, nay "
                    f"không còn được theo dõi; không {verb} được.")
    return [r for r in batch if not r.withdrawn], None


def _describe(svc: Services, rows: list[repo.StatusRow]) -> str:
    plan = rows[0].plan_id
    where = "" if plan == DEFAULT_PLAN else f" ({plan_name(svc, plan)})"
    return f"{', '.join(r.item_id for r in rows)}{where} — {label(rows[0].status)}, lúc " \
           f"{fmt_local(rows[0].created_at, svc.settings.tz)}"


def _common_item(svc: Services, rows: list[repo.StatusRow]) -> str:
    if len(rows) == 1:
        return rows[0].item_id
    item = plan_kb(svc, rows[0].plan_id).item(rows[0].item_id)
    return item.section if _is_task(item) else rows[0].item_id


@command("sua")
async def cmd_correct(req: Request, svc: Services, args: str) -> list[Reply]:
    member = await repo.member_of(svc.sessions, req.channel, req.user_id)
    if member is None:
        return await not_member(req, svc)
    rows, refused = await _correctable(req, svc, member, "sửa")
    if refused:
        return [Reply(refused)]
    if not args.strip():
        return [Reply(f"Cập nhật gần nhất: {_describe(svc, rows)}. Sửa: /sua TRẠNG THÁI [GHI "
                      "CHÚ], hoặc /sua MỤC TRẠNG THÁI [GHI CHÚ] nếu nhầm mục; rút lại: /rut.")]
    # the correction is of the update's own plan, whatever the chat's default
    draft, refused = _draft_from(svc, member, args, default_item=_common_item(svc, rows),
                                 plan=rows[0].plan_id)
    if refused:
        return [Reply(refused)]
    if parse_update(args).item is None or draft["item"] == _common_item(svc, rows):
        draft["tasks"] = [r.item_id for r in rows]  # the same tasks as the update corrected
    draft["replace"] = [{"id": r.id, "item": r.item_id, "status": r.status} for r in rows]
    return await proceed(req, svc, member, draft)


@command("rut")
async def cmd_withdraw(req: Request, svc: Services, args: str) -> list[Reply]:
    member = await repo.member_of(svc.sessions, req.channel, req.user_id)
    if member is None:
        return await not_member(req, svc)
    rows, refused = await _correctable(req, svc, member, "rút lại")
    if refused:
        return [Reply(refused)]
    at, plan = svc.now(), rows[0].plan_id
    await repo.add_statuses(svc.sessions, [dict(
        user_id=member.user_id, agency_id=member.agency_id, item_id=r.item_id,
        status=r.status, note="", channel=req.channel, at=at, supersedes_id=r.id,
        withdrawn=True, plan_id=plan) for r in rows], user_name=member.display_name)
    latest = await repo.effective_latest(svc.sessions, plan_kb(svc, plan), [member.agency_id],
                                         until=at, plan_id=plan)
    now_lines = []
    for r in rows:
        cur = latest.get((member.agency_id, r.item_id))
        now_lines.append(f"{r.item_id}: " + (
            f"{label(cur.status)} (cập nhật lúc {fmt_local(cur.created_at, svc.settings.tz)})"
            if cur else "chưa có cập nhật"))
    return [Reply(f"Đã rút lại cập nhật {_describe(svc, rows)}. Trạng thái hiện hành: "
                  + "; ".join(now_lines) + ". Lịch sử vẫn giữ cả bản đã rút.")]


# ---------------------------------------------------------------- /trangthai

@command("trangthai")
async def cmd_status(req: Request, svc: Services, args: str) -> list[Reply]:
    """/trangthai [CƠ QUAN] [kế hoạch …]: of the plan named, else of the chat's default."""
    plans = plans_of(svc)
    named = plans.named_in(args) if args.strip() and len(plans.ids) > 1 else None
    if named and named[1] == args:
        named = (named[0], "")  # only the plan was typed ("/trangthai kế hoạch 134")
    plan, args = named if named else (await chat_plan(req, svc), args)
    kb, where = plan_kb(svc, plan), _in_plan(svc, plan)
    if args.strip():
        from bot.text import resolve_agency

        found = resolve_agency(kb, args)
        if not found:
            return [Reply(f"Không tìm thấy cơ quan “{shorten(args)}” trong {where}.")]
        if len(found) > 1:
            return [Reply("Đồng chí muốn xem cơ quan nào?",
                          tuple(Choice(a.name, f"tt:{a.id}{_plan_data(plan)}")
                                for a in found))]
        return await _status_today(svc, found[0], plan)
    member = await repo.member_of(svc.sessions, req.channel, req.user_id)
    if member is not None and _leads_in(kb, member.agency_id):
        return await _status_of(svc, member.agency_id, plan)
    title = "Tình trạng cập nhật của các cơ quan, đơn vị" + (
        "" if plan == DEFAULT_PLAN else f" ({where})")
    return await _overview(svc, reporting_agencies(kb), title, plan)


@callback("tt")
async def cb_status(req: Request, svc: Services, rest: str) -> list[Reply]:
    agency_id, _, plan = rest.partition(":")
    plan = plan or DEFAULT_PLAN
    try:
        agency = plan_kb(svc, plan).agency(agency_id)
    except KeyError:
        return [Reply("Lựa chọn này không còn hiệu lực.")]
    return await _status_today(svc, agency, plan)


async def _status_today(svc: Services, agency, plan: str = DEFAULT_PLAN) -> list[Reply]:
    """The status of the unit a name stands for today: a former name is mapped with a note; a
    split department asks which successor; a former district shows its communes."""
    kb = plan_kb(svc, plan)
    found = units.resolve_unit(kb, agency)
    if found.unit is not None:
        return _noted(found.note, await _status_of(svc, found.unit.id, plan))
    if agency.parent and kb.is_former(agency.id):
        return await _overview(svc, [a.id for a in found.choices],
                               f"{agency.name} nay do các xã, phường sau thực hiện; tình "
                               "trạng cập nhật", plan)
    if agency.id == units.COLLECTIVE:
        return await _status_of(svc, units.COLLECTIVE, plan)
    if agency.id == units.PLAN_COLLECTIVE:
        return _noted(units.moved_note(kb, agency.id, units.COLLECTIVE),
                      await _status_of(svc, units.COLLECTIVE, plan))
    return [Reply(found.question, tuple(Choice(a.name, f"tt:{a.id}{_plan_data(plan)}")
                                        for a in found.choices))]


def _details_line(row: repo.StatusRow) -> str:
    parts = []
    for field, name in (("result", "kết quả"), ("obstacles", "khó khăn"),
                        ("proposals", "kiến nghị")):
        if getattr(row, field):
            parts.append(f"{name}: {shorten(getattr(row, field), 120)}")
    if not parts and row.note:
        parts.append(f"ghi chú: {shorten(row.note, 120)}")
    return "; ".join(parts)


async def _status_of(svc: Services, agency_id: str, plan: str = DEFAULT_PLAN) -> list[Reply]:
    kb = plan_kb(svc, plan)
    children = [c.id for c in kb.children(agency_id)]
    if children:
        name = ("UBND các huyện, thành phố" if agency_id == COLLECTIVE else
                "các xã, phường (UBND cấp xã)" if agency_id == units.COLLECTIVE else
                kb.agency(agency_id).name)
        return await _overview(svc, children,
                               f"Tình trạng cập nhật của {name}, theo từng đơn vị", plan)
    report = await export.collect(svc, agency_ids=[agency_id], plan_id=plan)
    tz = svc.settings.tz
    where = "" if plan == DEFAULT_PLAN else f" theo {plan_name(svc, plan)}"
    lines = [f"Tình trạng nhiệm vụ của {units.label(kb, agency_id)}{where} (đến "
             f"{fmt_local(svc.now(), tz, False)}):"]
    progress = from_report(report).get(agency_id)
    if progress is not None and progress.total:
        lines.append(f"Kỳ báo cáo {report.period.label}: {progress.text()}.")
    for r in report.rows:
        line = f"• {r.task_id} {shorten(r.text)} — "
        if r.latest is None:
            lines.append(line + "Chưa có cập nhật")
            continue
        line += f"{label(r.latest.status)} ({fmt_local(r.latest.created_at, tz, False)})"
        more = _details_line(r.latest)
        lines.append(f"{line}; {more}" if more else line)
    if not report.rows:
        lines.append(f"Cơ quan này không chủ trì nhiệm vụ riêng nào trong {_in_plan(svc, plan)}.")
    return [Reply("\n".join(lines))]


async def _overview(svc: Services, agency_ids: list[str], title: str,
                    plan: str = DEFAULT_PLAN) -> list[Reply]:
    report = await export.collect(svc, agency_ids=agency_ids, plan_id=plan)
    tz = svc.settings.tz
    progress = from_report(report)
    by_agency: dict[str, list] = {}
    for r in report.rows:
        if not r.general:
            by_agency.setdefault(r.agency_id, []).append(r)
    lines = [f"{title} (đến {fmt_local(svc.now(), tz, False)}), kỳ báo cáo "
             f"{report.period.label}:"]
    for s in report.agencies:
        known = [r for r in by_agency.get(s.agency_id, []) if r.latest]
        counts = {c: sum(1 for r in known if r.latest.status == c) for c in STATUSES}
        parts = [f"{n} {LABELS[c].lower()}" for c, n in counts.items() if n]
        line = f"• {units.label(plan_kb(svc, plan), s.agency_id)}: {progress[s.agency_id].text()}"
        if parts:
            line += f" ({', '.join(parts)})"
        if s.last_update:
            line += f", gần nhất {fmt_local(s.last_update, tz, False)}"
        lines.append(line)
    lines.append("Xem chi tiết: /trangthai TÊN CƠ QUAN.")
    return [Reply("\n".join(lines))]
