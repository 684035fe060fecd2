"""Progress questions about another plan (both engines): a question naming kh134, or asked in
a chat whose default plan is kh134, is answered from kh134's rows, units and tasks, in kh134's
own period (its monthly report before the 20th unless the question names one), and names the
plan; KH147's answers stay as they were."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core import Request
from bot.db import repo
from handlers import dispatch
from tests.test_import_plans import plans_dir  # noqa: F401  (kh134 and kh88, imported)

pytestmark = pytest.mark.clock

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 10:00; kh134's next report: 20/12/2026
HEAD = "KH134 – Kế hoạch số 134/KH-UBND thực hiện Nghị quyết số 34-NQ/TU"
NOTE_DEC = "Đã rà soát quy hoạch cụm công nghiệp (KH134)"
NOTE_NOV = "Đã lập danh mục dự án kêu gọi đầu tư (KH134)"
NOTE_147 = "Đã ban hành kế hoạch phát triển công nghiệp (KH147)"
DECEMBER = "kỳ báo cáo tháng 12/2026 (21/11/2026 – 20/12/2026, hạn 20/12/2026)"


def tg(text: str, chat: str = "50") -> Request:
    return Request(channel="telegram", user_id="50", chat_id=chat, text=text,
                   user_name="Cán bộ 50")


async def ask(svc, text: str, chat: str = "50") -> str:
    [r] = await dispatch(tg(text, chat), svc)
    return r.text


@pytest.fixture
async def two(svc, plans_dir):  # noqa: F811  (the fixture imported above)
    """Sở Công Thương (`sct` in both plans) reported on kh134's V.1.2 in November's period
    (10/11) and V.1.1 in December's (25/11), and on KH147's 2.3.1."""
    svc.settings = svc.settings.model_copy(update={"PLANS_DIR": str(plans_dir)})
    user = await repo.upsert_user(svc.sessions, "telegram", "7", "Cán bộ Bảy")
    for plan, item, note, day in (("kh134", "V.1.2", NOTE_NOV, 10), ("kh134", "V.1.1", NOTE_DEC, 25),
                                  ("kh147", "2.3.1", NOTE_147, 25)):
        await repo.add_status(svc.sessions, user_id=user.id, agency_id="sct", item_id=item,
                              status="dang", note=note, channel="telegram", plan_id=plan,
                              at=datetime(2026, 11, day, 2, 0, tzinfo=UTC))
    svc.clock = lambda: NOW
    return svc


async def test_a_unit_asked_about_in_a_plan_named_is_read_from_that_plans_rows(two):
    text = await ask(two, "Sở Công Thương đã báo cáo chưa theo kế hoạch 134?")
    assert text == (f"{HEAD}\nSở Công Thương — {DECEMBER}, số liệu tính đến 10:00 ngày "
                    "30/11/2026: đã báo cáo 1/4 nhiệm vụ; còn thiếu 2.3, V.1.2, V.1.3.")
    mine = await ask(two, "Sở Công Thương đã báo cáo chưa?")
    assert "kỳ báo cáo năm 2026" in mine and "KH134" not in mine and "V.1" not in mine
    assert "2.3.1" not in mine.split("còn thiếu", 1)[1]  # KH147's own row counts there


async def test_who_has_not_reported_in_that_plan(two):
    text = await ask(two, "ai chưa báo cáo kỳ này theo KH134?")
    lines = text.splitlines()
    assert lines[0] == HEAD and lines[1].startswith("11/11 cơ quan, đơn vị chưa báo cáo đủ — "
                                                    f"{DECEMBER}")
    assert "• Sở Tài chính: " in text and "Sở Y tế" not in text  # kh134's units only
    assert lines[-1] == "Chi tiết một đơn vị: /trangthai TÊN CƠ QUAN kế hoạch 134."


async def test_progress_of_an_item_of_that_plan(two):
    text = await ask(two, "tiến độ mục V.1 theo kế hoạch 134")
    assert text.startswith(f"{HEAD}\nTiến độ — Mục V.1; {DECEMBER}")
    assert "• V.1.1 " in text and NOTE_DEC in text and "• V.1.2 " in text and NOTE_NOV in text
    assert "Chưa có cập nhật" in text.split("• V.1.3 ", 1)[1] and NOTE_147 not in text
    nothing = await ask(two, "mục V.1 có vướng mắc gì không theo kế hoạch 134")
    assert nothing.endswith("Chưa có vướng mắc nào được báo cáo.")
    mine = await ask(two, "tiến độ mục 2.3")  # KH147's section: its own row, no header
    assert mine.startswith("Tiến độ — Mục 2.3; kỳ báo cáo năm 2026") and NOTE_147 in mine
    assert NOTE_DEC not in mine and "KH134" not in mine


async def test_the_chats_default_plan_and_its_previous_period(two):
    await repo.set_chat_plan(two.sessions, "telegram", "50", "kh134", "private")
    text = await ask(two, "Sở Công Thương đã báo cáo chưa?")
    assert text.startswith(f"{HEAD}\nSở Công Thương — {DECEMBER}")
    before = await ask(two, "Sở Công Thương đã báo cáo kỳ trước chưa?")
    assert before.startswith(f"{HEAD}\nSở Công Thương — kỳ báo cáo tháng 11/2026 "
                             "(21/10/2026 – 20/11/2026, hạn 20/11/2026)")
    assert before.endswith("đã báo cáo 1/4 nhiệm vụ; còn thiếu 2.3, V.1.1, V.1.3.")
    year = await ask(two, "Sở Công Thương đã báo cáo năm 2026 chưa?")  # typed: as for KH147
    assert "kỳ báo cáo năm 2026" in year and year.endswith("còn thiếu 2.3, V.1.3.")
    mine = await ask(two, "Sở Công Thương đã báo cáo chưa theo kế hoạch 147?")
    assert "kỳ báo cáo năm 2026" in mine and "KH134" not in mine


async def test_no_period_before_that_plans_first_report(two):
    two.clock = lambda: datetime(2026, 4, 1, 3, 0, tzinfo=UTC)  # kh134 issued on 26/3/2026
    text = await ask(two, "Sở Công Thương đã báo cáo kỳ trước chưa theo kế hoạch 134?")
    assert text == "Kỳ báo cáo tháng 4/2026 là kỳ đầu tiên của kế hoạch; chưa có kỳ trước."
