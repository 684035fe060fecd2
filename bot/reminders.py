"""Deadline reminders: channel-neutral, each (plan, deadline occurrence, chat, offset) sent once.

Public API:
    run_pass(svc, senders, at, dry_run=False) -> PassSummary   one pass as of instant `at`
    run_loop(svc, senders, stop)                                a pass every minute until `stop`
    broadcast(svc, senders, broadcast_id, audience=None) -> PassSummary   send one broadcast now
    broadcast_audience(svc) -> Audience     who a broadcast reaches (subscribed chats + members)

The engine is handed its senders (bot.senders.Sender: the running channels, or what
`python -m bot remind` builds in bot/remind_cli.py); it imports no channel.

Every plan the bot serves (KH147 and PLANS_DIR's, bot.knowledge.load_plans) reminds of its own
deadlines and reporting regime (bot.periods.period_for gives each report its period), to the
chats subscribed to that plan (Subscription.plan_id), the members of a unit it names, and the
admins; who is missing is read from that plan's rows (bot.progress.unit_progress(plan_id=...)).
A plan other than KH147 is named in the text.

Exactly once: before sending, a pass INSERTs a ReminderDelivery row and commits; the unique
(deadline_id, occurrence, chat_id, offset_days, plan_id) constraint is the claim, so a second
process (or a rerun) that hits it skips the reminder; the same deadline id in two plans is two
reminders. After sending, the row becomes sent, failed (retried by
a later pass while the reminder is still within 24 h) or dropped (the chat blocked the bot).

Crash safety: a row stuck in "claimed" means a pass died between claiming and finishing; whether
the message left is unknown. Such a row is taken over only once it is older than CLAIM_STALE
(10 minutes of wall-clock time), far longer than any live pass holds a claim (a send has its own
timeouts of seconds), so two live processes never both send it. Every claim and re-claim bumps
`attempts`, and a re-claim is a compare-and-set on (id, state, attempts): only one taker wins.

Never at night: REMINDER_TIME lies within REMINDER_WORKING_HOURS (bot.config checks it), and a
message whose moment passed more than ON_TIME ago (the bot was down, a send failed) is held
until a pass inside working hours; the 24-hour window still applies, and working hours come
round within 24 hours of any moment inside them, so holding never loses a reminder.
"""
from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.calendar import (
    days_left_text,
    fmt_date,
    occurrences_between,
    reminder_moment,
    weekday_name,
)
from bot.core import Reply
from bot.db import repo
from bot.db.models import (
    Broadcast,
    Chat,
    Membership,
    ReminderDelivery,
    Subscription,
    User,
)
from bot.knowledge import DEFAULT_PLAN, Deadline, Knowledge
from bot.periods import issued_on, period_for, reporting_agencies
from bot.progress import unit_progress
from bot.senders import Sender, SendResult
from bot.services import Services

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)  # a reminder older than this is not sent late
# a pass this soon after a message's moment is on time, at any hour (the loop runs each minute;
# a broadcast written at 21:00 goes out at once); later than this it waits for working hours
ON_TIME = timedelta(minutes=5)
CLAIM_STALE = timedelta(minutes=10)
OVERDUE_OFFSETS = (-1, -3)  # days after the deadline, report deadlines only
MAX_ATTEMPTS = 10  # a failing chat is not retried forever
FINISH_TRIES = 4
SEND_CONCURRENCY = 32  # in-flight sends; the channel's own limiter sets the pace

# ---------------------------------------------------------------------------------------------
# Types


@dataclass(frozen=True)
class ChatInfo:
    pk: int
    channel: str
    external_id: str


@dataclass
class Recipient:
    chat: ChatInfo
    scope: frozenset[str] | None  # agency ids; None = every deadline (subscription "*")
    admin: bool = False  # gets the overdue summary


@dataclass
class Planned:
    """One message a pass intends to send (what --dry-run lists)."""

    deadline_id: str
    occurrence: date
    offset_days: int
    chat: ChatInfo
    text: str
    moment: datetime
    held: bool = False  # late, and the pass is outside working hours: a later pass sends it
    plan_id: str = DEFAULT_PLAN


