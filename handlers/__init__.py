"""The brain's entry point: one `Request` in, a list of `Reply` out, whatever the channel."""
from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timedelta

from bot.calendar import fmt_int
from bot.core import Choice, Reply, Request
from bot.db import pending as pending_store
from bot.services import Services
from bot.text import fold, tokens
from handlers import admin, ask, desk, help, membership, plans, reminders, report, status  # noqa: F401  (registers)
from handlers.registry import CALLBACKS, COMMANDS, PENDING

log = logging.getLogger(__name__)

_COMMAND = re.compile(r"^/([A-Za-z0-9_]+)(?:@\S+)?(?:\s+(.*))?$", re.S)
MAX_INPUT = 4000  # longer messages are refused, not processed
CHOICES_KIND = pending_store.CHOICES
PENDING_TTL = timedelta(hours=2)  # an unanswered list or flow is forgotten after this
MAX_MERGED = 20  # choices offered when a typed number fits several lists
# Choices that may have lost their object meanwhile (a request decided by another admin):
# callback prefix -> async (svc, rest) -> bool; the "which one?" answer leaves closed ones out.
STILL_OPEN = {"reg": membership.choice_open}


async def dispatch(req: Request, svc: Services) -> list[Reply]:
    """Route a request to its handler; channels render whatever comes back.

    The conversation (the user's flow or last subject, the chat's numbered lists) is read
    once, here, before any handler runs; handlers read and change it through
    `pending_store.current()`; what changed is written back once, after them."""
    if _ignored(req):
        return []
    conv = await pending_store.load(svc.sessions, req.channel, req.chat_id, req.user_id,
                                    svc.now(), lists=req.channel not in svc.button_channels)
    token = pending_store.begin(conv)
    try:
        if req.callback is not None:
            replies = await _on_callback(req, svc, req.callback)
        else:
            replies = await _on_text(req, svc, conv)
        await _remember_choices(req, svc, replies, conv)
    finally:
        pending_store.end(token)
        await conv.save()
    return replies


def _ignored(req: Request) -> bool:
    """Group chatter that is neither a command nor addressed to the bot: no reply, no read."""
    if req.callback is not None or req.is_private or req.addressed:
        return False
    return not (req.text or "").lstrip().startswith("/")


async def _on_text(req: Request, svc: Services, conv: pending_store.Conversation) -> list[Reply]:
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
        # a new command abandons the user's unfinished guided flow (the conversation's last
        # subject is no flow and stays for /hoi follow-ups)
        conv.end_flow()
        return await fn(req, svc, args)
    if not req.is_private and not req.addressed:
        return []
    flow = conv.flow(PENDING_TTL)
    if flow is not None and flow[0] in PENDING:  # the user's own guided flow comes first
        conv.end_flow()
        return await PENDING[flow[0]](req, svc, json.dumps(flow[1], ensure_ascii=False))
    mine = _lists_for(conv.lists, req.user_id, svc.now())
    if mine:
        answered = await _answer_from_lists(req, svc, conv, mine, text)
        if answered is not None:
            return answered
    return await COMMANDS["hoi"](req, svc, text)


# ---------------------------------------------------------------- numbered choices

def _lists_for(lists: list[dict], user_id: str, now: datetime) -> list[dict]:
    """The unexpired lists a typed number may answer: those given to this user and those
    pushed into the chat (notices); in a group, another member's list only if there is no
    other (someone answering for a colleague)."""
    live = [e for e in lists if now - datetime.fromisoformat(e["at"]) <= PENDING_TTL]
    return [e for e in live if e.get("to", "") in (user_id, pending_store.ANY_USER)] or live


def _number(text: str) -> int | None | bool:
    """A typed choice number: an int for plain digits (any script's decimal digits, e.g.
    fullwidth "１"); False for digit-like signs that are no number to int() ("①", "²", "⑴":
    str.isdigit is true for them); None for anything else."""
    if not text.isdigit():
        return None
    if not text.isdecimal():
        return False
    return int(text) if len(text) <= 6 else 0  # 0: out of every list's range


