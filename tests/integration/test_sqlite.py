"""SQLite specifics of make_engine: directory creation and connection pragmas."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

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
