"""Health endpoints for the container platform and load balancer.

``GET /healthz``: the process is up (no I/O: a slow database must not get the process
restarted). ``GET /readyz``: it can do its work: every check passes, and it is not shutting
down. The database checks use connections of their own (``storage.probe``): a service busy
with chat steps is ready, one whose writes fail (another process holding SQLite's write
lock, a PostgreSQL standby) is not. A check is a coroutine function returning None when
fine, else a short reason; the reason is public (the HTTP server faces the internet for the
webhooks), so it names what failed, never why in detail (no exception texts, which may hold
hosts or user names).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.probe import DatabaseProbe

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[str | None]]
CHECK_TIMEOUT = 2.0  # seconds per check; probes usually time out after a few seconds
# Probe answers are about this moment: nothing in between may keep them.
NO_STORE = {"Cache-Control": "no-store"}


def health_router(
    checks: Sequence[Check],
    stopping: asyncio.Event | None = None,
    *,
    timeout: float = CHECK_TIMEOUT,
) -> APIRouter:
    """``/healthz`` and ``/readyz``; ``stopping`` set means shutting down (not ready)."""
    router = APIRouter()

    @router.get("/healthz")
    async def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok"}, headers=NO_STORE)

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        reason = "shutting down" if stopping is not None and stopping.is_set() else None
        for check in checks:
            if reason is not None:
                break
            reason = await _run(check, timeout)
        if reason is not None:
            body = {"status": "not ready", "reason": reason}
            return JSONResponse(body, status_code=503, headers=NO_STORE)
        return JSONResponse({"status": "ready"}, headers=NO_STORE)

    return router


async def _run(check: Check, seconds: float) -> str | None:
    """A check that hangs or raises means not ready; the probe still gets its answer."""
    try:
        async with asyncio.timeout(seconds):
            return await check()
    except TimeoutError:
        return "check timed out"
    except Exception:
        log.exception("a readiness check failed unexpectedly")
        return "check failed"


def database_check(engine: AsyncEngine, timeout: float = CHECK_TIMEOUT) -> Check:
    """The database answers ``SELECT 1`` within ``timeout`` seconds."""
    reachable = True  # changes are logged, not every probe (one every few seconds)

    async def check() -> str | None:
        nonlocal reachable
        try:
            async with asyncio.timeout(timeout), engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # a timeout too
            if reachable:
                # With the type only (bot/logs.py): a driver's message may name the host.
                log.warning("database unreachable: not ready", exc_info=True)
            reachable = False
            return "database unreachable"
        if not reachable:
            log.info("database reachable again")
        reachable = True
        return None

    return check


def write_check(probe: DatabaseProbe) -> Check:
    """The database answers on a connection of the probe's own and could take a write now."""
    state = "ok"  # changes are logged, not every probe (one every few seconds)

    async def check() -> str | None:
        nonlocal state
        try:
            writable = await probe.writable()
            now = "ok" if writable else "database cannot take writes"
        except Exception:
            writable, now = False, "database unreachable"
        if now != state:
            if now == "ok":
                log.info("database takes writes again")
            else:
                log.warning("%s: not ready", now)
        state = now
        return None if writable else now

    return check


def migrations_check(status: Callable[[], Awaitable[tuple[str | None, str | None]]]) -> Check:
    """Ready when the database is at the code's migration head. ``status`` returns
    (current, head), e.g. ``functools.partial(storage.migrations.status, engine)``."""

    async def check() -> str | None:
        current, head = await status()
        if current == head:
            return None
        return "database not migrated" if current is None else "migrations not current"

    return check
