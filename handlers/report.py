"""/baocao [KẾ HOẠCH] [KỲ]: the compiled period report (DOCX) for admins, a draft for UBND tỉnh.

Telegram gets the document; Zalo, which cannot receive files, gets a download link from its
channel (bot/channels/zalo.py turns any reply's file into one), as /xuat does.
"""
from __future__ import annotations

from bot import export, report
from bot.core import Reply, Request
from bot.knowledge import DEFAULT_PLAN
from bot.services import Services
from handlers.access import ADMINS_ONLY, is_admin
from handlers.admin import PERIOD_HELP, plan_args, plan_period, refusal
from handlers.registry import command
from handlers.status import shorten


@command("baocao")
async def cmd_report(req: Request, svc: Services, args: str) -> list[Reply]:
    if not is_admin(req, svc):
        return [Reply(ADMINS_ONLY)]
    if not req.is_private:  # a draft to UBND tỉnh is not for a group's eyes
        return [Reply("Xin dùng lệnh /baocao trong tin nhắn riêng với bot.")]
    picked = plan_args(svc, args)
    if isinstance(picked, str):
        return [Reply(picked)]
    plan_id, rest = picked
    plan_id = plan_id or DEFAULT_PLAN
    period = plan_period(svc, plan_id, export.plan_knowledge(svc, plan_id), rest)
    if period is None:
        return [Reply(refusal(svc, rest)
                      or f"Không hiểu kỳ báo cáo “{shorten(rest, 40)}”; {PERIOD_HELP}.")]
    attachment = await report.report_attachment(svc, period, plan_id)
    which = "Kế hoạch" if plan_id == DEFAULT_PLAN else \
        export.plan_short(plan_id, export.plan_knowledge(svc, plan_id))
    return [Reply(f"Dự thảo Báo cáo kết quả thực hiện {which} {report.period_words(period)} "
                  f"gửi UBND tỉnh (tệp Word). Các phần đánh dấu “[Phần này do Sở Công Thương "
                  f"viết: …]” cần được bổ sung trước khi trình ký.", file=attachment)]
