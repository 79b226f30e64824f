"""WindowRateLimiter driven by a fake clock: no real time passes, every call is recorded
with the (fake) moment the "server" saw it."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
from bisect import bisect_left
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.channels.telegram.limits import WindowRateLimiter

Result = bool | dict[str, Any] | list[dict[str, Any]]


@pytest.fixture(autouse=True)
def _timedelta_durations(monkeypatch: pytest.MonkeyPatch) -> None:
    # As build_bot does: PTB 22 warns when RetryAfter.retry_after is read as an int.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@dataclass(order=True)
class _Timer:
    when: float
    seq: int
    callback: Callable[[], object] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class FakeClock:
    """The limiter's clock; time moves only in ``advance``."""

    def __init__(self) -> None:
        self.now = 0.0
        self._timers: list[_Timer] = []
        self._seq = itertools.count()

    def time(self) -> float:
        return self.now

    def call_at(self, when: float, callback: Callable[[], object], /) -> _Timer:
        timer = _Timer(when, next(self._seq), callback)
        heapq.heappush(self._timers, timer)
        return timer

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.call_at(self.now + seconds, lambda: _done(future))
        await future

    async def advance(self, seconds: float) -> None:
        end = self.now + seconds
        await settle()
        while self._timers and self._timers[0].when <= end:
            timer = heapq.heappop(self._timers)
            if not timer.cancelled:
                self.now = max(self.now, timer.when)
                timer.callback()
                await settle()
        self.now = end
        await settle()


