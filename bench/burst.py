"""A stop in the middle of a burst loses nothing: `python -m bot run` against the loopback
Telegram and Zalo stand-ins takes a burst of messages (each from its own chat), is stopped
(SIGTERM, or kill -9) once a third are answered, and started again on the same database;
then every chat must have had exactly one answer.

    .venv/bin/python bench/burst.py [--messages 300] [--only telegram|zalo|zalo-webhook]

Prints, per channel and signal: lost (never answered), duplicated (answered more than once),
answered, and seconds from the burst to the last answer (the restart included).
Zalo polling has no offset: an update the server handed over in the instant of a kill -9,
before the bot stored it, cannot be asked for again (ZALO.md); the webhook mode is measured
too, with the stand-in retrying a delivery that got no 200, as webhook senders do.
"""
from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import tg_stub  # noqa: E402
import zalo_stub  # noqa: E402

FIRST_CHAT = 20_000


@dataclass
class Figures:
    channel: str
    how: str
    messages: int
    lost: int
    duplicated: int
    answered: int
    seconds: float
    kept: str = ""  # what the stopped process said it kept for the next start

    def line(self) -> str:
        return (f"{self.channel:13} {self.how:8} {self.messages} messages: lost {self.lost}, "
                f"duplicated {self.duplicated}, answered {self.answered}, "
                f"{self.seconds:.1f} s{self.kept}")


def _figures(channel: str, how: str, n: int, counts: Counter, seconds: float,
             kept: str = "") -> Figures:
    per_chat = [counts.get(str(FIRST_CHAT + i), 0) for i in range(n)]
    return Figures(channel, how, n, lost=sum(c == 0 for c in per_chat),
                   duplicated=sum(c - 1 for c in per_chat if c > 1),
                   answered=sum(c > 0 for c in per_chat), seconds=seconds, kept=kept)


def _kept(log: str) -> str:
    import re

    m = re.search(r"(\d+) updates kept for the next start", log)
    return f" ({m.group(1)} kept at the stop)" if m else ""


# ---- Telegram -----------------------------------------------------------------------------

