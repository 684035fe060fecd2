"""Status updates: /capnhat (one line, or a guided flow with choices), /huy and /trangthai.

Public helpers: shorten(text, size), item_summary(kb, item_id), example_command(kb, agency_id).
"""
from __future__ import annotations

import json
import re

from bot import export
from bot.calendar import fmt_int
from bot.core import Choice, Reply, Request
from bot.db import pending as pending_store
from bot.db import repo
from bot.periods import COLLECTIVE, fmt_local, reporting_agencies
from bot.services import Services
from bot.statuses import LABELS, STATUSES, label, parse_status
from bot.text import fold
from handlers.registry import callback, command, pending

MAX_NOTE = 1000
SUMMARY = 60  # characters of a task's text shown beside its id
NOTE_KIND = "capnhat_note"
NOT_MEMBER = ("Chỉ cán bộ đầu mối đã được duyệt mới cập nhật được tiến độ; xin đăng ký bằng lệnh "
              "/dangky TÊN CƠ QUAN.")
STATUS_WORDS = "chưa thực hiện, đang thực hiện, hoàn thành, vướng mắc"
EXPIRED = "Lựa chọn này không còn hiệu lực. Xin gõ lại /capnhat."
NO_NOTE = {"bo qua", "khong", "khong co", "khong co ghi chu", "skip"}
CANCEL = {"huy", "huy bo"}  # "hủy", "huỷ", "huy", "hủy bỏ" once folded
_ROMAN = re.compile(r"^(i{1,3}|iv|v)\.", re.I)


def normalise_item(text: str) -> str:
    """ "iv.1" -> "IV.1", "2.2.1." -> "2.2.1", "mục 2.2" stays for the caller to refuse."""
    item = text.strip().rstrip(".:,;")
    m = _ROMAN.match(item)
    return m.group(1).upper() + item[m.end() - 1:] if m else item


def shorten(text: str, size: int = SUMMARY) -> str:
    """One line of at most `size` characters, cut at a word boundary, "…" when cut."""
    text = " ".join((text or "").split())
    if len(text) <= size:
        return text
    cut = text[:size - 1]
    space = cut.rfind(" ")
    if space > size // 2:  # a word boundary not too far back; else cut inside the long word
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def item_summary(kb, item_id: str) -> str:
    """What an item id stands for: a task's text, shortened; for a section, its extent."""
    item = kb.item(item_id)
    if item is None:
        return ""
    if hasattr(item, "section"):  # a Task
        return shorten(item.text)
    section, tasks = item, kb.tasks_of(item_id)
    extent = f"cả mục {item_id}, {len(tasks)} nhiệm vụ"
    named = {a.name for a in kb.agencies}
    if section.title and section.title not in named:  # in part III the title is the agency
        return f"{shorten(section.title)} ({extent})"
    return extent[0].upper() + extent[1:]


def _own_tasks(kb, agency_id: str) -> list:
    return export.agency_tasks(kb, agency_id) or export.general_tasks(kb)


def example_command(kb, agency_id: str) -> str:
    """A /capnhat line built from the member's own first task."""
    return f"/capnhat {_own_tasks(kb, agency_id)[0].id} đang thực hiện NỘI DUNG"


def _usage(kb, agency_id: str) -> str:
    return f"Ví dụ: {example_command(kb, agency_id)} (trạng thái: {STATUS_WORDS})."


def check_item(svc: Services, agency_id: str, item_id: str) -> str | None:
    """None when the agency may report on the item, else the one-line reason."""
    kb = svc.kb
    item = kb.item(item_id)
    if item is None:
        task = _own_tasks(kb, agency_id)[0]
        return (f"Không có mục “{shorten(item_id, 40)}” trong Kế hoạch; ví dụ đúng: "
                f"{task.section} hoặc {task.id}.")
    section = kb.section(item.section) if hasattr(item, "section") else item
    if section.binds_all or section.id in kb.general_section_ids:
        return None  # group 1, IV.1, IV.3 bind every agency
    agency = kb.agency(agency_id)
    lead = agency.parent or agency_id
    owner = getattr(item, "lead", None) or section.lead
    if owner == lead:
        return None
    own = ", ".join(s.id for s in kb.sections_led_by(agency_id)) or "không có"
    if owner is None:
        return (f"Mục {item_id} không giao riêng cho cơ quan nào; các mục của {agency.name}: "
                f"{own}.")
    return f"Mục {item_id} do {kb.agency(owner).name} chủ trì, không thuộc {agency.name}."


# ---------------------------------------------------------------- /capnhat

