"""Migration 0005: members and subscriptions of a merged unit move to its successor; a member of
a split unit or a former district keeps the row (asked once when they next write); history rows
and status updates keep their ids. On both engines."""
from __future__ import annotations

from sqlalchemy import text

from tests.migrations import rows, upgraded_db

TS = "'2026-11-01 00:00:00+00'"


async def _members_and_subscriptions(conn) -> None:
    """Members and subscriptions under 2021 names, as a deployment before 0005 stored them."""
    for i in range(1, 6):
        await conn.execute(text(
            "INSERT INTO users (channel, external_id, display_name, private_reminders, "
            f"created_at) VALUES ('telegram', '50{i}', 'Cán bộ {i}', true, {TS})"))
    members = [(1, "skhdt", "approved"), (2, "sldtbxh", "approved"),
               (3, "viet_yen", "approved"), (4, "skhdt", "rejected"),
               (5, "sgtvt", "pending")]
    for user, agency, state in members:
        await conn.execute(text(
            "INSERT INTO memberships (user_id, agency_id, state, chat_id, requested_at) "
            f"VALUES ({user}, '{agency}', '{state}', '50{user}', {TS})"))
    for i in (1, 2):
        await conn.execute(text(
            "INSERT INTO chats (channel, external_id, kind, title, active, created_at) "
            f"VALUES ('telegram', '-10{i}', 'group', 'Nhóm {i}', true, {TS})"))
    subs = [(1, "skhdt"), (1, "stc"), (2, "stnmt"), (2, "snnptnt"), (2, "viet_yen")]
    for chat, agency in subs:
        await conn.execute(text(
            "INSERT INTO subscriptions (chat_id, agency_id, created_at) "
            f"VALUES ({chat}, '{agency}', {TS})"))
    await conn.execute(text(
        "INSERT INTO status_updates (item_id, agency_id, status, note, user_id, channel, "
        f"created_at) VALUES ('2.1.1', 'skhdt', 'dang', 'Đã trình', 1, 'telegram', {TS})"))


migrated_db = upgraded_db("0004", _members_and_subscriptions)


async def test_members_of_merged_units_move_to_the_successor(migrated_db):
    url, schema = migrated_db
    got = await rows(url, schema, "SELECT user_id, agency_id, state FROM memberships "
                                  "ORDER BY id")
    assert got == [(1, "stc", "approved"),  # Sở KH&ĐT -> Sở Tài chính
                   (2, "sldtbxh", "approved"),  # split: asked when they next write
                   (3, "viet_yen", "approved"),  # former district: asked which commune
                   (4, "skhdt", "rejected"),  # history keeps its name
                   (5, "sxd", "pending")]  # a waiting request follows too


async def test_subscriptions_move_and_stay_one_per_chat_and_unit(migrated_db):
    url, schema = migrated_db
    got = await rows(url, schema, "SELECT chat_id, agency_id FROM subscriptions "
                                  "ORDER BY chat_id, agency_id")
    assert got == [(1, "stc"), (2, "snnmt"), (2, "viet_yen")]
    [update] = await rows(url, schema, "SELECT agency_id, item_id FROM status_updates")
    assert update == ("skhdt", "2.1.1")  # history: counted for Sở Tài chính when reported
