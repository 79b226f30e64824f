"""Engine construction and schema creation for SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from .models import Base

SQLITE_PRAGMAS: tuple[str, ...] = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA foreign_keys=ON",
)


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def make_engine(url: str) -> AsyncEngine:
    """Create an async engine for ``sqlite+aiosqlite://`` or ``postgresql+asyncpg://`` URLs.

    For a SQLite file the parent directory is created, and every connection gets WAL
    journaling, a 5 s busy timeout and enforced foreign keys.
    """
    parsed = make_url(url)
    # A failed statement's error message would otherwise show its parameters: personal
    # data (before encryption, when binding fails) in a log.
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)

    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, hide_parameters=True)
    event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
    return engine


class OutdatedSchema(RuntimeError):
    """The database was made by an older version (missing tables or columns)."""


async def create_schema(engine: AsyncEngine) -> None:
    """Create all tables that do not exist yet (Alembic migrations will replace this), and
    refuse, naming what is missing, a database whose tables lack columns we need."""
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
        missing = await connection.run_sync(_missing_columns)
    if missing:
        raise OutdatedSchema(
            "the database was made by an older version of Signaalpunt (missing: "
            + ", ".join(missing[:5])
            + (", ..." if len(missing) > 5 else "")
            + "); until migrations arrive, move it aside and start with a new one"
        )


def _missing_columns(connection: Connection) -> list[str]:
    inspector = inspect(connection)
    missing: list[str] = []
    for table in Base.metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        missing.extend(f"{table.name}.{c.name}" for c in table.columns if c.name not in present)
    return missing