@command("capnhat")
async def cmd_update(req: Request, svc: Services, args: str) -> list[Reply]:
    member = await repo.member_of(svc.sessions, req.channel, req.user_id)
    if member is None:
        return [Reply(NOT_MEMBER)]
    if not args.strip():
        return _task_picker(svc, member.agency_id)
    head, _, rest = args.strip().partition(" ")
    item_id = normalise_item(head)
    reason = check_item(svc, member.agency_id, item_id)
    if reason:
        return [Reply(reason)]
    code, note = parse_status(rest)
    if code is None:
        if not rest.strip():
            return [Reply("Thiếu trạng thái. " + _usage(svc.kb, member.agency_id))]
        return [Reply(f"Không hiểu trạng thái “{shorten(rest, 30)}”. "
                      + _usage(svc.kb, member.agency_id))]
    return await save(req, svc, member, item_id, code, note)


def too_long(note: str) -> str | None:
    if len(note) <= MAX_NOTE:
        return None
    return (f"Ghi chú dài {fmt_int(len(note))} ký tự, vượt mức tối đa {fmt_int(MAX_NOTE)} ký tự; "
            "chưa lưu gì. Xin rút gọn ghi chú.")


async def save(req: Request, svc: Services, member: repo.Member, item_id: str, code: str,
               note: str) -> list[Reply]:
    """Store one update (refusing an over-long note) and confirm it once committed."""
    refused = too_long(note)
    if refused:
        return [Reply(refused)]
    row = await repo.add_status(svc.sessions, user_id=member.user_id,
                                agency_id=member.agency_id, item_id=item_id, status=code,
                                note=note, channel=req.channel, at=svc.now(),
                                user_name=member.display_name)
    return [confirmation(svc, row)]


def confirmation(svc: Services, row: repo.StatusRow) -> Reply:
    """The acknowledgement; called only with a committed row."""
    agency = svc.kb.agency(row.agency_id).name
    text = (f"Đã lưu: {row.item_id} — {label(row.status)} ({agency}), lúc "
            f"{fmt_local(row.created_at, svc.settings.tz)}.\n"
            f"Nhiệm vụ: {item_summary(svc.kb, row.item_id)}")
    if row.note:
        text += f"\nGhi chú: {row.note}"
    return Reply(text)


def _task_picker(svc: Services, agency_id: str) -> list[Reply]:
    kb = svc.kb
    tasks = export.agency_tasks(kb, agency_id) + export.general_tasks(kb)
    choices = tuple(Choice(f"{t.id} {shorten(t.text, 48)}", f"cn:t:{t.id}") for t in tasks)
    return [Reply(f"Chọn nhiệm vụ cần cập nhật ({kb.agency(agency_id).name}); gõ /huy để hủy:",
                  choices)]


@callback("cn")
async def cb_update(req: Request, svc: Services, rest: str) -> list[Reply]:
    step, _, data = rest.partition(":")
    member = await repo.member_of(svc.sessions, req.channel, req.user_id)
    if member is None:
        return [Reply(NOT_MEMBER)]
    item_id, _, code = data.partition(":")
    reason = check_item(svc, member.agency_id, item_id)
    if reason:
        return [Reply(reason)]
    if step == "t":
        return [Reply(f"Trạng thái của {item_id} ({item_summary(svc.kb, item_id)}):",
                      tuple(Choice(LABELS[c], f"cn:s:{item_id}:{c}") for c in STATUSES))]
    if step == "s" and code in STATUSES:
        if not req.is_private:
            # a group delivers plain text only when it replies to or mentions the bot, so a
            # note step would stall: save now, and say how to add a note in one line
            replies = await save(req, svc, member, item_id, code, "")
            hint = f"Để kèm ghi chú, gõ: /capnhat {item_id} {label(code).lower()} NỘI DUNG"
            return [Reply(f"{replies[0].text}\n{hint}")]
        await pending_store.put(svc.sessions, req.channel, req.chat_id, req.user_id, NOTE_KIND,
                                {"item": item_id, "status": code})
        return [Reply(f"{item_id} — {label(code)}. Xin gửi ghi chú (kết quả, số liệu, vướng mắc); "
                      "gõ “-” hoặc “bỏ qua” nếu không có ghi chú, /huy để hủy (không lưu).")]
    return [Reply(EXPIRED)]


@command("huy")
async def cmd_cancel(req: Request, svc: Services, args: str) -> list[Reply]:
    """Abandon the guided flow; dispatch has already dropped the user's own pending step."""
    if req.is_private:  # numbered choices shown in a private chat belong to that one user
        await pending_store.clear(svc.sessions, req.channel, req.chat_id, pending_store.ANY_USER)
    return [Reply("Đã hủy thao tác đang dở (nếu có); không có gì được lưu.")]