@dataclass
class PassSummary:
    due: int = 0
    sent: int = 0
    skipped_already_sent: int = 0
    failed: int = 0
    dropped: int = 0
    no_sender: int = 0
    held: int = 0  # late ones waiting for working hours
    planned: list[Planned] = field(default_factory=list)

    def line(self) -> str:
        text = (f"remind: due {self.due}, sent {self.sent}, already sent "
                f"{self.skipped_already_sent}, failed {self.failed}, dropped {self.dropped}")
        if self.no_sender:
            text += f", no channel {self.no_sender}"
        if self.held:
            text += f", held until working hours {self.held}"
        return text


# ---------------------------------------------------------------------------------------------
# Who is concerned


def applies_to(kb: Knowledge, dl: Deadline, agency_id: str) -> bool:
    """A deadline concerns an agency when it binds all, names it, its collective or a member."""
    if dl.applies_to == "all":
        return True
    try:
        agency = kb.agency(agency_id)
    except KeyError:
        return False
    ids = {agency_id, agency.parent} | {c.id for c in kb.children(agency_id)}
    # today's unit: also the duties it took over (a commune: its former district's)
    ids |= {i for src, _, _ in kb.inherited(agency_id) for i in (src.id, src.parent) if i}
    return bool(ids & set(dl.applies_to))


def status_agencies(kb: Knowledge, agency_id: str, reporting: list[str]) -> list[str]:
    """The reporting agencies an agency stands for: itself, or a collective's members."""
    # a unit that no longer exists (a subscription from before the reorganisation): the
    # current units holding its duties (a former district: its communes)
    ids = [a.id for a in kb.successors(agency_id)] if kb.is_former(agency_id) else [agency_id]
    out: list[str] = []
    for i in ids:
        out += [i] if i in reporting else [c.id for c in kb.children(i) if c.id in reporting]
    return list(dict.fromkeys(out))


def plan_ids(svc: Services) -> tuple[str, ...]:
    """The plans the bot serves: KH147 first, then PLANS_DIR's files (read once a process)."""
    from bot.export import loaded_plans

    return tuple(loaded_plans(svc))


def plan_kb(svc: Services, plan_id: str) -> Knowledge:
    """KH147 is the services' own (with today's organisation); another plan its own file."""
    from bot.export import plan_knowledge

    return plan_knowledge(svc, plan_id)


def _known(kb: Knowledge, agency_id: str) -> bool:
    try:
        kb.agency(agency_id)
    except KeyError:
        return False
    return True


async def load_recipients(svc: Services, plan_id: str = DEFAULT_PLAN) -> list[Recipient]:
    """For one plan: the chats subscribed to it, members' private chats, and admins' private
    chats; one per chat. A member follows another plan only for a unit that plan names."""
    by_chat: dict[int, Recipient] = {}
    kb = plan_kb(svc, plan_id)
    other = plan_id != DEFAULT_PLAN

    def add(chat: Chat, agency: str | None, admin: bool = False) -> None:
        info = ChatInfo(chat.id, chat.channel, chat.external_id)
        r = by_chat.setdefault(chat.id, Recipient(info, frozenset()))
        if admin:
            r.admin = True
        elif agency == "*" or r.scope is None:
            r.scope = None
        elif agency:
            r.scope = r.scope | {agency}

    async with svc.sessions() as s:
        subs = await s.execute(select(Chat, Subscription.agency_id).join(
            Subscription, Subscription.chat_id == Chat.id).where(
            Chat.active.is_(True), Subscription.plan_id == plan_id))
        for chat, agency in subs:
            add(chat, agency)
        for chat, agency in await s.execute(_member_chats()):
            if not other or _known(kb, agency):
                add(chat, agency)
        for chat in await _admin_chats(svc, s):
            add(chat, None, admin=True)
    # an admin chat with no subscription is there for overdue summaries only
    return list(by_chat.values())


def _member_chats():
    """(Chat, agency id) for approved members' private chats, private reminders on."""
    return (select(Chat, Membership.agency_id)
            .join(User, and_(User.channel == Chat.channel, User.external_id == Chat.external_id))
            .join(Membership, Membership.user_id == User.id)
            .where(Chat.kind == "private", Chat.active.is_(True),
                   User.private_reminders.is_(True), Membership.state == "approved"))


