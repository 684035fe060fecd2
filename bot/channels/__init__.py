"""Channel adapters: each turns its platform's updates into `bot.core.Request`s."""
from __future__ import annotations

from bot.channels.base import Channel
from bot.services import Services


def configured_channels(svc: Services) -> list[Channel]:
    """The channels whose tokens are set; imported lazily so `ask` never loads them."""
    channels: list[Channel] = []
    if svc.settings.TELEGRAM_BOT_TOKEN:
        from bot.channels.telegram import TelegramChannel
        channels.append(TelegramChannel(svc))
    if svc.settings.ZALO_BOT_TOKEN:
        from bot.channels.zalo import ZaloChannel
        channels.append(ZaloChannel(svc))
    return channels
