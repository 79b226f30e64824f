"""The live dashboard's feed: one reader of the signals' change feed per process, fanned out
to the open streams. It looks at the database when this process commits a signal event and
every ``POLL_EVERY`` seconds otherwise, so a change made through another instance arrives
too. Bounded: streams per staff member and in total, and what waits for a slow stream (it
is told to reload the list instead)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from storage.changes import ChangeCursor, SignalChange, on_signal_commit
from storage.uow import Store

log = logging.getLogger(__name__)

POLL_EVERY = 2.0  # seconds: how late a change made through another instance arrives at most
# Open streams of one staff member (tabs, devices). Below the 6 connections a browser
# opens to one site over HTTP/1.1 (without the proxy's HTTP/2): a fifth tab goes without
# live updates rather than every tab waiting for a free connection.
PER_STAFF = 4
IN_TOTAL = 300  # open streams of this process
RECENT = 1_000  # changes kept for a stream that connects after its page was rendered
WAITING = 50  # batches waiting for one stream; past that it is told to reload


@dataclass(frozen=True)
class Batch:
    """What a stream sends as one event: the changes, or ``reset`` (reload the whole list:
    more changed than was kept for it)."""

    last_id: int
    changes: tuple[SignalChange, ...] = ()
    reset: bool = False


@dataclass(eq=False)
class Subscription:
    staff_id: int
    queue: asyncio.Queue[Batch | None] = field(default_factory=asyncio.Queue)

    def offer(self, batch: Batch) -> None:
        if self.queue.qsize() >= WAITING:  # a stream that does not keep up
            while not self.queue.empty():
                self.queue.get_nowait()
            batch = Batch(batch.last_id, reset=True)
        self.queue.put_nowait(batch)


class TooManyStreams(Exception):
    pass


class LiveFeed:
    def __init__(
        self,
        store: Store,
        *,
        poll_every: float = POLL_EVERY,
        per_staff: int = PER_STAFF,
        in_total: int = IN_TOTAL,
        recent: int = RECENT,
    ) -> None:
        self._store = store
        self._poll_every = poll_every
        self._per_staff = per_staff
        self._in_total = in_total
        self._woken = asyncio.Event()
        self._cursor: ChangeCursor | None = None
        self._recent: deque[SignalChange] = deque(maxlen=recent)
        self._floor = 0  # every change after this id is in _recent (or not committed yet)
        self._streams: set[Subscription] = set()
        self._closed = False
        self._undo: Callable[[], None] = on_signal_commit(store.engine.sync_engine, self.wake)

    @property
    def position(self) -> int | None:
        return self._cursor.position if self._cursor is not None else None

    @property
    def open_streams(self) -> int:
        return len(self._streams)

    def wake(self) -> None:
        """This process committed a signal event: look now."""
        self._woken.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Follow the database until ``stop``; then end every stream (so the server's
        graceful shutdown waits for none of them)."""
        try:
            while not stop.is_set():
                self._woken.clear()
                with contextlib.suppress(Exception):  # logged in look(); try again later
                    await self.look()
                await _first(stop, self._woken, within=self._poll_every)
        finally:
            self.close()

    async def look(self) -> list[SignalChange]:
        """Read what changed since the last look and hand it to every stream."""
        loop = asyncio.get_running_loop()
        try:
            async with self._store.unit_of_work() as uow:
                if self._cursor is None:
                    self._cursor = ChangeCursor(await uow.changes.latest())
                    self._floor = self._cursor.position
                    return []
                cursor = self._cursor
                found = await uow.changes.since(cursor.position, also=cursor.gaps)
        except Exception:
            log.warning("the live feed could not read the changes", exc_info=True)
            raise
        fresh = cursor.take(found, loop.time())
        if fresh:
            for change in fresh:
                if len(self._recent) == self._recent.maxlen:
                    self._floor = max(self._floor, self._recent[0].event_id)
                self._recent.append(change)
            batch = Batch(cursor.position, tuple(fresh))
            for stream in self._streams:
                stream.offer(batch)
        return fresh

    def subscribe(self, staff_id: int, after: int | None) -> Subscription:
        """A stream for ``staff_id``; ``after``: the change its page was rendered at (the
        changes since then are sent first)."""
        if self._closed:
            raise TooManyStreams("shutting down")
        mine = sum(1 for s in self._streams if s.staff_id == staff_id)
        if mine >= self._per_staff or len(self._streams) >= self._in_total:
            raise TooManyStreams(f"{mine} of this staff member, {len(self._streams)} in all")
        stream = Subscription(staff_id)
        position = self.position
        if after is not None and position is not None and after < position:
            if after < self._floor:
                stream.offer(Batch(position, reset=True))
            else:
                missed = tuple(c for c in self._recent if c.event_id > after)
                if missed:
                    stream.offer(Batch(position, missed))
        self._streams.add(stream)
        return stream

    def unsubscribe(self, stream: Subscription) -> None:
        self._streams.discard(stream)

    def close(self) -> None:
        """End every stream and refuse new ones."""
        self._closed = True
        self._undo()
        for stream in self._streams:
            stream.queue.put_nowait(None)
        self._streams.clear()


async def _first(*events: asyncio.Event, within: float) -> None:
    """Wait until one of ``events`` is set, or ``within`` seconds."""
    waits = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waits, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
