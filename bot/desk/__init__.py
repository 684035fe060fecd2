"""The web desk of Sở Công Thương: overview, matrix, unit and task pages, downloads.

Served under /desk on the bot's aiohttp server; admins only (sign-in by a link from /web).

    setup(app, svc)      mount the desk on the shared aiohttp app
    LOGIN_PATH           "/desk/login/{token}"
"""
from __future__ import annotations

from bot.desk.routes import LOGIN_PATH, setup

__all__ = ["LOGIN_PATH", "setup"]
