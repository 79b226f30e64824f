"""The far side of bench/telegram_load.py: the fake Bot API and the simulated reporters, in a
process (and event loop) of their own, as Telegram's servers and its users are not in the bot's
process. The bot under test gets the CPU a real deployment has, minus this process's share.

Protocol on stdin/stdout, one JSON object a line: this process prints {"api_url": ...} when
the fake listens; the parent starts the bot and writes "go"; this process waits for the bot's
first getUpdates, runs the reporters, prints the figures ({"latencies": [...], ...}) and exits
when the parent writes "quit" (or closes stdin) after stopping the bot.

Latency is measured here, inside the fake: time.perf_counter() from queuing an update to the
bot's reply for that chat arriving (the last sendMessage / editMessage* that makes the next
step possible). Each chat has its own wake-up event, so a reply wakes its reporter only.

Bot API calls are counted here too, per method, by what they answer: a reporter's tap
(callback query), a reporter's typed message (/start), or a loket card. A call is charged to
the kind of the update its chat sent last (answerCallbackQuery always to a tap), which is
exact for this flow: after /start every update is a tap.

Throughput is answered updates over the time from the first update to the last reply: a
reporter left without a reply (lost) stops offering load, and the run does not count the
time spent waiting for its reply.

Run by bench/telegram_load.py; on its own: python -m bench.load_fake --reporters 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from tests.fakes.telegram_api import (
    SENDING_METHODS,
    FakeTelegram,
    FakeUser,
    Params,
    SentMessage,
    _Fault,
)
from tests.support.reports import REPORT
from tests.support.telegram_harness import LOKET, TOKEN

JSON = dict[str, Any]
WAIT = 120.0  # seconds a reporter waits for a reply before giving up (counted as lost)
COUNTED = frozenset(SENDING_METHODS)  # the calls that answer someone (getUpdates etc. are not)


def wait_for(reporters: int) -> float:
    """How long a reporter waits for a reply before it counts as lost: long enough for the
    slowest configuration's queue at this size (about 4 replies a second per reporter in
    line, the peer's defaults with 20 ms to Telegram), short enough not to idle for minutes."""
    return max(20.0, 0.25 * reporters)


