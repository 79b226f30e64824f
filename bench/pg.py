"""A throw-away PostgreSQL server for the benchmarks (``tests.support.pg``: fsync off), and a fresh
database on it per run."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any


@contextlib.contextmanager
def postgres() -> Iterator[Any]:
    from tests.support.pg import start_postgres

    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


@contextlib.asynccontextmanager
async def pg_database(server: Any) -> AsyncIterator[str]:
    url = await server.create_database("bench")
    try:
        yield url
    finally:
        await server.drop_database(url)
