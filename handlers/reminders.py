"""/hanchot (upcoming deadlines), /nhacnho (reminder subscriptions), /guitatca (broadcast).

/hanchot and /nhacnho take a plan ("kế hoạch 134", "kh134"): the plan named, else the chat's
default plan (KH147 unless chosen with /kehoach chon)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from bot import reminders, units
from bot.calendar import (
    days_left_text,
    fmt_date,
    fmt_int,
    occurrences_between,
    upcoming,
    weekday_name,
)
from bot.core import Reply, Request
from bot.db import repo
from bot.db.models import Broadcast, Chat, Subscription, User
from bot.knowledge import DEFAULT_PLAN, Knowledge
from bot.services import Services
from bot.text import fold, resolve_agency
from handlers.access import ADMINS_ONLY, is_admin
from handlers.plans import chat_plan, plans_of
from handlers.registry import command

UPCOMING = 8  # deadlines listed by /hanchot
OVERDUE_SHOWN = timedelta(days=3)  # recently passed report deadlines stay on the list
OFF_WORDS = {"tat", "tắt", "off", "huy", "hủy", "huỷ"}
# "kế hoạch 999", "KH 999", "kh999": names a plan by number (one this bot may not serve)
_PLAN_CUE = re.compile(r"\b(?:ke hoach|kh) ?(?:so )?\d+")


# ---- which plan ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Picked:
    plan_id: str
    rest: str  # the arguments without the plan's words
    named: bool  # the arguments named the plan (not the chat's default)


async def _plan_and_rest(req: Request, svc: Services, args: str) -> Picked | Reply:
    """The plan the arguments name, else the chat's default; a one-line Reply for a plan
    this bot does not serve."""
    args = " ".join(args.split())
    found = plans_of(svc).named_in(args) if args else None
    if found is not None:
        pid, rest = found
        # named_in gives the question back when nothing but the plan was typed
        return Picked(pid, "" if rest == args else rest, True)
    cue = _PLAN_CUE.search(fold(args))
    if cue:
        return Reply(f"Không có {cue.group(0).replace('ke hoach', 'kế hoạch')} trong các kế "
                     "hoạch đang theo dõi; xem danh sách bằng lệnh /kehoach.")
    return Picked(await chat_plan(req, svc), args, False)  # KH147 unless chosen


def _plan_title(pid: str, kb: Knowledge) -> str:
    """KH147 as the bot has always called it; another plan by its number."""
    return "KH147" if pid == DEFAULT_PLAN else reminders.plan_name(kb)


# ---- /hanchot --------------------------------------------------------------------------------


@command("hanchot")
async def cmd_deadlines(req: Request, svc: Services, args: str) -> list[Reply]:
    picked = await _plan_and_rest(req, svc, args)
    if isinstance(picked, Reply):
        return [picked]
    pid, rest = picked.plan_id, picked.rest
    if rest:
        return [Reply(f"Không hiểu “{rest[:60]}”. Dùng: /hanchot, hoặc /hanchot kế hoạch SỐ "
                      "(xem các kế hoạch bằng lệnh /kehoach).")]
    kb = plans_of(svc).get(pid)
    today = svc.local_now().date()
    recent = [(dl, d) for dl, d in occurrences_between(kb, today - OVERDUE_SHOWN,
                                                       today - timedelta(days=1))
              if dl.kind == "report"]
    items = recent + upcoming(kb, today, UPCOMING)
    plan = "Kế hoạch" if pid == DEFAULT_PLAN else reminders.plan_name(kb)
    if not items:
        return [Reply(f"Không còn hạn nào sắp tới trong {plan}.")]
    of = "" if pid == DEFAULT_PLAN else f" của {plan}"
    lines = [f"Các hạn sắp tới{of} (hôm nay {weekday_name(today)}, {fmt_date(today)}):"]
    for i, (dl, d) in enumerate(items, 1):
        lines.append(f"{i}. {weekday_name(d)}, {fmt_date(d)} — {days_left_text(d, today)}")
        lines.append(f"   {dl.title} (Mục {dl.source})")
    cue = "" if pid == DEFAULT_PLAN else " " + reminders.plan_cue(pid, kb)
    lines.append(f"Đăng ký nhận nhắc hạn: /nhacnho{cue}")
    return [Reply("\n".join(lines))]


# ---- /nhacnho --------------------------------------------------------------------------------


async def _ensure_chat(svc: Services, req: Request) -> int:
    kind = "private" if req.is_private else "group"
    chat = await repo.upsert_chat(svc.sessions, req.channel, req.chat_id, kind, req.chat_title)
    return chat.id


async def _ensure_user(svc: Services, req: Request) -> int:
    user = await repo.upsert_user(svc.sessions, req.channel, req.user_id, req.user_name)
    return user.id


async def _set_private_reminders(svc: Services, user_pk: int, on: bool) -> None:
    async with svc.sessions() as s, s.begin():
        await s.execute(update(User).where(User.id == user_pk).values(private_reminders=on))


async def _subscriptions(svc: Services, chat_pk: int) -> dict[str, list[str]]:
    """The chat's subscribed agencies per plan, KH147 first, in the order they were made."""
    async with svc.sessions() as s:
        rows = await s.execute(select(Subscription.plan_id, Subscription.agency_id).where(
            Subscription.chat_id == chat_pk).order_by(Subscription.id))
        by_plan: dict[str, list[str]] = {}
        for pid, agency in rows:
            by_plan.setdefault(pid or DEFAULT_PLAN, []).append(agency)
    order = plans_of(svc).ids
    return dict(sorted(by_plan.items(), key=lambda x: order.index(x[0]) if x[0] in order
                       else len(order)))