async def _answer_from_lists(req: Request, svc: Services, conv: pending_store.Conversation,
                             lists: list[dict], text: str) -> list[Reply] | None:
    """Act on the choice `text` names, only when it names one thing in every list the user
    may be answering; otherwise ask. None: `text` names no choice (it is a question)."""
    n = _number(text)
    if n is False:
        return [Reply("Xin gõ số của lựa chọn bằng chữ số thường, ví dụ: 1.")]
    if n is not None:
        meant = [(e, e["choices"][n - 1]) for e in lists if 1 <= n <= len(e["choices"])]
        if not meant:
            top = max(len(e["choices"]) for e in lists)
            return [Reply(f"Xin chọn một số từ 1 đến {top}.")]
        if len(meant) < len(lists):  # the number fits some lists only: the reader may have
            meant = [(e, None) for e in lists]  # meant one where it does not; ask
    else:
        meant = [(e, c) for e in lists if (c := _by_label(e["choices"], text)) is not None]
        if not meant:
            return None
    datas = {_data(c) for _, c in meant}
    if len(datas) != 1 or None in datas:
        return await _ask_which(svc, [e for e, _ in meant], text)
    # a choice is used once: a later "2" must not act on these lists again
    conv.drop_lists({e["seq"] for e, _ in meant})
    return await _on_callback(req, svc, datas.pop())


def _data(choice) -> str | None:
    if choice is None:
        return None
    return choice[1] if isinstance(choice, list) else choice  # rows from 0.1: data only


def _by_label(choices: list, text: str) -> list | None:
    """The choice whose label `text` types out: the whole label or its start ("hoàn thành"
    for "Hoàn thành"), or some of its words including every number ("duyet 12" for "Duyệt
    yêu cầu số 12"); None when it names none or several."""
    choices = [c if isinstance(c, list) else ["", c] for c in choices]
    typed = fold(text)
    if not typed:
        return None
    exact = [c for c in choices if fold(c[0]) == typed]
    starts = [c for c in choices if fold(c[0]).startswith(typed)] if len(typed) >= 3 else []
    words = tokens(text)
    some = ([c for c in choices if set(words) <= set(tokens(c[0]))]
            if any(w.isdigit() for w in words) else [])
    for found in (exact, starts, some):
        if len(found) == 1:
            return found[0]
        if found:
            return None
    return None


async def _ask_which(svc: Services, lists: list[dict], text: str) -> list[Reply]:
    """Several lists could be meant: act on none, show what each offers, and offer them all
    again as one list (given in reply, it replaces them, so the next number is clear)."""
    lines = [f"Đang có {len(lists)} danh sách lựa chọn chưa trả lời nên chưa rõ "
             f"“{' '.join(text.split())[:30]}” là lựa chọn nào; chưa có gì được thực hiện."]
    merged: list[Choice] = []
    seen: set[str] = set()
    for e in lists:
        offered = [c for c in e["choices"]
                   if isinstance(c, list) and c[1] not in seen and await _open(svc, c[1])]
        if e.get("title"):
            lines.append(f"• {e['title']}" + ("" if offered else " (đã được xử lý)"))
        for label, data in offered:
            seen.add(data)
            merged.append(Choice(label, data))
    merged = merged[:MAX_MERGED]
    lines.append("Xin chọn lại trong danh sách dưới đây:" if merged else
                 "Các lựa chọn này đã được xử lý; không còn gì để chọn.")
    return [Reply("\n".join(lines), tuple(merged))]


async def _open(svc: Services, data: str) -> bool:
    prefix, _, rest = data.partition(":")
    check = STILL_OPEN.get(prefix)
    return True if check is None else await check(svc, rest)


async def _on_callback(req: Request, svc: Services, data: str) -> list[Reply]:
    prefix, _, rest = data.partition(":")
    fn = CALLBACKS.get(prefix)
    if fn is None:
        return [Reply("Lựa chọn này không còn hiệu lực. Xin thực hiện lại lệnh.")]
    return await fn(req, svc, rest)


async def _remember_choices(req: Request, svc: Services, replies: list[Reply],
                            conv: pending_store.Conversation) -> None:
    """Channels without buttons show numbered choices; keep them so "2" means choice 2.

    A list given in answer to the sender replaces the lists the sender had when writing
    (the conversation's mark); a list pushed into another chat (a registration notice to an
    admin) is added beside that chat's lists, never in their place, so the admin's "1" keeps
    the meaning of the notice the admin is reading (dispatch asks when it cannot tell which)."""
    for r in replies:
        target = r.chat or req.chat
        if not r.choices or target.channel in svc.button_channels:
            continue
        choices = [[c.label, c.data] for c in r.choices]
        title = r.text.split("\n", 1)[0][:160]
        if target == req.chat:
            conv.push_list(choices, to=req.user_id, title=title)
        else:
            await pending_store.push_choices(svc.sessions, target.channel, target.chat_id,
                                             choices, title=title, now=svc.now())
