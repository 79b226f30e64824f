"""``/readyz`` said 503 "check timed out" under load (its check queued behind chat steps
for a pooled connection) yet 200 while every write failed (another process held SQLite's
write lock for 15 s: a chat step and a login got a 500 after 5-10 s). Readiness now asks on
connections of its own whether a write could start, and a step or login that cannot be
written is answered "try again", keeping the question and what was typed."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.support.web_harness import PASSWORD, add_web_staff, post_login, web_service

pytestmark = pytest.mark.e2e

SAVE_FAILED = "Sorry, er ging iets mis bij het opslaan."
BUSY = "Inloggen is nu erg druk"


@contextlib.contextmanager
def write_lock_held(database: Path) -> Iterator[None]:
    """Another process's writer (a CLI, a backup tool) holding SQLite's one write lock."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(database, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            holding.set()
            release.wait()
            connection.execute("ROLLBACK")
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(10)
        yield
    finally:
        release.set()
        thread.join()


def prompt_of(page: str) -> str:
    prompts: list[str] = re.findall(r'name="prompt" value="([^"]+)"', page)
    assert prompts
    return prompts[-1]


def nonce_of(page: str) -> str:
    found = re.search(r'name="nonce" value="([^"]+)"', page)
    assert found is not None
    return found[1]


async def test_ready_means_writes_can_start_and_failed_writes_ask_to_try_again(
    tmp_path: Path,
) -> None:
    async with web_service(tmp_path, run_outbox=False) as svc:
        await add_web_staff(svc.app, "anna")
        async with httpx.AsyncClient(base_url=svc.base_url, timeout=60) as resident:
            first = await resident.get("/chat")
            start = {"nonce": nonce_of(first.text), "text": "Hallo"}
            assert (await resident.post("/chat", data=start)).status_code == 303
            before = (await resident.get("/chat")).text
            assert (await resident.get("/readyz")).json() == {"status": "ready"}

            with write_lock_held(tmp_path / "signaalpunt.db"):
                ready = await resident.get("/readyz")
                assert ready.status_code == 503
                assert ready.json()["reason"] == "database cannot take writes"

                step = {"nonce": nonce_of(before), "text": "Mijn buurvrouw"}
                failed = await resident.post("/chat", data=step)
                assert failed.status_code == 503
                assert failed.headers["retry-after"].isdigit()
                assert SAVE_FAILED in failed.text
                assert prompt_of(failed.text) == prompt_of(before)  # the question stands
                assert 'value="Mijn buurvrouw"' in failed.text  # what was typed, offered again

                async with httpx.AsyncClient(base_url=svc.base_url, timeout=60) as staff:
                    login = await post_login(staff, "anna", PASSWORD, "/loket/")
                    assert login.status_code == 503
                    assert BUSY in login.text
                    assert 'value="anna"' in login.text

            assert (await resident.get("/readyz")).json() == {"status": "ready"}
            again = await resident.post("/chat", data=step | {"nonce": nonce_of(failed.text)})
            assert again.status_code == 303


async def test_ready_while_every_pooled_connection_is_busy(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False) as svc:
        engine = svc.app.database
        pool_size = engine.pool.size() + engine.pool._max_overflow  # type: ignore[attr-defined]
        async with contextlib.AsyncExitStack() as held:
            busy: list[AsyncConnection] = [
                await held.enter_async_context(engine.connect()) for _ in range(pool_size)
            ]
            assert len(busy) == pool_size
            async with httpx.AsyncClient(base_url=svc.base_url, timeout=30) as probe:
                answers = await asyncio.gather(*(probe.get("/readyz") for _ in range(3)))
            assert [a.json() for a in answers] == [{"status": "ready"}] * 3
