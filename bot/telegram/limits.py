"""Pacing our Bot API calls by Telegram's limits, counted as sliding windows.

PTB's ``AIORateLimiter`` is a leaky bucket: after a burst of 30 it lets one more call
through every 1/30 s, and after a burst of 20 to a group one more every 3 s. Telegram (and
the fake Bot API in the tests) counts calls in a window instead: the 31st call within a
second, or the 21st message to a group within a minute, is answered with a 429. So a busy
outbox provoked 429s (each one postpones that chat's messages) as soon as the bursts were
spent.

Here a call takes a slot of the window before it starts and gives it back one window after
its response arrived. The server sees the call between those two moments, so it never
counts more than ``limit`` calls of ours in any window, whatever the latency; and a burst of
``limit`` calls still goes out at once, as Telegram allows. Messages to groups take the
overall slots before messages to private chats (see ``process_request``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from telegram.ext import BaseRateLimiter

JSONDict = dict[str, Any]

OVERALL = (30, 1.0)  # calls to chats, per second
PER_GROUP = (20, 60.0)  # messages to one group, per minute
# Forget a group's window once it has been idle this long (bounded memory).
_IDLE = 120.0


class SlidingWindow:
    """At most ``limit`` calls in any ``span`` seconds, counted from start to response."""

    def __init__(self, limit: int, span: float) -> None:
        self._limit, self._span = limit, span
        self._running = 0
        self._first = 0  # ``first`` calls waiting
        self._finished: deque[float] = deque()  # when finished calls' responses came
        self._changed = asyncio.Event()
        self.last_used = time.monotonic()

    @contextlib.asynccontextmanager
    async def slot(self, first: bool = False) -> AsyncIterator[None]:
        """Hold a slot for the call; ``first`` calls take free slots before the others."""
        await self._acquire(first)
        try:
            yield
        finally:
            self._running -= 1
            self.last_used = time.monotonic()
            self._finished.append(self.last_used)
            self._changed.set()

    async def _acquire(self, first: bool) -> None:
        if first:
            self._first += 1
        try:
            while True:
                now = time.monotonic()
                while self._finished and self._finished[0] <= now - self._span:
                    self._finished.popleft()
                free = self._running + len(self._finished) < self._limit
                if free and (first or self._first == 0):
                    self._running += 1
                    self.last_used = now
                    return
                self._changed.clear()
                wait = self._finished[0] + self._span - now if self._finished else None
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), wait)
        finally:
            if first:
                self._first -= 1
                self._changed.set()  # the others may go now

    def idle(self, now: float) -> bool:
        return self._running == 0 and self.last_used <= now - _IDLE


class WindowRateLimiter(BaseRateLimiter[int]):
    """Telegram's limits as sliding windows: 30 calls a second to chats overall, 20 calls
    a minute to one group (a negative chat id, or a channel's @name). No retries: a 429 goes
    back to the caller (the outbox reschedules it in the database)."""

    def __init__(
        self, overall: tuple[int, float] = OVERALL, per_group: tuple[int, float] = PER_GROUP
    ) -> None:
        self._overall = SlidingWindow(*overall)
        self._per_group = per_group
        self._groups: dict[int | str, SlidingWindow] = {}

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    def _group(self, chat_id: int | str) -> SlidingWindow:
        now = time.monotonic()
        if len(self._groups) > 512:
            for key in [k for k, w in self._groups.items() if w.idle(now)]:
                del self._groups[key]
        window = self._groups.get(chat_id)
        if window is None:
            window = self._groups[chat_id] = SlidingWindow(*self._per_group)
        return window

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,  # retries: never (see above)
    ) -> bool | JSONDict | list[JSONDict]:
        chat_id = data.get("chat_id")
        if chat_id is None:  # getUpdates, getMe, answerCallbackQuery, ...
            return await callback(*args, **kwargs)
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)
        group = (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str)
        async with contextlib.AsyncExitStack() as stack:
            if group:  # every call to a group, as PTB counts them (edits included)
                await stack.enter_async_context(self._group(chat_id).slot())
            # Group messages first: they have a second, scarcer limit, and each one sent
            # late opens that group's next window late; private chats have no such limit
            # (the fastest schedule sends the groups' messages first, the rest in between).
            await stack.enter_async_context(self._overall.slot(first=group))
            return await callback(*args, **kwargs)