@pending(NOTE_KIND)
async def on_note(req: Request, svc: Services, payload: str) -> list[Reply]:
    state = json.loads(payload)
    member = await repo.member_of(svc.sessions, req.channel, req.user_id)
    if member is None:
        return [Reply(NOT_MEMBER)]
    item_id, code = state.get("item", ""), state.get("status", "")
    reason = check_item(svc, member.agency_id, item_id)
    if reason or code not in STATUSES:
        return [Reply(reason or EXPIRED)]
    note = (req.text or "").strip()
    folded = fold(note)
    if folded in CANCEL:
        return [Reply(f"Đã hủy cập nhật {item_id}; không có gì được lưu.")]
    if not folded or folded in NO_NOTE:  # "-", "bỏ qua", "không": no note
        note = ""
    refused = too_long(note)
    if refused:  # keep waiting for a shorter note
        await pending_store.put(svc.sessions, req.channel, req.chat_id, req.user_id, NOTE_KIND,
                                state)
        return [Reply(f"{refused} Xin gửi lại ghi chú ngắn hơn, hoặc gõ /huy để hủy.")]
    return await save(req, svc, member, item_id, code, note)


# ---------------------------------------------------------------- /trangthai

@command("trangthai")
async def cmd_status(req: Request, svc: Services, args: str) -> list[Reply]:
    if args.strip():
        from bot.text import resolve_agency

        found = resolve_agency(svc.kb, args)
        if not found:
            return [Reply(f"Không tìm thấy cơ quan “{shorten(args)}” trong Kế hoạch.")]
        if len(found) > 1:
            return [Reply("Đồng chí muốn xem cơ quan nào?",
                          tuple(Choice(a.name, f"tt:{a.id}") for a in found))]
        return await _status_of(svc, found[0].id)
    member = await repo.member_of(svc.sessions, req.channel, req.user_id)
    if member is not None:
        return await _status_of(svc, member.agency_id)
    return await _overview(svc, reporting_agencies(svc.kb),
                           "Tình trạng cập nhật của các cơ quan, đơn vị")


@callback("tt")
async def cb_status(req: Request, svc: Services, agency_id: str) -> list[Reply]:
    try:
        svc.kb.agency(agency_id)
    except KeyError:
        return [Reply("Lựa chọn này không còn hiệu lực.")]
    return await _status_of(svc, agency_id)


async def _status_of(svc: Services, agency_id: str) -> list[Reply]:
    kb = svc.kb
    children = [c.id for c in kb.children(agency_id)]
    if children:
        name = "UBND các huyện, thành phố" if agency_id == COLLECTIVE else kb.agency(agency_id).name
        return await _overview(svc, children,
                               f"Tình trạng cập nhật của {name}, theo từng đơn vị")
    report = await export.collect(svc, agency_ids=[agency_id])
    tz = svc.settings.tz
    lines = [f"Tình trạng nhiệm vụ của {kb.agency(agency_id).name} (đến "
             f"{fmt_local(svc.now(), tz, False)}):"]
    for r in report.rows:
        line = f"• {r.task_id} {shorten(r.text)} — "
        if r.latest is None:
            lines.append(line + "Chưa có cập nhật")
            continue
        line += f"{label(r.latest.status)} ({fmt_local(r.latest.created_at, tz, False)})"
        if r.latest.note:
            line += f"; ghi chú: {shorten(r.latest.note, 120)}"
        lines.append(line)
    if not report.rows:
        lines.append("Cơ quan này không chủ trì nhiệm vụ riêng nào trong Kế hoạch.")
    return [Reply("\n".join(lines))]


async def _overview(svc: Services, agency_ids: list[str], title: str) -> list[Reply]:
    report = await export.collect(svc, agency_ids=agency_ids)
    tz = svc.settings.tz
    by_agency: dict[str, list] = {}
    for r in report.rows:
        if not r.general:
            by_agency.setdefault(r.agency_id, []).append(r)
    lines = [f"{title} (đến {fmt_local(svc.now(), tz, False)}):"]
    for s in report.agencies:
        rows = by_agency.get(s.agency_id, [])
        known = [r for r in rows if r.latest]
        counts = {c: sum(1 for r in known if r.latest.status == c) for c in STATUSES}
        parts = [f"{n} {LABELS[c].lower()}" for c, n in counts.items() if n]
        line = f"• {svc.kb.agency(s.agency_id).name}: {len(known)}/{len(rows)} nhiệm vụ có cập nhật"
        if parts:
            line += f" ({', '.join(parts)})"
        if s.last_update:
            line += f", gần nhất {fmt_local(s.last_update, tz, False)}"
        lines.append(line)
    lines.append("Xem chi tiết: /trangthai TÊN CƠ QUAN.")
    return [Reply("\n".join(lines))]
