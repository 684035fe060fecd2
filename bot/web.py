"""The shared aiohttp app: `/healthz` always, plus each channel's webhook routes."""
from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from bot.channels.base import Channel


def make_app(channels: Sequence[Channel]) -> web.Application:
    app = web.Application(client_max_size=2 * 1024 * 1024)
    names = [c.name for c in channels]

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "channels": names})

    app.router.add_get("/healthz", healthz)
    for channel in channels:
        channel.setup(app)
    return app


async def start_app(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Serve `app`; returns the runner (to clean up) and the bound port (port 0 = any free)."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1] if site._server else port
    return runner, bound
