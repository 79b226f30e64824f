"""Engine construction and schema creation for SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import await_only
from sqlalchemy.util.concurrency import in_greenlet

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


# Statements after which a SQLite connection holds (or is about to hold) the write lock.
_WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"})
_HOLDS_GATE = "signaalpunt_write_gate"  # key in the connection's info: it holds the gate


class SqliteWriteGate:
    """One write transaction at a time per SQLite engine, the others queued in order.

    SQLite has one writer per file. Without this, each concurrent writer waits inside SQLite
    (busy_timeout): it polls, unordered, and gives up after the timeout, so a burst of a
    hundred chat steps made some fail with "database is locked". Here a writer waits for an
    asyncio lock (first come, first served, no timeout) before its first writing statement,
    and lets go when its transaction ends. Reads take no part: in WAL mode they need no lock,
    so a long monitoring read never holds up a chat step. Other processes on the same file
    (the CLI, a migration) still meet the busy_timeout.
    """

    def __init__(self) -> None:
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def attach(self, engine: AsyncEngine) -> None:
        sync = engine.sync_engine
        event.listen(sync, "before_cursor_execute", self._before_execute)
        # Let go once COMMIT or ROLLBACK is done (the "commit" event comes before it, and
        # the next writer would then wait inside SQLite again). Each engine has its own
        # dialect object, so this wraps this engine's only.
        dialect = sync.dialect
        commit, rollback = dialect.do_commit, dialect.do_rollback

        def do_commit(connection: PoolProxiedConnection) -> None:
            try:
                commit(connection)
            finally:
                self._release_of(connection)

        def do_rollback(connection: PoolProxiedConnection) -> None:
            try:
                rollback(connection)
            finally:
                self._release_of(connection)

        dialect.do_commit = do_commit  # type: ignore[method-assign,assignment]
        dialect.do_rollback = do_rollback  # type: ignore[method-assign,assignment]
        # A connection returned to the pool mid-transaction (a cancelled task) lets go too.
        event.listen(sync.pool, "checkin", self._checked_in)

    def _current(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:  # a new event loop (tests, CLI)
            self._lock, self._loop = asyncio.Lock(), loop
        return self._lock

    def _before_execute(
        self,
        connection: Connection,
        _cursor: Any,
        statement: str,
        _parameters: Any,
        _context: Any,
        _executemany: bool,
    ) -> None:
        if connection.info.get(_HOLDS_GATE) or not in_greenlet():
            return
        if statement.lstrip().split(None, 1)[0].upper() not in _WRITES:
            return
        await_only(self._current().acquire())
        connection.info[_HOLDS_GATE] = True

    def _checked_in(self, _dbapi_connection: Any, record: Any) -> None:
        self._release(record.info)

    def _release_of(self, connection: PoolProxiedConnection) -> None:
        try:
            info = connection.info
        except NotImplementedError:  # the pool's first-connect check: no record, no gate
            return
        self._release(info)

    def _release(self, info: dict[Any, Any]) -> None:
        if info.pop(_HOLDS_GATE, False) and self._lock is not None and self._lock.locked():
            self._lock.release()


def make_engine(url: str) -> AsyncEngine:
    """Create an async engine for ``sqlite+aiosqlite://`` or ``postgresql+asyncpg://`` URLs.

    For a SQLite file the parent directory is created, and every connection gets WAL
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
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, hide_parameters=True)
    event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
    SqliteWriteGate().attach(engine)
    return engine


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
