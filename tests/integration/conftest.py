"""The migration tests' fixtures: ``engine`` on an ``empty_database_url``, on SQLite and
PostgreSQL (``store`` and ``database_url``, on both as well, are in tests/conftest.py)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import make_engine
from tests.support.pg import PostgresServer

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
