"""/hanchot (upcoming deadlines), /nhacnho (reminder subscriptions), /guitatca (broadcast)."""
from __future__ import annotations

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
from bot.services import Services
from bot.text import resolve_agency
from handlers.access import ADMINS_ONLY, is_admin
from handlers.registry import command

UPCOMING = 8  # deadlines listed by /hanchot
OVERDUE_SHOWN = timedelta(days=3)  # recently passed report deadlines stay on the list
OFF_WORDS = {"tat", "tắt", "off", "huy", "hủy", "huỷ"}


# ---- /hanchot --------------------------------------------------------------------------------


@command("hanchot")
async def cmd_deadlines(req: Request, svc: Services, _args: str) -> list[Reply]:
    today = svc.local_now().date()
    recent = [(dl, d) for dl, d in occurrences_between(svc.kb, today - OVERDUE_SHOWN,
                                                       today - timedelta(days=1))
              if dl.kind == "report"]
    items = recent + upcoming(svc.kb, today, UPCOMING)
    if not items:
        return [Reply("Không còn hạn nào sắp tới trong Kế hoạch.")]
    lines = [f"Các hạn sắp tới (hôm nay {weekday_name(today)}, {fmt_date(today)}):"]
    for i, (dl, d) in enumerate(items, 1):
        lines.append(f"{i}. {weekday_name(d)}, {fmt_date(d)} — {days_left_text(d, today)}")
        lines.append(f"   {dl.title} (Mục {dl.source})")
    lines.append("Đăng ký nhận nhắc hạn: /nhacnho")
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


async def _subscriptions(svc: Services, chat_pk: int) -> list[str]:
    async with svc.sessions() as s:
        rows = await s.execute(select(Subscription.agency_id).where(
            Subscription.chat_id == chat_pk).order_by(Subscription.id))
        return [r[0] for r in rows]


def _describe(svc: Services, agencies: list[str]) -> str:
    if "*" in agencies:
        return "mọi hạn của Kế hoạch"
    names = [svc.kb.agency(a).name for a in agencies if _known(svc, a)]
    return "các hạn của " + ", ".join(names)


def _known(svc: Services, agency_id: str) -> bool:
    try:
        svc.kb.agency(agency_id)
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
    if arg.lower() in OFF_WORDS:
        return await _unsubscribe(req, svc, where)
    agency_id, note = "*", ""
    if arg:
        found = resolve_agency(svc.kb, arg)
        if not found:
            return [Reply(f"Không tìm thấy cơ quan “{arg}”. Ví dụ: /nhacnho Sở Xây dựng, "
                          "hoặc /nhacnho để nhận mọi hạn.")]
        agency_id = found[0].id
        mapped = units.resolve_unit(svc.kb, found[0])
        if mapped.unit is not None:  # a former name follows today's unit
            agency_id, note = mapped.unit.id, (f"{mapped.note}. " if mapped.note else "")
    chat_pk = await _ensure_chat(svc, req)
    user_pk = await _ensure_user(svc, req)
    await _subscribe(svc, chat_pk, user_pk, agency_id)
    if req.is_private:
        await _set_private_reminders(svc, user_pk, True)
    now = await _subscriptions(svc, chat_pk)
    return [Reply(f"{note}Đã bật nhắc hạn cho {where}: {_describe(svc, now)}. "
                  "Tắt bằng lệnh /nhacnho tat.")]


async def _subscribe(svc: Services, chat_pk: int, user_pk: int, agency_id: str) -> None:
    """"*" replaces the chat's agency subscriptions; an agency replaces "*" and adds up."""
    drop = (Subscription.agency_id != "*") if agency_id == "*" else (
        Subscription.agency_id == "*")
    try:
        async with svc.sessions() as s, s.begin():
            await s.execute(delete(Subscription).where(Subscription.chat_id == chat_pk, drop))
            have = (await s.execute(select(Subscription.id).where(
                Subscription.chat_id == chat_pk, Subscription.agency_id == agency_id))).first()
            if have is None:
                s.add(Subscription(chat_id=chat_pk, agency_id=agency_id, created_by=user_pk,
                                   created_at=svc.now()))
    except IntegrityError:
        pass  # a concurrent identical /nhacnho won the unique (chat, agency): same outcome


async def _unsubscribe(req: Request, svc: Services, where: str) -> list[Reply]:
    async with svc.sessions() as s, s.begin():
        chat = (await s.execute(select(Chat).where(
            Chat.channel == req.channel, Chat.external_id == req.chat_id))).scalar_one_or_none()
        if chat is not None:
            await s.execute(delete(Subscription).where(Subscription.chat_id == chat.id))
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
