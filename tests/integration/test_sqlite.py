"""SQLite specifics of make_engine: directory creation and connection pragmas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage import create_schema, make_engine
from storage.database import OutdatedSchema


async def test_sqlite_engine_creates_directory_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "nested" / "signaalpunt.sqlite3"
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with engine.connect() as connection:
            journal_mode = await connection.scalar(text("PRAGMA journal_mode"))
            foreign_keys = await connection.scalar(text("PRAGMA foreign_keys"))
            busy_timeout = await connection.scalar(text("PRAGMA busy_timeout"))
    finally:
        await engine.dispose()
    assert path.parent.is_dir()
    assert (journal_mode, foreign_keys, busy_timeout) == ("wal", 1, 5000)


async def test_create_schema_refuses_an_older_database_untouched(tmp_path: Path) -> None:
    """``create_schema`` (the test fixtures') cannot migrate: it names what is missing and
    creates nothing, so ``signaalpunt db upgrade`` can still migrate the database
    (tests/integration/test_migrations_schema.py)."""
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        async with engine.begin() as connection:  # reporters as before encryption
            await connection.execute(
                text(
                    "CREATE TABLE reporters (id INTEGER PRIMARY KEY, channel VARCHAR(20), "
                    "channel_user_id VARCHAR(128), language VARCHAR(8), created_at DATETIME)"
                )
            )
        with pytest.raises(
            OutdatedSchema, match=r"older version.*reporters\.user_key.*signaalpunt db upgrade"
        ):
            await create_schema(engine)
        async with engine.connect() as connection:
            tables = await connection.scalars(text("SELECT name FROM sqlite_master"))
            assert list(tables) == ["reporters"]
    finally:
        await engine.dispose()


async def test_a_statement_is_one_hop_to_the_connections_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """storage.sqlite_driver: rows, counts, ids and errors as the DBAPI gives them, each
    statement one call on aiosqlite's thread (the hops are counted where aiosqlite queues
    them)."""
    hops: list[str] = []
    queue: Any = aiosqlite.Connection._execute  # untyped in aiosqlite

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(fn, "__name__", "?"))
        return await queue(self, fn, *args, **kwargs)

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'hops.db'}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        async with engine.connect() as connection:
            hops.clear()
            inserted = await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
            assert (inserted.rowcount, inserted.lastrowid) == (1, 1)
            assert hops == ["_run"]
            many = await connection.execute(
                text("INSERT INTO t (v) VALUES (:v)"), [{"v": "b"}, {"v": "c"}]
            )
            assert many.rowcount == 2
            rows = await connection.execute(text("SELECT id, v FROM t ORDER BY id"))
            assert list(rows.keys()) == ["id", "v"]
            assert rows.all() == [(1, "a"), (2, "b"), (3, "c")]
            assert hops == ["_run", "_run", "_run"]
            await connection.commit()
            with pytest.raises(IntegrityError):
                await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
            await connection.rollback()
            streamed = await connection.stream(text("SELECT v FROM t ORDER BY id"))
            assert [row.v async for row in streamed] == ["a", "b", "c"]
        hops.clear()
        async with engine.connect() as connection:  # committed: the pool's reset costs no hop
            await connection.execute(text("INSERT INTO t (v) VALUES ('d')"))
            await connection.commit()
        assert hops == ["_run", "commit"]
        async with engine.connect() as connection:  # left open: rolled back on its return
            await connection.execute(text("INSERT INTO t (v) VALUES ('e')"))
        async with engine.connect() as connection:
            assert (await connection.scalar(text("SELECT count(*) FROM t"))) == 4
    finally:
        await engine.dispose()
