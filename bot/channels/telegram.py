"""Telegram (python-telegram-bot 22): one adapter over the platform-neutral handlers.

Updates become `bot.core.Request`s, `handlers.dispatch` answers, and each `Reply` is rendered
here: HTML parse mode with every text escaped, split under 4,096 characters, choices as inline
keyboards, files as documents. Long polling by default; `TELEGRAM_MODE=webhook` serves the same
updates through the shared aiohttp app. Either way each update is stored in the inbox
(bot/channels/inbox.py) before Telegram is told it arrived (the next getUpdates offset, the
webhook's 200) and answered from there, so a stop or a crash loses none. Flood limits come from PTB's `AIORateLimiter`; 429s wait
for `retry_after`, 5xx and time-outs are retried with backoff, blocked chats are marked inactive.
"""
from __future__ import annotations

import asyncio
import contextlib
import hmac
import html
import logging
import re
import warnings
from datetime import timedelta
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.channels.base import Channel, SendResult, deliver
from bot.channels.inbox import Inbox
from bot.core import Reply, Request, split_text
from bot.db.models import Chat, Pending, Subscription
from bot.services import Services
from bot.text import clean_input

log = logging.getLogger(__name__)
# getChatMember is called raw on purpose (see _is_chat_admin); PTB would nudge towards its
# typed method, which fails on a terse answer
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.getChatMember'",
                        category=PTBUserWarning)
# PTB's own rate limiter reads RetryAfter.retry_after, whose type changes in a future PTB;
# our code reads the value either way (_seconds), so the notice is noise in the logs
warnings.filterwarnings("ignore", message=r".*`retry_after`.*",
                        category=PTBDeprecationWarning)

NAME = "telegram"
MAX_LEN = 4096  # Telegram's limit for one message, after entity parsing
SEND_TRIES = 4
START_TRIES = 5  # getMe at start-up: 0.5+1+2+4 s of patience
POLL_TIMEOUT = 10  # seconds a getUpdates long poll may hang
WEBHOOK_PATH = "/telegram/webhook"
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
GROUP_TYPES = ("group", "supergroup")
STOP_GRACE = 3.0  # seconds a stop gives the updates already claimed to be answered
# updates answered at once: above the 30 messages/s flood limit at Telegram's latency, and few
# enough that an answer's "done" mark never queues for a database connection (a kill -9 in
# that queue would have it answered again after the restart)
ANSWERING = 4
FILE_FAILED = ("Không gửi được tệp {name} qua Telegram (đã thử lại nhiều lần). Xin gửi lại "
               "lệnh /xuat sau ít phút, hoặc lấy tệp trên máy chủ bằng lệnh "
               "`python -m bot export -o {name}`.")
ADMIN_STATUSES = ("administrator", "creator")
_OTHER_BOT_COMMAND = re.compile(r"^/\w+@(\w+)")

_EVERYONE = [
    ("hoi", "Hỏi về Kế hoạch, ví dụ: /hoi Sở Xây dựng làm gì"),
    ("nhiemvu", "Nhiệm vụ của một cơ quan"),
    ("hanchot", "Các hạn chót sắp tới"),
    ("muctieu", "Mục tiêu của Kế hoạch"),
    ("trangthai", "Tình trạng thực hiện nhiệm vụ"),
]
PRIVATE_COMMANDS = [
    ("start", "Giới thiệu và ví dụ"),
    *_EVERYONE,
    ("dangky", "Đăng ký làm cán bộ đầu mối của cơ quan"),
    ("capnhat", "Cập nhật tiến độ nhiệm vụ của cơ quan"),
    ("sua", "Sửa cập nhật vừa gửi (trong 30 phút)"),
    ("rut", "Rút lại cập nhật vừa gửi (trong 30 phút)"),
    ("huy", "Hủy thao tác cập nhật đang dở"),
    ("nhacnho", "Nhận nhắc hạn chót trong cuộc trò chuyện này"),
    ("trogiup", "Danh sách lệnh"),
]
GROUP_COMMANDS = [
    *_EVERYONE,
    ("nhacnho", "Nhóm nhận nhắc hạn chót (quản trị viên nhóm)"),
    ("trogiup", "Danh sách lệnh"),
]
ADMIN_COMMANDS = [
    *PRIVATE_COMMANDS,
    ("tonghop", "Tổng hợp theo cơ quan trong kỳ báo cáo"),
    ("xuat", "Xuất báo cáo ra tệp (csv hoặc xlsx)"),
    ("thanhvien", "Danh sách cán bộ đã đăng ký"),
    ("duyet", "Duyệt yêu cầu đăng ký (theo số)"),
    ("tuchoi", "Từ chối yêu cầu đăng ký (theo số)"),
    ("xoathanhvien", "Xóa một thành viên (theo số)"),
    ("guitatca", "Gửi thông báo tới mọi cuộc trò chuyện đã đăng ký nhắc hạn"),
]


