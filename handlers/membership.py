"""Membership: /dangky, the admins' decision (buttons or /duyet, /tuchoi), /thanhvien,
/xoathanhvien. An official belongs to one agency at a time; district officials register to
their own district."""
from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

from bot.core import ChatRef, Choice, Reply, Request
from bot.db import repo
from bot.periods import fmt_local
from bot.services import Services
from handlers.access import ADMINS_ONLY, is_admin
from handlers.registry import callback, command
from handlers.status import example_command, shorten

PRIVATE_ONLY = "Xin đăng ký trong tin nhắn riêng với bot."
# One user may not flood the admins with notices: a new request at most every 2 minutes and
# 5 a day (a mistyped agency is corrected within minutes); the identical request asked again
# tells nobody again. Only one request per user is ever pending (a new one cancels the old).
REQUEST_LIMITS = repo.RequestLimits(gap=timedelta(minutes=2), per_day=5)
_ID = re.compile(r"^#?(\d{1,9})$")


def parse_id(text: str) -> int | None:
    m = _ID.match((text or "").strip())
    return int(m.group(1)) if m else None


async def notify_targets(svc: Services) -> list[ChatRef]:
    """Every admin's private chat, terminal admins included."""
    refs = await repo.admin_chats(svc.sessions, svc.settings)
    refs += [ChatRef("console", i) for i in sorted(getattr(svc, "console_admins", ()) or ())]
    return refs


def _agency_name(svc: Services, agency_id: str) -> str:
    try:
        return svc.kb.agency(agency_id).name
    except KeyError:
        return agency_id


def _resolve(svc: Services, text: str) -> list:
    from bot.text import resolve_agency

    return resolve_agency(svc.kb, text)


# ---------------------------------------------------------------- /dangky

@command("dangky")
async def cmd_register(req: Request, svc: Services, args: str) -> list[Reply]:
    if not req.is_private:
        return [Reply(PRIVATE_ONLY)]
    if not args:
        return [Reply("Xin ghi tên cơ quan, ví dụ: /dangky Sở Xây dựng, /dangky SXD hoặc "
                      "/dangky UBND huyện Việt Yên.")]
    found = _resolve(svc, args)
    if not found:
        return [Reply(f"Không tìm thấy cơ quan “{shorten(args, 80)}” trong Kế hoạch; xin ghi tên "
                      "đầy đủ hoặc viết tắt, ví dụ: Sở Xây dựng, SXD.")]
    if len(found) > 1:
        return [Reply("Đồng chí muốn đăng ký vào cơ quan nào?",
                      tuple(Choice(a.name, f"dk:{a.id}") for a in found))]
    return await _register(req, svc, found[0].id)


@callback("dk")
async def cb_register(req: Request, svc: Services, agency_id: str) -> list[Reply]:
    if not req.is_private:
        return [Reply(PRIVATE_ONLY)]
    try:
        svc.kb.agency(agency_id)
    except KeyError:
        return [Reply("Lựa chọn này không còn hiệu lực. Xin gõ lại /dangky TÊN CƠ QUAN.")]
    return await _register(req, svc, agency_id)


async def _register(req: Request, svc: Services, agency_id: str) -> list[Reply]:
    """Today's unit for the name (bot.units): a former name is mapped with a one-line note, a
    split department or a former district asks which unit the official belongs to."""
    from bot.units import resolve_unit

    kb = svc.kb
    found = resolve_unit(kb, kb.agency(agency_id))
    if found.unit is None:
        return [Reply(found.question, tuple(Choice(a.name, f"dk:{a.id}") for a in found.choices))]
    districts = kb.children(found.unit.id)
    if districts:
        return [Reply(f"{found.unit.name} báo cáo theo từng đơn vị; xin chọn huyện, "
                      "thành phố của Đồng chí:",
                      tuple(Choice(d.name, f"dk:{d.id}") for d in districts))]
    replies = await _register_current(req, svc, found.unit.id)
    if found.note:  # "Sở Kế hoạch và Đầu tư nay là Sở Tài chính (từ 01/3/2025); đã ghi nhận…"
        replies[0] = dataclasses.replace(replies[0], text=(
            f"{found.note}; đã ghi nhận đăng ký vào {found.unit.name}.\n{replies[0].text}"))
    return replies


