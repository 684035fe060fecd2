"""Handled Telegram updates per second through the whole `python -m bot run` process against
the loopback Bot API stand-in, and the peak memory of that process.

    .venv/bin/python bench/telegram_updates.py [--updates 500] [--rate 1000]

`--rate` lifts the bot's overall flood limit (TELEGRAM_MAX_RATE, 30 msg/s in production, which
would otherwise be what is measured). Each update comes from its own private chat.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from tg_stub import BotProcess, TelegramStub  # noqa: E402

QUESTIONS = ["Sở Xây dựng có nhiệm vụ gì?", "so cong thuong lam gi", "hạn báo cáo năm?",
             "mục 5.6", "ai lo giải phóng mặt bằng khu công nghiệp?"]


def run_batch(stub: TelegramStub, texts: list[str], first_chat: int) -> tuple[float, int]:
    """Push every update at once; seconds until each chat got its answer."""
    mark = stub.mark()
    t0 = time.perf_counter()
    for i, text in enumerate(texts):
        stub.send_text(first_chat + i, first_chat + i, text)
    got = stub.wait_for("sendMessage", count=len(texts), since=mark, timeout=300,
                        where=lambda c: first_chat <= int(c["chat_id"]) < first_chat + len(texts))
    secs = time.perf_counter() - t0
    failed = sum("gặp lỗi" in c["text"] for c in got)
    if failed:
        print(f"  warning: {failed} answers were error apologies")
    return secs, len(texts)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--updates", type=int, default=500)
    ap.add_argument("--rate", default="1000", help="TELEGRAM_MAX_RATE for the bot process")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, TelegramStub() as stub:
        bot = BotProcess(tmp, TELEGRAM_BOT_TOKEN=stub.token, TELEGRAM_API_BASE_URL=stub.base_url,
                         TELEGRAM_MAX_RATE=args.rate, ADMIN_TELEGRAM_IDS="900")
        t0 = time.perf_counter()
        bot.start()
        stub.wait_for("getUpdates", timeout=60)
        print(f"start-up to first poll: {time.perf_counter() - t0:.2f} s, "
              f"RSS peak so far {bot.peak_rss_kb() / 1024:.1f} MiB")
        secs, n = run_batch(stub, ["/start"] * args.updates, 10_000)
        print(f"/start: {n} updates in {secs:.2f} s = {n / secs:.0f} updates/s")
        qs = [QUESTIONS[i % len(QUESTIONS)] for i in range(args.updates)]
        secs, n = run_batch(stub, qs, 100_000)
        print(f"questions: {n} updates in {secs:.2f} s = {n / secs:.0f} updates/s")
        peak = bot.peak_rss_kb()
        t0 = time.perf_counter()
        rc = bot.stop()
        print(f"peak memory of run (VmHWM): {peak / 1024:.1f} MiB; "
              f"SIGTERM → exit {rc} in {time.perf_counter() - t0:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
