"""Admins' views of the reports: /tonghop [KẾ HOẠCH] [KỲ] (summary per agency) and /xuat
[csv|xlsx] [KẾ HOẠCH] [KỲ] (a file). With several plans loaded, /tonghop gives one block per
plan (KH147 first) unless the arguments name one ("kế hoạch 134", "kh134", its number)."""
from __future__ import annotations

import re

from bot import export, units
from bot.calendar import fmt_int
from bot.core import Reply, Request
from bot.knowledge import DEFAULT_PLAN, KnowledgeError, fold
from bot.periods import (
    Period,
    current_period,
    default_period,
    fmt_local,
    fmt_window,
    parse_period,
    period_refusal,
)
from bot.progress import from_report
from bot.services import Services
from handlers.access import ADMINS_ONLY, is_admin
from handlers.registry import command
from handlers.status import shorten

PERIOD_HELP = "ví dụ: 2026 (báo cáo năm) hoặc 6T/2026 (báo cáo 6 tháng)"
NO_PLAN = "Không có kế hoạch «{}»; xem các kế hoạch đang theo dõi bằng lệnh /kehoach."
# words that name a plan: a text with them that names no loaded plan names an unknown one
_PLAN_WORDS = re.compile(r"\b(?:ke hoach|kh ?\d+)\b")


def plan_args(svc: Services, args: str) -> tuple[str | None, str] | str:
    """(the plan the arguments name, None when they name none; the arguments without it),
    or the one line refusing a plan no one loaded. A plan is named by its id ("kh134"), its
    number or its resolution's (bot.knowledge.Plans.named_in: "kế hoạch 134")."""
    try:
        plans = svc.plans
    except KnowledgeError as e:
        return f"Không đọc được danh sách kế hoạch: {e}"
    words = args.split()
    if words and words[0].lower() in plans.ids:
        return words[0].lower(), " ".join(words[1:])
    found = plans.named_in(args)
    if found is not None:
        plan_id, rest = found
        return plan_id, "" if rest == args else rest  # named_in gives the text back if bare
    if _PLAN_WORDS.search(fold(args)):
        return NO_PLAN.format(shorten(args, 40))
    return None, args


def _period(svc: Services, text: str) -> Period | None:
    today = svc.local_now().date()
    if not text.strip():
        return current_period(today, svc.settings.tz)
    return parse_period(text, svc.settings.tz, today)


def plan_period(svc: Services, plan_id: str | None, kb, text: str) -> Period | None:
    """The period a command means for one plan: a typed one as for KH147; none typed, another
    plan's own next periodic report (a monthly report's month: bot.periods.regime_period) when
    it has one, else KH147's current period."""
    if not text.strip():
        return default_period(kb, plan_id, svc.local_now().date(), svc.settings.tz)
    return _period(svc, text)


def refusal(svc: Services, text: str) -> str | None:
    """Why a period that reads well is refused (outside the plan's years), else None."""
    return period_refusal(text, svc.settings.tz, svc.local_now().date())


def _title(period: Period) -> str:
    return (f"kỳ báo cáo {period.label} ({fmt_window(period)}, "
            f"hạn {period.due.strftime('%d/%m/%Y')})")


@command("tonghop")
async def cmd_summary(req: Request, svc: Services, args: str) -> list[Reply]:
    if not is_admin(req, svc):
        return [Reply(ADMINS_ONLY)]
    picked = plan_args(svc, args)
    if isinstance(picked, str):
        return [Reply(picked)]
    plan_id, rest = picked
    period = _period(svc, rest)
    if period is None:
        return [Reply(refusal(svc, rest)
                      or f"Không hiểu kỳ báo cáo “{shorten(rest, 40)}”; {PERIOD_HELP}.")]
    plans = export.loaded_plans(svc)
    replies = []
    for pid in [plan_id] if plan_id else list(plans):
        own = plan_period(svc, pid, plans[pid], rest)
        report = await export.collect(svc, own, history=False, plan_id=pid)
        text = summary_text(svc, report, plans[pid])
        if len(plans) > 1:  # which plan this block is about
            text = f"{export.plan_short(pid, plans[pid])}\n{text}"
        replies.append(Reply(text))
    return replies


