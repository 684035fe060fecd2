"""`python -m bot run`: migrations, the web app, every configured channel and the reminder
loop, until SIGINT/SIGTERM."""
from __future__ import annotations

import asyncio
import logging
import signal
import sys

from bot.config import Settings, load_settings

log = logging.getLogger("bot.runner")

STOP_TIMEOUT = 5.0  # seconds each shutdown step may take before it is abandoned

NO_CHANNEL = (
    "Chưa cấu hình kênh nào: đặt TELEGRAM_BOT_TOKEN hoặc ZALO_BOT_TOKEN trong .env, hoặc thử "
    "`python -m bot chat`. / No channel configured: set TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN "
    "in .env, or try `python -m bot chat`."
)


def cli_run() -> int:
    settings = load_settings()
    _setup_logging(settings)
    try:
        return asyncio.run(serve(settings))
    except KeyboardInterrupt:  # a second Ctrl-C during shutdown
        return 130


async def serve(settings: Settings, stop: asyncio.Event | None = None) -> int:
    """Run until `stop` is set (or a signal arrives); returns the process exit code."""
    from bot.channels import configured_channels
    from bot.services import open_services

    if not (settings.TELEGRAM_BOT_TOKEN or settings.ZALO_BOT_TOKEN):
        print(NO_CHANNEL, file=sys.stderr)  # nothing to serve: leave the database alone
        return 2
    try:
        svc = await open_services(settings)
    except Exception as e:  # no server, no database, no rights: one line, never a traceback
        print(db_unreachable(settings.DATABASE_URL, e), file=sys.stderr)
        return 1
    try:
        channels = configured_channels(svc)  # bad combinations: bot.__main__ reports them
        stop = stop or asyncio.Event()
        _on_signals(stop)
        return await _serve(svc, channels, stop)
    finally:
        await svc.close()


async def _serve(svc, channels, stop: asyncio.Event) -> int:
    from bot import desk
    from bot.web import make_app, start_app

    s = svc.settings
    senders = {c.name: c for c in channels}
    svc.senders.update(senders)  # a reply may be addressed to another channel (a Zalo admin)
    app = make_app(channels)
    desk.setup(app, svc)  # the web desk under /desk (admins only; bot/desk)
    runner, port = await start_app(app, s.HTTP_HOST, s.HTTP_PORT)
    host = "127.0.0.1" if s.HTTP_HOST in ("0.0.0.0", "::", "") else s.HTTP_HOST
    log.info("listening on http://%s:%d", host, port)
    started = []
    loop_task: asyncio.Task | None = None
    code = 0
    try:
        for c in channels:
            try:
                await c.start()
            except ValueError as e:
                print(f"Lỗi cấu hình: {e}", file=sys.stderr)
                return 2
            except ConnectionError as e:
                print(f"Lỗi kết nối: {e}", file=sys.stderr)
                return 1
            started.append(c)
        loop_task = _start_reminders(svc, senders, stop)
        log.info("running: %s; stop with Ctrl-C", ", ".join(senders))
        await stop.wait()
        log.info("stopping")
    except Exception:
        log.exception("start-up failed")
        code = 1
    finally:
        stop.set()
        for c in reversed(started):
            await _bounded(c.stop(), f"stopping {c.name}")
        if loop_task is not None:
            await _bounded(asyncio.shield(loop_task), "stopping reminders")
            loop_task.cancel()
        await _bounded(runner.cleanup(), "stopping the web server")
    return code


def db_unreachable(url: str, e: Exception) -> str:
    """The one line `run` prints when the database cannot be opened or migrated."""
    from bot.db.migrate import _safe

    first = str(e).splitlines()[0] if str(e) else ""
    return (f"Không mở được cơ sở dữ liệu {_safe(url)} (cannot open DATABASE_URL): "
            f"{type(e).__name__}: {first}")


def _start_reminders(svc, senders, stop: asyncio.Event) -> asyncio.Task | None:
    try:
        from bot.reminders import run_loop
    except ImportError:
        log.warning("reminder loop not available yet: reminders are not sent")
        return None

    async def guarded() -> None:
        try:
            await run_loop(svc, senders, stop)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("reminder loop stopped")

    return asyncio.create_task(guarded(), name="reminders")


async def _bounded(aw, what: str) -> None:
    try:
        await asyncio.wait_for(aw, STOP_TIMEOUT)
    except (TimeoutError, asyncio.CancelledError):
        log.warning("%s took too long; abandoned", what)
    except Exception:
        log.exception("%s failed", what)


def _on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread / not POSIX
            pass


class _RedactingFormatter(logging.Formatter):
    """Tokens never reach the log, whatever library formats a URL or a traceback."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for s in self.secrets:
            text = text.replace(s, "<token>")
        return text


def _setup_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter([settings.TELEGRAM_BOT_TOKEN or "",
                                              settings.ZALO_BOT_TOKEN or "",
                                              settings.WEBHOOK_SECRET or ""]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    # httpx logs every request URL, and Telegram's URLs contain the token
    for noisy in ("httpx", "httpcore", "telegram.ext.Updater", "aiohttp.access",
                  "alembic.runtime.plugins"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
