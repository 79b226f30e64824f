"""Revision 0007_staff_reach on SQLite and PostgreSQL, with rows in the old forms: the staff
members' Telegram accounts move to ``staff_telegram_accounts``; outbox targets that were
raw Telegram user ids name the staff member (``staff:<id>``), and a pending one that names
nobody is marked unreached; the access history's raw Telegram ids and bare ``reporter``
take the typed forms. The downgrade puts the accounts and the targets back."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from core.lifecycle.parties import parse_actor, parse_target
from storage.migrations import head, status, upgrade
from tests.support.keys import TEST_KEYRING
from tests.support.migrations import (
    assert_append_only,
    downgrade_to,
    migrate_to,
    schema_differences,
)

BEFORE = "0006_express"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TIMESTAMP = sa.DateTime(timezone=True)
ANNA, ROSA, GONE = 1001, 2002, 9999  # GONE: a Telegram id no staff member has
STAFF = sa.table(
    "staff",
    *(sa.column(name) for name in ("id", "telegram_user_id", "display_name", "role")),
    *(sa.column(name) for name in ("username", "password_hash")),
    sa.column("created_at", TIMESTAMP),
)
OUTBOX = sa.table(
    "outbox",
    *(sa.column(name) for name in ("id", "kind", "target", "status", "attempts")),
    sa.column("payload", sa.JSON),
    *(sa.column(name, TIMESTAMP) for name in ("next_attempt_at", "created_at")),
)
AUDIT = sa.table(
    "audit_log",
    *(sa.column(name) for name in ("id", "actor", "action", "outcome")),
    sa.column("at", TIMESTAMP),
)
# (id, kind, target, status) in the old forms.
OLD_OUTBOX = [
    (1, "loket_card", "loket", "sent"),
    (2, "staff_details", str(ANNA), "pending"),
    (3, "staff_details", str(ANNA), "sent"),
    (4, "admin_alert", str(ROSA), "dead"),
    (5, "reporter_checkin", "reporter:7", "pending"),
    (6, "staff_card", str(GONE), "pending"),
    (7, "staff_card", str(GONE), "sent"),
]
OLD_AUDIT = [
    (1, str(ANNA), "sent:staff_details"),
    (2, "loket", "sent:reporter_reply"),
    (3, "staff:2", "view"),
    (4, "telegram:6666", "claim"),
    (5, "reporter", "erase"),
    (6, "cli", "invite"),
    (7, "system", "claim_reminder"),
    (8, "web", "login"),
]


async def _seed(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        for row in (
            {"id": 1, "telegram_user_id": ANNA, "display_name": "Anna", "role": "loket"},
            {"id": 2, "telegram_user_id": ROSA, "display_name": "Rosa", "role": "admin"},
            {"id": 3, "telegram_user_id": None, "display_name": "Wim", "role": "regisseur"},
        ):
            # Wim signs in to the dashboard only.
            web = {"username": "wim", "password_hash": "x"} if row["id"] == 3 else {}
            await connection.execute(STAFF.insert().values(**row, **web, created_at=T0))
        for id, kind, target, state in OLD_OUTBOX:
            await connection.execute(
                OUTBOX.insert().values(
                    id=id,
                    kind=kind,
                    target=target,
                    status=state,
                    attempts=0,
                    payload={},
                    next_attempt_at=T0,
                    created_at=T0,
                )
            )
        for _, actor, action in OLD_AUDIT:  # in this order (ids from the sequence)
            await connection.execute(
                AUDIT.insert().values(actor=actor, action=action, outcome="ok", at=T0)
            )


async def _rows(engine: AsyncEngine, query: str) -> list[tuple[object, ...]]:
    async with engine.connect() as connection:
        return [tuple(row) for row in await connection.execute(sa.text(query))]


async def test_old_addresses_are_rewritten_to_staff_ids(engine: AsyncEngine) -> None:
    await migrate_to(engine, BEFORE, keyring=None)
    await _seed(engine)

    await upgrade(engine, TEST_KEYRING)

    assert await status(engine) == (head(), head())
    assert await schema_differences(engine) == []
    accounts = await _rows(
        engine, "SELECT staff_id, telegram_user_id FROM staff_telegram_accounts ORDER BY staff_id"
    )
    assert accounts == [(1, ANNA), (2, ROSA)]  # Wim has a dashboard login only
    outbox = await _rows(engine, "SELECT id, target, status FROM outbox ORDER BY id")
    assert outbox == [
        (1, "loket", "sent"),
        (2, "staff:1", "pending"),
        (3, "staff:1", "sent"),
        (4, "staff:2", "dead"),
        (5, "reporter:7", "pending"),
        (6, str(GONE), "unreached"),  # nobody to deliver it to: not retried
        (7, str(GONE), "sent"),  # history, as it was
    ]
    assert all(parse_target(str(t)) is not None for _, t, s in outbox if s == "pending")
    audit = await _rows(engine, "SELECT actor FROM audit_log ORDER BY id")
    assert [actor for (actor,) in audit] == [
        "staff:1",
        "loket",
        "staff:2",
        "telegram:6666",
        "reporter:anonymous",
        "cli",
        "system",
        "web",
    ]
    assert all(parse_actor(str(actor)) is not None for (actor,) in audit)
    await assert_append_only(engine)  # the history is append-only again


async def test_the_downgrade_puts_the_accounts_back(engine: AsyncEngine) -> None:
    await migrate_to(engine, BEFORE, keyring=None)
    await _seed(engine)
    await upgrade(engine, TEST_KEYRING)

    await downgrade_to(engine, BEFORE)

    staff = await _rows(engine, "SELECT id, telegram_user_id FROM staff ORDER BY id")
    assert staff == [(1, ANNA), (2, ROSA), (3, None)]
    outbox = await _rows(engine, "SELECT id, target, status FROM outbox ORDER BY id")
    assert outbox[1:4] == [
        (2, str(ANNA), "pending"),
        (3, str(ANNA), "sent"),
        (4, str(ROSA), "dead"),
    ]
    assert outbox[5] == (6, str(GONE), "dead")

    def tables(connection: sa.Connection) -> set[str]:
        return set(sa.inspect(connection).get_table_names())

    async with engine.connect() as connection:
        assert "staff_telegram_accounts" not in await connection.run_sync(tables)
