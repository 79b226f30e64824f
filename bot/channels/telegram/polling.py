"""Long polling: no public URL needed.

The next getUpdates is fetched while earlier updates are still being handled, so a slow chat
does not hold up the others (no head-of-line blocking per batch). A chat's updates are handled
one at a time, in order. The offset sent to Telegram acknowledges an update only once it and
every update before it were handled: if the process dies, Telegram offers the unhandled ones
again, and the update-id record makes a redelivered update that was in fact handled a no-op.

Telegram has no way to fetch past an unacknowledged update without acknowledging it, so while
updates are in flight a poll returns them again (from the lowest unhandled one); those are
skipped before they are parsed (parsing them again cost half the bot's CPU at 50 chats), and
only newer updates are handed out.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, cast

from telegram import Update
from telegram.error import NetworkError, RetryAfter
from telegram.ext import ExtBot

from bot.outbox.worker import first_of

from .client import POLL_TIMEOUT, seconds
from .updates import ALLOWED_UPDATES, TelegramUpdates, chat_key

log = logging.getLogger(__name__)
MAX_BACKOFF = 30.0
# Updates fetched but not handled yet, at most: one getUpdates batch, as many as the batch-at-a-
# time loop this replaces handled at once. Beyond it Telegram keeps them (back-pressure).
MAX_IN_FLIGHT = 100
# While updates are in flight a poll cannot wait at Telegram (it returns the unacknowledged ones
# at once), so polls come this often until nothing is in flight (then a long poll again): the
# delay a new update can see while others are handled. 50 ms while a poll cost 1-2 ms of CPU
# (httpx); over aiohttp and orjson (ADR 0116) one costs about 0.2 ms, and at 10 ms the reply
# p99 at a person's pace fell from 79 to 58 ms at 20 ms to Telegram (11 ms at 0 ms) with no
# more CPU per update at saturation (docs/perf-plan.md).
REPOLL = 0.01


class InFlight:
    """Updates handed out and not yet handled; one worker per chat keeps each chat in order."""

    def __init__(self, handle: Callable[[Update], Awaitable[None]], limit: int) -> None:
        self._handle = handle
        self._limit = limit
        self._unhandled: set[int] = set()
        self._queues: dict[int, deque[Update]] = {}
        self._workers: set[asyncio.Task[None]] = set()
        self._changed = asyncio.Event()
        self.last_seen: int | None = None

    @property
    def busy(self) -> bool:
        return bool(self._unhandled)

    @property
    def room(self) -> int:
        return self._limit - len(self._unhandled)

    @property
    def offset(self) -> int | None:
        """What to acknowledge: everything below the lowest update not handled yet."""
        if self._unhandled:
            return min(self._unhandled)
        return None if self.last_seen is None else self.last_seen + 1

    def add(self, batch: Iterable[Update]) -> int:
        """Hand out the updates not seen before; how many there were."""
        new = 0
        for update in batch:
            if self.last_seen is not None and update.update_id <= self.last_seen:
                continue  # offered again because an earlier one is still in flight
            self.last_seen = update.update_id
            self._unhandled.add(update.update_id)
            key = chat_key(update)
            queue = self._queues.get(key)
            if queue is None:
                queue = self._queues[key] = deque()
                worker = asyncio.create_task(self._work(key, queue))
                self._workers.add(worker)
                worker.add_done_callback(self._workers.discard)
            queue.append(update)
            new += 1
        return new

    async def _work(self, key: int, queue: deque[Update]) -> None:
        try:
            while queue:
                update = queue[0]
                await self._handle(update)  # logs its own errors; only cancellation escapes
                # Not on cancellation: an update cut off halfway must stay unacknowledged.
                queue.popleft()
                self._unhandled.discard(update.update_id)
                self._changed.set()
                self._changed = asyncio.Event()
        finally:
            del self._queues[key]

    async def changed(self, stop: asyncio.Event, within: float | None) -> None:
        """Wait until an update finished, ``stop`` is set, or ``within`` seconds passed."""
        waiters = [asyncio.create_task(self._changed.wait()), asyncio.create_task(stop.wait())]
        try:
            await asyncio.wait(waiters, timeout=within, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def quiet(self, stop: asyncio.Event, within: float) -> None:
        """Wait until nothing is in flight, ``stop`` is set, or ``within`` seconds passed."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while self.busy and not stop.is_set():
                    await self.changed(stop, None)

    async def drain(self) -> None:
        while self._workers:
            await asyncio.wait(set(self._workers))

    async def cancel(self) -> None:
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)