class TelegramChannel(Channel):
    name = NAME

    def __init__(self, svc: Services) -> None:
        s = svc.settings
        self.svc = svc
        self.webhook = s.TELEGRAM_MODE == "webhook"
        if self.webhook and not (s.WEBHOOK_BASE_URL and s.WEBHOOK_SECRET):
            raise ValueError("TELEGRAM_MODE=webhook cần WEBHOOK_BASE_URL và WEBHOOK_SECRET "
                             "(TELEGRAM_MODE=webhook needs WEBHOOK_BASE_URL and WEBHOOK_SECRET)")
        self.app = _build_application(s.TELEGRAM_BOT_TOKEN, s.TELEGRAM_API_BASE_URL,
                                      webhook=self.webhook, rate=s.TELEGRAM_MAX_RATE)
        self.app.add_handler(MessageHandler(filters.UpdateType.MESSAGE, self._on_message))
        self.app.add_handler(CallbackQueryHandler(self._on_callback))
        self.app.add_handler(ChatMemberHandler(self._on_my_member,
                                               ChatMemberHandler.MY_CHAT_MEMBER))
        self.app.add_error_handler(self._on_error)
        self.inbox = Inbox(svc, NAME, self._process, concurrency=ANSWERING)
        self._poller: asyncio.Task | None = None
        self._polling = False  # inside the getUpdates call: safe to cancel (nothing confirmed)
        self._poller_stop = False

    # ---- Channel protocol ------------------------------------------------------------------

    def setup(self, app: web.Application) -> None:
        if not self.webhook:
            return
        paths = {WEBHOOK_PATH, webhook_path(self.svc.settings.WEBHOOK_BASE_URL)}
        for path in sorted(paths):
            app.router.add_post(path, self._on_webhook)

    async def start(self) -> None:
        try:
            await self._initialize()
        except InvalidToken as e:
            raise ValueError("TELEGRAM_BOT_TOKEN bị Telegram từ chối "
                             "(TELEGRAM_BOT_TOKEN was rejected)") from e
        except NetworkError as e:
            base = self.svc.settings.TELEGRAM_API_BASE_URL
            raise ConnectionError(f"không kết nối được Telegram tại {base} "
                                  f"(cannot reach TELEGRAM_API_BASE_URL): {e.message}") from e
        await self._set_commands()
        await self.app.start()
        await self.inbox.start()  # what an earlier run stored and did not answer comes first
        if self.webhook:
            s = self.svc.settings
            await self.app.bot.set_webhook(webhook_url(s.WEBHOOK_BASE_URL),
                                           secret_token=s.WEBHOOK_SECRET,
                                           allowed_updates=ALLOWED_UPDATES)
        else:
            self._poller = asyncio.create_task(self._poll_loop(), name="telegram-poll")
        log.info("telegram: @%s serving (%s)", self.app.bot.username,
                 "webhook" if self.webhook else "long polling")

    async def _initialize(self) -> None:
        """getMe, retried on 5xx and time-outs (the API may be restarting); a rejected token
        or a refused connection after the last try is final."""
        delay = 0.5
        for attempt in range(1, START_TRIES + 1):
            try:
                await self.app.initialize()
                return
            except InvalidToken:
                raise
            except NetworkError as e:
                if attempt == START_TRIES:
                    raise
                log.warning("telegram: getMe failed (%s), retry in %.1fs", e.message, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 8)

    async def stop(self) -> None:
        """Stop taking updates (a long poll in flight is dropped: Telegram serves its updates
        again, since no offset confirmed them), answer what is claimed, keep the rest."""
        if self._poller is not None:
            self._poller_stop = True
            if self._polling:
                self._poller.cancel()
            await asyncio.wait([self._poller], timeout=STOP_GRACE)
            self._poller.cancel()
            self._poller = None
        await self.inbox.stop(STOP_GRACE)
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()

    async def send(self, chat_id: str, reply: Reply) -> SendResult:
        """Deliver one reply: text parts, then the file; keyboard on the last message."""
        target = str(chat_id)
        migrated: str | None = None
        parts = render_parts(reply.text) if reply.text.strip() else []
        markup = keyboard(reply)
        steps = [(_send_text, p, markup if i == len(parts) - 1 and not reply.file else None)
                 for i, p in enumerate(parts)]
        if reply.file:
            steps.append((_send_file, reply.file, markup))
        for fn, payload, kb in steps:
            result, target = await self._deliver(fn, target, payload, kb)
            if target != str(chat_id):
                migrated = target
            if not result.ok:
                if fn is _send_file and not result.blocked:
                    # the header text went out: say plainly that the file did not follow
                    note = FILE_FAILED.format(name=payload.filename)
                    await self._deliver(_send_text, target, render_parts(note)[0], None)
                return SendResult(ok=False, blocked=result.blocked, migrated_to=migrated,
                                  error=result.error)
        return SendResult(ok=True, migrated_to=migrated)

    # ---- sending ---------------------------------------------------------------------------

    async def _deliver(self, fn, target: str, payload, kb) -> tuple[SendResult, str]:
        """One API call with retries: 429 waits (the rate limiter already retried), a
        migrated group moves to its new id, 5xx and time-outs back off, a block is final."""
        delay = 0.5
        for attempt in range(1, SEND_TRIES + 1):
            try:
                await fn(self.app.bot, _chat(target), payload, kb)
                return SendResult(ok=True), target
            except ChatMigrated as e:
                new = str(e.new_chat_id)
                log.info("telegram: chat %s migrated to %s", target, new)
                await migrate_chat(self.svc.sessions, target, new)
                target = new
            except RetryAfter as e:
                wait = _seconds(e)
                log.warning("telegram: flood limit, waiting %.1fs", wait)
                await asyncio.sleep(wait)
            except Forbidden as e:
                log.info("telegram: chat %s unreachable (%s): marked inactive", target, e.message)
                await set_chat_active(self.svc.sessions, target, False)
                return SendResult(ok=False, blocked=True, error=e.message), target
            except BadRequest as e:
                log.warning("telegram: send to %s refused: %s", target, e.message)
                return SendResult(ok=False, error=e.message), target
            except NetworkError as e:  # 5xx, time-outs, connection errors
                if attempt == SEND_TRIES:
                    return SendResult(ok=False, error=f"{type(e).__name__}: {e.message}"), target
                log.warning("telegram: send to %s failed (%s), retry in %.1fs", target,
                            e.message, delay)
                await asyncio.sleep(delay)
                delay *= 2
            except TelegramError as e:
                return SendResult(ok=False, error=f"{type(e).__name__}: {e.message}"), target
        return SendResult(ok=False, error="too many retries"), target

    async def _reply_all(self, req: Request, replies: list[Reply]) -> None:
        for r in replies:
            result = await deliver(self.svc, self, req.chat_id, r)
            if not result.ok and result.error:
                log.warning("telegram: reply not delivered: %s", result.error)

    # ---- receiving -------------------------------------------------------------------------

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        msg = update.message
        if msg is None:
            return
        if msg.migrate_to_chat_id:
            await migrate_chat(self.svc.sessions, str(msg.chat.id), str(msg.migrate_to_chat_id))
            return
        if msg.migrate_from_chat_id:
            await migrate_chat(self.svc.sessions, str(msg.migrate_from_chat_id),
                               str(msg.chat.id))
            return
        req = await self._request_from(msg)
        if req is not None:
            await self._dispatch(req)

    async def _request_from(self, msg: Message) -> Request | None:
        user, chat = msg.from_user, msg.chat
        text = clean_input(msg.text or msg.caption or "")
        # an anonymous group administrator writes as the group itself (via GroupAnonymousBot)
        anonymous_admin = msg.sender_chat is not None and msg.sender_chat.id == chat.id
        if user is None or (user.is_bot and not anonymous_admin) or not text.strip() \
                or chat.type == "channel":
            return None
        m = _OTHER_BOT_COMMAND.match(text)
        if m and m.group(1).lower() != (self.app.bot.username or "").lower():
            return None  # a command for another bot in the same group
        group = chat.type in GROUP_TYPES
        addressed = True
        if group:
            addressed, text = self._addressed(msg, text)
            if not addressed and not text.startswith("/"):
                return None  # group chatter: not for us
        chat_admin = group and text.lower().startswith("/nhacnho")
        return Request(
            channel=NAME, user_id=str(user.id), chat_id=str(chat.id), text=text,
            chat_type="group" if group else "private",
            user_name=clean_input(user.full_name or ""), chat_title=clean_input(chat.title or ""),
            is_admin=self.svc.is_admin(NAME, str(user.id)),
            is_chat_admin=chat_admin and (anonymous_admin
                                          or await self._is_chat_admin(chat.id, user.id)),
            addressed=addressed)

    def _addressed(self, msg: Message, text: str) -> tuple[bool, str]:
        """In a group: a command, a reply to the bot or a mention; the mention is removed."""
        me = self.app.bot
        if text.startswith("/"):
            return True, text
        reply = msg.reply_to_message
        if reply and reply.from_user and reply.from_user.id == me.id:
            return True, text
        handle = f"@{me.username}".lower() if me.username else None
        ents = msg.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]) \
            if msg.text else msg.parse_caption_entities([MessageEntity.MENTION])
        for ent, value in ents.items():
            if (ent.type == MessageEntity.MENTION and value.lower() == handle) or \
                    (ent.user is not None and ent.user.id == me.id):
                return True, re.sub(r" {2,}", " ", text.replace(value, " ", 1)).strip()
        return False, text

    async def _is_chat_admin(self, chat_id: int, user_id: int) -> bool:
        # the raw answer: only `status` matters, and a terse one must not break the update
        try:
            member = await self.app.bot.do_api_request(
                "getChatMember", api_kwargs={"chat_id": chat_id, "user_id": user_id})
        except TelegramError as e:
            log.warning("telegram: getChatMember failed: %s", e.message)
            return False
        return isinstance(member, dict) and member.get("status") in ADMIN_STATUSES

    async def _on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        q = update.callback_query
        try:
            await q.answer()  # stops the button's spinner
        except TelegramError as e:
            log.info("telegram: answerCallbackQuery failed: %s", e.message)
        if q.data is None:
            return
        # the button's message may be too old to be included: then it was a private chat,
        # whose id is the user's
        chat = q.message.chat if q.message is not None else None
        group = chat is not None and chat.type in GROUP_TYPES
        chat_id = chat.id if chat is not None else q.from_user.id
        req = Request(
            channel=NAME, user_id=str(q.from_user.id), chat_id=str(chat_id),
            callback=clean_input(q.data), chat_type="group" if group else "private",
            user_name=clean_input(q.from_user.full_name or ""),
            chat_title=clean_input((chat.title if chat else "") or ""),
            is_admin=self.svc.is_admin(NAME, str(q.from_user.id)),
            is_chat_admin=group and await self._is_chat_admin(chat_id, q.from_user.id))
        replies = await self._dispatch(req)
        # a button acts once: take the keyboard off its message, but only when the press was
        # acted upon (a refused press by a group member leaves the admin's buttons in place)
        if q.message is not None and not _refused(replies):
            try:
                await q.edit_message_reply_markup(reply_markup=None)
            except TelegramError as e:
                log.info("telegram: keyboard not removed: %s", e.message)

    async def _on_my_member(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The bot was blocked/kicked (inactive) or allowed back (active again)."""
        change = update.my_chat_member
        status = change.new_chat_member.status
        active = status not in ("kicked", "left")
        await set_chat_active(self.svc.sessions, str(change.chat.id), active,
                              create=not active)
        joined = active and change.old_chat_member.status in ("kicked", "left")
        if joined and change.chat.type in GROUP_TYPES:  # added to a group: say what it does
            await self._dispatch(Request(
                channel=NAME, user_id=str(change.from_user.id), chat_id=str(change.chat.id),
                text="/start", chat_type="group",
                chat_title=clean_input(change.chat.title or "")))

    async def _dispatch(self, req: Request) -> list[Reply]:
        import handlers  # the brain; imported late so this module loads on its own

        try:
            replies = await handlers.dispatch(req, self.svc)
        except Exception:
            await self.send(req.chat_id, Reply("Xin lỗi, hệ thống gặp lỗi khi xử lý yêu cầu. "
                                               "Xin thử lại sau."))
            raise  # logged once by _on_error
        await self._reply_all(req, replies)
        return replies

    async def _on_webhook(self, request: web.Request) -> web.Response:
        """Telegram's POST: checked against WEBHOOK_SECRET in constant time, stored in the
        inbox, and only then answered 200 (a 500 makes Telegram deliver it again)."""
        secret = (self.svc.settings.WEBHOOK_SECRET or "").encode()
        # aiohttp keeps undecodable header bytes as surrogate escapes: compare the raw bytes
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode(
            "utf-8", "surrogateescape")
        if not secret or not hmac.compare_digest(given, secret):
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
            item = _inbox_item(data)
        except Exception:  # malformed body: Telegram never sends one
            return web.Response(status=400, text="bad update")
        try:
            await self.inbox.store([item])
        except SQLAlchemyError as e:
            log.warning("telegram: update not stored (%s): Telegram will deliver it again",
                        type(e).__name__)
            return web.Response(status=500, text="not stored")
        return web.Response(text="ok")

    async def _process(self, body: dict) -> None:
        """One stored update, through PTB's handlers (errors reach _on_error)."""
        await self.app.process_update(Update.de_json(body, self.app.bot))

    async def _poll_loop(self) -> None:
        """getUpdates; each batch is stored before the next call's offset confirms it."""
        self._poller_stop = False
        with contextlib.suppress(TelegramError):
            await self.app.bot.delete_webhook()  # getUpdates does not work beside a webhook
        offset: int | None = None
        delay = 0.0
        while not self._poller_stop:
            try:
                self._polling = True
                try:
                    raw = await self.app.bot._post(
                        "getUpdates", {"offset": offset, "timeout": POLL_TIMEOUT,
                                       "allowed_updates": ALLOWED_UPDATES},
                        read_timeout=POLL_TIMEOUT + 15)
                finally:
                    self._polling = False
                items = [_inbox_item(u) for u in raw or [] if isinstance(u, dict)]
                await self.inbox.store(items)
            except (TelegramError, SQLAlchemyError) as e:
                if isinstance(e, InvalidToken):
                    log.error("telegram: token rejected while polling")
                delay = min(max(delay * 2, 0.5), 30.0)
                self._on_poll_error(e)
                await asyncio.sleep(delay)
                continue
            delay = 0.0
            if items:
                offset = max(int(i[0]) for i in items) + 1

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        err = context.error
        uid = update.update_id if isinstance(update, Update) else None
        log.error("telegram: update %s failed: %s: %s", uid, type(err).__name__,
                  redact(str(err), self.svc.settings.TELEGRAM_BOT_TOKEN),
                  exc_info=not isinstance(err, TelegramError))

    def _on_poll_error(self, err: Exception) -> None:
        log.warning("telegram: polling error %s: %s", type(err).__name__,
                    redact(str(err).splitlines()[0] if str(err) else "",
                           self.svc.settings.TELEGRAM_BOT_TOKEN))

    async def _set_commands(self) -> None:
        """The command menus; a menu that cannot be set is logged, never fatal (the bot
        answers typed commands without it)."""
        bot = self.app.bot
        menus = [(PRIVATE_COMMANDS, BotCommandScopeAllPrivateChats(), "private chats"),
                 (GROUP_COMMANDS, BotCommandScopeAllGroupChats(), "groups")]
        for admin in sorted(self.svc.settings.admin_telegram_ids):
            if admin.lstrip("-").isdigit():
                menus.append((ADMIN_COMMANDS, BotCommandScopeChat(int(admin)), f"admin {admin}"))
        for commands, scope, who in menus:
            try:
                await bot.set_my_commands(_commands(commands), scope)
            except TelegramError as e:  # e.g. an admin who never opened the bot yet
                log.info("telegram: command menu for %s not set: %s", who, e.message)


# ---- rendering -------------------------------------------------------------------------------

def render_parts(text: str, max_len: int = MAX_LEN) -> list[str]:
    """Escaped HTML parts, each at most `max_len` characters after escaping, split on lines."""
    limit = max_len
    while True:
        parts = [html.escape(p, quote=False) for p in split_text(text, limit)]
        if all(len(p) <= max_len for p in parts):
            return parts
        limit = int(limit * 0.8)  # escaping grew a part ("&" is 5 characters): split finer


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """One button per row; data over Telegram's 64 bytes would be refused, so it is dropped."""
    rows = []
    for c in reply.choices:
        if len(c.data.encode()) > 64:
            log.error("telegram: callback data over 64 bytes dropped: %r", c.data[:80])
            continue
        rows.append([InlineKeyboardButton(c.label[:200], callback_data=c.data)])
    return InlineKeyboardMarkup(rows) if rows else None


async def _send_text(bot, chat_id, text: str, kb) -> None:
    try:
        await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=kb,
                               disable_web_page_preview=True)
    except BadRequest as e:
        if "parse entities" not in e.message.lower():
            raise
        # our HTML is only escaped text, so this should not happen; never lose the reply
        await bot.send_message(chat_id, html.unescape(text), reply_markup=kb,
                               disable_web_page_preview=True)