async def _register_current(req: Request, svc: Services, agency_id: str) -> list[Reply]:
    kb = svc.kb
    name = kb.agency(agency_id).name
    await repo.upsert_chat(svc.sessions, req.channel, req.chat_id, "private", req.chat_title)
    current = await repo.member_of(svc.sessions, req.channel, req.user_id)
    if current and current.agency_id == agency_id:
        await repo.upsert_user(svc.sessions, req.channel, req.user_id, req.user_name)
        return [Reply(f"Đồng chí đã là cán bộ đầu mối của {name}.")]
    done = await repo.submit_request(svc.sessions, req.channel, req.user_id, agency_id,
                                     display_name=req.user_name, chat_id=req.chat_id,
                                     now=svc.now(), limits=REQUEST_LIMITS)
    if done.outcome == "same":  # asked again (or twice at once): the admins were told already
        return [Reply(f"Đồng chí đã có yêu cầu số {done.row.id} tham gia {name} đang chờ duyệt.")]
    if done.outcome == "too_soon":
        at = fmt_local(done.retry_at, svc.settings.tz)
        return [Reply(f"Đồng chí vừa gửi yêu cầu số {done.row.id}; xin gửi yêu cầu mới sau "
                      f"{at}, hoặc chờ quản trị viên xử lý.")]
    if done.outcome == "too_many":
        return [Reply(f"Đồng chí đã gửi {REQUEST_LIMITS.per_day} yêu cầu trong 24 giờ qua; xin "
                      "chờ quản trị viên xử lý hoặc liên hệ Sở Công Thương.")]
    row, waiting = done.row, done.replaced
    targets = await notify_targets(svc)
    note = ""
    if current:
        note += (f" Hiện Đồng chí là cán bộ đầu mối của {_agency_name(svc, current.agency_id)};"
                 " khi được duyệt sẽ chuyển sang cơ quan mới.")
    if waiting:
        note += (f" Yêu cầu số {waiting.id} (tham gia {_agency_name(svc, waiting.agency_id)}) "
                 "không còn hiệu lực.")
    if not targets:
        return [Reply(f"Đã ghi nhận yêu cầu số {row.id} tham gia {name}; hiện chưa có quản trị "
                      "viên trên kênh này, xin liên hệ Sở Công Thương để được duyệt." + note)]
    asked = f"Yêu cầu đăng ký số {row.id}: {repo.who_full(row)} xin tham gia {name}."
    if current:
        asked += f" Hiện là cán bộ đầu mối của {_agency_name(svc, current.agency_id)}."
    if waiting:
        asked += f" Yêu cầu này thay cho yêu cầu số {waiting.id}."
    buttons = (Choice(f"Duyệt yêu cầu số {row.id}", f"reg:ok:{row.id}"),
               Choice(f"Từ chối yêu cầu số {row.id}", f"reg:no:{row.id}"))
    replies = [Reply(f"Đã gửi yêu cầu tham gia {name} (số {row.id}) tới quản trị viên. Đồng chí "
                     "sẽ nhận được thông báo khi yêu cầu được xử lý." + note)]
    # where choices are numbered, also the command that names this request whatever else
    # arrives meanwhile (a bare "1" is asked back when several notices are open)
    typed = f"\nHoặc gõ /duyet {row.id} hay /tuchoi {row.id}."
    replies += [Reply(asked + ("" if t.channel in svc.button_channels else typed), buttons,
                      chat=t) for t in targets]
    return replies


# ---------------------------------------------------------------- decisions

async def choice_open(svc: Services, rest: str) -> bool:
    """Whether a "reg:ok:12" / "reg:no:12" choice still has a request to decide."""
    mid = parse_id(rest.partition(":")[2])
    row = await repo.get_membership(svc.sessions, mid) if mid is not None else None
    return row is not None and row.state == repo.PENDING


@callback("reg")
async def cb_decide(req: Request, svc: Services, rest: str) -> list[Reply]:
    action, _, raw = rest.partition(":")
    mid = parse_id(raw)
    if action not in ("ok", "no") or mid is None:
        return [Reply("Lựa chọn này không còn hiệu lực.")]
    return await _decide(req, svc, mid, action == "ok")


