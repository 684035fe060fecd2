"""`python -m bot remind --at ISO8601 [--dry-run]`: one reminder pass from the command line
(cron). It builds the senders (the configured channels, and the terminal's) and hands them to
the reminder engine, which knows no channel.

Exit status: 0 when every due message went out (or was already sent, or waits for working
hours); 1 when a send failed, so cron reports it (a later pass retries it within 24 hours);
2 on a bad --at.
"""
from __future__ import annotations

import asyncio
import logging
import sys
from datetime import datetime

from bot.calendar import fmt_date
from bot.core import Reply
from bot.knowledge import DEFAULT_PLAN
from bot.reminders import PassSummary, run_pass
from bot.senders import Sender, SendResult

log = logging.getLogger(__name__)


class ConsoleSender:
    """Prints what would go to terminal chats (`python -m bot chat` users)."""

    name = "console"

    async def send(self, chat_id: str, reply: Reply) -> SendResult:
        print(f"--- tới {chat_id} ---\n{reply.text}")
        return SendResult(ok=True)


def parse_at(text: str, tz) -> datetime:
    """ISO 8601; without an offset it is read in BOT_TIMEZONE."""
    at = datetime.fromisoformat(text.strip())
    return at.replace(tzinfo=tz) if at.tzinfo is None else at


def cli_remind(at: str, dry_run: bool = False) -> int:
    from bot.config import load_settings

    settings = load_settings()
    try:
        instant = parse_at(at, settings.tz)
    except ValueError:
        print(f"Lỗi: --at {at!r} không phải thời điểm ISO 8601, ví dụ 2026-12-01T08:00+07:00",
              file=sys.stderr)
        return 2
    return asyncio.run(_cli(settings, instant, dry_run))


def report(summary: PassSummary, dry_run: bool) -> int:
    """Print the pass; the exit status (see the module docstring)."""
    if dry_run:
        for p in summary.planned:
            # another plan's deadline: "kh134/VI.1-month" (ids repeat across plans)
            plan = "" if p.plan_id == DEFAULT_PLAN else f"{p.plan_id}/"
            print(f"[{p.chat.channel}:{p.chat.external_id}] {plan}{p.deadline_id} "
                  f"{fmt_date(p.occurrence)} offset {p.offset_days}: "
                  f"{p.text.splitlines()[0]}")
    print(summary.line())
    if summary.no_sender:
        print("Chưa cấu hình kênh gửi cho một số cuộc trò chuyện (đặt TELEGRAM_BOT_TOKEN "
              "hoặc ZALO_BOT_TOKEN).", file=sys.stderr)
    if summary.held:
        print(f"{summary.held} tin đã trễ giờ nhắc, sẽ gửi trong giờ làm việc "
              "(REMINDER_WORKING_HOURS).", file=sys.stderr)
    if not summary.failed:
        return 0
    tried = summary.sent + summary.failed + summary.dropped
    print(f"Lỗi: {summary.failed}/{tried} tin không gửi được; lượt sau sẽ gửi lại "
          "(trong vòng 24 giờ kể từ giờ nhắc).", file=sys.stderr)
    return 1


async def _cli(settings, at: datetime, dry_run: bool) -> int:
    from bot.channels import configured_channels
    from bot.services import open_services

    svc = await open_services(settings)
    channels: list = []
    try:
        channels = configured_channels(svc)  # bad combinations: bot.__main__ reports them
        # channels send without start(): no polling or webhook for a one-off pass
        senders: dict[str, Sender] = {ch.name: ch for ch in channels}
        senders.setdefault("console", ConsoleSender())
        return report(await run_pass(svc, senders, at, dry_run=dry_run), dry_run)
    finally:
        for ch in channels:
            try:
                await ch.stop()
            except Exception:
                log.exception("closing %s", ch.name)
        await svc.close()