async def _send_file(bot, chat_id, att, kb) -> None:
    await bot.send_document(chat_id, InputFile(att.content, filename=att.filename),
                            reply_markup=kb)


# ---- chats in the database ------------------------------------------------------------------

async def migrate_chat(sessions, old: str, new: str) -> None:
    """A group became a supergroup: its row (and so its subscriptions) follows the new id."""
    if old == new:
        return
    async with sessions() as s, s.begin():
        rows = {c.external_id: c for c in (await s.execute(select(Chat).where(
            Chat.channel == NAME, Chat.external_id.in_([old, new])))).scalars()}
        src, dst = rows.get(old), rows.get(new)
        if src is not None and dst is None:
            src.external_id, src.kind = new, "group"
        elif src is not None and dst is not None:
            # the new id already wrote to us: move subscriptions over, retire the old row
            have = set((await s.execute(select(Subscription.agency_id).where(
                Subscription.chat_id == dst.id))).scalars())
            for sub in (await s.execute(select(Subscription).where(
                    Subscription.chat_id == src.id))).scalars():
                if sub.agency_id in have:
                    await s.delete(sub)
                else:
                    sub.chat_id = dst.id
            src.active = False
        await s.execute(delete(Pending).where(Pending.channel == NAME,
                                              Pending.chat_external_id == old))