def _lower(name: str) -> str:
    """A category inside a sentence: "Chưa báo cáo" -> "chưa báo cáo"."""
    return name[0].lower() + name[1:]


def _counts(counts: dict[str, int], keep_zero: bool = False) -> str:
    return "; ".join(f"{_lower(export.CATEGORIES[k])} {fmt_int(n)}"
                     for k, n in counts.items() if n or keep_zero)


def summary_text(svc: Services, report: export.Report, kb=None) -> str:
    """The summary of one plan's report (`kb` that plan, KH147 unless given)."""
    kb, tz = kb or svc.kb, svc.settings.tz
    names = {a.id: a.name for a in kb.agencies}
    # today's unit, with the plan's name of its duties: "Sở Tài chính (KH: Sở Kế hoạch và Đầu tư)"
    labels = {a.agency_id: units.label(kb, a.agency_id) for a in report.agencies}
    reported = [a for a in report.agencies if a.any_update]
    totals = dict.fromkeys(export.CATEGORIES, 0)
    for a in report.agencies:
        for key, n in a.counts.items():
            totals[key] += n
    total = sum(totals.values())
    done = sum(totals[k] for k in export.DONE)
    unreported = sum(totals[k] for k in export.UNREPORTED)
    lines = [f"Tổng hợp {_title(report.period)}; số liệu đến "
             f"{fmt_local(report.as_of, tz)}.",
             f"Đã báo cáo: {len(reported)}/{len(report.agencies)} cơ quan, đơn vị.",
             f"Toàn bộ {fmt_int(total)} nhiệm vụ: {_counts(totals, keep_zero=True)}.",
             f"Đã hoàn thành {fmt_int(done)}/{fmt_int(total)}; chưa hoàn thành "
             f"{fmt_int(total - done)} (trong đó vướng mắc {fmt_int(totals['blocked'])}, "
             f"chưa báo cáo {fmt_int(unreported)})."]
    progress = from_report(report)  # the same sentence as reminders and /trangthai
    for a in reported:
        line = f"• {labels[a.agency_id]}: {progress[a.agency_id].text()}"
        if a.blocked:
            line += f"; vướng mắc: {', '.join(a.blocked)}"
        if a.carried:
            line += f"; đã hoàn thành từ kỳ trước: {', '.join(a.carried)}"
        counts = _counts(a.counts)
        lines.append(f"{line}. {counts[0].upper()}{counts[1:]}." if counts else f"{line}.")
    silent = report.silent
    if silent:
        lines.append(f"Chưa báo cáo trong kỳ ({len(silent)}): "
                     + ", ".join(names[i] for i in silent) + ".")
    return "\n".join(lines)


@command("xuat")
async def cmd_export(req: Request, svc: Services, args: str) -> list[Reply]:
    if not is_admin(req, svc):
        return [Reply(ADMINS_ONLY)]
    if not req.is_private:
        return [Reply("Xin dùng lệnh /xuat trong tin nhắn riêng với bot.")]
    picked = plan_args(svc, args)
    if isinstance(picked, str):
        return [Reply(picked)]
    plan_id, rest = picked
    words = rest.split()
    fmt = "xlsx"
    if words and words[0].lower().lstrip(".") in export.FORMATS:
        fmt = words.pop(0).lower().lstrip(".")
    period = _period(svc, " ".join(words))
    if period is None:
        return [Reply(refusal(svc, " ".join(words))
                      or f"Không hiểu “{shorten(args, 40)}”; dùng /xuat [csv|xlsx] "
                      f"[kế hoạch …] [KỲ], {PERIOD_HELP}.")]
    plan_id = plan_id or DEFAULT_PLAN
    kb = export.plan_knowledge(svc, plan_id)
    period = plan_period(svc, plan_id, kb, " ".join(words))
    report = await export.collect(svc, period, history=fmt == "xlsx",  # its history sheet
                                  plan_id=plan_id)
    attachment = export.build_export(kb, report, fmt, svc.settings.tz)
    which = "" if plan_id == DEFAULT_PLAN else f"{export.plan_short(plan_id, kb)}, "
    return [Reply(f"Báo cáo tiến độ {which}{_title(period)}: {fmt_int(len(report.rows))} dòng "
                  f"({fmt.upper()}).", file=attachment)]
