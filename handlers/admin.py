"""Admins' views of the reports: /tonghop [KỲ] (summary per agency) and /xuat (a file)."""
from __future__ import annotations

from bot import export
from bot.core import Reply, Request
from bot.periods import Period, current_period, fmt_local, fmt_window, parse_period
from bot.services import Services
from handlers.membership import ADMINS_ONLY, is_admin
from handlers.registry import command

PERIOD_HELP = "ví dụ: 2026 (báo cáo năm) hoặc 6T/2026 (báo cáo 6 tháng)"


def _period(svc: Services, text: str) -> Period | None:
    today = svc.local_now().date()
    if not text.strip():
        return current_period(today, svc.settings.tz)
    return parse_period(text, svc.settings.tz, today)


def _title(period: Period) -> str:
    return (f"kỳ báo cáo {period.label} ({fmt_window(period)}, "
            f"hạn {period.due.strftime('%d/%m/%Y')})")


@command("tonghop")
async def cmd_summary(req: Request, svc: Services, args: str) -> list[Reply]:
    if not is_admin(req, svc):
        return [Reply(ADMINS_ONLY)]
    period = _period(svc, args)
    if period is None:
        return [Reply(f"Không hiểu kỳ báo cáo “{args.strip()[:40]}”; {PERIOD_HELP}.")]
    report = await export.collect(svc, period)
    return [Reply(summary_text(svc, report))]


def summary_text(svc: Services, report: export.Report) -> str:
    kb, tz = svc.kb, svc.settings.tz
    names = {a.id: a.name for a in kb.agencies}
    reported = [a for a in report.agencies if a.any_update]
    totals = dict.fromkeys(export.CATEGORIES, 0)
    for a in report.agencies:
        for key, n in a.counts.items():
            totals[key] += n
    lines = [f"Tổng hợp {_title(report.period)}; số liệu đến "
             f"{fmt_local(report.as_of, tz)}.",
             f"Đã báo cáo: {len(reported)}/{len(report.agencies)} cơ quan, đơn vị.",
             "Toàn bộ nhiệm vụ: " + "; ".join(
                 f"{export.CATEGORIES[k].lower()} {n}" for k, n in totals.items()) + "."]
    for a in reported:
        line = f"• {names[a.agency_id]}: báo cáo {len(a.reported)}/{a.total} nhiệm vụ"
        if a.missing:
            line += f"; thiếu: {', '.join(a.missing)}"
        if a.blocked:
            line += f"; vướng mắc: {', '.join(a.blocked)}"
        line += ". " + ", ".join(f"{export.CATEGORIES[k]} {n}" for k, n in a.counts.items() if n)
        lines.append(line.rstrip(". ") + ".")
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
        return [Reply(f"Không hiểu “{args.strip()[:40]}”; dùng /xuat [csv|xlsx] [KỲ], "
                      f"{PERIOD_HELP}.")]
    report = await export.collect(svc, period)
    attachment = export.build_export(svc.kb, report, fmt, svc.settings.tz)
    return [Reply(f"Báo cáo tiến độ {_title(period)}: {len(report.rows)} dòng "
                  f"({fmt.upper()}).", file=attachment)]