async def set_chat_active(sessions, chat_id: str, active: bool, *, create: bool = True) -> None:
    """Mark a chat (in)active; a blocked chat gets a row even if it never subscribed."""
    for _ in range(2):  # a concurrent insert of the same chat: the second pass updates it
        try:
            async with sessions() as s, s.begin():
                row = (await s.execute(select(Chat).where(
                    Chat.channel == NAME, Chat.external_id == chat_id))).scalar_one_or_none()
                if row is not None:
                    row.active = active
                elif create:
                    kind = "group" if chat_id.startswith("-") else "private"
                    s.add(Chat(channel=NAME, external_id=chat_id, kind=kind, active=active))
            return
        except IntegrityError:
            continue


# ---- helpers ---------------------------------------------------------------------------------

def _build_application(token: str, base_url: str, *, webhook: bool,
                       rate: float) -> Application:
    base = base_url.rstrip("/")
    file_base = base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base
    request = HTTPXRequest(connection_pool_size=64, connect_timeout=10, read_timeout=20,
                           write_timeout=20, pool_timeout=10, media_write_timeout=60)
    poll_request = HTTPXRequest(connection_pool_size=2, connect_timeout=10,
                                read_timeout=POLL_TIMEOUT + 15, write_timeout=10,
                                pool_timeout=10)
    builder = (Application.builder().token(token).base_url(base).base_file_url(file_base)
               .request(request).get_updates_request(poll_request)
               .rate_limiter(AIORateLimiter(overall_max_rate=rate, overall_time_period=1,
                                            group_max_rate=20, group_time_period=60,
                                            max_retries=3))
               .concurrent_updates(PerChatProcessor(64))
               .job_queue(None))  # reminders have their own loop
    # no Updater: polling is ours (_poll_loop), so that an update is stored before its offset
    # is confirmed
    return builder.updater(None).build()


