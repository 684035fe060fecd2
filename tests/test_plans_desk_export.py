"""Every plan its own: a status saved under an imported plan (kh134) shows in that plan's
export, /tonghop block, report and desk, and never in KH147's; and the other way round."""
from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import export
from bot.db import repo
from bot.importer import import_plan
from bot.periods import parse_period

DATA = Path(__file__).parent / "data"
MARCH = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
NOTE_134 = "Đã rà soát quy hoạch cụm công nghiệp (ghi chú KH134)"
NOTE_147 = "Đã phê duyệt 2 đồ án (ghi chú KH147)"


@pytest.fixture(scope="module")
def plans_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("plans")
    plan = import_plan(DATA / "plan_laocai_kh134_2026.txt").plan
    (folder / "kh134.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.fixture
async def two(svc, plans_dir):
    """KH147 and kh134 loaded; Sở Công Thương (`sct` in both) reported once in each: on
    kh134's V.1.1 and on KH147's 2.3.1, plus a KH147 row on item "2.3", which is a section of
    KH147 and a task of kh134 (the same id must not cross plans)."""
    svc.settings.PLANS_DIR = str(plans_dir)
    user = await repo.upsert_user(svc.sessions, "telegram", "7", "Cán bộ Bảy")
    common = dict(user_id=user.id, agency_id="sct", channel="telegram", at=MARCH)
    await repo.add_status(svc.sessions, item_id="V.1.1", status="dang", note=NOTE_134,
                          plan_id="kh134", **common)
    await repo.add_status(svc.sessions, item_id="2.3.1", status="dang", note=NOTE_147,
                          **common)
    await repo.add_status(svc.sessions, item_id="2.3", status="vuong", note=NOTE_147,
                          **common)
    svc.clock = lambda: NOW
    return svc


def year(svc):
    return parse_period("2026", svc.settings.tz, NOW.date())


def _csv_rows(att) -> list[dict]:
    return list(csv.DictReader(io.StringIO(att.content.decode("utf-8-sig"))))


async def test_collect_reads_one_plan(two):
    other = await export.collect(two, year(two), plan_id="kh134", history=True)
    mine = await export.collect(two, year(two), history=True)
    assert {r.task_id for r in other.rows} >= {"V.1.1", "2.3"}
    assert "2.3.1" not in {r.task_id for r in other.rows}
    noted = {r.task_id: r.latest.note for r in other.rows if r.latest}
    assert noted == {"V.1.1": NOTE_134}  # KH147's row on "2.3" stays KH147's
    assert [r.plan_id for r in other.history] == ["kh134"]
    assert {r.latest.note for r in mine.rows if r.latest} == {NOTE_147}
    assert all(r.plan_id == "kh147" for r in mine.history) and len(mine.history) == 2
    assert other.agencies[0].agency_id == "stc"  # kh134's own units, in its order
    with pytest.raises(export.UnknownPlan, match="/kehoach"):
        await export.collect(two, year(two), plan_id="kh999")


async def test_export_files_are_the_plans_own(two):
    csv134 = await export.export_bytes(two, "csv", year(two), plan_id="kh134")
    assert csv134.filename == "kh134_tien_do_2026.csv"
    rows = _csv_rows(csv134)
    assert [r["Ghi chú"] for r in rows if r["Ghi chú"]] == [NOTE_134]
    assert {r["Mã nhiệm vụ"] for r in rows} >= {"V.1.1", "V.2.1"}
    csv147 = await export.export_bytes(two, "csv", year(two))
    assert csv147.filename == "kh147_tien_do_2026.csv"
    notes = {r["Ghi chú"] for r in _csv_rows(csv147) if r["Ghi chú"]}
    assert notes == {NOTE_147}
    assert "V.1.1" not in {r["Mã nhiệm vụ"] for r in _csv_rows(csv147)}


async def test_progress_is_the_plans_own(two):
    from bot.progress import unit_progress

    other = await unit_progress(two, year(two), ["sct"], plan_id="kh134")
    mine = await unit_progress(two, year(two), ["sct"])
    assert "V.1.1" not in other["sct"].missing and "V.1.2" in other["sct"].missing
    assert "2.3.1" not in mine["sct"].missing and "V.1.1" not in mine["sct"].missing
