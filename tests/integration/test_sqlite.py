"""SQLite specifics of make_engine: directory creation and connection pragmas."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from storage import make_engine


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
