"""The dispatcher: commands, group etiquette, numbered choices that survive a restart."""
from __future__ import annotations

from bot.core import Choice, Reply, Request
from bot.services import build_services
from handlers import dispatch
from handlers.registry import callback, command

PICKED: list[str] = []


@command("thu_chon")
async def _offer(req, svc, args):
    return [Reply("Chọn một:", choices=(Choice("Một", "thu:1"), Choice("Hai", "thu:2")))]


@callback("thu")
async def _picked(req, svc, rest):
    PICKED.append(rest)
    return [Reply(f"Đã chọn {rest}")]


def zalo(text, **kw) -> Request:
    return Request(channel="zalo", user_id="u1", chat_id="u1", text=text, **kw)


async def test_unknown_command_gets_one_line(sqlite_svc):
    [r] = await dispatch(zalo("/khonglenhnay"), sqlite_svc)
    assert "/khonglenhnay" in r.text and "\n" not in r.text


async def test_overlong_message_is_refused(sqlite_svc):
    [r] = await dispatch(zalo("a" * 10_000), sqlite_svc)
    assert "quá dài" in r.text


async def test_group_chatter_not_addressed_to_bot_is_ignored(sqlite_svc):
    req = Request(channel="telegram", user_id="5", chat_id="-100", text="chào cả nhà",
                  chat_type="group", addressed=False)
    assert await dispatch(req, sqlite_svc) == []


async def test_number_picks_a_choice_even_after_restart(sqlite_svc):
    [offer] = await dispatch(zalo("/thu_chon"), sqlite_svc)
    assert [c.label for c in offer.choices] == ["Một", "Hai"]
    # a new process on the same database: nothing held in memory
    fresh = build_services(sqlite_svc.settings)
    fresh.clock = sqlite_svc.clock  # the same moment: a list within its two hours
    try:
        [r] = await dispatch(zalo("2"), fresh)
    finally:
        await fresh.close()
    assert r.text == "Đã chọn 2" and PICKED[-1] == "2"


async def test_button_channels_keep_no_numbered_state(sqlite_svc):
    tg = Request(channel="telegram", user_id="7", chat_id="7", text="/thu_chon")
    await dispatch(tg, sqlite_svc)
    [r] = await dispatch(Request(channel="telegram", user_id="7", chat_id="7", callback="thu:1"),
                         sqlite_svc)
    assert r.text == "Đã chọn 1"


async def test_a_numbered_choice_is_used_once(sqlite_svc):
    await dispatch(zalo("/thu_chon"), sqlite_svc)
    [r] = await dispatch(zalo("1"), sqlite_svc)
    assert r.text == "Đã chọn 1"
    before = len(PICKED)
    await dispatch(zalo("2"), sqlite_svc)  # now just a question, not choice 2 of an old list
    assert len(PICKED) == before


async def test_help_fits_the_chat(sqlite_svc):
    [private] = await dispatch(Request(channel="telegram", user_id="5", chat_id="5",
                                       text="/start"), sqlite_svc)
    [group] = await dispatch(Request(channel="telegram", user_id="5", chat_id="-100",
                                     text="/start", chat_type="group"), sqlite_svc)
    [admin] = await dispatch(Request(channel="telegram", user_id="900", chat_id="900",
                                     text="/trogiup", is_admin=True), sqlite_svc)
    assert "/dangky" in private.text and "/tonghop" not in private.text
    assert "/dangky" not in group.text and "nhắn riêng" in group.text  # it works only in private
    assert "/tonghop" in admin.text and "/xuat" in admin.text


async def test_a_number_outside_the_list_is_asked_again(sqlite_svc):
    await dispatch(zalo("/thu_chon"), sqlite_svc)
    [r] = await dispatch(zalo("7"), sqlite_svc)
    assert r.text == "Xin chọn một số từ 1 đến 2."
    [r] = await dispatch(zalo("2"), sqlite_svc)  # the list is still there
    assert r.text == "Đã chọn 2"


async def test_an_old_list_of_choices_is_forgotten(sqlite_svc):
    from datetime import UTC, datetime, timedelta

    start = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    sqlite_svc.clock = lambda: start
    await dispatch(zalo("/thu_chon"), sqlite_svc)
    sqlite_svc.clock = lambda: start + timedelta(days=1)
    before = len(PICKED)
    [r] = await dispatch(zalo("2"), sqlite_svc)  # yesterday's list: "2" is a question now
    assert len(PICKED) == before and r.text != "Đã chọn 2"


async def test_a_choice_can_be_typed_out_instead_of_its_number(sqlite_svc):
    await dispatch(zalo("/thu_chon"), sqlite_svc)
    [r] = await dispatch(zalo("hai"), sqlite_svc)
    assert r.text == "Đã chọn 2"


async def test_digit_like_signs_get_one_line_and_plain_digits_of_any_script_work(sqlite_svc):
    await dispatch(zalo("/thu_chon"), sqlite_svc)
    before = len(PICKED)
    for sign in ("①", "²", "⑴"):  # str.isdigit() is true for these, int() refuses them
        [r] = await dispatch(zalo(sign), sqlite_svc)
        assert r.text == "Xin gõ số của lựa chọn bằng chữ số thường, ví dụ: 1."
    assert len(PICKED) == before
    [r] = await dispatch(zalo("２"), sqlite_svc)  # a fullwidth digit is still a digit
    assert r.text == "Đã chọn 2"


@command("thu_bao")
async def _notify(req, svc, args):
    """A list pushed into another chat, the way a registration notice reaches an admin."""
    return [Reply(f"Thông báo {args}", choices=(Choice(f"Nhận {args}", f"thu:n{args}"),),
                  chat=Request(channel="zalo", user_id="u1", chat_id="u1").chat)]


async def test_a_list_pushed_meanwhile_never_changes_what_a_number_means(sqlite_svc):
    other = Request(channel="zalo", user_id="u2", chat_id="u2", text="/thu_bao A")
    await dispatch(other, sqlite_svc)
    await dispatch(Request(channel="zalo", user_id="u2", chat_id="u2", text="/thu_bao B"),
                   sqlite_svc)
    before = len(PICKED)
    [r] = await dispatch(zalo("1"), sqlite_svc)  # "1" of notice A, or of notice B?
    assert len(PICKED) == before
    assert "chưa có gì được thực hiện" in r.text
    assert [c.label for c in r.choices] == ["Nhận A", "Nhận B"]
    [r] = await dispatch(zalo("2"), sqlite_svc)  # the list just given in answer
    assert r.text == "Đã chọn nB"


@command("thu_vang")
async def _echo_choice(req, svc, args):
    return [Reply(f"Ý Đồng chí là “{args}”?", choices=(Choice(f"Đúng “{args}”", "thu:echo"),))]


async def test_odd_characters_in_a_list_are_stored_and_the_choice_works(svc):
    """A channel that did not clean its input (or a label echoing it) must not break the
    write of the list: NUL fails PostgreSQL, a lone surrogate fails both encoders."""
    [offer] = await dispatch(zalo("/thu_vang a\x00b\ud800c"), svc)
    assert offer.choices
    [r] = await dispatch(zalo("1"), svc)
    assert r.text == "Đã chọn echo"
