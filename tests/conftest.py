"""Fixtures shared by all test directories."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.pg import PostgresServer, PostgresUnavailable, start_postgres
from tests.support.processes import remember_markers

SKIP_POSTGRES_ENV = "SIGNAALPUNT_SKIP_POSTGRES"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before the fixtures: one of them may start a process (tests/support/processes.py).
    remember_markers(item)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the whole session (started on first use).

    Fails when PostgreSQL is not installed; skips only with SIGNAALPUNT_SKIP_POSTGRES=1.
    """
    if os.environ.get(SKIP_POSTGRES_ENV) == "1":
        pytest.skip(f"PostgreSQL tests skipped because {SKIP_POSTGRES_ENV}=1")
    try:
        server = start_postgres()
    except PostgresUnavailable as error:
        pytest.fail(f"cannot start PostgreSQL for the tests: {error}", pytrace=False)
    try:
        yield server
    finally:
        server.stop()