@command("duyet")
async def cmd_approve(req: Request, svc: Services, args: str) -> list[Reply]:
    return await _decide_command(req, svc, args, approve=True)


@command("tuchoi")
async def cmd_reject(req: Request, svc: Services, args: str) -> list[Reply]:
    return await _decide_command(req, svc, args, approve=False)


async def _decide_command(req: Request, svc: Services, args: str, approve: bool) -> list[Reply]:
    if not is_admin(req, svc):
        return [Reply(ADMINS_ONLY)]
    if not args:
        return await _pending_list(svc)
    mid = parse_id(args)
    if mid is None:
        verb = "duyet" if approve else "tuchoi"
        return [Reply(f"Xin ghi số yêu cầu, ví dụ: /{verb} 12 (gõ /duyet để xem các yêu cầu "
                      "đang chờ).")]
    return await _decide(req, svc, mid, approve)


async def _pending_list(svc: Services) -> list[Reply]:
    rows = await repo.list_pending(svc.sessions)
    if not rows:
        return [Reply("Không có yêu cầu đăng ký nào đang chờ duyệt.")]
    tz = svc.settings.tz
    lines = ["Yêu cầu đăng ký đang chờ duyệt:"]
    lines += [f"• Số {r.id}: {repo.who_full(r)} — {_agency_name(svc, r.agency_id)}, gửi lúc "
              f"{fmt_local(r.requested_at, tz)}" for r in rows]
    lines.append("Duyệt: /duyet SỐ; từ chối: /tuchoi SỐ.")
    choices = tuple(Choice(f"Duyệt yêu cầu số {r.id}", f"reg:ok:{r.id}") for r in rows[:10])
    return [Reply("\n".join(lines), choices)]


async def _decide(req: Request, svc: Services, mid: int, approve: bool) -> list[Reply]:
    if not is_admin(req, svc):
        return [Reply("Chỉ quản trị viên mới duyệt được yêu cầu đăng ký.")]
    d = await repo.decide_membership(svc.sessions, mid, approve, by_channel=req.channel,
                                     by_external_id=req.user_id, by_name=req.user_name,
                                     now=svc.now())
    if d.outcome == "not_found":
        return [Reply(f"Không có yêu cầu đăng ký số {mid}.")]
    row = d.row
    name = _agency_name(svc, row.agency_id)
    if d.outcome == "already":
        return [Reply(already_decided(svc, d))]
    if approve:
        moved = f" (rời {_agency_name(svc, d.previous_agency)})" if d.previous_agency else ""
        return [Reply(f"Đã duyệt yêu cầu số {mid}: {repo.who(row)} là cán bộ đầu mối của "
                      f"{name}{moved}."),
                Reply(f"Yêu cầu tham gia {name} của Đồng chí đã được duyệt. Đồng chí có thể "
                      "cập nhật tiến độ nhiệm vụ bằng lệnh /capnhat, ví dụ: "
                      f"{example_command(svc.kb, row.agency_id)}", chat=row.chat)]
    return [Reply(f"Đã từ chối yêu cầu số {mid} ({repo.who(row)} — {name})."),
            Reply(f"Yêu cầu tham gia {name} của Đồng chí chưa được chấp thuận. Xin liên hệ "
                  "Sở Công Thương nếu cần.", chat=row.chat)]


def already_decided(svc: Services, d: repo.Decision) -> str:
    """What a late press on a decided request is told: who decided, and when."""
    row = d.row
    if row.state == repo.CANCELLED:
        newer = f" (số {d.replaced_by})" if d.replaced_by else ""
        return (f"Yêu cầu số {row.id} không còn hiệu lực vì cán bộ đã gửi yêu cầu mới{newer}.")
    by = row.decided_by_name or "quản trị viên"
    at = f" lúc {fmt_local(row.decided_at, svc.settings.tz)}" if row.decided_at else ""
    if row.state == repo.REJECTED:
        return f"Yêu cầu số {row.id} đã bị {by} từ chối{at}."
    text = f"Yêu cầu số {row.id} đã được {by} duyệt{at}"
    if row.state == repo.REMOVED:
        return text + "; sau đó cán bộ đã bị xóa khỏi danh sách cán bộ đầu mối."
    if row.state == repo.ENDED:
        return text + "; sau đó cán bộ đã chuyển sang cơ quan khác."
    return text + "."


