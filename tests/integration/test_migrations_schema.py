"""The Alembic migrations' schema, on SQLite and PostgreSQL: a new database gets exactly the
models' schema, the baseline revision exactly the schema before migrations; upgrading again
or a database made by ``create_all`` runs nothing; a database of no known version, or of a
newer one, is refused."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import create_schema
from storage.database import OutdatedSchema
from storage.migrations import BASELINE, BASELINE_COLUMNS, head, status, upgrade
from tests.support.keys import TEST_KEYRING
from tests.support.migrations import (
    assert_append_only,
    dump,
    migrate_to,
    ran,
    schema_differences,
    triggers,
)
from tests.support.old_schema import OLD


async def test_a_new_database_gets_exactly_the_models_schema(engine: AsyncEngine) -> None:
    assert await status(engine) == (None, head())
    await upgrade(engine, TEST_KEYRING)
    assert await status(engine) == (head(), head())
    assert await schema_differences(engine) == []
    await assert_append_only(engine)


async def test_the_baseline_is_the_schema_before_migrations(engine: AsyncEngine) -> None:
    await migrate_to(engine, BASELINE, keyring=None)

    def compare(connection: sa.Connection) -> tuple[list[Any], dict[str, frozenset[str]]]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        inspector = sa.inspect(connection)
        columns = {
            name: frozenset(c["name"] for c in inspector.get_columns(name))
            for name in inspector.get_table_names()
            if name != "alembic_version"
        }
        return list(compare_metadata(context, OLD)), columns

    async with engine.connect() as connection:
        differences, columns = await connection.run_sync(compare)
    assert differences == []
    assert columns == BASELINE_COLUMNS
    assert await status(engine) == (BASELINE, head())
    assert await triggers(engine) == []  # the old version had no append-only audit log


async def test_upgrading_twice_changes_nothing(
    engine: AsyncEngine, migration_log: pytest.LogCaptureFixture
) -> None:
    await upgrade(engine, TEST_KEYRING)
    before = await dump(engine)
    migration_log.clear()
    await upgrade(engine, TEST_KEYRING)
    assert ran(migration_log) == []
    assert await dump(engine) == before
    assert await status(engine) == (head(), head())


async def test_a_database_made_by_create_all_is_adopted_at_head(
    engine: AsyncEngine, migration_log: pytest.LogCaptureFixture
) -> None:
    """The test fixtures make the schema with ``create_schema`` (faster); an app built on
    such a database must neither re-run the revisions nor add the triggers again."""
    await create_schema(engine)
    await upgrade(engine, TEST_KEYRING)
    assert ran(migration_log) == []
    assert await status(engine) == (head(), head())
    await assert_append_only(engine)


async def test_a_database_of_no_known_version_is_refused_untouched(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:  # reporters as before encryption, nothing else
        await connection.run_sync(OLD.tables["reporters"].create)
    with pytest.raises(
        OutdatedSchema,
        match=r"match no known version \(missing tables: audit_log, chat_keyboards, ",
    ):
        await upgrade(engine, TEST_KEYRING)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda c: sa.inspect(c).get_table_names())
    assert names == ["reporters"]


async def test_a_revision_of_a_newer_version_is_named(engine: AsyncEngine) -> None:
    await upgrade(engine, TEST_KEYRING)
    async with engine.begin() as connection:
        await connection.execute(sa.text("UPDATE alembic_version SET version_num = '0099_later'"))
    assert await status(engine) == ("0099_later", head())
    with pytest.raises(OutdatedSchema, match="at revision 0099_later, which this version does not"):
        await upgrade(engine, TEST_KEYRING)
