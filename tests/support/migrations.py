"""Helpers of the migration tests (tests/integration/test_migrations_*.py): an old
deployment's data (in the clear, in the frozen schema of tests/support/old_schema.py),
running Alembic to a revision, and looking at what a database holds and how its schema
differs from the models'. Their fixtures (``empty_database_url``, ``engine``,
``migration_log``) are in tests/integration/conftest.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.crypto import Keyring
from storage.migrations import exclusive, make_config
from storage.models import Base
from tests.support.old_schema import OLD

NOW = datetime(2026, 3, 23, 10, 0, tzinfo=UTC)

# What an old deployment holds, in the clear.
PHONE = "31612345678"  # a WhatsApp id is the phone number
STATE = {"step": "note", "answers": {"note": "Mevrouw Öztürk eet slecht"}, "language": "nl"}
REFERENCE = "SP-2026-0007"
PERSONAL = {
    "postcode": "4531AB",
    "person_contact": "buurvrouw Fatma, 0115-612345",
    "note": "Ze is erg alleen sinds de zomer",
    "reporter_name": "Jan de Vries",
    "reporter_phone": "0687654321",
}
QUESTION = "Weet u haar huisnummer?"
INBOX_ID = "wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQTVGQUJD"
INBOX_PAYLOAD = {"type": "text", "text": {"body": "Goedemorgen, nog één vraag"}}
PROCESSED_ID = "wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQ5OTk5OTk5"
LOKET_REF = "-100500:77"  # the loket card, edited later: kept as it is
REPORTER_REF = "wamid.HBgLMzE2MTIzNDU2NzgVAgARGBI5QUJDREVG"
CHAT_ID = "7654321987"
# (JSON was stored with non-ASCII escaped, so the state is recognised by its ASCII words.)
CLEAR = [PHONE, "Mevrouw", *PERSONAL.values(), QUESTION, "wamid.", "Goedemorgen", CHAT_ID]


def ran(log: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in log.records if r.getMessage().startswith("Running upgrade")]


async def migrate_to(engine: AsyncEngine, revision: str, keyring: Keyring | None) -> None:
    """Run Alembic to ``revision`` as ``alembic upgrade`` does (no adoption of an
    unversioned database; the keyring may be missing)."""

    def run(connection: sa.Connection) -> None:
        with exclusive(connection):
            command.upgrade(make_config(connection, keyring), revision)

    async with engine.connect() as connection:
        await connection.run_sync(run)


async def downgrade_to(engine: AsyncEngine, revision: str) -> None:
    """Run Alembic down to ``revision`` as ``alembic downgrade`` does."""

    def run(connection: sa.Connection) -> None:
        with exclusive(connection):
            command.downgrade(make_config(connection, None), revision)

    async with engine.connect() as connection:
        await connection.run_sync(run)


async def seed_old_data(engine: AsyncEngine) -> None:
    """One of everything personal, written as the last version before migrations did."""
    t = OLD.tables
    async with engine.begin() as connection:
        await connection.execute(
            t["reporters"].insert(),
            [
                {
                    "id": 1,
                    "channel": "whatsapp",
                    "channel_user_id": PHONE,
                    "language": "nl",
                    "created_at": NOW,
                    "last_inbound_at": NOW,
                },
                {
                    "id": 2,
                    "channel": "telegram",
                    "channel_user_id": CHAT_ID,
                    "language": "tr",
                    "created_at": NOW,
                    "last_inbound_at": None,
                },
            ],
        )
        await connection.execute(
            t["conversations"].insert().values(reporter_id=2, state=STATE, updated_at=NOW)
        )
        await connection.execute(
            t["signals"]
            .insert()
            .values(
                id=1,
                reference=REFERENCE,
                kind="other",
                status="new",
                urgent=False,
                language="nl",
                channel="whatsapp",
                reporter_id=1,
                status_at=NOW,
                submitted_at=NOW,
                created_at=NOW,
                role="neighbour",
                age_group="75_plus",
                observations=["not_seen"],
                help_wanted=[],
                area="axel",
                **PERSONAL,
            )
        )
        await connection.execute(
            t["signal_events"]
            .insert()
            .values(id=1, signal_id=1, at=NOW, actor="staff:1", action="question", note=QUESTION)
        )
        await connection.execute(
            t["audit_log"]
            .insert()
            .values(at=NOW, actor="staff:1", action="view", signal_id=1, outcome="ok")
        )
        outbox = {"signal_id": 1, "payload": {}, "status": "sent", "attempts": 1}
        times = {"next_attempt_at": NOW, "created_at": NOW, "sent_at": NOW}
        await connection.execute(
            t["outbox"].insert(),
            [
                {
                    **outbox,
                    **times,
                    "kind": "loket_card",
                    "target": "loket",
                    "delivered_ref": LOKET_REF,
                },
                {
                    **outbox,
                    **times,
                    "kind": "reporter_checkin",
                    "target": "reporter:1",
                    "delivered_ref": REPORTER_REF,
                },
            ],
        )
        await connection.execute(
            t["inbox"]
            .insert()
            .values(
                channel="whatsapp",
                message_id=INBOX_ID,
                sender=PHONE,
                payload=INBOX_PAYLOAD,
                received_at=NOW,
            )
        )
        await connection.execute(
            t["inbound_messages"]
            .insert()
            .values(channel="whatsapp", message_id=PROCESSED_ID, processed_at=NOW)
        )
        await connection.execute(
            t["chat_keyboards"]
            .insert()
            .values(channel="telegram", chat_id=CHAT_ID, message_id="99")
        )


async def dump(engine: AsyncEngine) -> str:
    """Every value of every table, as text: what someone holding only the database sees."""
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda c: sa.inspect(c).get_table_names())
        values: list[str] = []
        for name in sorted(names):
            rows = await connection.execute(sa.text(f'SELECT * FROM "{name}" ORDER BY 1'))
            values.extend(f"{name}: {row}" for row in rows)
    return "\n".join(values)


async def schema_differences(engine: AsyncEngine) -> list[Any]:
    """What Alembic's autogenerate would change to reach the models (tables, columns, types,
    nullability, indexes, unique constraints, foreign keys), plus primary keys, which it
    does not compare."""

    def compare(connection: sa.Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        found: list[Any] = list(compare_metadata(context, Base.metadata))
        inspector = sa.inspect(connection)
        for table in Base.metadata.sorted_tables:
            if table.name in inspector.get_table_names():
                pk = inspector.get_pk_constraint(table.name)["constrained_columns"]
                if sorted(pk) != sorted(table.primary_key.columns.keys()):
                    found.append(("primary key", table.name, pk))
        return found

    async with engine.connect() as connection:
        return await connection.run_sync(compare)


async def triggers(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        else:
            query = (
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass "
                "AND NOT tgisinternal ORDER BY tgname"
            )
        return list((await connection.execute(sa.text(query))).scalars())


async def assert_append_only(engine: AsyncEngine) -> None:
    expected = {
        "sqlite": ["audit_log_no_delete", "audit_log_no_update"],
        "postgresql": ["audit_log_append_only"],
    }
    assert await triggers(engine) == expected[engine.dialect.name]
    async with engine.begin() as connection:  # SQLite's triggers fire per row: have one
        await connection.execute(
            OLD.tables["audit_log"]
            .insert()
            .values(at=NOW, actor="system", action="test", outcome="ok")
        )
    for statement in ("UPDATE audit_log SET outcome = 'rewritten'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            async with engine.begin() as connection:
                await connection.execute(sa.text(statement))
