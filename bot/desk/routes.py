"""The desk's routes: a sub-application under /desk with its own guard and error pages.

Every page but the sign-in page and the stylesheet needs a live session (bot.desk.auth);
without one the answer is 403, whatever the path. Pages only read: data pages are GET, and the
only POSTs are signing in (spends the link) and signing out. Nothing internal reaches an error
page: no traceback, no id, no exception text.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from importlib import resources

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.desk import auth, data, views

log = logging.getLogger("bot.desk")

PREFIX = "/desk"
LOGIN_PATH = PREFIX + "/login/{token}"
COOKIE = "kh147_desk"
SVC = views.SVC  # the services, kept on the app (defined beside the views that read it)
ADMIN = web.RequestKey("desk_admin", tuple)  # (channel, user id) of the signed-in admin
PUBLIC = {"login", "login_post", "static"}  # route names reachable without a session
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # the sign-in URL carries its token: never sent to another site ("no-referrer" would
    # also blank the Origin of the desk's own forms, which _same_origin checks)
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; img-src 'self' data:; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
}
MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    403: "Trang này chỉ dành cho cán bộ Sở Công Thương đã đăng nhập. Xin gửi lệnh /web trong "
         "tin nhắn riêng với bot để nhận liên kết đăng nhập mới (dùng một lần, hiệu lực 10 "
         "phút).",
    404: "Không tìm thấy trang này.",
    405: "Trang này chỉ để xem.",
    500: "Đã có lỗi khi tạo trang. Xin thử lại sau.",
}
TITLES = {400: "Yêu cầu không hợp lệ", 403: "Không có quyền truy cập", 404: "Không tìm thấy",
          405: "Không được phép", 500: "Lỗi"}


def setup(app: web.Application, svc) -> web.Application:
    """Mount the desk under /desk on `app`; returns the sub-application."""
    desk = web.Application(middlewares=[_guard])
    desk[SVC] = svc
    env = aiohttp_jinja2.setup(desk, loader=jinja2.PackageLoader("bot.desk", "templates"),
                               autoescape=True, undefined=jinja2.StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True)
    views.register_filters(env, svc)
    desk.router.add_get("/login/{token}", login_page, name="login")
    desk.router.add_post("/login/{token}", login, name="login_post")
    desk.router.add_get("/static/desk.css", stylesheet, name="static")
    desk.router.add_post("/dangxuat", logout, name="logout")
    desk.router.add_get("/", views.overview, name="overview")
    desk.router.add_get("/matran", views.matrix, name="matrix")
    desk.router.add_get("/donvi/{agency}", views.unit, name="unit")
    desk.router.add_get("/nhiemvu/{task}", views.task, name="task")
    desk.router.add_get("/tai/{fmt}", views.download, name="download")
    # last: any other path or method under /desk passes the guard too (403 before 404)
    desk.router.add_route("*", "/{tail:.*}", _nowhere, name="nowhere")
    desk.cleanup_ctx.append(_warm_up)
    app.add_subapp(PREFIX, desk)
    return desk


async def _nowhere(request: web.Request) -> web.Response:
    if request.path == PREFIX:
        raise web.HTTPFound(PREFIX + "/")
    if request.method in ("GET", "HEAD"):
        raise web.HTTPNotFound()
    raise web.HTTPMethodNotAllowed(request.method, ["GET"])


async def _warm_up(desk: web.Application):
    """Draw the current period once at start-up, so the first visit does not wait for it."""
    svc = desk[SVC]

    async def warm() -> None:
        try:
            await data.snapshot(svc, data.periods(svc)[0])
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("desk: warming up failed")

    task = asyncio.create_task(warm(), name="desk-warm-up")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _secure(svc) -> bool:
    return (svc.settings.public_base_url or "").lower().startswith("https://")


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:  # older browsers send none on same-origin forms
        return True
    return origin.split("://", 1)[-1].rstrip("/") == request.host


def _route_name(request: web.Request) -> str | None:
    route = request.match_info.route
    return getattr(route, "name", None) if route is not None else None


@web.middleware
async def _guard(request: web.Request, handler):
    svc = request.app[SVC]
    try:
        if request.method == "POST" and not _same_origin(request):
            return error_page(request, 403)  # besides SameSite=Strict: no cross-site forms
        if _route_name(request) not in PUBLIC:
            who = await auth.session_admin(svc, request.cookies.get(COOKIE))
            if who is None:
                return error_page(request, 403)
            request[ADMIN] = who
        response = await handler(request)
    except web.HTTPException as e:
        if e.status in MESSAGES and e.status >= 400:
            return error_page(request, e.status, e.text if e.status == 400 else None)
        if e.status < 400:  # redirects
            for k, v in HEADERS.items():
                e.headers.setdefault(k, v)
            raise
        return error_page(request, 404)
    except Exception:
        log.exception("desk page failed: %s", request.path)
        return error_page(request, 500)
    for k, v in HEADERS.items():
        response.headers.setdefault(k, v)
    return response


def error_page(request: web.Request, status: int, message: str | None = None) -> web.Response:
    """A short Vietnamese page; `message` only for 400, written by the desk itself."""
    if status not in MESSAGES:
        status = 500
    if status == 400 and message and message.startswith(str(status)):
        message = None  # aiohttp's own reason text, not one of ours
    response = aiohttp_jinja2.render_template(
        "error.html", request, {"title": TITLES[status], "message": message or MESSAGES[status],
                                "signed_in": ADMIN in request},
        status=status)
    response.headers.update(HEADERS)
    return response


async def login_page(request: web.Request) -> web.Response:
    """A button, not an instant sign-in: link previews (Telegram, Zalo, mail scanners) fetch
    the URL, and must not spend the link; and a cookie set by a POST from this page is
    same-site, so SameSite=Strict lets the browser send it to the next page."""
    svc = request.app[SVC]
    if not await auth.link_is_usable(svc, request.match_info["token"]):
        return error_page(request, 403)
    return aiohttp_jinja2.render_template("login.html", request,
                                          {"title": "Đăng nhập", "signed_in": False})


async def login(request: web.Request) -> web.Response:
    svc = request.app[SVC]
    who = await auth.use_link(svc, request.match_info["token"])
    if who is None:
        return error_page(request, 403)
    token = await auth.open_session(svc, *who)
    response = web.HTTPSeeOther(PREFIX + "/")
    response.set_cookie(COOKIE, token, path=PREFIX, httponly=True, samesite="Strict",
                        secure=_secure(svc), max_age=int(auth.SESSION_TTL.total_seconds()))
    log.info("desk: %s admin %s signed in", who[0], who[1])
    raise response


async def logout(request: web.Request) -> web.Response:
    svc = request.app[SVC]
    await auth.close_session(svc, request.cookies.get(COOKIE))
    response = aiohttp_jinja2.render_template(
        "error.html", request, {"title": "Đã đăng xuất", "signed_in": False,
                                "message": "Đồng chí đã đăng xuất khỏi bàn làm việc."})
    response.del_cookie(COOKIE, path=PREFIX)
    return response


_CSS = None


async def stylesheet(_request: web.Request) -> web.Response:
    global _CSS
    if _CSS is None:
        _CSS = resources.files("bot.desk").joinpath("static/desk.css").read_bytes()
    return web.Response(body=_CSS, content_type="text/css", charset="utf-8",
                        headers={"Cache-Control": "max-age=3600"})

