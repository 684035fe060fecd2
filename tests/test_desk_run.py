"""From /web in Telegram to the matrix, against `python -m bot run` (the desk on its server)."""
from __future__ import annotations

import http.client
import socket

from tg_stub import BotProcess, TelegramStub

from tests.test_desk import LINK

ADMIN, OTHER = 900, 901


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, cookie: str = "") -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    conn.request(method, path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    response.body = response.read().decode("utf-8")
    conn.close()
    return response


def test_web_in_telegram_leads_an_admin_to_the_matrix(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with TelegramStub() as stub:
        bot = BotProcess(tmp_path, TELEGRAM_BOT_TOKEN=stub.token,
                         TELEGRAM_API_BASE_URL=stub.base_url, ADMIN_TELEGRAM_IDS=str(ADMIN),
                         HTTP_PORT=str(port), PUBLIC_BASE_URL=base).start()
        try:
            stub.wait_for("getUpdates", timeout=20)
            assert request(port, "GET", "/desk/matran").status == 403

            mark = stub.mark()
            stub.send_text(OTHER, OTHER, "/web")
            [refused] = stub.wait_for("sendMessage", since=mark, chat_id=OTHER, timeout=20)
            assert "/desk/" not in refused["text"]

            mark = stub.mark()
            stub.send_text(ADMIN, ADMIN, "/web")
            [sent] = stub.wait_for("sendMessage", since=mark, chat_id=ADMIN, timeout=20)
            link = LINK.search(sent["text"]).group(1)
            assert link.startswith(base + "/desk/login/")
            path = link.removeprefix(base)
            assert request(port, "GET", path).status == 200  # a preview spends nothing
            signed = request(port, "POST", path)
            assert signed.status == 303
            cookie = signed.getheader("Set-Cookie").split(";", 1)[0]
            matrix = request(port, "GET", "/desk/matran", cookie)
            assert matrix.status == 200 and "Ma trận đơn vị × nhiệm vụ" in matrix.body
            assert request(port, "POST", path).status == 403  # used once
        finally:
            assert bot.stop(timeout=15) == 0
    assert "Traceback" not in bot.log()
