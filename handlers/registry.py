"""Where handler modules declare what they answer; `handlers.dispatch` routes by these tables."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core import Reply, Request
from bot.services import Services

Handler = Callable[[Request, Services, str], Awaitable[list[Reply]]]

COMMANDS: dict[str, Handler] = {}  # "/name args" -> handler(req, svc, args)
CALLBACKS: dict[str, Handler] = {}  # "prefix:rest" -> handler(req, svc, rest)
PENDING: dict[str, Handler] = {}  # a stored pending kind -> handler(req, svc, payload_json)


def command(*names: str):
    def deco(fn: Handler) -> Handler:
        for n in names:
            COMMANDS[n] = fn
        return fn
    return deco


def callback(prefix: str):
    def deco(fn: Handler) -> Handler:
        CALLBACKS[prefix] = fn
        return fn
    return deco


def pending(kind: str):
    def deco(fn: Handler) -> Handler:
        PENDING[kind] = fn
        return fn
    return deco
