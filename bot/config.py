"""Settings from the environment or a `.env` file (README: Settings)."""
from __future__ import annotations

import re
import sys
from datetime import time
from functools import cached_property
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DATABASE_SCHEMES = ("sqlite+aiosqlite", "postgresql+asyncpg")
# pydantic's own messages are English; officials and operators read Vietnamese
_TYPE_MESSAGES = {
    "int_parsing": "cần một số nguyên",
    "float_parsing": "cần một số",
    "bool_parsing": "cần true hoặc false",
    "string_type": "cần một chuỗi ký tự",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    DATABASE_URL: str = "sqlite+aiosqlite:///data/kh147.db"
    TELEGRAM_BOT_TOKEN: str | None = None
    TELEGRAM_API_BASE_URL: str = "https://api.telegram.org/bot"
    TELEGRAM_MODE: str = "polling"
    # overall messages per second (Telegram allows about 30); raised only against a stand-in
    TELEGRAM_MAX_RATE: float = 30.0
    ZALO_BOT_TOKEN: str | None = None
    ZALO_API_BASE_URL: str = "https://bot-api.zaloplatforms.com/bot"
    WEBHOOK_BASE_URL: str | None = None
    WEBHOOK_SECRET: str | None = None
    # where people reach the web desk (links sent by /web); WEBHOOK_BASE_URL when unset
    PUBLIC_BASE_URL: str | None = None
    HTTP_HOST: str = "0.0.0.0"
    HTTP_PORT: int = 8080
    ADMIN_TELEGRAM_IDS: str = ""
    ADMIN_ZALO_IDS: str = ""
    BOT_TIMEZONE: str = "Asia/Ho_Chi_Minh"
    REMINDER_DAYS: str = "14,7,3,1,0"
    REMINDER_TIME: str = "08:00"
    # a reminder or broadcast that missed its moment (the bot was down) waits for these hours
    REMINDER_WORKING_HOURS: str = "07:30-17:30"
    # a folder of extra plan files (*.json); a plan's id is its file name; KH147 always loads
    PLANS_DIR: str | None = None

    @field_validator("PLANS_DIR")
    @classmethod
    def _plans_dir(cls, v: str | None) -> str | None:
        from pathlib import Path

        v = (v or "").strip() or None
        if v is not None and not Path(v).is_dir():
            raise ValueError(f"không có thư mục {v!r}")
        return v

    @field_validator("DATABASE_URL")
    @classmethod
    def _url(cls, v: str) -> str:
        scheme = v.split("://", 1)[0] if "://" in v else ""
        if scheme not in DATABASE_SCHEMES:
            raise ValueError("chỉ hỗ trợ sqlite+aiosqlite:///ĐƯỜNG_DẪN hoặc "
                             "postgresql+asyncpg://NGƯỜI_DÙNG@MÁY:CỔNG/CSDL")
        return v

    @field_validator("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "WEBHOOK_BASE_URL", "WEBHOOK_SECRET")
    @classmethod
    def _blank_is_unset(cls, v: str | None) -> str | None:
        return v.strip() or None if v is not None else None

    @field_validator("TELEGRAM_MODE")
    @classmethod
    def _mode(cls, v: str) -> str:
        v = v.strip().lower()
        if v not in ("polling", "webhook"):
            raise ValueError("chỉ nhận 'polling' hoặc 'webhook'")
        return v

    @field_validator("TELEGRAM_MAX_RATE")
    @classmethod
    def _rate(cls, v: float) -> float:
        if not 0 < v <= 10_000:
            raise ValueError("số tin nhắn mỗi giây phải lớn hơn 0")
        return v

    @field_validator("HTTP_PORT")
    @classmethod
    def _port(cls, v: int) -> int:
        if not 0 <= v <= 65535:
            raise ValueError("cổng phải từ 0 đến 65535")
        return v

    @field_validator("ADMIN_TELEGRAM_IDS")
    @classmethod
    def _telegram_ids(cls, v: str) -> str:
        for i in (p.strip() for p in v.split(",")):
            # an @username, "0900" or "９００" would pass a loose check and never match the
            # ASCII id Telegram sends: refuse it here rather than leave the bot without admins
            if i and not _TELEGRAM_ID.fullmatch(i):
                raise ValueError(f"mã người dùng Telegram phải là số viết bằng chữ số 0-9, "
                                 f"không bắt đầu bằng 0, không phải {i!r}")
        return v

    @field_validator("ADMIN_ZALO_IDS", "BOT_TIMEZONE", "REMINDER_DAYS", "REMINDER_TIME")
    @classmethod
    def _parses(cls, v: str, info: ValidationInfo) -> str:
        _PARSERS[info.field_name](v)  # the same parser the property uses later
        return v

    @field_validator("REMINDER_WORKING_HOURS")
    @classmethod
    def _hours(cls, v: str, info: ValidationInfo) -> str:
        start, end = _parse_hours(v)
        at = info.data.get("REMINDER_TIME")  # absent when REMINDER_TIME itself was refused
        if at is not None and not start <= _parse_time(at) <= end:
            raise ValueError(f"REMINDER_TIME {at.strip()} nằm ngoài giờ làm việc {v.strip()}: "
                             "đặt giờ nhắc trong giờ làm việc")
        return v

    @cached_property
    def tz(self) -> ZoneInfo:
        return _parse_tz(self.BOT_TIMEZONE)

    @cached_property
    def admin_telegram_ids(self) -> frozenset[str]:
        return _split_ids(self.ADMIN_TELEGRAM_IDS)

    @cached_property
    def admin_zalo_ids(self) -> frozenset[str]:
        return _split_ids(self.ADMIN_ZALO_IDS)

    def admin_ids(self, channel: str) -> frozenset[str]:
        return {"telegram": self.admin_telegram_ids, "zalo": self.admin_zalo_ids}.get(
            channel, frozenset()
        )

    @property
    def public_base_url(self) -> str | None:
        """PUBLIC_BASE_URL, else WEBHOOK_BASE_URL, without a trailing slash; None if neither."""
        url = (self.PUBLIC_BASE_URL or "").strip() or (self.WEBHOOK_BASE_URL or "").strip()
        return url.rstrip("/") or None

    @cached_property
    def reminder_days(self) -> tuple[int, ...]:
        return _parse_days(self.REMINDER_DAYS)

    @cached_property
    def reminder_time(self) -> time:
        return _parse_time(self.REMINDER_TIME)

    @cached_property
    def reminder_hours(self) -> tuple[time, time]:
        return _parse_hours(self.REMINDER_WORKING_HOURS)


_TELEGRAM_ID = re.compile(r"[1-9][0-9]*")
_ZALO_ID = re.compile(r"[A-Za-z0-9_-]+")  # ASCII only: str.isalnum() also admits "٩٠٠"


def _split_ids(v: str) -> frozenset[str]:
    ids = frozenset(p.strip() for p in (v or "").split(",") if p.strip())
    for i in ids:
        if not _ZALO_ID.fullmatch(i):
            raise ValueError(f"mã người dùng không hợp lệ (chỉ chữ cái, chữ số 0-9, - và _): {i!r}")
    return ids


def _parse_tz(v: str) -> ZoneInfo:
    try:
        return ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(f"múi giờ không tồn tại: {v!r}") from e


def _parse_days(v: str) -> tuple[int, ...]:
    try:
        days = tuple(sorted({int(p) for p in v.split(",") if p.strip()}, reverse=True))
    except ValueError as e:
        raise ValueError("cần các số ngày cách nhau bằng dấu phẩy, ví dụ 14,7,3,1,0") from e
    if not days or any(d < 0 or d > 365 for d in days):
        raise ValueError("mỗi số ngày phải từ 0 đến 365")
    return days


def _parse_time(v: str) -> time:
    try:
        hh, mm = v.strip().split(":")
        return time(int(hh), int(mm))
    except ValueError as e:
        raise ValueError("cần giờ dạng HH:MM, ví dụ 08:00") from e


def _parse_hours(v: str) -> tuple[time, time]:
    """"07:30-17:30": the start and end of the working day, local time."""
    refusal = "cần giờ làm việc dạng HH:MM-HH:MM trong một ngày, ví dụ 07:30-17:30"
    try:  # not two times also raises ValueError (unpacking)
        start, end = (_parse_time(p) for p in v.replace("–", "-").split("-"))
    except ValueError:
        raise ValueError(refusal) from None
    if not start < end:  # a night shift across midnight is not a working day
        raise ValueError(refusal)
    return start, end


_PARSERS = {"ADMIN_ZALO_IDS": _split_ids, "BOT_TIMEZONE": _parse_tz,
            "REMINDER_DAYS": _parse_days, "REMINDER_TIME": _parse_time}


class _PlansOnly(BaseSettings):
    """PLANS_DIR alone, for commands (`ask`) that need no other setting."""
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    PLANS_DIR: str | None = None
    _dir = field_validator("PLANS_DIR")(Settings._plans_dir.__func__)


def plans_dir_setting() -> str | None:
    """PLANS_DIR from the environment or .env; a folder that is not there exits 2 in a line."""
    try:
        return _PlansOnly().PLANS_DIR
    except ValidationError as e:
        msg = str(e.errors()[0].get("msg", "")).removeprefix("Value error, ")
        print(f"Lỗi cấu hình: PLANS_DIR: {msg}", file=sys.stderr)
        raise SystemExit(2) from None


def load_settings(**overrides) -> Settings:
    """Settings, or exit 2 with one line naming the bad setting (never a traceback)."""
    try:
        return Settings(**overrides)
    except ValidationError as e:
        err = e.errors()[0]
        name = ".".join(str(p) for p in err.get("loc", ())) or "?"
        msg = _TYPE_MESSAGES.get(err.get("type"), str(err.get("msg", "")))
        msg = msg.removeprefix("Value error, ")
        print(f"Lỗi cấu hình: {name}: {msg}", file=sys.stderr)
        raise SystemExit(2) from None
