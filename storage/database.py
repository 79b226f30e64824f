"""Engine construction and schema creation for SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from .models import Base
from .sqlite_driver import one_hop_dbapi
from .write_gate import SqliteWriteGate

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

    For a SQLite file the parent directory and the file are created private (see
    ``private_database_file``), and every connection gets WAL
    journaling, a 5 s busy timeout and enforced foreign keys; write transactions are
    queued in-process (``SqliteWriteGate``).
    """
    parsed = make_url(url)
    # A failed statement's error message would otherwise show its parameters: personal
    # data (before encryption, when binding fails) in a log.
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, hide_parameters=True)

    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        private_database_file(Path(database).expanduser())
    # One thread hop per statement instead of four (storage.sqlite_driver, ADR 0113).
    engine = create_async_engine(url, hide_parameters=True, module=one_hop_dbapi())
    event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
    SqliteWriteGate().attach(engine)
    return engine


# The files SQLite keeps beside the database while it is open.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_database_file(path: Path) -> None:
    """Create the SQLite file (and its directory, when missing) readable by this user only,
    whatever the umask: 0600 in a 0700 directory. SQLite gives the ``-wal`` and ``-shm``
    files it creates the database file's mode, so they are private too. A file left readable
    by others (made before this rule) is made private."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(descriptor)
    for file in (path, *(path.with_name(path.name + suffix) for suffix in SQLITE_COMPANIONS)):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            if file.stat().st_mode & 0o077:
                file.chmod(0o600)


class OutdatedSchema(RuntimeError):
    """The database's schema is not the one this version needs, and was not migrated."""


async def create_schema(engine: AsyncEngine) -> None:
    """Create the current schema with ``create_all``: for the test fixtures and benchmarks,
    on a new database, because it is faster than running every migration. The service
    migrates instead (``storage.migrations.upgrade``), and so must any database with data.

    A database whose tables lack columns is refused before anything is created, naming
    what is missing, so ``signaalpunt db upgrade`` can still migrate it."""
    async with engine.begin() as connection:
        missing = await connection.run_sync(_missing_columns)
        if not missing:
            await connection.run_sync(Base.metadata.create_all)
    if missing:
        raise OutdatedSchema(
            "the database was made by an older version of Signaalpunt (missing: "
            + ", ".join(missing[:5])
            + (", ..." if len(missing) > 5 else "")
            + "); migrate it with `signaalpunt db upgrade`"
        )


def _missing_columns(connection: Connection) -> list[str]:
    """Columns of the models missing from tables that exist (absent tables are not)."""
    inspector = inspect(connection)
    existing = set(inspector.get_table_names())
    missing: list[str] = []
    for table in Base.metadata.sorted_tables:
        if table.name not in existing:
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        missing.extend(f"{table.name}.{c.name}" for c in table.columns if c.name not in present)
    return missing