async def _admin_chats(svc: Services, s) -> list[Chat]:
    """The admins' private chats; a row is created the first time an admin needs one."""
    refs = await repo.admin_chats(svc.sessions, svc.settings)
    out = []
    for ref in refs:
        chat = (await s.execute(select(Chat).where(
            Chat.channel == ref.channel, Chat.external_id == ref.chat_id))).scalar_one_or_none()
        if chat is None:
            chat = await repo.upsert_chat(svc.sessions, ref.channel, ref.chat_id, "private")
        if chat.active:
            out.append(chat)
    return out


# ---------------------------------------------------------------------------------------------
# What a reminder says


@dataclass
class ReportState:
    period: str  # how the period reads: "năm 2026", "6 tháng năm 2026"
    reporting: list[str]
    missing: list[str]  # units with a task not yet reported (bot.progress)
    progress: dict = field(default_factory=dict)  # agency id -> bot.progress.Progress


async def report_state(svc: Services, dl: Deadline, occurrence: date, at: datetime,
                       plan_id: str = DEFAULT_PLAN) -> ReportState | None:
    """Who has not reported, in that plan, for the period the deadline closes. After the
    deadline a late report (made before `at`) also counts, so overdue reminders stop chasing
    that agency."""
    if dl.kind != "report":
        return None
    period = period_for(dl.id, occurrence, svc.settings.tz, dl)
    kb = plan_kb(svc, plan_id)
    reporting = list(reporting_agencies(kb))
    if dl.applies_to != "all":  # a report only some units owe (another plan's yearly check)
        reporting = [a for a in reporting if applies_to(kb, dl, a)]
    # per task, as /trangthai and /tonghop count it (one shared function, bot.progress)
    progress = await unit_progress(svc, period, at=at, plan_id=plan_id)
    missing = [a for a in reporting if a not in progress or not progress[a].complete]
    return ReportState(period.label, reporting, missing, progress)


def _names(kb: Knowledge, ids: list[str]) -> str:
    # "; " because some canonical names contain a comma (Sở Lao động, Thương binh và Xã hội)
    return "; ".join(kb.agency(a).name for a in ids)


def plan_name(kb: Knowledge) -> str:
    """How a reminder names a plan other than KH147: "Kế hoạch số 134/KH-UBND"."""
    doc = kb.document
    number = doc.extra.get("number_display") or doc.number
    return f"Kế hoạch số {number}" if number else f"Kế hoạch {doc.title}"


def plan_cue(plan_id: str, kb: Knowledge) -> str:
    """The words that pick the plan in a command: "kế hoạch 134" (bot.knowledge.Plans.named_in
    reads the plan's number), else its id."""
    number = re.match(r"\d+", kb.document.number or "")
    return f"kế hoạch {number.group(0)}" if number else plan_id


def _report_hint(kb: Knowledge, agency: str | None, plan_id: str = DEFAULT_PLAN) -> str:
    """The command to report, with a section the agency leads as the example."""
    led = kb.sections_held_by(agency) if agency else ()
    if plan_id == DEFAULT_PLAN:
        example = led[0].id if led else "2.2"
        return (f"Báo cáo bằng lệnh: /capnhat MỤC TRẠNG THÁI (ví dụ: /capnhat {example} "
                "đang thực hiện).")
    cue = plan_cue(plan_id, kb)
    example = led[0].id if led else next((s.id for s in kb.sections if s.lead), "1")
    return (f"Báo cáo bằng lệnh: /capnhat {cue} MỤC TRẠNG THÁI (ví dụ: /capnhat {cue} "
            f"{example} đang thực hiện).")


def _recipient_line(kb: Knowledge, dl: Deadline) -> str | None:
    """Where the report goes: "Sở Công Thương", or as another plan words it, "UBND tỉnh (qua
    Sở Nông nghiệp và Môi trường)" (the importer's report_to_name and report_via)."""
    raw = next((d for d in kb.raw.get("deadlines", ()) if d.get("id") == dl.id), {})
    name = kb.agency(dl.report_to).name if dl.report_to and _known(kb, dl.report_to) \
        else raw.get("report_to_name")
    if not name:
        return None
    via = raw.get("report_via")
    return f"Gửi báo cáo về: {via} (qua {name})." if via else f"Gửi báo cáo về: {name}."


