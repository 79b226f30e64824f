"""How many dashboard password checks run at once, and how often one client may try.

A password check (Argon2id) takes tens of milliseconds of CPU and 64 MiB on purpose. Without
a bound, anyone on the internet can make the service check hundreds at once with made-up
usernames: memory grows by 64 MiB for each, and every other request (a resident's chat
step, a staff login) queues behind them. So:

- at most ``checks`` run at once; up to ``waiting`` more wait their turn (first come, first
  served: a staff member's login waits behind at most that many); past that, the answer is
  "busy, try again" at once, before anything is read from the database;
- one client (its address; behind the proxy, the address the proxy saw) has at most
  ``PER_CLIENT_AT_ONCE`` checks admitted at a time and ``per_minute`` a minute, so one
  source cannot fill the queue for everybody else.

The lockout per username (``StaffAuth.log_in``) is apart from this and holds however the
attempts are spread.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

from bot.web.client_counts import ClientCounts

PER_CLIENT_AT_ONCE = 2
# Seconds a refused client is asked to wait when every place is taken (the places drain in
# well under a second: a check takes tens of milliseconds).
BUSY_RETRY = 2


class LoginRefused(Exception):
    """Not checked now: too busy (503) or too many from this client (429)."""

    def __init__(self, status: int, retry_after: int) -> None:
        super().__init__(status)
        self.status = status
        self.retry_after = retry_after


class LoginGate:
    def __init__(
        self,
        *,
        checks: int,
        waiting: int,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._checks = checks
        self._places = checks + waiting
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._admitted = 0
        self._per_client = ClientCounts(per_minute, 60.0, clock)
        self._in_flight: dict[str, int] = {}

    @contextlib.asynccontextmanager
    async def admit(self, client: str) -> AsyncIterator[None]:
        """Hold a place for one password check of ``client`` (waiting for a free slot);
        raises ``LoginRefused`` at once when there is none."""
        if self._in_flight.get(client, 0) >= PER_CLIENT_AT_ONCE:
            raise LoginRefused(429, 1)
        wait = self._per_client.wait(client)
        if wait is not None:
            raise LoginRefused(429, wait)
        if self._admitted >= self._places:
            raise LoginRefused(503, BUSY_RETRY)
        self._admitted += 1
        self._in_flight[client] = self._in_flight.get(client, 0) + 1
        self._per_client.count(client)
        try:
            async with self._semaphore():
                yield
        finally:
            self._admitted -= 1
            left = self._in_flight[client] - 1
            if left:
                self._in_flight[client] = left
            else:
                del self._in_flight[client]

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:  # a new event loop (tests)
            self._slots, self._loop = asyncio.Semaphore(self._checks), loop
        return self._slots