def _describe(svc: Services, subs: dict[str, list[str]]) -> str:
    """"mọi hạn của Kế hoạch" with KH147 alone (as always); with other plans one part each:
    "KH147: các hạn của Sở Xây dựng; Kế hoạch số 134/KH-UBND: mọi hạn"."""
    plans = plans_of(svc)
    known = {pid: agencies for pid, agencies in subs.items() if pid in plans.ids}
    if list(known) == [DEFAULT_PLAN]:
        return _describe_one(svc.kb, known[DEFAULT_PLAN], "mọi hạn của Kế hoạch")
    return "; ".join(f"{_plan_title(pid, plans.get(pid))}: "
                     f"{_describe_one(plans.get(pid), agencies, 'mọi hạn')}"
                     for pid, agencies in known.items())


def _describe_one(kb: Knowledge, agencies: list[str], every: str) -> str:
    if "*" in agencies:
        return every
    names = [kb.agency(a).name for a in agencies if _known(kb, a)]
    return "các hạn của " + ", ".join(names)


def _known(kb: Knowledge, agency_id: str) -> bool:
    try:
        kb.agency(agency_id)
        return True
    except KeyError:
        return False


@command("nhacnho")
async def cmd_subscribe(req: Request, svc: Services, args: str) -> list[Reply]:
    arg = args.strip()
    if not req.is_private and not (req.is_admin or req.is_chat_admin):
        return [Reply("Chỉ quản trị viên của nhóm hoặc quản trị viên bot mới bật, tắt nhắc hạn "
                      "cho nhóm.")]
    where = "cuộc trò chuyện này" if req.is_private else "nhóm này"
    picked = await _plan_and_rest(req, svc, arg)
    if isinstance(picked, Reply):
        return [picked]
    pid, arg = picked.plan_id, picked.rest
    if arg.lower() in OFF_WORDS:
        # a plan named: that plan's subscriptions; none named: every reminder, as always
        return await _unsubscribe(req, svc, where, pid if picked.named else None)
    kb = plans_of(svc).get(pid)
    agency_id, note = "*", ""
    if arg:
        found = resolve_agency(kb, arg)
        if not found:
            return [Reply(f"Không tìm thấy cơ quan “{arg}”"
                          + ("" if pid == DEFAULT_PLAN else f" trong {reminders.plan_name(kb)}")
                          + ". Ví dụ: /nhacnho Sở Xây dựng, hoặc /nhacnho để nhận mọi hạn.")]
        agency_id = found[0].id
        mapped = units.resolve_unit(kb, found[0])
        if mapped.unit is not None:  # a former name follows today's unit
            agency_id, note = mapped.unit.id, (f"{mapped.note}. " if mapped.note else "")
    chat_pk = await _ensure_chat(svc, req)
    user_pk = await _ensure_user(svc, req)
    await _subscribe(svc, chat_pk, user_pk, agency_id, pid)
    if req.is_private:
        await _set_private_reminders(svc, user_pk, True)
    now = await _subscriptions(svc, chat_pk)
    return [Reply(f"{note}Đã bật nhắc hạn cho {where}: {_describe(svc, now)}. "
                  "Tắt bằng lệnh /nhacnho tat.")]


