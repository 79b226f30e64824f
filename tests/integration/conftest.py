"""Storage fixtures: tests using ``store`` or ``database_url`` run on SQLite and PostgreSQL,
and so do the migration tests, using ``engine`` on an ``empty_database_url``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import Store, create_schema, make_engine
from tests.support.keys import TEST_KEYRING
from tests.support.pg import PostgresServer


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """URL of an empty database with the schema created (a fresh one per test)."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'db' / 'signaalpunt.sqlite3'}"
        server: PostgresServer | None = None
    else:
        server = request.getfixturevalue("postgres_server")
        assert server is not None
        url = await server.create_database()
    engine = make_engine(url)
    try:
        await create_schema(engine)
    finally:
        await engine.dispose()
    yield url
    if server is not None:
        await server.drop_database(url)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """A Store on a fresh database; its engine is disposed after the test."""
    engine = make_engine(database_url)
    try:
        yield Store(engine, TEST_KEYRING)
    finally:
        await engine.dispose()


# -- the migration tests (tests/integration/test_migrations_*.py) --------------------------


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """URL of an empty database, without any table (unlike ``database_url``)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'signaalpunt.sqlite3'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = await server.create_database()
    yield url
    await server.drop_database(url)


@pytest.fixture
async def engine(empty_database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the empty database; disposed after the test."""
    engine = make_engine(empty_database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def migration_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Alembic logs each revision it runs ("Running upgrade A -> B")."""
    caplog.set_level(logging.INFO, logger="alembic")
    return caplog
