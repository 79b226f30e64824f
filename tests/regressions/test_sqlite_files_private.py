"""The SQLite database, its -wal and -shm were created 0644 in a 0755 ``var/`` (keys.json
was 0600): anyone on the machine could copy them. They are now created readable by the
service's user only, whatever the umask, and a directory made for them is 0700."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage import make_engine


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # what most shells have
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("permissive_umask")
async def test_the_database_and_its_companions_are_private(tmp_path: Path) -> None:
    var = tmp_path / "var"
    database = var / "signaalpunt.db"
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (x INTEGER)"))
            await connection.execute(text("INSERT INTO t VALUES (1)"))
        async with engine.connect() as connection:  # WAL: -wal and -shm exist while open
            await connection.execute(text("SELECT x FROM t"))
            companions = [database.with_name(database.name + s) for s in ("-wal", "-shm")]
            assert all(path.exists() for path in companions)
            assert {path.name: mode(path) for path in [database, *companions]} == {
                path.name: 0o600 for path in [database, *companions]
            }
    finally:
        await engine.dispose()
    assert mode(var) == 0o700


@pytest.mark.usefixtures("permissive_umask")
async def test_a_database_left_readable_is_made_private(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    database = shared / "old.db"
    database.touch(mode=0o644)
    database.chmod(0o644)
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    await engine.dispose()
    assert mode(database) == 0o600
    assert mode(shared) == 0o755  # a directory that was there already is the operator's
