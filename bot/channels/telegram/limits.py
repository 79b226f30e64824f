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
``limit`` calls still goes out at once, as Telegram allows.

Free slots go by priority: replies to a person first (``rate_limit_args`` given, see
``process_request``), then messages to groups, then the rest (the outbox's private messages).
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any, Protocol

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

JSONDict = dict[str, Any]

OVERALL = (30, 1.0)  # calls to chats, per second
PER_GROUP = (20, 60.0)  # messages to one group, per minute
# A reply in a group waits at most this long for its window, and a reply anywhere at most
# this long for a 429's retry_after: later than that it is given up (RetryAfter) rather than
# holding up the update handler for a group's minute.
INTERACTIVE_WAIT = 5.0
INTERACTIVE, GROUP, OTHER = 0, 1, 2  # priorities: the lower goes first
# At most this many 429s on one reply are waited out (each within INTERACTIVE_WAIT overall).
_MAX_REPLY_RETRIES = 5
# Group windows and pauses are looked through for forgotten ones once there are this many.
_PRUNE_AT = 64
# Calls without a chat that Telegram (and the fake) still count in the overall limit.
_CHATLESS_PACED = frozenset({"answerCallbackQuery", "answerInlineQuery"})


class Cancellable(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    """What the limiter needs of time: the running event loop has both (the default)."""

    def time(self) -> float: ...

    def call_at(self, when: float, callback: Callable[[], object], /) -> Cancellable: ...


def seconds(value: int | float | timedelta) -> float:
    """A PTB duration in seconds, whichever form PTB returned."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class SlidingWindow:
    """At most ``limit`` calls in any ``span`` seconds, counted from start to response."""

    def __init__(self, limit: int, span: float, clock: Callable[[], Clock]) -> None:
        self._limit, self._span, self._clock = limit, span, clock
        self._running = 0
        self._finished: deque[float] = deque()  # when finished calls' responses came
        self._waiting = [0, 0, 0]  # calls waiting, per priority
        self._waiters: set[asyncio.Future[None]] = set()

    def _used(self, now: float) -> int:
        while self._finished and self._finished[0] <= now - self._span:
            self._finished.popleft()
        return self._running + len(self._finished)

    def unused(self, now: float) -> bool:
        """Nothing running, waiting or counted: the window can be forgotten."""
        return self._used(now) == 0 and not any(self._waiting)

    async def acquire(self, priority: int, deadline: float | None = None) -> None:
        """Take a slot, after every waiting call of a higher priority. Raises TimeoutError
        at ``deadline`` (clock time) without a slot."""
        self._waiting[priority] += 1
        try:
            while True:
                now = self._clock().time()
                full = self._used(now) >= self._limit
                if not full and not any(self._waiting[:priority]):
                    self._running += 1
                    return
                if deadline is not None and now >= deadline:
                    raise TimeoutError
                # Woken when a slot is given back, a higher priority call went, or the
                # oldest finished call leaves the window.
                wake = self._finished[0] + self._span if full and self._finished else None
                if deadline is not None:
                    wake = deadline if wake is None else min(wake, deadline)
                await self._wait(wake)
        finally:
            self._waiting[priority] -= 1
            self._notify()  # lower priorities may go now (or a freed slot is still free)

    def release(self, sent: bool) -> None:
        """Give the slot back; a call that was ``sent`` keeps counting for one span."""
        self._running -= 1
        if sent:
            self._finished.append(self._clock().time())
        self._notify()

    async def _wait(self, until: float | None) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(future)
        timer = None if until is None else self._clock().call_at(until, lambda: _wake(future))
        try:
            await future
        finally:
            self._waiters.discard(future)
            if timer is not None:
                timer.cancel()

    def _notify(self) -> None:
        for future in self._waiters:
            _wake(future)


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class WindowRateLimiter(BaseRateLimiter[int]):
    """Telegram's limits as sliding windows: 30 calls a second to chats overall, 20 calls
    a minute to one group (a negative chat id, or a channel's @name). Telegram counts per
    bot token: ``instances`` processes sharing the token each take their share.

    ``rate_limit_args`` marks a reply to a person (``updates.py`` passes 1): it goes before
    other calls, waits for its window (in a group at most ``INTERACTIVE_WAIT`` seconds; in a
    private chat as long as the overall window takes), and a 429 is retried after its
    retry_after as long as that falls within ``INTERACTIVE_WAIT`` of the reply's start
    (other replies to that chat wait for it too). Any other call is never retried: a 429 goes
    back to the caller (the outbox reschedules the chat in the database, which is durable and
    holds no connection or lease meanwhile)."""

    def __init__(
        self,
        overall: tuple[int, float] = OVERALL,
        per_group: tuple[int, float] = PER_GROUP,
        *,
        clock: Clock | None = None,
        interactive_wait: float = INTERACTIVE_WAIT,
        instances: int = 1,
    ) -> None:
        overall = (max(1, overall[0] // instances), overall[1])
        per_group = (max(1, per_group[0] // instances), per_group[1])
        self._clock: Callable[[], Clock] = (
            asyncio.get_running_loop if clock is None else (lambda: clock)
        )
        self._overall = SlidingWindow(*overall, self._clock)
        self._per_group = per_group
        self._groups: dict[int | str, SlidingWindow] = {}
        self._paused: dict[int | str, float] = {}  # chat → until when (a 429's retry_after)
        self._interactive_wait = interactive_wait

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def tracked(self) -> int:
        """Group windows and pauses remembered (bounded: the unused ones are forgotten)."""
        return len(self._groups) + len(self._paused)

    def _group(self, chat_id: int | str, now: float) -> SlidingWindow:
        if len(self._groups) >= _PRUNE_AT:
            for key in [k for k, w in self._groups.items() if w.unused(now)]:
                del self._groups[key]
        window = self._groups.get(chat_id)
        if window is None:
            window = self._groups[chat_id] = SlidingWindow(*self._per_group, self._clock)
        return window

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat_id = data.get("chat_id")
        if chat_id is None and endpoint not in _CHATLESS_PACED:  # getUpdates, getMe, ...
            return await callback(*args, **kwargs)
        interactive = rate_limit_args is not None or endpoint in _CHATLESS_PACED
        if not interactive:
            return await self._paced(callback, args, kwargs, chat_id, OTHER, None)
        # A reply in a private chat waits for the overall window however long it takes (it
        # drains at 30 a second, and polling bounds the updates in flight): a reply given up
        # leaves a person without their next question. A group's window can take a minute,
        # so there a reply is given up after its bound.
        bounded = not _private(chat_id)
        deadline = self._clock().time() + self._interactive_wait
        # Retried as often as the 429s' retry_after fit in the reply's bound: another
        # instance sharing the token, or Telegram's own counting, can refuse more than once
        # in a row, and a reply given up leaves the person without their next question.
        retries = (rate_limit_args or 0) and _MAX_REPLY_RETRIES
        while True:
            try:
                return await self._paced(
                    callback, args, kwargs, chat_id, INTERACTIVE, deadline if bounded else None
                )
            except RetryAfter as error:
                until = self._clock().time() + seconds(error.retry_after)
                if retries <= 0 or until > deadline:
                    raise
                retries -= 1
                if chat_id is None:
                    await self._sleep_until(until)
                else:  # other replies to this chat wait for it as well
                    self._pause(_normal(chat_id), until)

    def _pause(self, chat_id: int | str, until: float) -> None:
        now = self._clock().time()
        if len(self._paused) >= _PRUNE_AT:
            self._paused = {k: t for k, t in self._paused.items() if t > now}
        self._paused[chat_id] = max(until, self._paused.get(chat_id, 0.0))

    async def _paced(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        chat_id: Any,
        priority: int,
        deadline: float | None,
    ) -> bool | JSONDict | list[JSONDict]:
        with_chat = chat_id is not None
        if with_chat:
            chat_id = _normal(chat_id)
        group = with_chat and (
            (isinstance(chat_id, int) and chat_id < 0) or isinstance(chat_id, str)
        )
        if priority != INTERACTIVE and group:
            priority = GROUP  # a group message sent late opens that group's next window late
        now = self._clock().time()
        # Every call to a group counts in its window, as PTB counts them (edits included).
        windows = [self._group(chat_id, now), self._overall] if group else [self._overall]
        held: list[SlidingWindow] = []
        sent = False
        try:
            if priority == INTERACTIVE and with_chat:
                await self._paused_until(chat_id, deadline)
            for window in windows:
                await window.acquire(priority, deadline)
                held.append(window)
            sent = True
            return await callback(*args, **kwargs)
        except TimeoutError:
            if sent:
                raise  # the request's own timeout, not ours
            raise RetryAfter(timedelta(seconds=math.ceil(self._interactive_wait))) from None
        finally:
            for window in held:
                window.release(sent)

    async def _paused_until(self, chat_id: int | str, deadline: float | None) -> None:
        while (until := self._paused.get(chat_id)) is not None:
            if deadline is not None and until > deadline:
                raise TimeoutError
            if until <= self._clock().time():
                del self._paused[chat_id]
                return
            await self._sleep_until(until)

    async def _sleep_until(self, until: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        timer = self._clock().call_at(until, lambda: _wake(future))
        try:
            await future
        finally:
            timer.cancel()


def _private(chat_id: Any) -> bool:
    normal = None if chat_id is None else _normal(chat_id)
    return isinstance(normal, int) and normal > 0


def _normal(chat_id: Any) -> int | str:
    try:
        return int(chat_id)
    except (ValueError, TypeError):
        return str(chat_id)