def concerned(kb: Knowledge, dl: Deadline, scope: frozenset[str] | None,
              state: ReportState) -> list[str]:
    """The reporting agencies a recipient follows for this deadline: all of them (scope None)
    or those its subscribed agencies stand for."""
    if scope is None:
        return state.reporting
    return list(dict.fromkeys(a for ag in sorted(scope) if applies_to(kb, dl, ag)
                              for a in status_agencies(kb, ag, state.reporting)))


def still_missing(kb: Knowledge, dl: Deadline, scope: frozenset[str] | None,
                  state: ReportState) -> list[str]:
    missing = set(state.missing)
    return [a for a in concerned(kb, dl, scope, state) if a in missing]


def reminder_text(kb: Knowledge, dl: Deadline, occurrence: date, offset: int, today: date,
                  scope: frozenset[str] | None, state: ReportState | None,
                  summary: bool = False, plan_id: str = DEFAULT_PLAN) -> str:
    """The deadline, its date and weekday, days left, its section, and who has not reported:
    everyone (scope None) or only the subscribed agencies. Once the deadline has passed the
    heading says so, whatever the offset (a late catch-up must not read as advance notice).
    A plan other than KH147 is named in the heading and the source line."""
    if summary:
        head = "Tổng hợp quá hạn"
    elif offset < 0 or today > occurrence:
        head = "Quá hạn"
    else:
        head = "Nhắc hạn"
    plan = "Kế hoạch" if plan_id == DEFAULT_PLAN else plan_name(kb)
    if plan_id != DEFAULT_PLAN:
        head = f"{head} — {plan}"
    lines = [f"{head}: {dl.title}",
             f"Hạn: {weekday_name(occurrence)}, {fmt_date(occurrence)} "
             f"({days_left_text(occurrence, today)}).",
             f"Theo Mục {dl.source} của {plan}."]
    to = _recipient_line(kb, dl)
    if to:
        lines.append(to)
    if state is None:
        return "\n".join(lines)
    kind = f"kỳ {state.period}"
    mine = concerned(kb, dl, scope, state)
    missing = still_missing(kb, dl, scope, state)
    if len(mine) == 1 and mine[0] in state.progress:
        lines.append(f"{kb.agency(mine[0]).name}, {kind}: {state.progress[mine[0]].text()}.")
    elif len(mine) == 1:
        done = "chưa báo cáo" if missing else "đã báo cáo"
        lines.append(f"{kb.agency(mine[0]).name}: {done} {kind}.")
    elif not missing:
        lines.append(f"Tất cả {len(mine)} cơ quan đã báo cáo {kind}.")
    else:
        lines.append(f"Đã báo cáo {kind}: {len(mine) - len(missing)}/{len(mine)} cơ quan.")
        lines.append(f"Chưa báo cáo ({len(missing)}): {_names(kb, missing)}.")
    if missing and not summary:
        lines.append(_report_hint(kb, missing[0] if scope is not None else None, plan_id))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Planning a pass


def in_working_hours(at: datetime, tz, hours: tuple[time, time]) -> bool:
    start, end = hours
    return start <= at.astimezone(tz).time().replace(tzinfo=None) <= end


def _held(svc: Services, moment: datetime, at: datetime) -> bool:
    """A late message waits for working hours (see the module docstring)."""
    late = at - moment > ON_TIME
    return late and not in_working_hours(at, svc.settings.tz, svc.settings.reminder_hours)


def _latest(moments: list[tuple[datetime, int]], at: datetime) -> tuple[datetime, int] | None:
    """The latest (moment, offset) with at - 24 h < moment <= at: exclusive at the old end,
    so a reminder never goes out a full day late. On a tie (two reminders moved to the same
    Friday) the one closer to the deadline wins."""
    ok = [(m, o) for m, o in moments if at - WINDOW <= m <= at]  # "no older than 24 hours"
    return max(ok, key=lambda x: (x[0], -x[1])) if ok else None


