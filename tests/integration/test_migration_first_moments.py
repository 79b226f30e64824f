"""Revision 0004_first_moments on SQLite and PostgreSQL: the back-fill gives every signal the
moment of its earliest "claim" and "contact" event (whatever came after: a release and a new
pick-up, a reopening, a second contact), NULL without one; the downgrade drops both columns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.migrations import head, status, upgrade
from tests.support.keys import TEST_KEYRING
from tests.support.migrations import downgrade_to, migrate_to, schema_differences

BEFORE = "0003_web"
T0 = datetime(2026, 3, 28, 22, 30, 0, 123456, tzinfo=UTC)
TIMESTAMP = sa.DateTime(timezone=True)
SIGNALS = sa.table(
    "signals",
    *(sa.column(name) for name in ("id", "reference", "kind", "status", "urgent", "language")),
    sa.column("channel"),
    *(sa.column(name, sa.JSON) for name in ("observations", "help_wanted")),
    *(sa.column(name, TIMESTAMP) for name in ("status_at", "submitted_at", "created_at")),
)
EVENTS = sa.table(
    "signal_events",
    sa.column("signal_id"),
    sa.column("at", TIMESTAMP),
    sa.column("actor"),
    sa.column("action"),
)
# Per signal: its events (action, hours after T0), stored in this order.
HISTORIES: dict[int, list[tuple[str, float]]] = {
    1: [],
    2: [("claim", 1), ("release", 2), ("claim", 3), ("contact", 4), ("contact", 9)],
    3: [("claim_reminder", 1), ("claim", 30), ("close", 40), ("reopen", 50), ("claim", 60)],
    4: [("contact", 8), ("claim", 7), ("contact", 5)],  # written out of order
    5: [("claim", 0.5)],
}


def _at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours, microseconds=int(hours * 7))


async def _seed(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        for number, history in HISTORIES.items():
            await connection.execute(
                SIGNALS.insert().values(
                    id=number,
                    reference=f"SP-2026-{number:06d}",
                    kind="other",
                    status="new",
                    urgent=False,
                    language="nl",
                    channel="web",
                    observations=[],
                    help_wanted=[],
                    status_at=T0,
                    submitted_at=T0,
                    created_at=T0,
                )
            )
            for action, hours in history:
                await connection.execute(
                    EVENTS.insert().values(
                        signal_id=number, at=_at(hours), actor="staff:1", action=action
                    )
                )


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    found = datetime.fromisoformat(value) if isinstance(value, str) else value
    assert isinstance(found, datetime)
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


def _first(history: list[tuple[str, float]], action: str) -> datetime | None:
    return min((_at(h) for a, h in history if a == action), default=None)


async def test_the_back_fill_is_the_first_event_of_each(engine: AsyncEngine) -> None:
    await migrate_to(engine, BEFORE, keyring=None)
    await _seed(engine)

    await upgrade(engine, TEST_KEYRING)

    assert await status(engine) == (head(), head())
    assert await schema_differences(engine) == []
    async with engine.connect() as connection:
        rows = await connection.execute(
            sa.text("SELECT id, first_claimed_at, first_contacted_at FROM signals ORDER BY id")
        )
        found = {number: (_utc(claimed), _utc(contacted)) for number, claimed, contacted in rows}
    expected = {
        number: (_first(history, "claim"), _first(history, "contact"))
        for number, history in HISTORIES.items()
    }
    assert found == expected
    assert found[2] == (_at(1), _at(4))  # released and picked up again: the first stays
    assert found[4] == (_at(7), _at(5))


async def test_the_downgrade_drops_the_columns(engine: AsyncEngine) -> None:
    await upgrade(engine, TEST_KEYRING)

    await downgrade_to(engine, BEFORE)

    def columns(connection: sa.Connection) -> set[str]:
        return {c["name"] for c in sa.inspect(connection).get_columns("signals")}

    async with engine.connect() as connection:
        found = await connection.run_sync(columns)
    assert "created_at" in found
    assert not {"first_claimed_at", "first_contacted_at"} & found
    assert await status(engine) == (BEFORE, head())
