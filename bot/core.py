"""The platform-neutral conversation: what a channel hands in, what handlers hand back.

Every channel (Telegram, Zalo, the terminal) turns its own update into a `Request` and renders
each `Reply` its own way. Handlers see only these types, never a platform library.
"""
from __future__ import annotations

from dataclasses import dataclass, field

CHANNELS = ("telegram", "zalo", "console")


@dataclass(frozen=True)
class ChatRef:
    """A chat on one channel; ids are strings everywhere (Zalo's are)."""

    channel: str
    chat_id: str


@dataclass(frozen=True)
class Request:
    channel: str
    user_id: str
    chat_id: str
    text: str = ""
    callback: str | None = None  # data of a pressed button / chosen numbered choice
    chat_type: str = "private"  # "private" or "group"
    user_name: str = ""
    chat_title: str = ""
    is_admin: bool = False  # bot admin (ADMIN_*_IDS): Sở Công Thương staff
    is_chat_admin: bool = False  # administrator of this group on the platform
    addressed: bool = True  # in a group: a command, a reply to the bot or a mention

    @property
    def chat(self) -> ChatRef:
        return ChatRef(self.channel, self.chat_id)

    @property
    def is_private(self) -> bool:
        return self.chat_type == "private"


@dataclass(frozen=True)
class Choice:
    """A button on Telegram, a numbered line on Zalo and in the terminal."""

    label: str
    data: str  # at most 64 bytes (Telegram callback_data); must act without in-memory state


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime: str = "application/octet-stream"


@dataclass(frozen=True)
class Reply:
    """Plain text (channels escape it themselves), optional choices and file.

    `chat` None means the chat the request came from; otherwise another chat (an admin's
    private chat for a registration request, the user's chat for its outcome).
    """

    text: str
    choices: tuple[Choice, ...] = field(default_factory=tuple)
    file: Attachment | None = None
    chat: ChatRef | None = None


def split_text(text: str, limit: int) -> list[str]:
    """Split on line boundaries into parts of at most `limit` characters.

    A single line longer than the limit is cut at the last space before it, or hard.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            head, line = line[:cut], line[cut:].lstrip(" ")
            if current:
                parts.append(current)
                current = ""
            parts.append(head)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current.strip() or not parts:
        parts.append(current)
    return [p for p in parts if p.strip()] or [text[:limit]]
