"""Issue 11 end to end: the real `python -m bot run` against the loopback Telegram Bot API
(tests/tg_stub.py), an official reporting as a new user would: a waiting registration, an
ambiguous status answered with a button, a section update that spares a finished task, the
acknowledgement's correction, and the admin's summary saying the same as /trangthai."""
from __future__ import annotations

import pytest
from tg_chat import buttons, db, press, say, serving_bot

from bot.export import agency_tasks
from bot.knowledge import load_knowledge

ADMIN, OFFICIAL = 900, 701


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    with serving_bot(tmp_path_factory.mktemp("tg_status"), ADMIN_TELEGRAM_IDS=str(ADMIN)) as bot:
        yield bot


def test_an_official_reports_as_meant(bot):
    stub, proc = bot
    say(stub, ADMIN, "/start")  # the admin's name becomes known to the bot
    asked = say(stub, OFFICIAL, "/dangky Sở Xây dựng", to=ADMIN)
    waiting = say(stub, OFFICIAL, "/capnhat 2.2.1 xong")
    assert "đang chờ duyệt" in waiting["text"] and "không cần đăng ký lại" in waiting["text"]
    approve = next(b for b in buttons(asked) if b["text"].startswith("Duyệt"))
    mark = stub.mark()
    stub.press(ADMIN, ADMIN, approve["callback_data"])
    stub.wait_for("sendMessage", since=mark, chat_id=OFFICIAL)

    q = say(stub, OFFICIAL, "/capnhat 2.2.1 chưa hoàn thành")
    assert [b["text"] for b in buttons(q)] == ["Chưa thực hiện", "Đang thực hiện",
                                               "Hủy, không lưu"]
    assert db(proc, "SELECT count(*) FROM status_updates") == [(0,)]  # nothing saved yet
    done = press(stub, OFFICIAL, buttons(q)[1]["callback_data"])
    assert done["text"].startswith("Đã lưu: 2.2.1 — Đang thực hiện")
    assert "/sua" in done["text"] and "/rut" in done["text"]

    fixed = say(stub, OFFICIAL, "/sua xong Kết quả: đã ban hành hướng dẫn")
    assert fixed["text"].startswith("Đã sửa: 2.2.1 — Hoàn thành")
    assert db(proc, "SELECT item_id, status, result, supersedes_id IS NOT NULL "
                    "FROM status_updates ORDER BY id") == [
        ("2.2.1", "dang", "", 0), ("2.2.1", "xong", "đã ban hành hướng dẫn", 1)]

    q = say(stub, OFFICIAL, "/capnhat mục 2,2 đang thực hiện. Khó khăn: thiếu vốn")
    assert "đã hoàn thành: 2.2.1" in q["text"]
    done = press(stub, OFFICIAL, buttons(q)[0]["callback_data"])
    assert done["text"].startswith("Đã lưu cho 3 nhiệm vụ của mục 2.2 (2.2.2, 2.2.3, 2.2.4)")
    assert db(proc, "SELECT item_id, status, obstacles FROM status_updates ORDER BY id")[-3:] == [
        ("2.2.2", "dang", "thiếu vốn"), ("2.2.3", "dang", "thiếu vốn"),
        ("2.2.4", "dang", "thiếu vốn")]

    held = [t.id for t in agency_tasks(load_knowledge(), "sxd")]  # 2.2.x, 4.3.1 (+ inherited)
    sentence = f"đã báo cáo 4/{len(held)} nhiệm vụ; còn thiếu {', '.join(held[4:])}"
    assert sentence in say(stub, OFFICIAL, "/trangthai")["text"]
    summary = say(stub, ADMIN, "/tonghop")["text"]
    assert f": {sentence}" in next(x for x in summary.splitlines() if x.startswith("• Sở Xây"))