# ---------------------------------------------------------------- members

@command("thanhvien")
async def cmd_members(req: Request, svc: Services, args: str) -> list[Reply]:
    if not is_admin(req, svc):
        return [Reply(ADMINS_ONLY)]
    agency_ids = None
    title = "Cán bộ đầu mối đã được duyệt"
    if args:
        found = _resolve(svc, args)
        if not found:
            return [Reply(f"Không tìm thấy cơ quan “{shorten(args, 80)}” trong Kế hoạch.")]
        agency = found[0]
        from bot.units import resolve_unit

        kb = svc.kb
        agency = resolve_unit(kb, agency).unit or agency  # a former name: its successor's
        agency_ids = []
        for a in (agency, *kb.successors(agency.id)):  # a collective or district: the communes
            agency_ids += [a.id, *(c.id for c in kb.children(a.id))]
        title += f" của {agency.name}"
    rows = await repo.list_members(svc.sessions, agency_ids)
    pending = await repo.list_pending(svc.sessions)
    tail = f"\nĐang chờ duyệt: {len(pending)} yêu cầu (gõ /duyet để xem)." if pending else ""
    if not rows:
        return [Reply(f"{title}: chưa có ai.{tail}")]
    order = {a.id: i for i, a in enumerate(svc.kb.agencies)}
    rows.sort(key=lambda r: (order.get(r.agency_id, 999), r.id))
    tz = svc.settings.tz
    lines = [f"{title} ({len(rows)}):"]
    lines += [f"• Số {r.id}: {repo.who_full(r)} — {_agency_name(svc, r.agency_id)}, từ "
              f"{fmt_local(r.decided_at, tz, False)}" for r in rows]
    lines.append("Xóa một cán bộ đầu mối khỏi danh sách: /xoathanhvien SỐ." + tail)
    return [Reply("\n".join(lines))]


@command("xoathanhvien")
async def cmd_remove(req: Request, svc: Services, args: str) -> list[Reply]:
    if not is_admin(req, svc):
        return [Reply(ADMINS_ONLY)]
    mid = parse_id(args)
    if mid is None:
        return [Reply("Xin ghi số của cán bộ đầu mối (xem bằng /thanhvien), ví dụ: "
                      "/xoathanhvien 12.")]
    row = await repo.remove_member(svc.sessions, mid, by_channel=req.channel,
                                   by_external_id=req.user_id, now=svc.now())
    if row is None:
        return [Reply(f"Không có cán bộ đầu mối đang hoạt động số {mid} (xem bằng /thanhvien).")]
    name = _agency_name(svc, row.agency_id)
    return [Reply(f"Đã xóa {repo.who(row)} khỏi danh sách cán bộ đầu mối của {name}."),
            Reply(f"Đồng chí không còn là cán bộ đầu mối của {name} trên bot. Xin liên hệ Sở "
                  "Công Thương nếu có nhầm lẫn.", chat=row.chat)]


# ---------------------------------------------------------------- members of former units

@callback("mv")
async def cb_move(req: Request, svc: Services, unit_id: str) -> list[Reply]:
    """A member registered under a split unit says which successor they belong to."""
    from bot.units import move_member

    member = await repo.member_of(svc.sessions, req.channel, req.user_id)
    kb = svc.kb
    if member is None or not kb.is_former(member.agency_id) or unit_id not in {
            a.id for a in kb.successors(member.agency_id)}:
        return [Reply("Lựa chọn này không còn hiệu lực.")]
    await move_member(svc, member.user_id, member.agency_id, unit_id)
    return [Reply(f"Đã ghi nhận: Đồng chí nay là cán bộ đầu mối của {kb.agency(unit_id).name} "
                  f"(trước đây {kb.agency(member.agency_id).name}). Cập nhật tiến độ: "
                  f"{example_command(kb, unit_id)}")]
