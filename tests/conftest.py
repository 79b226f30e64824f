"""Fixtures shared by all test directories."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from storage import Store, create_schema, make_engine
from tests.support.keys import TEST_KEYRING
from tests.support.pg import PostgresServer, PostgresUnavailable, start_postgres
from tests.support.processes import remember_markers

SKIP_POSTGRES_ENV = "SIGNAALPUNT_SKIP_POSTGRES"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before the fixtures: one of them may start a process (tests/support/processes.py).
    remember_markers(item)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the whole session (started on first use).

    Fails when PostgreSQL is not installed; skips only with SIGNAALPUNT_SKIP_POSTGRES=1.
    """
    if os.environ.get(SKIP_POSTGRES_ENV) == "1":
        pytest.skip(f"PostgreSQL tests skipped because {SKIP_POSTGRES_ENV}=1")
    try:
        server = start_postgres()
    except PostgresUnavailable as error:
        pytest.fail(f"cannot start PostgreSQL for the tests: {error}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()


# -- storage: tests using ``store`` or ``database_url`` run on SQLite and PostgreSQL ------


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
