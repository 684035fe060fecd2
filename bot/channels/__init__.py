"""Channel adapters: each turns its platform's updates into `bot.core.Request`s."""
from __future__ import annotations

from bot.channels.base import Channel
from bot.errors import ConfigError
from bot.services import Services


def configured_channels(svc: Services) -> list[Channel]:
    """The channels whose tokens are set; imported lazily so `ask` never loads them."""
    channels: list[Channel] = []
    try:
        if svc.settings.TELEGRAM_BOT_TOKEN:
            from bot.channels.telegram import TelegramChannel
            channels.append(TelegramChannel(svc))
        if svc.settings.ZALO_BOT_TOKEN:
            from bot.channels.zalo import ZaloChannel
            channels.append(ZaloChannel(svc))
    except ValueError as e:
        raise ConfigError(f"Lỗi cấu hình: {e}") from e
    return channels
