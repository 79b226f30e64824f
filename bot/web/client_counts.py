"""Per-client counts over a sliding window, in memory and bounded, for the limits that keep
one source from using up what everybody shares (logins, new web chats).

A client is an address; at most ``MAX_CLIENTS`` are remembered (the one seen least recently
is forgotten first), so many addresses cannot grow the memory, only reset their own counts.
Counts are per process: with several instances a client may do that much on each.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable

MAX_CLIENTS = 10_000


class ClientCounts:
    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limit = limit
        self._window = window
        self._clock = clock
        self._clients: OrderedDict[str, deque[float]] = OrderedDict()

    def wait(self, client: str) -> int | None:
        """Seconds until ``client`` may go again, or None when it may now."""
        times = self._times(client)
        cutoff = self._clock() - self._window
        while times and times[0] <= cutoff:
            times.popleft()
        if len(times) < self._limit:
            return None
        return max(1, math.ceil(times[0] - cutoff))

    def count(self, client: str) -> None:
        self._times(client).append(self._clock())

    def _times(self, client: str) -> deque[float]:
        times = self._clients.get(client)
        if times is None:
            times = self._clients[client] = deque()
            while len(self._clients) > MAX_CLIENTS:
                self._clients.popitem(last=False)
        else:
            self._clients.move_to_end(client)
        return times
