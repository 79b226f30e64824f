"""SQLite write transactions, one at a time per engine, queued in-process in arrival order.

SQLite has one writer per file. Without this, each concurrent writer waited inside SQLite
(busy_timeout): it polls, unordered, and gives up after the timeout, so a burst of a hundred
chat steps made some fail with "database is locked". Now a transaction waits for an asyncio
lock (first come, first served, no timeout) at its first writing statement (a connection
event, so every writer takes part, whatever code it runs), and lets go once its COMMIT or
ROLLBACK is done.

Reads take no turn: in WAL mode they need no lock, so a long monitoring read never holds up a
chat step. Other processes on the same file (the CLI, a migration) still meet busy_timeout.
PostgreSQL has none of this: its writers run concurrently, each waiting only for its rows.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import await_only
from sqlalchemy.util.concurrency import in_greenlet

# Statements after which a SQLite connection holds (or is about to hold) the write lock.
_WRITES = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER"})
_HOLDS = "signaalpunt_write_turn"  # key in a connection's info: it holds the turn


class SqliteWriteGate:
    def __init__(self) -> None:
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def attach(self, engine: AsyncEngine) -> None:
        sync = engine.sync_engine
        event.listen(sync, "before_cursor_execute", self._before_execute)
        # Let go once COMMIT or ROLLBACK is done (the "commit" event comes before it, and
        # the next writer would then wait inside SQLite again). Each engine has a dialect
        # object of its own, so this wraps this engine's only.
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
        if connection.info.get(_HOLDS) or not in_greenlet():
            return
        words = statement.lstrip().split(None, 1)
        if not words or words[0].upper() not in _WRITES:
            return
        await_only(self._current().acquire())
        connection.info[_HOLDS] = True

    def _checked_in(self, _dbapi_connection: Any, record: Any) -> None:
        self._release(record.info)

    def _release_of(self, connection: PoolProxiedConnection) -> None:
        try:
            info = connection.info
        except NotImplementedError:  # the pool's first-connect check: no record, no turn
            return
        self._release(info)

    def _release(self, info: dict[Any, Any]) -> None:
        if info.pop(_HOLDS, False) and self._lock is not None and self._lock.locked():
            self._lock.release()