async def _subscribe(svc: Services, chat_pk: int, user_pk: int, agency_id: str,
                     plan_id: str = DEFAULT_PLAN) -> None:
    """Within one plan, "*" replaces the chat's agency subscriptions; an agency replaces "*"
    and adds up."""
    drop = (Subscription.agency_id != "*") if agency_id == "*" else (
        Subscription.agency_id == "*")
    mine = (Subscription.chat_id == chat_pk, Subscription.plan_id == plan_id)
    try:
        async with svc.sessions() as s, s.begin():
            await s.execute(delete(Subscription).where(*mine, drop))
            have = (await s.execute(select(Subscription.id).where(
                *mine, Subscription.agency_id == agency_id))).first()
            if have is None:
                s.add(Subscription(chat_id=chat_pk, agency_id=agency_id, created_by=user_pk,
                                   created_at=svc.now(), plan_id=plan_id))
    except IntegrityError:
        pass  # a concurrent identical /nhacnho won the unique (chat, agency, plan): same outcome


async def _unsubscribe(req: Request, svc: Services, where: str,
                       plan_id: str | None = None) -> list[Reply]:
    """Every subscription of the chat (and, in private, the member's own reminders); with
    `plan_id` only that plan's subscriptions."""
    async with svc.sessions() as s, s.begin():
        chat = (await s.execute(select(Chat).where(
            Chat.channel == req.channel, Chat.external_id == req.chat_id))).scalar_one_or_none()
        if chat is not None:
            which = [Subscription.chat_id == chat.id]
            if plan_id is not None:
                which.append(Subscription.plan_id == plan_id)
            await s.execute(delete(Subscription).where(*which))
    if plan_id is not None:
        kb = plans_of(svc).get(plan_id)
        cue = "" if plan_id == DEFAULT_PLAN else " " + reminders.plan_cue(plan_id, kb)
        kept = (" Nhắc hạn gửi riêng theo cơ quan của Đồng chí vẫn giữ; tắt hết bằng lệnh "
                "/nhacnho tat." if req.is_private else "")
        return [Reply(f"Đã tắt nhắc hạn {_plan_title(plan_id, kb)} cho {where}. Bật lại bằng "
                      f"lệnh /nhacnho{cue}.{kept}")]
    if req.is_private:
        user_pk = await _ensure_user(svc, req)
        await _set_private_reminders(svc, user_pk, False)
        return [Reply("Đã tắt nhắc hạn gửi riêng cho Đồng chí (kể cả nhắc hạn của cơ quan). "
                      "Bật lại bằng lệnh /nhacnho.")]
    return [Reply(f"Đã tắt nhắc hạn cho {where}. Bật lại bằng lệnh /nhacnho.")]


# ---- /guitatca -------------------------------------------------------------------------------


@command("guitatca")
async def cmd_broadcast(req: Request, svc: Services, args: str) -> list[Reply]:
    if not is_admin(req, svc):
        return [Reply(ADMINS_ONLY)]
    text = args.strip()
    if not text:
        return [Reply("Xin nhập nội dung, ví dụ: /guitatca Đề nghị các cơ quan gửi báo cáo "
                      f"năm trước ngày {fmt_date(_next_annual_report(svc))}.")]
    user_pk = await _ensure_user(svc, req)
    async with svc.sessions() as s, s.begin():
        b = Broadcast(text=text, created_by=user_pk, created_at=svc.now())
        s.add(b)
    audience = await reminders.broadcast_audience(svc)
    if not audience.chats:
        return [Reply(f"Đã lưu thông báo số {b.id}; hiện chưa có nơi nhận (chưa nhóm nào đăng ký "
                      "nhắc hạn, chưa cán bộ nào được duyệt vào cơ quan).")]
    who = _audience_text(audience)
    senders = svc.senders
    if not senders:
        return [Reply(f"Đã lưu thông báo số {b.id}; sẽ gửi tới {fmt_int(len(audience.chats))} "
                      f"cuộc trò chuyện ({who}) ở lượt nhắc hạn tiếp theo (trong vòng 1 phút).")]
    result = await reminders.broadcast(svc, senders, b.id, audience)
    line = (f"Đã gửi thông báo số {b.id} tới {fmt_int(result.sent)}/{fmt_int(result.due)} "
            f"cuộc trò chuyện ({who})")
    extra = [f"{label} {fmt_int(n)}" for label, n in (
        ("đã gửi trước đó", result.skipped_already_sent), ("lỗi, sẽ gửi lại", result.failed),
        ("bị chặn", result.dropped), ("chưa có kênh gửi", result.no_sender)) if n]
    return [Reply(line + (f"; {', '.join(extra)}." if extra else "."))]


def _audience_text(audience: reminders.Audience) -> str:
    return (f"{fmt_int(audience.subscribed)} đã đăng ký nhắc hạn, "
            f"{fmt_int(audience.members)} cán bộ cơ quan nhận riêng")


def _next_annual_report(svc: Services) -> date:
    """15/12 of this year, or of next year once it has passed (the example's date)."""
    today = svc.local_now().date()
    due = date(today.year, 12, 15)
    return due if today <= due else date(today.year + 1, 12, 15)
