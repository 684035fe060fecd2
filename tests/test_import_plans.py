"""Several plans at once: KH147 and the plan files of PLANS_DIR, a question naming its plan,
`ask --plan` and the `plan` field, /kehoach, and rows that carry their plan (migration 0006)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.core import Request
from bot.db.models import Base
from bot.importer import import_plan
from bot.knowledge import KnowledgeError, load_plans
from bot.services import build_services
from handlers import dispatch
from tests.conftest import make_settings
from tests.migrations import rows, upgraded_from

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def plans_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("plans")
    for src, pid in ((DATA / "plan_laocai_kh134_2026.txt", "kh134"),
                     (DATA / "plan_thai_nguyen_kh88_2026.txt", "kh88")):
        plan = import_plan(src).plan
        (folder / f"{pid}.json").write_text(json.dumps(plan, ensure_ascii=False),
                                            encoding="utf-8")
    return folder


def test_plans_load_kh147_first_then_the_folder(plans_dir):
    plans = load_plans(str(plans_dir))
    assert plans.ids == ("kh147", "kh134", "kh88")
    assert plans.default.document.extra["implements_short"] == "Nghị quyết số 147-NQ/TU"
    assert plans.get("kh134").document.number == "134/KH-UBND"


@pytest.mark.parametrize("question,plan,rest", [
    ("Sở Công Thương phải làm gì theo kế hoạch 134", "kh134", "Sở Công Thương phải làm gì"),
    ("SCT làm gì theo KH134", "kh134", "SCT làm gì"),
    ("nhiệm vụ 134/KH-UBND của Sở Xây dựng", "kh134", "nhiệm vụ của Sở Xây dựng"),
    ("ke hoach so 88 so van hoa lam gi", "kh88", "so van hoa lam gi"),
    ("chỉ thị 12 giao Thuế tỉnh việc gì", "kh88", "giao Thuế tỉnh việc gì"),
    ("kế hoạch làng nghề: Sở Xây dựng làm gì", "kh88", "Sở Xây dựng làm gì"),
    ("kế hoạch 147 Sở Y tế", "kh147", "Sở Y tế"),
])
def test_a_question_names_its_plan(plans_dir, question, plan, rest):
    assert load_plans(str(plans_dir)).named_in(question) == (plan, rest)


@pytest.mark.parametrize("question", ["Sở Y tế làm gì", "kế hoạch 999 là gì",
                                      "kế hoạch công nghiệp", "hạn báo cáo năm"])
def test_a_question_naming_no_plan_or_an_unknown_one_goes_to_kh147(plans_dir, question):
    assert load_plans(str(plans_dir)).pick(question) == ("kh147", question)


def test_a_broken_or_misnamed_plan_file_stops_with_its_name(tmp_path):
    (tmp_path / "kh9.json").write_text('{"document": {}}', encoding="utf-8")
    with pytest.raises(KnowledgeError, match="kh9.json"):
        load_plans(str(tmp_path))
    (tmp_path / "kh9.json").unlink()
    (tmp_path / "kh147.json").write_text("{}", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="mặc định"):
        load_plans(str(tmp_path))


def _ask(*args: str, plans: Path | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PLANS_DIR"}
    if plans is not None:
        env["PLANS_DIR"] = str(plans)
    return subprocess.run([sys.executable, "-m", "bot", "ask", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_ask_answers_from_the_plan_the_question_names(plans_dir):
    res = _ask("--json", "Sở Công Thương phải làm gì theo kế hoạch 134", plans=plans_dir)
    out = json.loads(res.stdout)
    assert out["plan"] == "kh134" and out["agencies"][0] == "Sở Công Thương"
    assert out["question"] == "Sở Công Thương phải làm gì theo kế hoạch 134"
    assert "V.1" in out["sections"] and "2" in out["sections"]
    assert "Nghị quyết 34-NQ/TU" in out["answer"]
    # the duties binding every unit are kh134's own (its V.8, VI.1: monthly reports before
    # the 20th), never KH147's 15/6 and 15/12
    general = out["answer"].rsplit("\n", 1)[-1]
    assert general.startswith("Nhiệm vụ chung") and "Mục VI.1" in general
    assert "15/6" not in out["answer"] and "IV.3" not in out["answer"]
    res = _ask("--json", "Sở Công Thương phải làm gì", plans=plans_dir)
    out = json.loads(res.stdout)
    assert out["plan"] == "kh147" and out["sections"][:2] == ["2.3", "3.3"]
    assert "Mục IV.3 (báo cáo 6 tháng trước ngày 15/6" in out["answer"]


def test_ask_plan_scopes_the_questions(plans_dir):
    res = _ask("--plan", "kh134", "--json", "hạn báo cáo", plans=plans_dir)
    out = json.loads(res.stdout)
    assert out["plan"] == "kh134" and out["sections"] == ["VI.1"]
    assert "trước ngày 20 hằng tháng" in out["answer"]
    res = _ask("--plan", "kh999", "x", plans=plans_dir)
    assert res.returncode == 2 and "kh999" in res.stderr and "kh134" in res.stderr


def test_ask_without_plans_dir_keeps_kh147_and_a_missing_folder_is_one_line(tmp_path):
    res = _ask("--json", "Sở Y tế làm gì", plans=None)
    assert json.loads(res.stdout)["plan"] == "kh147"
    res = _ask("x", plans=tmp_path / "nope")
    assert res.returncode == 2 and res.stderr.startswith("Lỗi cấu hình: PLANS_DIR")
    assert res.stderr.strip().count("\n") == 0


async def test_kehoach_lists_the_plans(plans_dir, tmp_path):
    svc = build_services(make_settings(tmp_path, PLANS_DIR=str(plans_dir)))
    async with svc.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    try:
        [r] = await dispatch(Request(channel="telegram", user_id="5", chat_id="5",
                                     text="/kehoach"), svc)
        assert "(3)" in r.text
        assert "kh134: Kế hoạch số 134/KH-UBND ngày 26/3/2026 của UBND tỉnh Lào Cai" in r.text
        # KH147 is dated by its month, as it was issued
        assert "kh147: Kế hoạch số …/KH-UBND tháng 8/2021" in r.text and "kh88" in r.text
        [one] = await dispatch(Request(channel="telegram", user_id="5", chat_id="5",
                                       text="/kehoach 134"), svc)
        assert one.text.startswith("• kh134") and "Nghị quyết số 34-NQ/TU" in one.text
        [odd] = await dispatch(Request(channel="telegram", user_id="5", chat_id="5",
                                       text="/kehoach <b>x</b>"), svc)
        assert odd.text.startswith("Không có kế hoạch «<b>x</b>»")  # channels escape it
    finally:
        await svc.close()


async def _one_update(conn) -> None:
    await conn.execute(text("INSERT INTO users (id, channel, external_id, display_name, "
                            "private_reminders, created_at) VALUES (1, 'telegram', '5', "
                            "'A', 1, '2026-01-01 00:00:00')"))
    await conn.execute(text("INSERT INTO status_updates (item_id, agency_id, status, "
                            "note, user_id, channel, created_at) VALUES ('2.2.1', "
                            "'sxd', 'dang', '', 1, 'telegram', '2026-01-02 00:00:00')"))


async def test_old_rows_migrate_under_kh147(tmp_path):
    """Rows written before 0006 belong to KH147 after it."""
    async with upgraded_from("0005", _one_update, "sqlite", tmp_path) as (url, _):
        got = await rows(url, None, "SELECT item_id, plan_id FROM status_updates")
    assert got == [("2.2.1", "kh147")]


async def test_a_chat_question_naming_another_plan_is_answered_from_it(plans_dir, tmp_path):
    svc = build_services(make_settings(tmp_path, PLANS_DIR=str(plans_dir)))
    async with svc.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    try:
        async def ask(text):
            [r] = await dispatch(Request(channel="telegram", user_id="5", chat_id="5",
                                         text=text), svc)
            return r

        other = await ask("Sở Công Thương phải làm gì theo kế hoạch 134")
        assert other.text.startswith("[Kế hoạch kh134]") and "34-NQ/TU" in other.text
        assert not other.choices  # buttons would act on KH147
        own = await ask("Sở Công Thương phải làm gì")
        assert "kh134" not in own.text and "Mục 2.3" in own.text
    finally:
        await svc.close()


def test_another_plans_document_objectives_and_deadlines_are_its_own(plans_dir):
    """What KH147 says of itself (issued in a month, four parts, objectives in part II,
    reports 2021-2030) is not said of a plan of another form."""
    def ask(question):
        return json.loads(_ask("--plan", "kh134", "--json", question, plans=plans_dir).stdout)

    doc = ask("kế hoạch này do ai ký")["answer"]
    assert "ban hành ngày 26/3/2026" in doc and "4 phần" not in doc
    goals = ask("mục tiêu của kế hoạch là gì")
    assert "không có phần mục tiêu riêng" in goals["answer"]
    assert goals["sections"][:2] == ["1", "2"] and "500ha" in goals["answer"]
    due = ask("hạn chót sắp tới")["answer"]
    assert "trước ngày 20 hằng tháng (năm 2026)" in due

