"""/web: an admin's one-time sign-in link to the web desk (bot/desk)."""
from __future__ import annotations

from bot.core import Reply, Request
from bot.desk.auth import LINK_TTL, issue_link
from bot.desk.routes import LOGIN_PATH
from bot.services import Services
from handlers.access import ADMINS_ONLY, is_admin
from handlers.registry import command

NO_ADDRESS = ("Bàn làm việc trên web cần địa chỉ công khai: xin đặt PUBLIC_BASE_URL "
              "(hoặc WEBHOOK_BASE_URL) rồi khởi động lại bot.")
PRIVATE_ONLY = "Xin dùng lệnh /web trong tin nhắn riêng với bot: liên kết đăng nhập là bí mật."


@command("web")
async def cmd_web(req: Request, svc: Services, _args: str) -> list[Reply]:
    if not is_admin(req, svc):
        return [Reply(ADMINS_ONLY)]
    if not req.is_private:  # a group would see the link, and anyone could sign in with it
        return [Reply(PRIVATE_ONLY)]
    base = svc.settings.public_base_url
    if not base:
        return [Reply(NO_ADDRESS)]
    token = await issue_link(svc, req.channel, req.user_id)
    minutes = int(LINK_TTL.total_seconds() // 60)
    url = base + LOGIN_PATH.format(token=token)
    return [Reply(f"Liên kết đăng nhập bàn làm việc (dùng một lần, hiệu lực {minutes} phút; "
                  f"xin không chuyển cho người khác):\n{url}")]
