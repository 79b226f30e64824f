"""The readiness probe's own view of the database: can this instance do its work now?

It uses connections of its own (no pool), so a probe never waits behind the chat steps
queued for the service's pool (a busy service is not an unready one), and it asks what the
work needs: a write. On SQLite that is the file's one write lock (``BEGIN IMMEDIATE``, then
``ROLLBACK``: nothing is written), which another process can hold for as long as it likes;
on PostgreSQL a primary rather than a read-only standby.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool


class DatabaseProbe:
    def __init__(self, url: str, timeout: float) -> None:
        parsed = make_url(url)
        self._timeout = timeout
        self._sqlite_path: str | None = None
        connect_args: dict[str, Any] = {}
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                self._sqlite_path = str(Path(database).expanduser())
        else:
            connect_args["timeout"] = timeout  # asyncpg: connecting, at most
        self.engine: AsyncEngine = create_async_engine(
            url, poolclass=NullPool, hide_parameters=True, connect_args=connect_args
        )

    async def writable(self) -> bool:
        """Whether a write could start now (waiting at most the probe's timeout)."""
        if self._sqlite_path is not None:
            return await asyncio.to_thread(_sqlite_writable, self._sqlite_path, self._timeout)
        async with self.engine.connect() as connection:
            if self.engine.dialect.name != "postgresql":
                return True
            standby = await connection.scalar(text("SELECT pg_is_in_recovery()"))
            return not standby

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_writable(path: str, timeout: float) -> bool:
    try:
        # mode=rw: a missing file is not created here (it means not migrated, not writable).
        uri = f"{Path(path).resolve().as_uri()}?mode=rw"
        connection = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
    except sqlite3.Error:
        return False
    with contextlib.closing(connection):
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # locked by another writer for longer than timeout
            return False
        connection.execute("ROLLBACK")
    return True
