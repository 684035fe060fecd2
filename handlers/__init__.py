"""The brain's entry point: one `Request` in, a list of `Reply` out, whatever the channel."""
from __future__ import annotations

import json
import logging
import re
from datetime import timedelta

from bot.calendar import fmt_int
from bot.core import Reply, Request
from bot.db import pending as pending_store
from bot.services import Services
from bot.text import fold
from handlers import admin, ask, desk, help, membership, reminders, status  # noqa: F401  (registers)
from handlers.registry import CALLBACKS, COMMANDS, PENDING

log = logging.getLogger(__name__)

_COMMAND = re.compile(r"^/([A-Za-z0-9_]+)(?:@\S+)?(?:\s+(.*))?$", re.S)
MAX_INPUT = 4000  # longer messages are refused, not processed
CHOICES_KIND = "choices"
PENDING_TTL = timedelta(hours=2)  # an unanswered list or flow is forgotten after this


async def dispatch(req: Request, svc: Services) -> list[Reply]:
    """Route a request to its handler; channels render whatever comes back."""
    if req.callback is not None:
        replies = await _on_callback(req, svc, req.callback)
    else:
        replies = await _on_text(req, svc)
    await _remember_choices(req, svc, replies)
    return replies


async def _on_text(req: Request, svc: Services) -> list[Reply]:
    text = (req.text or "").strip()
    if not text:
        return []
    if len(text) > MAX_INPUT:
        return [Reply(f"Tin nhắn quá dài ({fmt_int(len(text))} ký tự); xin gửi tối đa "
                      f"{fmt_int(MAX_INPUT)} ký tự.")]
    m = _COMMAND.match(text)
    if m:
        name, args = m.group(1).lower(), (m.group(2) or "").strip()
        fn = COMMANDS.get(name)
        if fn is None:
            return [Reply(f"Không có lệnh /{name}. Gõ /trogiup để xem các lệnh.")]
        # a new command abandons the user's unfinished guided flow (read first: most have none)
        if await pending_store.get(svc.sessions, req.channel, req.chat_id, req.user_id):
            await pending_store.clear(svc.sessions, req.channel, req.chat_id, req.user_id)
        return await fn(req, svc, args)
    if not req.is_private and not req.addressed:
        return []
    state = await _pending_for(req, svc)
    if state is not None:
        kind, payload, owner = state
        if kind == CHOICES_KIND:
            if text.isdigit() and not 1 <= int(text) <= len(payload):
                return [Reply(f"Xin chọn một số từ 1 đến {len(payload)}.")]
            data = _picked(payload, text)
            if data is not None:
                # a choice is used once: a later "2" must not act on this list again
                await pending_store.clear(svc.sessions, req.channel, req.chat_id, owner)
                return await _on_callback(req, svc, data)
        elif kind in PENDING:
            await pending_store.clear(svc.sessions, req.channel, req.chat_id, owner)
            return await PENDING[kind](req, svc, json.dumps(payload, ensure_ascii=False))
    return await COMMANDS["hoi"](req, svc, text)


def _picked(choices: list[list[str]], text: str) -> str | None:
    """The data of the choice meant by `text`: its number, or its label typed out
    ("hoàn thành" for the button "Hoàn thành"); None when it names none or several."""
    choices = [c if isinstance(c, list) else ["", c] for c in choices]  # rows from 0.1: data only
    if text.isdigit():
        return choices[int(text) - 1][1]
    typed = fold(text)
    hits = [data for label, data in choices if typed and fold(label).startswith(typed)]
    exact = [data for label, data in choices if fold(label) == typed]
    found = exact or hits
    return found[0] if len(found) == 1 and len(typed) >= 3 else None


async def _pending_for(req: Request, svc: Services):
    """A user's own pending flow first, then the chat's numbered choices."""
    for owner in (req.user_id, pending_store.ANY_USER):
        found = await pending_store.get(svc.sessions, req.channel, req.chat_id, owner,
                                        max_age=PENDING_TTL)
        if found:
            return (*found, owner)
    return None


async def _on_callback(req: Request, svc: Services, data: str) -> list[Reply]:
    prefix, _, rest = data.partition(":")
    fn = CALLBACKS.get(prefix)
    if fn is None:
        return [Reply("Lựa chọn này không còn hiệu lực. Xin thực hiện lại lệnh.")]
    return await fn(req, svc, rest)


async def _remember_choices(req: Request, svc: Services, replies: list[Reply]) -> None:
    """Channels without buttons show numbered choices; keep them so "2" means choice 2."""
    for r in replies:
        target = r.chat or req.chat
        if not r.choices or target.channel in svc.button_channels:
            continue
        await pending_store.put(svc.sessions, target.channel, target.chat_id,
                                pending_store.ANY_USER, CHOICES_KIND,
                                [[c.label, c.data] for c in r.choices])
