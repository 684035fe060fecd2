"""Which plan a chat talks about (/kehoach chon, stored per chat) and status updates on any
plan: /capnhat, the guided flow, /sua, /rut and /trangthai on an imported plan beside KH147.

kh134 (tests/data, Lào Cai) names its departments with the ids today's organisation uses, so a
Sở Công Thương official leads its sections 2 (task 2.3) and V.1; "2.3" is also a KH147 item
Sở Công Thương may report on: without a plan named or chosen, the bot asks which."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core import Request
from bot.db import repo
from bot.db.models import StatusUpdate
from bot.db.session import make_sessionmaker
from bot.knowledge import load_knowledge
from bot.services import Services
from handlers import dispatch
from tests.test_import_plans import plans_dir  # noqa: F401  (the fixture: kh134, kh88)
from tests.test_status import member, tg


@pytest.fixture
def psvc(svc, request):
    """The `svc` of tests/conftest.py (both engines) serving KH147, kh134 and kh88."""
    folder = request.getfixturevalue("plans_dir")
    svc.settings = svc.settings.model_copy(update={"PLANS_DIR": str(folder)})
    return svc


def restart(svc) -> Services:
    """New services on the same database: nothing carried over but what it stores."""
    return Services(settings=svc.settings, kb=load_knowledge(), engine=svc.engine,
                    sessions=make_sessionmaker(svc.engine), clock=svc.clock)


def group(user: str, text: str, **kw) -> Request:
    return tg(user, text, chat_id="-100", chat_type="group", chat_title="Tổ công tác", **kw)


async def saved(svc) -> list[tuple]:
    async with svc.sessions() as s:
        found = (await s.execute(select(StatusUpdate).order_by(StatusUpdate.id))).scalars()
        return [(r.plan_id, r.item_id, r.agency_id, r.status, r.withdrawn) for r in found]


async def one(svc, req: Request):
    [reply] = await dispatch(req, svc)
    return reply


# ---------------------------------------------------------------- the chat's default plan

async def test_a_chat_plan_is_kh147_until_chosen_and_cleared_by_kh147(svc):
    assert await repo.chat_plan(svc.sessions, "telegram", "-100") == "kh147"
    assert await repo.chat_plan(svc.sessions, "telegram", "-100", default=None) is None
    await repo.set_chat_plan(svc.sessions, "telegram", "-100", "kh134", kind="group")
    assert await repo.chat_plan(svc.sessions, "telegram", "-100") == "kh134"
    assert await repo.chat_plan(svc.sessions, "zalo", "-100") == "kh147"  # another channel
    await repo.set_chat_plan(svc.sessions, "telegram", "-100", "kh147")
    assert await repo.chat_plan(svc.sessions, "telegram", "-100", default=None) is None


async def test_kehoach_chon_sets_the_default_which_survives_a_restart(psvc):
    r = await one(psvc, tg("5", "/kehoach"))
    assert "mặc định của cuộc trò chuyện này: kh147" in r.text
    r = await one(psvc, tg("5", "/kehoach chọn kế hoạch 134"))
    assert r.text.startswith("Đã chọn Kế hoạch số 134/KH-UBND (kh134) làm kế hoạch mặc định")
    again = restart(psvc)
    r = await one(again, tg("5", "/kehoach"))
    assert "mặc định của cuộc trò chuyện này: kh134" in r.text
    assert "mặc định của cuộc trò chuyện này: kh147" in (await one(again, tg("6", "/kehoach"))).text
    r = await one(again, tg("5", "/kehoach chon kh147"))
    assert "trở lại Kế hoạch" in r.text
    assert await repo.chat_plan(again.sessions, "telegram", "5", default=None) is None


async def test_kehoach_chon_in_a_group_is_for_its_admins_and_a_bad_name_changes_nothing(psvc):
    r = await one(psvc, group("7", "/kehoach chon kh134"))
    assert r.text.startswith("Trong nhóm, chỉ quản trị viên") and "\n" not in r.text
    assert await repo.chat_plan(psvc.sessions, "telegram", "-100", default=None) is None
    r = await one(psvc, group("7", "/kehoach chon kh134", is_chat_admin=True))
    assert r.text.startswith("Đã chọn") and "nhóm này" in r.text
    r = await one(psvc, group("7", "/kehoach chon kế hoạch 999", is_chat_admin=True))
    assert r.text.startswith("Không có kế hoạch «kế hoạch 999»; chưa thay đổi gì")
    assert "\n" not in r.text
    assert await repo.chat_plan(psvc.sessions, "telegram", "-100") == "kh134"


async def test_a_question_naming_no_plan_goes_to_the_chat_default(psvc):
    before = await one(psvc, tg("5", "Sở Công Thương phải làm gì"))
    assert not before.text.startswith("[Kế hoạch")  # KH147, as ever
    await dispatch(tg("5", "/kehoach chon kh134"), psvc)
    after = await one(psvc, tg("5", "Sở Công Thương phải làm gì"))
    assert after.text.startswith("[Kế hoạch kh134]") and after.text != before.text
    other = await one(psvc, tg("6", "Sở Công Thương phải làm gì"))  # another chat
    assert other.text == before.text
    named = await one(psvc, tg("5", "Sở Công Thương phải làm gì theo kế hoạch 147"))
    assert not named.text.startswith("[Kế hoạch")  # naming KH147 overrides the default


# ---------------------------------------------------------------- /capnhat on any plan

async def test_capnhat_naming_kh134_saves_under_it_and_only_it(psvc):
    await member(psvc, "1", "sct")
    r = await one(psvc, tg("1", "/capnhat kế hoạch 134 V.1.1 đang thực hiện Đã rà soát quỹ đất"))
    assert r.text.startswith("Đã lưu vào Kế hoạch số 134/KH-UBND (kh134): V.1.1 — Đang thực hiện")
    assert await saved(psvc) == [("kh134", "V.1.1", "sct", "dang", False)]
    kh134 = await repo.latest_by_agency(psvc.sessions, ["sct"], plan_id="kh134")
    assert kh134[("sct", "V.1.1")].note == "Đã rà soát quỹ đất"
    assert await repo.latest_by_agency(psvc.sessions, ["sct"]) == {}  # KH147 untouched
    status = await one(psvc, tg("1", "/trangthai kế hoạch 134"))
    assert "theo Kế hoạch số 134/KH-UBND (kh134)" in status.text
    assert "V.1.1" in status.text and "Đang thực hiện" in status.text
    assert "Chưa có cập nhật" in (await one(psvc, tg("1", "/trangthai"))).text  # KH147's


async def test_sua_and_rut_act_on_the_updates_own_plan(psvc):
    await member(psvc, "1", "sct")
    await dispatch(tg("1", "/capnhat KH134 V.1.2 đang làm"), psvc)
    r = await one(psvc, tg("1", "/sua hoàn thành"))
    assert r.text.startswith("Đã sửa vào Kế hoạch số 134/KH-UBND (kh134): V.1.2 — Hoàn thành")
    r = await one(psvc, tg("1", "/rut"))
    assert r.text.startswith("Đã rút lại cập nhật V.1.2 (Kế hoạch số 134/KH-UBND (kh134))")
    rows = await saved(psvc)
    assert [p for p, *_ in rows] == ["kh134"] * 3 and rows[-1][-1] is True
    assert await repo.latest_by_agency(psvc.sessions, ["sct"], plan_id="kh134") == {}


async def test_an_item_in_two_plans_is_asked_back_and_the_answer_saves_there(psvc):
    await member(psvc, "1", "sct")
    q = await one(psvc, tg("1", "/capnhat 2.3 đang thực hiện Đã khảo sát"))
    assert "kế hoạch nào" in q.text and "Chưa lưu gì" in q.text
    assert [c.label.split(":")[0] for c in q.choices[:2]] == [
        "Kế hoạch số …/KH-UBND (kh147)", "Kế hoạch số 134/KH-UBND (kh134)"]
    assert await saved(psvc) == []
    r = await one(psvc, tg("1", callback=q.choices[1].data))
    assert r.text.startswith("Đã lưu vào Kế hoạch số 134/KH-UBND (kh134): 2.3")
    assert await saved(psvc) == [("kh134", "2.3", "sct", "dang", False)]


async def test_the_typed_number_answers_which_plan_on_zalo(psvc):
    await member(psvc, "z1", "sct", channel="zalo")
    zalo = Request(channel="zalo", user_id="z1", chat_id="z1", user_name="Cán bộ Zalo")
    q = await one(psvc, Request(**{**zalo.__dict__, "text": "/capnhat 2.3 xong"}))
    assert "kế hoạch nào" in q.text and await saved(psvc) == []
    r = await one(psvc, Request(**{**zalo.__dict__, "text": "1"}))
    # KH147's 2.3 is a section of three tasks; its confirmation reads as it always has
    assert r.text.startswith("Đã lưu cho 3 nhiệm vụ của mục 2.3 (2.3.1, 2.3.2, 2.3.3)")
    assert {(p, i) for p, i, *_ in await saved(psvc)} == {
        ("kh147", "2.3.1"), ("kh147", "2.3.2"), ("kh147", "2.3.3")}


async def test_a_chosen_default_settles_the_item_without_asking(psvc):
    await member(psvc, "1", "sct")
    await dispatch(tg("1", "/kehoach chon kh134"), psvc)
    r = await one(psvc, tg("1", "/capnhat 2.3 xong"))
    assert r.text.startswith("Đã lưu vào Kế hoạch số 134/KH-UBND (kh134): 2.3 — Hoàn thành")
    r = await one(psvc, tg("1", "/capnhat kế hoạch 147 2.3 xong"))  # named beats the default
    assert r.text.startswith("Đã lưu cho 3 nhiệm vụ của mục 2.3")
    assert [p for p, *_ in await saved(psvc)] == ["kh134"] + ["kh147"] * 3


@pytest.mark.parametrize("line,start", [
    ("/capnhat kế hoạch 999 2.3 xong", "Không có kế hoạch «kế hoạch 999»; chưa lưu gì."),
    ("/capnhat KH khoáng sản 2.3 xong", "Không có kế hoạch «KH khoáng sản»; chưa lưu gì."),
    ("/capnhat kế hoạch 134 1.2 xong", "Mục 1.2 của Kế hoạch số 134/KH-UBND (kh134) do UBND "
                                       "cấp xã chủ trì, không thuộc Sở Công Thương"),
    ("/capnhat kế hoạch 134 9.9 xong", "Không có mục “9.9” trong Kế hoạch số 134/KH-UBND"),
    ("/capnhat V.1.1 xong", "Không có mục “V.1.1” trong Kế hoạch; ví dụ đúng"),
])
async def test_a_bad_plan_or_item_is_one_line_and_saves_nothing(psvc, line, start):
    await member(psvc, "1", "sct")
    r = await one(psvc, tg("1", line))
    assert r.text.startswith(start) and "\n" not in r.text and not r.choices
    assert await saved(psvc) == []


async def test_the_kh147_refusal_of_a_kh134_item_says_how_to_name_the_plan(psvc):
    await member(psvc, "1", "sct")
    r = await one(psvc, tg("1", "/capnhat V.1.1 xong"))
    assert "xin gõ: /capnhat kế hoạch 134 V.1.1 TRẠNG THÁI" in r.text


async def test_a_unit_kh134_does_not_name_is_refused_in_one_line(psvc):
    await member(psvc, "2", "syt")
    r = await one(psvc, tg("2", "/capnhat kế hoạch 134 V.8 xong"))
    assert r.text == ("Sở Y tế không được giao nhiệm vụ nào trong Kế hoạch số 134/KH-UBND "
                      "(kh134); chưa lưu gì.")
    assert await saved(psvc) == []
    r = await one(psvc, tg("2", "/capnhat"))  # the guided flow: KH147 only, no plan question
    assert r.text.startswith("Chọn nhiệm vụ cần cập nhật (Sở Y tế)")


async def test_the_guided_flow_asks_the_plan_first(psvc):
    await member(psvc, "1", "sct")
    r = await one(psvc, tg("1", "/capnhat"))
    assert "kế hoạch nào" in r.text
    assert [c.data for c in r.choices] == ["cn:k:kh147", "cn:k:kh134"]
    r = await one(psvc, tg("1", callback="cn:k:kh134"))
    assert "Kế hoạch số 134/KH-UBND (kh134)" in r.text.split("\n")[0]
    task = next(c for c in r.choices if c.label.startswith("V.1.3 "))
    r = await one(psvc, tg("1", callback=task.data))
    done = next(c for c in r.choices if c.label == "Hoàn thành")
    r = await one(psvc, tg("1", callback=done.data))
    assert "kết quả" in r.text
    r = await one(psvc, tg("1", "Đã ban hành văn bản"))
    assert r.text.startswith("Đã lưu vào Kế hoạch số 134/KH-UBND (kh134): V.1.3 — Hoàn thành")
    assert await saved(psvc) == [("kh134", "V.1.3", "sct", "xong", False)]


@pytest.mark.parametrize("line,plan,rest,unknown", [
    ("kế hoạch 134 1.2 đang thực hiện Đã rà soát", "kh134", "1.2 đang thực hiện Đã rà soát", ""),
    ("KH134 mục 1.2 xong", "kh134", "mục 1.2 xong", ""),
    ("theo kế hoạch 134, 2.3 xong", "kh134", "2.3 xong", ""),
    ("ke hoach so 88 1.2 xong", "kh88", "1.2 xong", ""),  # "88" is the plan's, not an item
    ("134/KH-UBND xong 2.3", "kh134", "xong 2.3", ""),
    ("kế hoạch làng nghề 1.1 xong", "kh88", "1.1 xong", ""),
    ("1.2 xong theo kế hoạch 134", None, "1.2 xong theo kế hoạch 134", ""),  # the note's
    ("khó khăn về mặt bằng 2.2", None, "khó khăn về mặt bằng 2.2", ""),
    ("kế hoạch 999 1.2 xong", None, "1.2 xong", "kế hoạch 999"),
])
def test_the_plan_named_before_the_item(request, line, plan, rest, unknown):
    from bot.knowledge import load_plans
    from bot.statuses import plan_prefix

    plans = load_plans(str(request.getfixturevalue("plans_dir")))
    found = plan_prefix(line, plans.named_in)
    assert (found.plan, found.rest, found.unknown) == (plan, rest, unknown)