class LoadFake(FakeTelegram):
    """The fake, noting when each chat last got a reply and when loket cards arrived, waking
    only the reporter whose chat changed, and adding a network round trip to each request."""

    def __init__(self, *, rtt: float = 0.0, **kwargs: Any) -> None:
        super().__init__(TOKEN, **kwargs)
        self.add_group(LOKET)
        self.rtt = rtt
        self.reply_at: dict[int, float] = {}
        # Per chat, what the reporter waits for: checked on each of the bot's calls to that
        # chat, so the reply is stamped when it arrives, not when a later call (taking the old
        # buttons off, after the next question was sent) lands before the reporter wakes.
        self.awaiting: dict[int, Any] = {}
        self.cards: list[float] = []
        self.polled = asyncio.Event()
        self._chat_events: dict[int, asyncio.Event] = {}
        self.kind: dict[int, str] = {}  # chat -> "tap" or "message": what it sent last
        # From queuing an update to a getUpdates answer handing it out (before the RTT's way
        # out): the part of the latency spent waiting for the bot to ask.
        self.queued_at: dict[int, float] = {}
        self.pickups: list[float] = []
        self.handed_at: dict[int, float] = {}  # update id -> when first handed out
        self.counted: dict[str, dict[str, int]] = {"tap": {}, "message": {}, "loket": {}}

    def _take_fault(self, method: str) -> _Fault | None:
        # Called by FakeTelegram.respond for every request once its parameters are decoded,
        # with no await since the request was recorded: the last record is this request.
        if method in COUNTED:
            chat = self.requests[-1].params.get("chat_id")
            if method == "answerCallbackQuery":
                kind = "tap"
            elif chat == LOKET:
                kind = "loket"
            else:
                kind = self.kind.get(chat, "message") if isinstance(chat, int) else "message"
            per_method = self.counted[kind]
            per_method[method] = per_method.get(method, 0) + 1
        return super()._take_fault(method)

    def chat_event(self, chat: int) -> asyncio.Event:
        return self._chat_events.setdefault(chat, asyncio.Event())

    def _stamp(self, params: Params) -> None:
        chat = params.get("chat_id")
        if isinstance(chat, int):
            now = time.perf_counter()
            if chat == LOKET:
                self.cards.append(now)
            else:
                ready = self.awaiting.get(chat)
                if ready is not None and ready():
                    self.reply_at[chat] = now
                    del self.awaiting[chat]
            # A fresh event per change, as in FakeTelegram: a waiter re-arms after each wake-up.
            self._chat_events.pop(chat, asyncio.Event()).set()

    async def _api_sendMessage(self, params: Params) -> JSON:
        result = await super()._api_sendMessage(params)
        self._stamp(params)
        return result

    async def _api_editMessageText(self, params: Params) -> JSON:
        result = await super()._api_editMessageText(params)
        self._stamp(params)
        return result

    async def _api_editMessageReplyMarkup(self, params: Params) -> JSON:
        result = await super()._api_editMessageReplyMarkup(params)
        self._stamp(params)
        return result

    def queue_update(self, raw: JSON) -> JSON:
        update = super().queue_update(raw)
        self.queued_at[update["update_id"]] = time.perf_counter()
        return update

    async def _api_getUpdates(self, params: Params) -> list[JSON]:
        self.polled.set()
        batch = await super()._api_getUpdates(params)
        now = time.perf_counter()
        for update in batch:  # the first time each is handed out (a re-poll offers it again)
            queued = self.queued_at.pop(update["update_id"], None)
            if queued is not None:
                self.pickups.append(now - queued)
                self.handed_at[update["update_id"]] = now
        return batch

    async def respond(self, request: Any) -> bytes | None:
        # Half the round trip on the way in, half on the way out: the bot sees an update
        # rtt/2 after it was offered and its reply lands rtt/2 after it was sent.
        if self.rtt:
            await asyncio.sleep(self.rtt / 2)
        response = await super().respond(request)
        self.requests.clear()  # 500 reporters make ~40,000 records otherwise
        if self.rtt:
            await asyncio.sleep(self.rtt / 2)
        return response


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)
    cards: list[float] = field(default_factory=list)
    updates: int = 0
    taps: int = 0  # of the updates answered, the button presses (the rest typed: /start)
    seconds: float = 0.0
    lost: int = 0  # reporters left without a reply for the wait (a failed step, a long queue)
    rate_limited: int = 0
    crashed: list[str] = field(default_factory=list)
    calls: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> method -> count
    last_reply: float = 0.0
    pickups: list[float] = field(default_factory=list)
    handling: list[float] = field(default_factory=list)


def buttons(message: SentMessage) -> list[str]:
    return [data for _, data in message.buttons()]


async def until(fake: LoadFake, chat: int, ready: Any = None, wait: float = WAIT) -> None:
    """Wait for ``ready()``, or (without it) for the reply the chat awaits."""
    done = ready if ready is not None else lambda: chat not in fake.awaiting
    async with asyncio.timeout(wait):
        while not done():
            await fake.chat_event(chat).wait()