def _done(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def settle() -> None:
    """Let every task run until it waits again (no time passes on any clock)."""
    for _ in range(200):
        await asyncio.sleep(0)


@dataclass
class Call:
    endpoint: str
    chat: int | str | None
    at: float  # when the server saw it


class FakeServer:
    """Answers calls after ``latency`` fake seconds, seeing each at a random moment in
    between; answers 429 to the chats in ``refuse`` (retry_after seconds) once each."""

    def __init__(self, clock: FakeClock, latency: float = 0.0) -> None:
        self.clock, self.latency = clock, latency
        self.calls: list[Call] = []
        self.refuse: dict[int | str, int] = {}
        self._random = random.Random(9)

    def request(
        self, endpoint: str, chat: int | str | None
    ) -> Callable[..., Coroutine[Any, Any, Result]]:
        async def callback() -> Result:
            seen = self.latency * self._random.random()
            await self.clock.sleep(seen)
            self.calls.append(Call(endpoint, chat, self.clock.now))
            if chat is not None and chat in self.refuse:
                raise RetryAfter(timedelta(seconds=self.refuse.pop(chat)))
            await self.clock.sleep(self.latency - seen)
            return True

        return callback


def start(
    limiter: WindowRateLimiter,
    server: FakeServer,
    chat: int | str | None,
    *,
    endpoint: str = "sendMessage",
    interactive: bool = False,
) -> asyncio.Task[Result]:
    data: dict[str, Any] = {} if chat is None else {"chat_id": chat}
    return asyncio.ensure_future(
        limiter.process_request(
            server.request(endpoint, chat), (), {}, endpoint, data, 1 if interactive else None
        )
    )


def most_in_any_window(times: list[float], span: float) -> int:
    ordered = sorted(times)
    return max(
        (bisect_left(ordered, t + span) - i for i, t in enumerate(ordered)),
        default=0,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def groups(count: int) -> Iterator[int]:
    return (-100_600 - n for n in range(count))


async def test_bursts_go_at_once_and_no_window_is_ever_exceeded(clock: FakeClock) -> None:
    limiter = WindowRateLimiter(clock=clock)
    server = FakeServer(clock, latency=0.25)
    tasks = [start(limiter, server, 700_000 + n) for n in range(100)]
    tasks += [start(limiter, server, g) for g in groups(3) for _ in range(25)]
    await clock.advance(0.3)
    assert len(server.calls) == 30  # the first window's burst, at once
    await clock.advance(200)
    assert all(t.done() and t.result() is True for t in tasks)
    assert len(server.calls) == 175
    assert most_in_any_window([c.at for c in server.calls], 1.0) <= 30
    for group in groups(3):
        times = [c.at for c in server.calls if c.chat == group]
        assert len(times) == 25
        assert most_in_any_window(times, 60.0) <= 20
        # The 21st waits for the first's slot: one minute after its response.
        assert times[20] - times[0] >= 60.0


async def test_group_messages_take_free_slots_before_private_ones(clock: FakeClock) -> None:
    limiter = WindowRateLimiter(clock=clock)
    server = FakeServer(clock)
    private = [start(limiter, server, 700_000 + n) for n in range(60)]
    await settle()  # the first 30 private messages went: the window is full
    group = [start(limiter, server, g) for g in groups(2) for _ in range(10)]
    await clock.advance(1.0)
    second_window = [c.chat for c in server.calls[30:60]]
    assert sum(1 for chat in second_window if isinstance(chat, int) and chat < 0) == 20
    await clock.advance(5)
    assert all(t.done() for t in private + group)


async def test_replies_to_people_go_before_the_outbox(clock: FakeClock) -> None:
    limiter = WindowRateLimiter(clock=clock)
    server = FakeServer(clock)
    outbox = [start(limiter, server, g) for g in groups(1) for _ in range(5)]
    outbox += [start(limiter, server, 700_000 + n) for n in range(60)]
    await settle()
    replies = [start(limiter, server, 800_000 + n, interactive=True) for n in range(10)]
    await clock.advance(1.0)
    assert {c.chat for c in server.calls[30:40]} == {800_000 + n for n in range(10)}
    assert all(t.done() and t.result() is True for t in replies)
    await clock.advance(3)
    assert all(t.done() for t in outbox)


async def test_a_reply_waits_within_its_bound_then_gives_up(clock: FakeClock) -> None:
    limiter = WindowRateLimiter(per_group=(2, 60.0), clock=clock)
    server = FakeServer(clock)
    group = -100_500
    early = [start(limiter, server, group, interactive=True) for _ in range(2)]
    await settle()
    late = start(limiter, server, group, interactive=True)
    await clock.advance(5.0)  # the window opens again at 60 s: longer than a reply waits
    assert all(t.done() for t in early)
    assert late.done()
    assert isinstance(late.exception(), RetryAfter)
    assert len(server.calls) == 2
    # The outbox waits for the window instead (its calls have no bound).
    queued = start(limiter, server, group)
    await clock.advance(54.0)
    assert not queued.done()
    await clock.advance(1.0)
    assert queued.done()
    assert queued.result() is True


async def test_replies_in_private_chats_wait_for_the_overall_window_and_are_never_dropped(
    clock: FakeClock,
) -> None:
    limiter = WindowRateLimiter(clock=clock)
    server = FakeServer(clock)
    # 300 replies at once: ten seconds of the overall window, twice a group reply's bound.
    replies = [start(limiter, server, 810_000 + n, interactive=True) for n in range(300)]
    await clock.advance(8.5)
    assert sum(t.done() for t in replies) == 270  # 30 a second, none given up
    await clock.advance(1.0)
    assert all(t.done() and t.result() is True for t in replies)
    assert most_in_any_window([c.at for c in server.calls], 1.0) <= 30


async def test_a_429_on_a_reply_pauses_as_told_and_is_retried(clock: FakeClock) -> None:
    limiter = WindowRateLimiter(clock=clock)
    server = FakeServer(clock)
    chat = 800_001
    server.refuse[chat] = 2
    reply = start(limiter, server, chat, interactive=True)
    await settle()
    assert [c.at for c in server.calls] == [0.0]
    other = start(limiter, server, chat, interactive=True)  # same chat, meanwhile
    elsewhere = start(limiter, server, 800_002, interactive=True)
    await clock.advance(1.9)
    assert not reply.done()
    assert not other.done()
    assert elsewhere.done()  # other chats go on
    await clock.advance(0.1)
    assert reply.result() is True
    assert other.result() is True
    assert [c.at for c in server.calls if c.chat == chat] == [0.0, 2.0, 2.0]


async def test_a_reply_refused_again_is_retried_again_within_its_bound(clock: FakeClock) -> None:
    """Two instances sharing a token can each be refused: a reply given up after one retry
    left a reporter without their next question (tests/e2e/test_two_instances.py)."""
    limiter = WindowRateLimiter(clock=clock)
    server = FakeServer(clock)
    chat = 800_003
    server.refuse[chat] = 1
    reply = start(limiter, server, chat, interactive=True)
    for _ in range(2):  # refused again on each of the next two tries
        await clock.advance(0.5)
        server.refuse[chat] = 1
        await clock.advance(0.5)
    await clock.advance(1.0)
    assert reply.result() is True
    assert [c.at for c in server.calls] == [0.0, 1.0, 2.0, 3.0]


async def test_instances_sharing_a_token_each_take_their_share(clock: FakeClock) -> None:
    limiter = WindowRateLimiter(clock=clock, instances=2)
    server = FakeServer(clock)
    tasks = [start(limiter, server, 900_000 + n) for n in range(30)]
    await clock.advance(0.0)
    assert len(server.calls) == 15
    await clock.advance(1.0)
    assert all(task.done() for task in tasks)
    assert most_in_any_window([c.at for c in server.calls], 1.0) == 15


async def test_a_429_is_not_retried_for_the_outbox_or_when_long(clock: FakeClock) -> None:
    limiter = WindowRateLimiter(clock=clock)
    server = FakeServer(clock)
    server.refuse[700_001] = 1
    server.refuse[800_001] = 30  # longer than a reply may wait
    outbox = start(limiter, server, 700_001)
    reply = start(limiter, server, 800_001, interactive=True)
    await clock.advance(0.0)
    assert isinstance(outbox.exception(), RetryAfter)
    assert isinstance(reply.exception(), RetryAfter)
    assert len(server.calls) == 2
    assert limiter.tracked == 0  # no pause remembered for either


async def test_callback_answers_count_in_the_overall_window(clock: FakeClock) -> None:
    limiter = WindowRateLimiter(clock=clock)
    server = FakeServer(clock)
    sends = [start(limiter, server, 700_000 + n) for n in range(30)]
    await settle()
    answer = start(limiter, server, None, endpoint="answerCallbackQuery")
    me = start(limiter, server, None, endpoint="getMe")
    await settle()
    assert me.done()
    assert not answer.done()
    await clock.advance(1.0)
    assert answer.result() is True
    assert all(t.done() for t in sends)


async def test_cancelled_calls_give_their_slots_back_uncounted(clock: FakeClock) -> None:
    limiter = WindowRateLimiter(overall=(1, 1.0), per_group=(1, 60.0), clock=clock)
    server = FakeServer(clock)
    group = -100_500
    private = start(limiter, server, 700_001)  # takes the overall window's only slot
    await settle()
    waiting = start(limiter, server, group)  # holds the group's slot, waits for the overall
    await settle()
    waiting.cancel()
    await clock.advance(1.0)
    assert private.result() is True
    assert waiting.cancelled()
    # The cancelled call never went out: the group's slot is free at once, not in a minute.
    again = start(limiter, server, group)
    await clock.advance(0.0)
    assert again.result() is True
    assert [c.chat for c in server.calls] == [700_001, group]


async def test_old_windows_are_forgotten(clock: FakeClock) -> None:
    limiter = WindowRateLimiter(clock=clock)
    server = FakeServer(clock)
    tracked = []
    for round_ in range(20):  # 20 minutes, 200 groups each, never the same twice
        tasks = [start(limiter, server, -1_000_000 - round_ * 1000 - n) for n in range(200)]
        await clock.advance(60.0)
        assert all(t.done() for t in tasks)
        tracked.append(limiter.tracked)
    assert len(server.calls) == 4000
    # Only the groups of about the last minute are remembered, not all 4,000.
    assert max(tracked) <= 400
    assert tracked[-1] == tracked[1]
    await clock.advance(60.0)
    await start(limiter, server, -100_500)
    assert limiter.tracked == 1