def _offsets_for(svc: Services, kb: Knowledge, dl: Deadline, r: Recipient,
                 state: ReportState | None) -> tuple[list[int], bool]:
    """Offsets this recipient may get, and whether overdue ones are the admin summary.

    Overdue reminders (report deadlines only, while someone is missing) go to admins as a
    summary, and to every chat that follows a missing agency: an agency's chat or a member's
    private chat for that agency, and "all deadlines" chats (which follow every agency)."""
    follows = r.scope is None or any(applies_to(kb, dl, a) for a in r.scope)
    offsets = list(svc.settings.reminder_days) if follows else []
    if state is None or not state.missing:
        return offsets, False
    if r.admin:
        return offsets + list(OVERDUE_OFFSETS), True
    if still_missing(kb, dl, r.scope, state):
        offsets += list(OVERDUE_OFFSETS)
    return offsets, False


async def plan_reminders(svc: Services, at: datetime) -> list[Planned]:
    """What is due at `at` in every plan the bot serves, KH147 first."""
    planned: list[Planned] = []
    for plan_id in plan_ids(svc):
        try:
            planned += await _plan_one(svc, plan_id, at)
        except Exception:  # one plan's fault (a row it cannot read) stops no other plan
            log.exception("reminders of plan %s skipped in this pass", plan_id)
    return planned


async def _plan_one(svc: Services, plan_id: str, at: datetime) -> list[Planned]:
    tz = svc.settings.tz
    at_time = svc.settings.reminder_time
    today = at.astimezone(tz).date()
    before = max(svc.settings.reminder_days) + 4  # +4: a Friday shift and the 24 h window
    after = -min(OVERDUE_OFFSETS) + 5
    kb = plan_kb(svc, plan_id)
    targets = in_life(kb, occurrences_between(kb, today - timedelta(days=after),
                                              today + timedelta(days=before)))
    all_offsets = list(svc.settings.reminder_days) + list(OVERDUE_OFFSETS)
    due = []
    for dl, occ in targets:
        moments = {o: reminder_moment(occ, o, tz, at_time) for o in all_offsets}
        # nothing due for this occurrence: spare the recipients' and the status queries
        if _latest(list((m, o) for o, m in moments.items()), at) is not None:
            due.append((dl, occ, moments))
    if not due:
        return []
    recipients = await load_recipients(svc, plan_id)
    planned: list[Planned] = []
    for dl, occ, moments in due:
        state = await report_state(svc, dl, occ, at, plan_id)
        for r in recipients:
            offsets, summary = _offsets_for(svc, kb, dl, r, state)
            pick = _latest([(moments[o], o) for o in offsets], at)
            if pick is None:
                continue
            moment, offset = pick
            is_summary = summary and offset < 0
            scope = None if is_summary else r.scope
            if occ < today and state is not None and not still_missing(kb, dl, scope, state):
                continue  # a late catch-up after the deadline, and nobody left to chase
            text = reminder_text(kb, dl, occ, offset, today, scope, state,
                                 summary=is_summary, plan_id=plan_id)
            planned.append(Planned(dl.id, occ, offset, r.chat, text, moment,
                                   held=_held(svc, moment, at), plan_id=plan_id))
    return planned


def in_life(kb: Knowledge, targets: list[tuple[Deadline, date]]) -> list[tuple[Deadline, date]]:
    """The occurrences due on or after the plan's issue date: a plan issued on 26/3/2026
    that reports "hằng tháng" in 2026 owes no report of January, February or 20 March
    (KH147's dates all fall after its 8/2021)."""
    issued = issued_on(kb)
    return targets if issued is None else [(dl, occ) for dl, occ in targets if occ >= issued]


@dataclass
class Audience:
    """Who a broadcast reaches, each chat once."""

    chats: list[ChatInfo]
    subscribed: int  # active chats subscribed with /nhacnho
    members: int  # approved members' private chats (private reminders on) not subscribed


async def broadcast_audience(svc: Services, as_of: datetime | None = None) -> Audience:
    """Every active subscribed chat and every approved member's private chat (unless the
    member turned private reminders off); a member's subscribed private chat counts once.
    With `as_of`, only those already there then: a message is for its audience at the time
    it was written, not for a chat that subscribes hours later."""
    subscribed_by = select(Subscription.chat_id)
    members = _member_chats()
    if as_of is not None:
        subscribed_by = subscribed_by.where(Subscription.created_at <= as_of)
        members = members.where(or_(Membership.decided_at.is_(None),
                                    Membership.decided_at <= as_of))
    async with svc.sessions() as s:
        subs = (await s.execute(select(Chat).where(Chat.active.is_(True), Chat.id.in_(
            subscribed_by)))).scalars()
        by_pk = {c.id: ChatInfo(c.id, c.channel, c.external_id) for c in subs}
        subscribed = len(by_pk)
        for chat, _agency in await s.execute(members):
            by_pk.setdefault(chat.id, ChatInfo(chat.id, chat.channel, chat.external_id))
    chats = sorted(by_pk.values(), key=lambda c: c.pk)
    return Audience(chats, subscribed, len(chats) - subscribed)