class PerChatProcessor(BaseUpdateProcessor):
    """Updates run concurrently, but one at a time per chat, so a user's messages (and the
    state they leave) keep their order."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, list] = {}  # chat id -> [lock, users]

    async def do_process_update(self, update: object, coroutine) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        entry = self._locks.setdefault(chat.id, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                await coroutine
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                self._locks.pop(chat.id, None)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _inbox_item(data: dict) -> tuple[str, str, dict]:
    """(update id, chat key, body) of a raw update; the chat keeps one chat's updates in order."""
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise ValueError("not an update")
    chat = None
    for kind in ("message", "edited_message", "my_chat_member", "channel_post"):
        if isinstance(data.get(kind), dict):
            chat = (data[kind].get("chat") or {}).get("id")
            break
    cq = data.get("callback_query")
    if isinstance(cq, dict):
        msg = cq.get("message") or {}
        chat = (msg.get("chat") or {}).get("id") or (cq.get("from") or {}).get("id")
    return str(data["update_id"]), str(chat if chat is not None else ""), data


def _refused(replies: list[Reply]) -> bool:
    """The press got only a "for administrators" refusal: nothing was done. (The handlers'
    refusal lines are the marker: the admins-only line, or one starting "Chỉ quản trị viên".)"""
    from handlers.access import ADMINS_ONLY

    return bool(replies) and all(
        r.chat is None and not r.choices
        and (r.text == ADMINS_ONLY or r.text.startswith("Chỉ quản trị viên")) for r in replies)


def webhook_path(base_url: str | None) -> str:
    prefix = urlsplit(base_url or "").path.rstrip("/")
    return f"{prefix}{WEBHOOK_PATH}"


def webhook_url(base_url: str) -> str:
    return base_url.rstrip("/") + WEBHOOK_PATH


def redact(text: str, token: str | None) -> str:
    return text.replace(token, "<token>") if token else text


def _commands(pairs: list[tuple[str, str]]) -> list[BotCommand]:
    return [BotCommand(name, desc) for name, desc in pairs]


def _chat(chat_id: str) -> int | str:
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id


def _seconds(e: RetryAfter) -> float:
    ra = e._retry_after  # a timedelta; the public attribute warns about its future type
    return ra.total_seconds() if isinstance(ra, timedelta) else float(ra)
