"""Who may do what: one rule for every handler."""
from __future__ import annotations

from bot.core import Request
from bot.services import Services

ADMINS_ONLY = "Lệnh này chỉ dành cho quản trị viên (cán bộ Sở Công Thương)."


def is_admin(req: Request, svc: Services) -> bool:
    """A bot admin (ADMIN_*_IDS, or `chat --admin`), whichever way the channel told us."""
    return req.is_admin or svc.is_admin(req.channel, req.user_id)