def broadcast_text(text: str) -> str:
    return f"Thông báo từ quản trị viên:\n{text}"


async def plan_broadcasts(svc: Services, at: datetime, only: int | None = None,
                          audience: Audience | None = None) -> list[Planned]:
    async with svc.sessions() as s:
        q = select(Broadcast)
        q = q.where(Broadcast.id == only) if only is not None else q.where(
            Broadcast.created_at > at - WINDOW, Broadcast.created_at <= at)
        items = list((await s.execute(q)).scalars())
    if not items:
        return []
    tz = svc.settings.tz
    planned = []
    for b in items:
        chats = (audience or await broadcast_audience(svc, as_of=b.created_at)).chats
        held = _held(svc, b.created_at, at)
        planned += [Planned(f"broadcast:{b.id}", b.created_at.astimezone(tz).date(), 0, c,
                            broadcast_text(b.text), b.created_at, held) for c in chats]
    return planned


# ---------------------------------------------------------------------------------------------
# Claim, send, record


def _key(p: Planned) -> tuple:
    return (p.plan_id, p.deadline_id, p.occurrence, p.chat.pk, p.offset_days)


async def _existing(svc: Services, planned: list[Planned]) -> dict[tuple, ReminderDelivery]:
    """Delivery rows already there for the planned keys (one query per deadline occurrence)."""
    groups: set[tuple] = set()
    for p in planned:
        groups.add((p.plan_id, p.deadline_id, p.occurrence, p.offset_days))
    found: dict[tuple, ReminderDelivery] = {}
    async with svc.sessions() as s:
        for plan_id, dl_id, occ, off in groups:
            rows = await s.execute(select(ReminderDelivery).where(
                ReminderDelivery.plan_id == plan_id, ReminderDelivery.deadline_id == dl_id,
                ReminderDelivery.occurrence == occ, ReminderDelivery.offset_days == off))
            for row in rows.scalars():
                found[(row.plan_id, row.deadline_id, row.occurrence, row.chat_id,
                       row.offset_days)] = row
    return found


def _retriable(row: ReminderDelivery, now: datetime) -> bool:
    if row.state == "failed":
        return row.attempts < MAX_ATTEMPTS
    if row.state == "claimed":
        return row.claimed_at <= now - CLAIM_STALE and row.attempts < MAX_ATTEMPTS
    return False


async def _claim(svc: Services, p: Planned, row: ReminderDelivery | None) -> int | None:
    """Our delivery row id when we own this send now, else None (someone else has it)."""
    now = svc.now()
    if row is None:
        new = ReminderDelivery(deadline_id=p.deadline_id, occurrence=p.occurrence,
                               chat_id=p.chat.pk, offset_days=p.offset_days, state="claimed",
                               attempts=1, claimed_at=now, plan_id=p.plan_id)
        try:
            async with svc.sessions() as s, s.begin():
                s.add(new)
        except IntegrityError:
            return None
        return new.id
    if not _retriable(row, now):
        return None
    async with svc.sessions() as s, s.begin():
        res = await s.execute(update(ReminderDelivery).where(
            ReminderDelivery.id == row.id, ReminderDelivery.state == row.state,
            ReminderDelivery.attempts == row.attempts,
        ).values(state="claimed", attempts=row.attempts + 1, claimed_at=now))
    return row.id if res.rowcount == 1 else None