def telegram_burst(n: int, sig: int, workdir: str | Path, *, settle: float = 2.0) -> Figures:
    with tg_stub.TelegramStub() as stub:
        env = {"TELEGRAM_BOT_TOKEN": stub.token, "TELEGRAM_API_BASE_URL": stub.base_url,
               "TELEGRAM_MAX_RATE": "1000"}
        bot = tg_stub.BotProcess(workdir, **env).start()
        stub.wait_for("getUpdates", timeout=60)
        mark = stub.mark()
        ours = lambda c: FIRST_CHAT <= int(c["chat_id"]) < FIRST_CHAT + n  # noqa: E731
        t0 = time.perf_counter()
        for i in range(n):
            stub.send_text(FIRST_CHAT + i, FIRST_CHAT + i, "/start")
        stub.wait_for("sendMessage", count=max(1, n // 3), since=mark, timeout=120, where=ours)
        bot.stop(sig, timeout=30)
        kept = _kept(bot.log())
        again = tg_stub.BotProcess(workdir, **env).start()
        try:
            _wait_all_tg(stub, mark, n, ours)
            seconds = time.perf_counter() - t0
            time.sleep(settle)  # a duplicate would come now
        finally:
            again.stop(signal.SIGTERM, timeout=30)
        counts = Counter(str(c["chat_id"]) for c in stub.calls_to("sendMessage")[0:]
                         if ours(c))
    return _figures("telegram", _how(sig), n, counts, seconds, kept)


def _wait_all_tg(stub, mark: int, n: int, ours, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        chats = {str(c["chat_id"]) for c in stub.calls_to("sendMessage") if ours(c)}
        if len(chats) >= n:
            return
        time.sleep(0.05)


# ---- Zalo ---------------------------------------------------------------------------------

async def zalo_burst(n: int, sig: int, workdir: str | Path, *, webhook: bool = False,
                     settle: float = 2.0) -> Figures:
    stub = zalo_stub.ZaloStub(zalo_stub.DEFAULT_TOKEN, poll_wait=0.2)
    await stub.start()
    workdir = Path(workdir)
    env = {"ZALO_BOT_TOKEN": stub.token, "ZALO_API_BASE_URL": stub.base_url}
    if webhook:
        env.update(WEBHOOK_BASE_URL="http://127.0.0.1:{port}", WEBHOOK_SECRET="burst-secret-1")
    try:
        port = _free_port() if webhook else 0
        if webhook:
            env["WEBHOOK_BASE_URL"] = f"http://127.0.0.1:{port}"
        bot = zalo_stub.BotProcess(workdir, zalo_stub.bot_env(workdir, HTTP_PORT=str(port),
                                                              **env))
        await bot.start(within=60)
        if webhook:
            await stub.wait_call("setWebhook", within=30)
        else:
            await stub.wait_call("getUpdates", within=30)
        t0 = time.perf_counter()
        updates = [zalo_stub.text_update(str(FIRST_CHAT + i), "/start",
                                         message_id=f"b{i:05d}") for i in range(n)]
        senders: list[asyncio.Task] = []
        if webhook:  # Zalo posts each update and tries again until it gets a 200
            url = stub.webhook["url"]
            senders = [asyncio.create_task(_post_until_ok(stub, u, url)) for u in updates]
        else:
            for u in updates:
                stub.push(u)
        ours = {str(FIRST_CHAT + i) for i in range(n)}
        await stub.wait_for(lambda: sum(s.chat_id in ours for s in stub.sent) >= max(1, n // 3),
                            within=120)
        if sig == signal.SIGKILL:
            bot.proc.kill()
            await bot.proc.wait()
            await asyncio.wait(bot._readers, timeout=2)
        else:
            await bot.stop(within=30)
        kept = _kept(bot.output)
        again = zalo_stub.BotProcess(workdir, bot.env)
        await again.start(within=60)
        try:
            await _until_all_or_quiet(stub, ours)
            seconds = time.perf_counter() - t0
            await asyncio.sleep(settle)
        finally:
            await again.stop(within=30)
            for t in senders:
                t.cancel()
        counts = Counter(s.chat_id for s in stub.sent if s.chat_id in ours)
    finally:
        await stub.close()
    return _figures("zalo-webhook" if webhook else "zalo", _how(sig), n, counts, seconds, kept)


async def _until_all_or_quiet(stub, ours: set[str], quiet: float = 5.0,
                              limit: float = 120.0) -> None:
    """Until every chat was answered, or nothing new came for `quiet` seconds."""
    deadline = time.monotonic() + limit
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        got = {s.chat_id for s in stub.sent} & ours
        if len(got) == len(ours):
            return
        if len(got) != last:
            last, since = len(got), time.monotonic()
        elif time.monotonic() - since > quiet:
            return
        await asyncio.sleep(0.05)


async def _post_until_ok(stub, update: dict, url: str) -> None:
    import aiohttp

    while True:
        try:
            async with aiohttp.ClientSession() as s, s.post(
                    url, json=update, headers={"X-Bot-Api-Secret-Token": "burst-secret-1"},
                    timeout=aiohttp.ClientTimeout(total=10)) as resp:
                if resp.status == 200:
                    return
        except (aiohttp.ClientError, TimeoutError):
            pass
        await asyncio.sleep(0.5)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _how(sig: int) -> str:
    return "kill -9" if sig == signal.SIGKILL else "SIGTERM"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=300)
    ap.add_argument("--only", choices=("telegram", "zalo", "zalo-webhook"))
    args = ap.parse_args()
    bad = 0
    for sig in (signal.SIGTERM, signal.SIGKILL):
        runs = []
        if args.only in (None, "telegram"):
            runs.append(lambda d, s=sig: telegram_burst(args.messages, s, d))
        if args.only in (None, "zalo"):
            runs.append(lambda d, s=sig: asyncio.run(zalo_burst(args.messages, s, d)))
        if args.only in (None, "zalo-webhook"):
            runs.append(lambda d, s=sig: asyncio.run(
                zalo_burst(args.messages, s, d, webhook=True)))
        for run in runs:
            with tempfile.TemporaryDirectory() as tmp:
                f = run(tmp)
            print(f.line(), flush=True)
            bad += f.lost + f.duplicated
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
