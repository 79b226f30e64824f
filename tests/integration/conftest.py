"""Storage fixtures: tests using ``store`` or ``database_url`` run on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Store, create_schema, make_engine
from tests.keys import TEST_KEYRING
from tests.pg import PostgresServer


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
