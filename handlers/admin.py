"""Admins' views of the reports: /tonghop [KỲ] (summary per agency) and /xuat (a file)."""
from __future__ import annotations

from bot import export, units
from bot.calendar import fmt_int
from bot.core import Reply, Request
from bot.periods import Period, current_period, fmt_local, fmt_window, parse_period, period_refusal
from bot.progress import from_report
from bot.services import Services
from handlers.access import ADMINS_ONLY, is_admin
from handlers.registry import command
from handlers.status import shorten

PERIOD_HELP = "ví dụ: 2026 (báo cáo năm) hoặc 6T/2026 (báo cáo 6 tháng)"


def _period(svc: Services, text: str) -> Period | None:
    today = svc.local_now().date()
    if not text.strip():
        return current_period(today, svc.settings.tz)
    return parse_period(text, svc.settings.tz, today)


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
    period = _period(svc, args)
    if period is None:
        return [Reply(refusal(svc, args)
                      or f"Không hiểu kỳ báo cáo “{shorten(args, 40)}”; {PERIOD_HELP}.")]
    report = await export.collect(svc, period, history=False)
    return [Reply(summary_text(svc, report))]


def _lower(name: str) -> str:
    """A category inside a sentence: "Chưa báo cáo" -> "chưa báo cáo"."""
    return name[0].lower() + name[1:]


def _counts(counts: dict[str, int], keep_zero: bool = False) -> str:
    return "; ".join(f"{_lower(export.CATEGORIES[k])} {fmt_int(n)}"
                     for k, n in counts.items() if n or keep_zero)


def summary_text(svc: Services, report: export.Report) -> str:
    kb, tz = svc.kb, svc.settings.tz
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
    words = args.split()
    fmt = "xlsx"
    if words and words[0].lower().lstrip(".") in export.FORMATS:
        fmt = words.pop(0).lower().lstrip(".")
    period = _period(svc, " ".join(words))
    if period is None:
        return [Reply(refusal(svc, " ".join(words))
                      or f"Không hiểu “{shorten(args, 40)}”; dùng /xuat [csv|xlsx] [KỲ], "
                      f"{PERIOD_HELP}.")]
    report = await export.collect(svc, period, history=fmt == "xlsx")  # its history sheet
    attachment = export.build_export(svc.kb, report, fmt, svc.settings.tz)
    return [Reply(f"Báo cáo tiến độ {_title(period)}: {fmt_int(len(report.rows))} dòng "
                  f"({fmt.upper()}).", file=attachment)]