async def _finish(svc: Services, row_id: int, p: Planned, result: SendResult) -> str:
    """Record the outcome. Retried, because a sent message left "claimed" would be taken
    over (and sent again) after CLAIM_STALE."""
    state = "sent" if result.ok else ("dropped" if result.blocked else "failed")
    values: dict = {"state": state, "error": "" if result.ok else (result.error or "")[:500]}
    if result.ok:
        values["sent_at"] = svc.now()
    for attempt in range(FINISH_TRIES):
        try:
            async with svc.sessions() as s, s.begin():
                await s.execute(update(ReminderDelivery).where(ReminderDelivery.id == row_id)
                                .values(**values))
                if result.blocked:
                    await s.execute(update(Chat).where(Chat.id == p.chat.pk)
                                    .values(active=False))
            break
        except OperationalError:  # database busy or connection lost: try again shortly
            if attempt == FINISH_TRIES - 1:
                raise
            await asyncio.sleep(0.5 * (attempt + 1))
    # a migrated Telegram group (result.migrated_to) is moved by the channel itself
    return state


async def _send(sender: Sender, p: Planned) -> SendResult:
    try:
        return await sender.send(p.chat.external_id, Reply(p.text))
    except asyncio.CancelledError:
        raise  # the row stays "claimed": taken over after CLAIM_STALE, never sent twice live
    except Exception as e:  # a channel bug or network error is a transient failure
        log.warning("send to %s:%s failed: %s", p.chat.channel, p.chat.external_id, e)
        return SendResult(ok=False, error=f"{type(e).__name__}: {e}")


async def execute(svc: Services, senders: dict[str, Sender], planned: list[Planned],
                  dry_run: bool = False) -> PassSummary:
    summary = PassSummary(due=len(planned))
    existing = await _existing(svc, planned)
    now = svc.now()
    todo: list[tuple[Planned, ReminderDelivery | None]] = []
    for p in planned:
        row = existing.get(_key(p))
        if row is not None and not _retriable(row, now):
            summary.skipped_already_sent += 1
        elif p.held:
            summary.held += 1
        elif p.chat.channel not in senders:
            summary.no_sender += 1
        else:
            todo.append((p, row))
    if dry_run:
        summary.planned = [p for p, _ in todo]
        return summary
    sem = asyncio.Semaphore(SEND_CONCURRENCY)

    async def one(p: Planned, row: ReminderDelivery | None) -> None:
        async with sem:
            row_id = await _claim(svc, p, row)
            if row_id is None:
                summary.skipped_already_sent += 1
                return
            result = await _send(senders[p.chat.channel], p)
            state = await _finish(svc, row_id, p, result)
            if state == "sent":
                summary.sent += 1
                summary.planned.append(p)
            elif state == "dropped":
                summary.dropped += 1
            else:
                summary.failed += 1

    outcomes = await asyncio.gather(*(one(p, row) for p, row in todo), return_exceptions=True)
    for p, err in zip(todo, outcomes, strict=True):
        if isinstance(err, BaseException):
            if isinstance(err, asyncio.CancelledError):
                raise err
            summary.failed += 1
            log.error("reminder %s to %s:%s: %r", p[0].deadline_id, p[0].chat.channel,
                      p[0].chat.external_id, err)
    return summary


# ---------------------------------------------------------------------------------------------
# Entry points


async def run_pass(svc: Services, senders: dict[str, Sender], at: datetime,
                   dry_run: bool = False) -> PassSummary:
    """Send what is due at `at` and not yet sent: deadline reminders and recent broadcasts."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=svc.settings.tz)
    planned = await plan_reminders(svc, at) + await plan_broadcasts(svc, at)
    summary = await execute(svc, senders, planned, dry_run=dry_run)
    if summary.due:
        log.info("%s", summary.line())
    return summary


async def broadcast(svc: Services, senders: dict[str, Sender], broadcast_id: int,
                    audience: Audience | None = None) -> PassSummary:
    """Send one broadcast to its audience now (same claims as reminders); `audience` as
    broadcast_audience() gives it, looked up when not passed."""
    planned = await plan_broadcasts(svc, svc.now(), only=broadcast_id, audience=audience)
    return await execute(svc, senders, planned)


async def run_loop(svc: Services, senders: dict[str, Sender], stop: asyncio.Event) -> None:
    """A pass at each minute until `stop` is set; everything it knows is in the database."""
    while not stop.is_set():
        try:
            await run_pass(svc, senders, svc.now())
        except Exception:
            log.exception("reminder pass failed; trying again next minute")
        now = svc.now()
        wait = 60 - now.second - now.microsecond / 1e6
        try:
            await asyncio.wait_for(stop.wait(), timeout=max(wait, 1.0))
        except TimeoutError:
            pass