async def reporter(
    fake: LoadFake,
    number: int,
    out: Figures,
    sends: list[float],
    think: tuple[float, float],
    wait: float,
) -> None:
    user = FakeUser(id=10_000 + number, first_name=f"R{number}")
    pause = random.Random(number)  # seeded: the same think times in every run

    def current() -> SentMessage | None:
        chat = fake._messages.get(user.id, [])
        return next((m for m in reversed(chat) if m.buttons()), None)

    async def step(queue: Any, ready: Any, kind: str = "tap") -> None:
        if think[1] > 0:
            # A person reads the question and taps; the first pause spreads the starts.
            await asyncio.sleep(pause.uniform(*think))
        fake.awaiting[user.id] = ready
        fake.kind[user.id] = kind
        offered = time.perf_counter()
        update_id = queue()["update_id"]
        try:
            await until(fake, user.id, wait=wait)
        except TimeoutError:
            raise AssertionError(f"no reply to reporter {number} within {wait:.0f} s") from None
        replied = fake.reply_at[user.id]
        out.latencies.append(replied - offered)
        handed = fake.handed_at.pop(update_id, None)
        if handed is not None:  # from the bot's getUpdates answer to its reply: the bot's part
            out.handling.append(replied - handed)
        out.taps += kind == "tap"
        out.last_reply = max(out.last_reply, replied)

    def offers(data: str) -> Any:
        def ready() -> bool:
            message = current()
            return message is not None and data in buttons(message)

        return ready

    await step(lambda: fake.user_sends(user, "/start"), offers("r|welcome|report"), "message")
    for index, (prompt, choice) in enumerate(REPORT):
        message = current()
        assert message is not None
        data = f"r|{prompt}|{choice}"
        if index + 1 < len(REPORT):
            following = "r|{}|{}".format(*REPORT[index + 1])

            def ready(m: SentMessage = message, e: int = message.edits, f: str = following) -> bool:
                latest = current()
                if latest is None or f not in buttons(latest):
                    return False
                return latest is not m or m.edits > e  # a new question, or ticked in place

            await step(lambda m=message, d=data: fake.user_presses(user, m, d), ready)
        else:
            count = len(fake._messages.get(user.id, []))

            def answered(
                c: int = count, m: SentMessage = message, e: int = message.edits, d: str = data
            ) -> bool:
                # The thanks: a new message, or edited into the pressed one (ADR 0111).
                sent = len(fake._messages.get(user.id, [])) > c
                return sent or (m.edits > e and d not in buttons(m))

            await step(lambda m=message, d=data: _sent(fake, user, m, d, sends), answered)


def _sent(
    fake: LoadFake, user: FakeUser, message: SentMessage, data: str, sends: list[float]
) -> JSON:
    sends.append(time.perf_counter())  # "send" is offered: the loket card's clock starts
    return fake.user_presses(user, message, data)


async def drive(
    fake: LoadFake,
    reporters: int,
    think: tuple[float, float],
    wait_cards: bool,
    wait: float = WAIT,
) -> Figures:
    out = Figures()
    sends: list[float] = []
    started = time.perf_counter()
    outcomes = await asyncio.gather(
        *(reporter(fake, n, out, sends, think, wait) for n in range(reporters)),
        return_exceptions=True,
    )
    # Up to the last reply: the wait for a reply that never came is not the bot's work.
    out.seconds = (out.last_reply or time.perf_counter()) - started
    out.lost = sum(isinstance(outcome, AssertionError) for outcome in outcomes)
    out.crashed = [repr(o)[:300] for o in outcomes if isinstance(o, BaseException)][:3]
    out.updates = len(out.latencies)
    if wait_cards:
        complete = reporters - out.lost
        try:
            await until(fake, LOKET, lambda: len(fake.cards) >= complete, wait)
        except TimeoutError:
            out.crashed.append(f"only {len(fake.cards)} of {complete} loket cards arrived")
        out.cards = [
            card - send for send, card in zip(sorted(sends), sorted(fake.cards), strict=False)
        ]
    out.rate_limited = fake.rate_limited
    out.calls = fake.counted
    out.pickups = fake.pickups
    return out


async def serve(args: argparse.Namespace) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    async with LoadFake(rtt=args.rtt_ms / 1000, enforce_limits=args.enforce_limits) as fake:
        print(json.dumps({"api_url": fake.api_url}), flush=True)
        await reader.readline()  # "go": the bot is up
        async with asyncio.timeout(60):
            await fake.polled.wait()
        think = (args.think_min, args.think_max)
        wait = args.wait or wait_for(args.reporters)
        figures = await drive(fake, args.reporters, think, args.wait_cards, wait)
        print(json.dumps(asdict(figures)), flush=True)
        await reader.readline()  # "quit": the bot has stopped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reporters", type=int, default=3)
    parser.add_argument("--think-min", type=float, default=0.0, help="seconds between taps")
    parser.add_argument("--think-max", type=float, default=0.0)
    parser.add_argument("--rtt-ms", type=float, default=0.0)
    parser.add_argument("--enforce-limits", action="store_true")
    parser.add_argument("--wait-cards", action="store_true")
    parser.add_argument("--wait", type=float, default=0.0, help="s for a reply (0: by size)")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
