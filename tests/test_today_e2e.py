"""Issue 12 end to end: the real `python -m bot run` against the loopback Telegram Bot API
(tests/tg_stub.py). An official registers as "Sở Tài chính", is approved and reports on 2.1;
/tonghop and the export show Sở Tài chính with Sở Kế hoạch và Đầu tư as the plan's name. An
official of the former UBND huyện Việt Yên picks UBND phường Nếnh and reports on 5.6 for it."""
from __future__ import annotations

import csv
import io

import pytest
from tg_chat import buttons, db, press, say, serving_bot

ADMIN, FINANCE, WARD, PLANNER, LABOUR = 900, 711, 712, 713, 714


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    with serving_bot(tmp_path_factory.mktemp("tg_today"), ADMIN_TELEGRAM_IDS=str(ADMIN)) as bot:
        yield bot


def approve(stub, notice: dict, official: int) -> dict:
    ok = next(b for b in buttons(notice) if b["text"].startswith("Duyệt"))
    return press(stub, ADMIN, ok["callback_data"], to=official)


def test_finance_registers_reports_and_is_summarised_under_todays_name(bot):
    stub, proc = bot
    say(stub, ADMIN, "/start")
    notice = say(stub, FINANCE, "/dangky Sở Tài chính", to=ADMIN)
    assert "xin tham gia Sở Tài chính" in notice["text"]
    told = approve(stub, notice, FINANCE)
    assert "Sở Tài chính của Đồng chí đã được duyệt" in told["text"]
    saved = say(stub, FINANCE, "/capnhat 2.1.1 đang thực hiện Đã trình đề án thu hút đầu tư")
    assert saved["text"].startswith("Đã lưu: 2.1.1 — Đang thực hiện (Sở Tài chính)")
    assert db(proc, "SELECT agency_id, item_id FROM status_updates") == [("stc", "2.1.1")]

    summary = say(stub, ADMIN, "/tonghop")["text"]
    assert "• Sở Tài chính (KH: Sở Kế hoạch và Đầu tư): đã báo cáo 1/14 nhiệm vụ" in summary
    assert "Sở Kế hoạch và Đầu tư:" not in summary  # the former name is no reporting unit

    mark = stub.mark()
    stub.send_text(ADMIN, ADMIN, "/xuat csv")
    [doc] = stub.wait_for("sendDocument", since=mark, chat_id=ADMIN, timeout=15)
    rows = list(csv.reader(io.StringIO(doc.files["document"][1].decode("utf-8-sig"))))
    header = rows[0]
    unit, plan = header.index("Cơ quan"), header.index("Cơ quan theo Kế hoạch")
    [row] = [r for r in rows if r[header.index("Mã nhiệm vụ")] == "2.1.1"]
    assert (row[unit], row[plan]) == ("Sở Tài chính", "Sở Kế hoạch và Đầu tư")
    assert row[header.index("Trạng thái mới nhất")] == "Đang thực hiện"


def test_a_ward_of_former_viet_yen_reports_on_56_on_its_own(bot):
    stub, proc = bot
    say(stub, ADMIN, "/start")
    q = say(stub, WARD, "/dangky UBND huyện Việt Yên")
    assert "Đồng chí thuộc xã, phường nào?" in q["text"]
    assert [b["text"] for b in buttons(q)] == ["UBND phường Tự Lạn", "UBND phường Việt Yên",
                                               "UBND phường Nếnh", "UBND phường Vân Hà"]
    nenh = next(b for b in buttons(q) if b["text"] == "UBND phường Nếnh")
    notice = press(stub, WARD, nenh["callback_data"], to=ADMIN)
    assert "xin tham gia UBND phường Nếnh" in notice["text"]
    approve(stub, notice, WARD)
    saved = say(stub, WARD, "/capnhat 5.6 đang thực hiện Đang lập hồ sơ CCN")
    assert "(5.6.1, 5.6.2)" in saved["text"] and "(UBND phường Nếnh)" in saved["text"]
    assert db(proc, "SELECT agency_id, item_id FROM status_updates WHERE item_id LIKE '5.6%' "
                    "ORDER BY id") == [("phuong_nenh", "5.6.1"), ("phuong_nenh", "5.6.2")]
    refused = say(stub, WARD, "/capnhat 2.1.1 xong")  # not a commune's duty
    assert "không thuộc UBND phường Nếnh" in refused["text"]

    summary = say(stub, ADMIN, "/tonghop")["text"]
    assert ("• UBND phường Nếnh (KH: UBND huyện Việt Yên): đã báo cáo 2/6 nhiệm vụ; còn thiếu "
            "2.7.1, 2.7.2, 2.7.3, 7.5.1") in summary
    mine = say(stub, WARD, "/trangthai")["text"]
    assert mine.startswith("Tình trạng nhiệm vụ của UBND phường Nếnh (KH: UBND huyện Việt Yên)")


def test_former_names_are_mapped_or_asked(bot):
    stub, _ = bot
    say(stub, ADMIN, "/start")
    told = say(stub, PLANNER, "/dangky Sở Kế hoạch và Đầu tư")
    assert told["text"].startswith("Sở Kế hoạch và Đầu tư nay là Sở Tài chính (từ 01/3/2025); "
                                   "đã ghi nhận đăng ký vào Sở Tài chính.")
    q = say(stub, LABOUR, "/dangky Sở Lao động, Thương binh và Xã hội")
    assert "Đồng chí thuộc cơ quan nào?" in q["text"]
    assert [b["text"] for b in buttons(q)] == ["Sở Giáo dục và Đào tạo", "Sở Nội vụ"]
