"""Storage: migrations equal the models on both engines; the repository's guarantees."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text

from bot.core import ChatRef
from bot.db import repo
from bot.db.migrate import alembic_config, cli_upgrade, upgrade
from bot.db.models import Base, Chat, Membership, StatusUpdate, User
from bot.db.session import make_engine
from tests.conftest import ENGINES, make_settings
from tests.migrations import (
    down_to,
    empty_database,
    on_sync,
    rows,
    to_revision,
    upgraded_db,
    upgraded_from,
)

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)


@pytest.fixture(params=ENGINES)
async def empty_db(request, tmp_path):
    """(url, schema) of an empty database: a new SQLite file or a new PostgreSQL schema."""
    async with empty_database(request.param, tmp_path) as db:
        yield db


async def _diffs(url: str, schema: str | None) -> list:
    return await on_sync(url, schema, lambda c: compare_metadata(
        MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata))


async def test_migrations_produce_exactly_the_models(empty_db):
    url, schema = empty_db
    await upgrade(url, schema)
    assert await _diffs(url, schema) == []
    await upgrade(url, schema)  # idempotent: a second run changes nothing
    assert await _diffs(url, schema) == []
    engine = make_engine(url, schema=schema)
    async with engine.connect() as conn:
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
        tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    await engine.dispose()
    assert version == ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert set(Base.metadata.tables) <= tables


async def _one_user(conn) -> None:
    await conn.execute(text("INSERT INTO users (channel, external_id, display_name, "
                            "private_reminders, created_at) VALUES "
                            "('telegram', '501', 'Cán bộ', 1, '2026-11-01 00:00:00')"))


async def test_a_deployment_on_the_first_revision_upgrades_keeping_its_data(tmp_path):
    async with upgraded_from("0001", _one_user, "sqlite", tmp_path) as (url, _):
        assert await _diffs(url, None) == []
        assert await rows(url, None, "SELECT display_name FROM users") == [("Cán bộ",)]


async def _a_seen_message(conn) -> None:
    await conn.execute(text("INSERT INTO seen_messages (channel, message_id, seen_at) "
                            "VALUES ('zalo', 'm1', '2026-11-01 00:00:00+00')"))


seen_db = upgraded_db("0008", _a_seen_message)


async def _seen_messages_table(url: str, schema: str | None) -> tuple:
    """seen_messages as the database has it: columns, primary key, unique constraints."""
    def read(c):
        i = inspect(c)
        return ([(col["name"], str(col["type"]), col["nullable"])
                 for col in i.get_columns("seen_messages")],
                i.get_pk_constraint("seen_messages")["constrained_columns"],
                sorted((u["name"], u["column_names"])
                       for u in i.get_unique_constraints("seen_messages")))
    return await on_sync(url, schema, read)


async def test_0009_drops_seen_messages_and_its_downgrade_makes_0001s_table(seen_db, tmp_path):
    url, schema = seen_db
    tables = await on_sync(url, schema, lambda c: set(inspect(c).get_table_names()))
    assert "seen_messages" not in tables and "users" in tables
    await down_to(url, schema, "0008")
    assert await rows(url, schema, "SELECT count(*) FROM seen_messages") == [(0,)]
    assert await _seen_messages_table(url, schema) == await _as_0001_made_it(schema, tmp_path)
    await upgrade(url, schema)
    assert await _diffs(url, schema) == []


async def _as_0001_made_it(schema: str | None, tmp_path) -> tuple:
    """seen_messages of a new database of the same engine taken to revision 0001 only."""
    (tmp_path / "first").mkdir()
    async with empty_database("postgres" if schema else "sqlite", tmp_path / "first") as db:
        await on_sync(*db, lambda c: to_revision(c, "0001"), commit=True)
        return await _seen_messages_table(*db)


async def test_upgrade_adopts_tables_made_by_create_all(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path}/old.db"
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    await engine.dispose()
    await upgrade(url)
    assert await _diffs(url, None) == []


def test_cli_upgrade_uses_database_url(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    assert cli_upgrade() == 0
    assert "Đã nâng cấp" in capsys.readouterr().out  # a fresh file: migrated, and said so
    assert asyncio.run(_diffs(f"sqlite+aiosqlite:///{tmp_path}/cli.db", None)) == []


def test_cli_upgrade_reports_an_unreachable_server_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://nobody:secret@127.0.0.1:1/none")
    assert cli_upgrade() == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "secret" not in err


# ---------------------------------------------------------------- repository

async def test_upsert_user_is_safe_under_concurrency(svc):
    users = await asyncio.gather(*(repo.upsert_user(svc.sessions, "telegram", "42", "Lan")
                                   for _ in range(20)))
    assert len({u.id for u in users}) == 1
    renamed = await repo.upsert_user(svc.sessions, "telegram", "42", "Nguyễn Thị Lan")
    assert renamed.id == users[0].id and renamed.display_name == "Nguyễn Thị Lan"
    other = await repo.upsert_user(svc.sessions, "zalo", "42")
    assert other.id != users[0].id  # the same id on another channel is another person
    async with svc.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(User))).scalar() == 2


async def test_upsert_chat_reactivates_and_keeps_one_row(svc):
    chat = await repo.upsert_chat(svc.sessions, "zalo", "c1", "private", "")
    async with svc.sessions() as s, s.begin():
        (await s.get(Chat, chat.id)).active = False
    again = await repo.upsert_chat(svc.sessions, "zalo", "c1", "private", "Lan")
    assert again.id == chat.id and again.active and again.title == "Lan"
    await asyncio.gather(*(repo.upsert_chat(svc.sessions, "telegram", "-100", "group", "Tổ")
                           for _ in range(10)))
    async with svc.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Chat))).scalar() == 2


async def test_membership_lifecycle(svc):
    req = await repo.request_membership(svc.sessions, "telegram", "7", "sxd",
                                        display_name="Hùng", chat_id="7", now=T0)
    assert req.state == "pending"
    assert await repo.member_agency(svc.sessions, "telegram", "7") is None
    decisions = await asyncio.gather(*(repo.decide_membership(
        svc.sessions, req.id, True, by_channel="telegram", by_external_id="900")
        for _ in range(5)))
    assert sorted(d.outcome for d in decisions) == ["already"] * 4 + ["approved"]
    assert await repo.member_agency(svc.sessions, "telegram", "7") == "sxd"

    # one agency at a time: approval of a new request ends the old membership
    new = await repo.request_membership(svc.sessions, "telegram", "7", "sct")
    d = await repo.decide_membership(svc.sessions, new.id, True, by_channel="zalo",
                                     by_external_id="z900")
    assert d.outcome == "approved" and d.previous_agency == "sxd"
    assert await repo.member_agency(svc.sessions, "telegram", "7") == "sct"
    assert [m.agency_id for m in await repo.list_members(svc.sessions)] == ["sct"]

    removed = await repo.remove_member(svc.sessions, new.id, by_channel="telegram",
                                       by_external_id="900")
    assert removed is not None and removed.agency_id == "sct"
    assert await repo.member_agency(svc.sessions, "telegram", "7") is None
    assert await repo.remove_member(svc.sessions, new.id, by_channel="telegram",
                                    by_external_id="900") is None
    async with svc.sessions() as s:
        states = sorted((await s.execute(select(Membership.state))).scalars())
    assert states == ["ended", "removed"]  # history is kept


async def test_new_request_cancels_the_pending_one(svc):
    first = await repo.request_membership(svc.sessions, "zalo", "u1", "sxd")
    second = await repo.request_membership(svc.sessions, "zalo", "u1", "sct")
    assert [r.id for r in await repo.list_pending(svc.sessions)] == [second.id]
    d = await repo.decide_membership(svc.sessions, first.id, True, by_channel="zalo",
                                     by_external_id="z900")
    assert d.outcome == "already" and d.row.state == "cancelled"
    missing = await repo.decide_membership(svc.sessions, 9999, True, by_channel="zalo",
                                           by_external_id="z900")
    assert missing.outcome == "not_found"


async def _member(svc, uid: str, agency: str) -> repo.Member:
    r = await repo.request_membership(svc.sessions, "telegram", uid, agency, display_name=uid)
    await repo.decide_membership(svc.sessions, r.id, True, by_channel="telegram",
                                 by_external_id="900")
    return await repo.member_of(svc.sessions, "telegram", uid)


async def test_status_updates_are_append_only_and_latest_wins(svc):
    m = await _member(svc, "1", "sxd")
    for i, status in enumerate(("chua", "dang", "xong")):
        await repo.add_status(svc.sessions, user_id=m.user_id, agency_id="sxd", item_id="2.2.1",
                              status=status, note=f"n{i}", channel="telegram",
                              at=T0 + timedelta(days=i))
    await repo.add_status(svc.sessions, user_id=m.user_id, agency_id="sxd", item_id="2.2.2",
                          status="vuong", note="", channel="telegram", at=T0)
    async with svc.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(StatusUpdate))).scalar() == 4
    latest = await repo.latest_statuses(svc.sessions, ["sxd"])
    assert latest["2.2.1"].status == "xong" and latest["2.2.1"].note == "n2"
    assert latest["2.2.1"].user_name == "1"
    assert latest["2.2.1"].created_at == T0 + timedelta(days=2)
    assert latest["2.2.1"].created_at.tzinfo is not None
    assert latest["2.2.2"].status == "vuong"
    before = await repo.latest_statuses(svc.sessions, ["sxd"], until=T0 + timedelta(hours=30))
    assert before["2.2.1"].status == "dang"
    assert await repo.latest_statuses(svc.sessions, ["sct"]) == {}
    history = await repo.status_history(svc.sessions, ["sxd"])
    assert [h.status for h in history if h.item_id == "2.2.1"] == ["chua", "dang", "xong"]


async def test_concurrent_adds_get_distinct_committed_rows(svc):
    m = await _member(svc, "1", "sxd")
    rows = await asyncio.gather(*(repo.add_status(
        svc.sessions, user_id=m.user_id, agency_id="sxd", item_id="2.2.1", status="dang",
        note=f"#{i}", channel="telegram") for i in range(60)))
    assert len({r.id for r in rows}) == 60
    async with svc.sessions() as s:
        stored = dict((await s.execute(select(StatusUpdate.id, StatusUpdate.note))).all())
    assert {r.id: r.note for r in rows} == stored  # each caller got its own row's id


async def test_reported_agencies_window_is_inclusive(svc):
    a = await _member(svc, "1", "sxd")
    b = await _member(svc, "2", "viet_yen")
    start, end = T0, T0 + timedelta(days=10)
    await repo.add_status(svc.sessions, user_id=a.user_id, agency_id="sxd", item_id="2.2.1",
                          status="dang", note="", channel="telegram", at=start)
    await repo.add_status(svc.sessions, user_id=b.user_id, agency_id="viet_yen",
                          item_id="2.7.1", status="dang", note="", channel="telegram",
                          at=end + timedelta(seconds=1))
    assert await repo.reported_agencies(svc.sessions, start, end) == {"sxd"}
    assert await repo.reported_agencies(svc.sessions, start, end + timedelta(seconds=1)) == {
        "sxd", "viet_yen"}
    assert await repo.reported_agencies(svc.sessions, end + timedelta(days=1),
                                        end + timedelta(days=2)) == set()


async def test_admin_chats_are_admins_private_chats(svc, tmp_path):
    refs = await repo.admin_chats(svc.sessions, svc.settings)
    assert refs == [ChatRef("telegram", "900"), ChatRef("zalo", "z900")]
    chat = await repo.upsert_chat(svc.sessions, "zalo", "z900", "private")
    async with svc.sessions() as s, s.begin():
        (await s.get(Chat, chat.id)).active = False  # the admin blocked the bot
    assert await repo.admin_chats(svc.sessions, svc.settings) == [ChatRef("telegram", "900")]
    none = make_settings(tmp_path)
    assert await repo.admin_chats(svc.sessions, none) == []
