"""Simultaneous dashboard logins for one username get at most ``max_failed_logins``
passwords checked (a probe sent 40 at once: all 39 wrong passwords were checked and the right
one let in; 120 at once: 50 checked). The count of failures was read in one transaction,
the password checked outside it and the failure recorded in another, so every attempt saw
the same free places. Now an attempt is counted before its password is checked, in one
atomic step: on SQLite, and on PostgreSQL with two instances sharing the database.

The attempts come from different addresses (127.0.0.x), as a guesser with many would send
them, so the per-client limits of the login gate do not hide the lockout."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.app import App
from storage.models import AuditEntry
from tests.support.keys import TEST_KEY_ENV
from tests.support.pg import PostgresServer
from tests.support.web_harness import PASSWORD, WebService, add_web_staff, post_login, web_service

pytestmark = pytest.mark.e2e

MAX_FAILED = 5
# Room for every attempt at once: this test is about the lockout, not the busy answer.
ROOMY: dict[str, Any] = {
    "max_failed_logins": MAX_FAILED,
    "login_checks": 8,
    "login_waiting": 500,
    "login_attempts_per_minute": 1000,
}


async def attempt(base_url: str, source: int, password: str) -> int:
    transport = httpx.AsyncHTTPTransport(local_address=f"127.0.0.{source}")
    async with httpx.AsyncClient(base_url=base_url, transport=transport, timeout=120) as client:
        response = await post_login(client, "anna", password, "/loket/")
        return response.status_code


async def storm(base_urls: list[str], count: int) -> list[int]:
    """``count`` logins for anna at once, one with the right password, spread over the
    instances and over addresses."""
    right = random.Random(count).randrange(count)
    return await asyncio.gather(
        *(
            attempt(
                base_urls[n % len(base_urls)],
                2 + n % 250,
                PASSWORD if n == right else f"wrong guess number {n}",
            )
            for n in range(count)
        )
    )


async def checked_passwords(app: App) -> int:
    """Attempts whose password was checked: refused as wrong, or let in."""
    async with app.store.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(AuditEntry.outcome).where(AuditEntry.action == "login")
        )
        outcomes = [outcome for (outcome,) in rows]
    assert len(outcomes) > 0
    return sum(outcome in ("refused:credentials", "ok") for outcome in outcomes)


@pytest.mark.parametrize("count", [40, 120])
async def test_simultaneous_guesses_on_sqlite(tmp_path: Path, count: int) -> None:
    async with web_service(tmp_path, run_outbox=False, **ROOMY) as svc:
        await add_web_staff(svc.app, "anna")
        statuses = await storm([svc.base_url], count)
        assert statuses.count(303) <= 1
        assert await checked_passwords(svc.app) <= MAX_FAILED


@contextlib.asynccontextmanager
async def two_instances(tmp_path: Path, url: str, **extra: Any) -> AsyncIterator[list[WebService]]:
    async with (
        web_service(tmp_path / "a", run_outbox=False, database_url=url, **extra) as first,
        web_service(tmp_path / "b", run_outbox=False, database_url=url, **extra) as second,
    ):
        yield [first, second]


@pytest.mark.postgres
@pytest.mark.parametrize("count", [40, 120])
async def test_simultaneous_guesses_on_two_instances_sharing_postgresql(
    tmp_path: Path, postgres_server: PostgresServer, count: int
) -> None:
    url = await postgres_server.create_database()
    keys = {  # one keyring for both: the same username hashes to the same subject
        "encryption_keys": TEST_KEY_ENV["SIGNAALPUNT_ENCRYPTION_KEYS"],
        "index_key": TEST_KEY_ENV["SIGNAALPUNT_INDEX_KEY"],
    }
    try:
        async with two_instances(tmp_path, url, **ROOMY, **keys) as services:
            await add_web_staff(services[0].app, "anna")
            statuses = await storm([s.base_url for s in services], count)
            assert statuses.count(303) <= 1
            assert await checked_passwords(services[0].app) <= MAX_FAILED
    finally:
        await postgres_server.drop_database(url)
