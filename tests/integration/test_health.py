"""The health router in process (httpx's ASGI transport; tests/e2e/test_health.py covers
the real server): ready on a reachable database, not ready with a short public reason when
a check fails, hangs or raises, or while shutting down; /healthz answers regardless."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from bot.web.health import CHECK_TIMEOUT, Check, database_check, health_router, migrations_check
from bot.web.http import build_http_app
from storage import Store


def client(
    checks: list[Check], stopping: asyncio.Event | None = None, timeout: float = CHECK_TIMEOUT
) -> httpx.AsyncClient:
    app = build_http_app(health_router(checks, stopping, timeout=timeout))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://probe")


async def probe(http: httpx.AsyncClient, path: str = "/readyz") -> tuple[int, object]:
    response = await http.get(path)
    assert response.headers["cache-control"] == "no-store"
    return response.status_code, response.json()


def returning(reason: str | None) -> Check:
    async def check() -> str | None:
        return reason

    return check


async def test_ready_when_the_database_answers(store: Store) -> None:
    async with client([database_check(store.engine)]) as http:
        assert await probe(http) == (200, {"status": "ready"})
        assert await probe(http, "/healthz") == (200, {"status": "ok"})


async def test_a_failing_check_gives_503_with_its_reason() -> None:
    calls: list[str] = []

    async def later() -> str | None:
        calls.append("later")
        return None

    async with client([returning(None), returning("migrations not current"), later]) as http:
        assert await probe(http) == (
            503,
            {"status": "not ready", "reason": "migrations not current"},
        )
        assert await probe(http, "/healthz") == (200, {"status": "ok"})
    assert calls == []  # the first reason is the answer


async def test_an_unreachable_database_is_named_without_details_until_it_is_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # SQLite cannot open a file in a folder that does not exist (yet).
    folder = tmp_path / "later"
    engine = create_async_engine(f"sqlite+aiosqlite:///{folder / 'db.sqlite3'}")
    try:
        async with client([database_check(engine)]) as http:
            with caplog.at_level(logging.INFO, logger="bot.web.health"):
                first = await probe(http)
                second = await probe(http)
                folder.mkdir()
                back = await probe(http)
                still = await probe(http)
    finally:
        await engine.dispose()
    assert first == second == (503, {"status": "not ready", "reason": "database unreachable"})
    assert back == still == (200, {"status": "ready"})
    # Logged when it changed, not at every probe; the driver's message stays out.
    assert [r.getMessage() for r in caplog.records] == [
        "database unreachable: not ready",
        "database reachable again",
    ]


async def test_a_hanging_or_raising_check_still_gets_an_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def hangs() -> str | None:
        await asyncio.Event().wait()  # never set: only the probe's timeout ends it
        return None

    async def raises() -> str | None:
        raise RuntimeError("connection to db.internal:5432 as signaalpunt failed")

    async with client([hangs], timeout=0.05) as http:
        assert await probe(http) == (503, {"status": "not ready", "reason": "check timed out"})
    with caplog.at_level(logging.ERROR, logger="bot.web.health"):
        async with client([raises]) as http:
            status, body = await probe(http)
    assert (status, body) == (503, {"status": "not ready", "reason": "check failed"})
    assert "db.internal" not in str(body)
    assert [r.getMessage() for r in caplog.records] == ["a readiness check failed unexpectedly"]


async def test_shutting_down_is_not_ready_but_alive(store: Store) -> None:
    stopping = asyncio.Event()
    called: list[bool] = []
    reachable = database_check(store.engine)

    async def counted() -> str | None:
        called.append(True)
        return await reachable()

    async with client([counted], stopping) as http:
        assert (await probe(http))[0] == 200
        stopping.set()
        assert await probe(http) == (503, {"status": "not ready", "reason": "shutting down"})
        assert await probe(http, "/healthz") == (200, {"status": "ok"})
    assert called == [True]  # no database work for an instance on its way out


@pytest.mark.parametrize(
    ("current", "head", "reason"),
    [
        ("0003", "0003", None),
        (None, "0003", "database not migrated"),
        ("0002", "0003", "migrations not current"),
        ("0004", "0003", "migrations not current"),  # a newer database than this code
    ],
)
async def test_the_migrations_check(current: str | None, head: str, reason: str | None) -> None:
    async def status() -> tuple[str | None, str | None]:
        return current, head

    check: Callable[[], Awaitable[str | None]] = migrations_check(status)
    assert await check() == reason