async def poll(
    bot: ExtBot[int],
    updates: TelegramUpdates,
    stop: asyncio.Event,
    hold: int = POLL_TIMEOUT,
    max_in_flight: int = MAX_IN_FLIGHT,
) -> None:
    """Fetch and handle updates until ``stop`` is set; then finish the updates in flight.

    Chats are handled concurrently, each chat's updates in order, and an update is
    acknowledged (offset) only after it and all earlier ones were handled.
    """
    await bot.delete_webhook()
    flight = InFlight(updates.handle, max_in_flight)
    try:
        await _fetch_until(bot, updates, flight, stop, hold)
    except BaseException:
        await flight.cancel()
        raise
    await flight.drain()
    await updates.flush()


async def _fetch_until(
    bot: ExtBot[int], updates: TelegramUpdates, flight: InFlight, stop: asyncio.Event, hold: int
) -> None:
    # The handled updates' live-buttons records are written while the next poll waits at
    # Telegram, one batch at a time (ADR 0114): the poll no longer queues behind a write.
    flushes: list[asyncio.Task[None]] = []
    try:
        await _fetch(bot, updates, flight, stop, hold, flushes)
    finally:
        await asyncio.gather(*flushes)  # the last batch written before poll() flushes again


async def _fetch(
    bot: ExtBot[int],
    updates: TelegramUpdates,
    flight: InFlight,
    stop: asyncio.Event,
    hold: int,
    flushes: list[asyncio.Task[None]],
) -> None:
    backoff = 1.0
    while not stop.is_set():
        if flight.room <= 0:
            await flight.changed(stop, None)  # back-pressure: Telegram keeps the rest for now
            continue
        if not flushes or flushes[-1].done():
            flushes[:] = [asyncio.create_task(updates.flush())]
        started = asyncio.get_running_loop().time()
        fetch = asyncio.create_task(
            _new_updates(bot, flight) if flight.busy else _idle_poll(bot, flight.offset, hold)
        )
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if stop.is_set():
            # Only the poll is cut off; updates being handled are finished by poll().
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, NetworkError):
                await fetch
            return
        try:
            batch = fetch.result()
        except RetryAfter as error:
            await first_of(stop, within=seconds(error.retry_after))
            continue
        except NetworkError as error:  # includes timeouts; Telegram or the network is down
            log.warning("getUpdates failed (%s); retrying in %.0f s", error.message, backoff)
            await first_of(stop, within=backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
            continue
        backoff = 1.0
        flight.add(batch)
        if flight.busy:
            # REPOLL from this poll's start: a poll that took a round trip to Telegram as
            # long as REPOLL is followed at once (the wait for the next poll to reach
            # Telegram was the largest part of the reply p99 at 20 ms).
            spent = asyncio.get_running_loop().time() - started
            await flight.quiet(stop, max(REPOLL - spent, 0.0))


async def _idle_poll(bot: ExtBot[int], offset: int | None, hold: int) -> tuple[Update, ...]:
    # Nothing in flight: a long poll, and nothing in it was seen before.
    return await bot.get_updates(offset=offset, timeout=hold, allowed_updates=list(ALLOWED_UPDATES))


async def _new_updates(bot: ExtBot[int], flight: InFlight) -> list[Update]:
    """A short poll while updates are in flight: only those not seen before are parsed.

    PTB's ``get_updates`` parses every update returned, and here most are the unacknowledged
    ones being handled; ``_post`` is the call it makes (on the getUpdates connection pool,
    outside the rate limiter), without the parsing. ExtBot's callback-data cache, which
    get_updates would fill, is not used by this bot.
    """
    data: dict[str, Any] = {
        "offset": flight.offset,
        "timeout": 0,
        "allowed_updates": list(ALLOWED_UPDATES),
    }
    result = cast("list[dict[str, Any]]", await bot._post("getUpdates", data))
    last = flight.last_seen
    fresh = [item for item in result if last is None or item["update_id"] > last]
    return [Update.de_json(item, bot) for item in fresh]
