"""Issue 15 done: a bot serving KH147 and an imported plan, end to end. The real `python -m bot
run` against the loopback Telegram Bot API (tests/tg_stub.py), PLANS_DIR holding kh134 as
`python -m bot import` writes it (tests/data, Lào Cai): it answers "Sở Công Thương phải làm gì
theo kế hoạch 134" from kh134, takes a Sở Công Thương official's update on kh134's V.1,
reminds of kh134's monthly report (`python -m bot remind` inside its window, once) and lists
both plans in /tonghop.

The bot's clock (tests/clock) starts on Tuesday 10/11/2026 at 10:00, when neither plan has a
reminder due; kh134's report before 20/11/2026 is reminded 3 days before, on 17/11 at 08:00."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tg_chat import db, serving_bot

from bot.importer import import_plan

pytestmark = pytest.mark.clock

DATA = Path(__file__).parent / "data"

ADMIN, OFFICIAL, KH147_ONLY = 900, 731, 732
START = "2026-11-10T10:00:00+07:00"
REMIND_AT = "2026-11-17T08:00:00+07:00"


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    plans = tmp_path_factory.mktemp("plans")
    plan = import_plan(DATA / "plan_laocai_kh134_2026.txt").plan
    (plans / "kh134.json").write_text(json.dumps(plan, ensure_ascii=False), "utf-8")
    with serving_bot(tmp_path_factory.mktemp("tg_plans"), now=START,
                     ADMIN_TELEGRAM_IDS=str(ADMIN), PLANS_DIR=str(plans)) as bot:
        yield bot


def say(stub, user: int, text: str, to: int | None = None) -> str:
    mark = stub.mark()
    stub.send_text(user, user, text)
    [call] = stub.wait_for("sendMessage", since=mark, chat_id=to or user, timeout=15)
    return call.params["text"]


def said(stub, user: int, text: str, quiet: float = 1.0) -> str:
    """Every message the bot sends `user` for one command (a long answer comes in parts)."""
    mark = stub.mark()
    stub.send_text(user, user, text)
    stub.wait_for("sendMessage", since=mark, chat_id=user, timeout=15)
    seen = -1
    while seen != (seen := len(stub.calls_to("sendMessage", chat_id=user))):
        time.sleep(quiet)
    return "\n".join(c.params["text"] for c in stub.calls[mark:]
                     if c.method == "sendMessage" and str(c.params.get("chat_id")) == str(user))


def approve(stub, official: int) -> str:
    mark = stub.mark()
    stub.send_text(official, official, "/dangky Sở Công Thương")
    [notice] = stub.wait_for("sendMessage", since=mark, chat_id=ADMIN, timeout=15)
    rows = notice.params["reply_markup"]["inline_keyboard"]
    ok = next(b for row in rows for b in row if b["text"].startswith("Duyệt"))
    mark = stub.mark()
    stub.press(ADMIN, ADMIN, ok["callback_data"])
    [told] = stub.wait_for("sendMessage", since=mark, chat_id=official, timeout=15)
    return told.params["text"]


def remind(proc, at: str) -> str:
    """One `python -m bot remind` pass on the bot's database and channels, beside the bot."""
    done = subprocess.run([sys.executable, "-m", "bot", "remind", "--at", at], env=proc.env,
                          cwd=proc.workdir, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr
    return done.stdout


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).replace("&amp;", "&")


def test_a_bot_serving_kh147_and_kh134(bot):
    stub, proc = bot
    say(stub, ADMIN, "/start")

    # a question naming the plan is answered from kh134
    answer = plain(said(stub, OFFICIAL, "Sở Công Thương phải làm gì theo kế hoạch 134"))
    assert "Nghị quyết 34-NQ/TU" in answer and "Mục V.1 — Sở Công Thương" in answer
    assert "thủ tục thành lập CCN" in answer  # kh134's own words for Sở Công Thương

    # reminders: the admin follows kh134, another chat KH147 only
    assert "Sở Công Thương của Đồng chí đã được duyệt" in approve(stub, OFFICIAL)
    subscribed = say(stub, ADMIN, "/nhacnho kế hoạch 134")
    assert subscribed.startswith("Đã bật nhắc hạn cho cuộc trò chuyện này: Kế hoạch số "
                                 "134/KH-UBND: mọi hạn.")
    assert "mọi hạn của Kế hoạch." in say(stub, KH147_ONLY, "/nhacnho")
    deadlines = plain(said(stub, ADMIN, "/hanchot kế hoạch 134"))
    assert "1. Thứ Sáu, 20/11/2026 — còn 10 ngày" in deadlines

    # a status update on kh134 from an official of a unit that leads V.1 there
    saved = plain(say(stub, OFFICIAL, "/capnhat kế hoạch 134 V.1 đang thực hiện Đã rà soát "
                                      "quy hoạch CCN"))
    assert saved.startswith("Đã lưu") and "Sở Công Thương" in saved
    assert db(proc, "SELECT plan_id, agency_id, item_id FROM status_updates ORDER BY id") == [
        ("kh134", "sct", "V.1.1"), ("kh134", "sct", "V.1.2"), ("kh134", "sct", "V.1.3")]

    # kh134's deadline, reminded once
    mark = stub.mark()
    first = remind(proc, REMIND_AT)
    assert "remind: due 2, sent 2, already sent 0" in first
    [to_admin] = stub.wait_for("sendMessage", since=mark, chat_id=ADMIN)
    [to_official] = stub.wait_for("sendMessage", since=mark, chat_id=OFFICIAL)
    text = plain(to_admin.params["text"])
    assert text.startswith("Nhắc hạn — Kế hoạch số 134/KH-UBND: Báo cáo tháng kết quả thực "
                           "hiện\nHạn: Thứ Sáu, 20/11/2026 (còn 3 ngày).")
    assert "Đã báo cáo kỳ tháng 11/2026: 0/11 cơ quan." in text  # 2.3 is still missing
    assert "Chưa báo cáo (11): Sở Tài chính; Sở Công Thương;" in text
    assert ("Sở Công Thương, kỳ tháng 11/2026: đã báo cáo 3/4 nhiệm vụ; còn thiếu 2.3."
            in plain(to_official.params["text"]))
    assert stub.calls_to("sendMessage", chat_id=KH147_ONLY)[-1].params["text"].startswith(
        "Đã bật nhắc hạn")  # nothing of kh134 for a KH147-only chat
    assert "remind: due 2, sent 0, already sent 2" in remind(proc, REMIND_AT)
    assert len([c for c in stub.calls[mark:] if c.method == "sendMessage"]) == 2

    # /tonghop: one block per plan
    summary = plain(said(stub, ADMIN, "/tonghop"))
    kh147, kh134 = summary.index("KH147 – "), summary.index("KH134 – Kế hoạch số 134/KH-UBND")
    assert kh147 < kh134
    assert "Sở Công Thương: đã báo cáo 3/4 nhiệm vụ; còn thiếu 2.3" in summary[kh134:]
