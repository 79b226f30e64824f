"""End to end over Telegram: simulated reporters (1, 50 and 500 at once) through the fake Bot
API on loopback (polling, the real PTB client, our bot, the outbox worker), on SQLite and on
PostgreSQL, and the peer (bench/peer_ptb.py: a plain PTB ConversationHandler bot with
PicklePersistence) against the same fake with the same reporters.

Each reporter runs the full report flow (/start and 14 taps) and waits for the bot's reply
before its next step. Latency: from the update being queued at the fake to the last reply
(sendMessage / editMessage*) for that chat that carries the next step arriving at the fake.
Card: from "send" being queued to a loket card arriving (cards matched to sends in order).
Percentiles: statistics.quantiles(n=100, method="inclusive"). Times: time.perf_counter().
The fake, the bot and the reporters share one process and one event loop.

Run: .venv/bin/python -m bench.telegram_load [--smoke]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import io
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bench.peer_ptb import running_peer
from bot.app import build_app
from bot.settings import Settings
from bot.telegram.client import build_bot
from bot.telegram.runner import telegram_channel
from tests.e2e.telegram_harness import LOKET, REPORT, TOKEN
from tests.fakes.telegram_api import FakeTelegram, FakeUser, Params, SentMessage

JSON = dict[str, Any]
WAIT = 120.0  # seconds a reporter waits for a reply before giving up (counted as lost)


class LoadFake(FakeTelegram):
    """The fake, noting when each chat last got a reply and when loket cards arrived."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reply_at: dict[int, float] = {}
        self.cards: list[float] = []
        self.keep_records = False

    def _stamp(self, params: Params) -> None:
        chat = params.get("chat_id")
        if isinstance(chat, int):
            now = time.perf_counter()
            if chat == LOKET:
                self.cards.append(now)
            else:
                self.reply_at[chat] = now

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

    async def _respond(self, request: Any) -> bytes | None:
        response = await super()._respond(request)
        if not self.keep_records:
            self.requests.clear()  # 500 reporters make ~40,000 records otherwise
        return response


@dataclass
class Result:
    label: str
    reporters: int
    updates: int
    seconds: float
    latencies: list[float]
    cards: list[float]
    rate_limited: int
    lost: int = 0  # reporters left without a reply for WAIT s (a failed step, or a long queue)

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds

    def pct(self, values: list[float], p: int) -> float:
        if len(values) < 2:
            return values[0] * 1000 if values else float("nan")
        return statistics.quantiles(values, n=100, method="inclusive")[p - 1] * 1000


def buttons(message: SentMessage) -> list[str]:
    return [data for _, data in message.buttons()]


async def reporter(fake: LoadFake, number: int, out: Result, sends: list[float]) -> None:
    user = FakeUser(id=10_000 + number, first_name=f"R{number}")

    def current() -> SentMessage | None:
        return next((m for m in reversed(fake.messages(user.id)) if m.buttons()), None)

    async def step(queue: Callable[[], JSON], ready: Callable[[], bool]) -> None:
        offered = time.perf_counter()
        queue()
        await fake.wait_for(ready, WAIT, what=f"reply to reporter {number}")
        out.latencies.append(fake.reply_at[user.id] - offered)

    def offers(data: str) -> Callable[[], bool]:
        def ready() -> bool:
            message = current()
            return message is not None and data in buttons(message)

        return ready

    await step(lambda: fake.user_sends(user, "/start"), offers("r|welcome|report"))
    for index, (prompt, choice) in enumerate(REPORT):
        message = current()
        assert message is not None
        data = f"r|{prompt}|{choice}"
        if index + 1 < len(REPORT):
            following = "r|{}|{}".format(*REPORT[index + 1])
            before_edits = message.edits

            def ready(m: SentMessage = message, e: int = before_edits, f: str = following) -> bool:
                latest = current()
                if latest is None or f not in buttons(latest):
                    return False
                return latest is not m or m.edits > e  # a new question, or ticked in place

            await step(partial(fake.user_presses, user, message, data), ready)
        else:
            count = len(fake.messages(user.id))
            sends.append(time.perf_counter())

            def answered(c: int = count) -> bool:
                return len(fake.messages(user.id)) > c

            await step(partial(fake.user_presses, user, message, data), answered)


async def drive(fake: LoadFake, label: str, reporters: int, wait_cards: bool) -> Result:
    out = Result(label, reporters, 0, 0.0, [], [], 0)
    sends: list[float] = []
    started = time.perf_counter()
    outcomes = await asyncio.gather(
        *(reporter(fake, n, out, sends) for n in range(reporters)), return_exceptions=True
    )
    out.lost = sum(isinstance(outcome, AssertionError) for outcome in outcomes)
    if crashed := [o for o in outcomes if isinstance(o, BaseException)]:
        print(f"    {len(crashed)} reporter(s) stopped: {crashed[0]}"[:400])
    out.seconds = time.perf_counter() - started
    out.updates = len(out.latencies)
    if wait_cards:
        complete = reporters - out.lost
        await fake.wait_for(lambda: len(fake.cards) >= complete, 60.0, what="the loket cards")
        out.cards = [
            card - send for send, card in zip(sorted(sends), sorted(fake.cards), strict=False)
        ]
    out.rate_limited = fake.rate_limited
    return out


def settings(fake: FakeTelegram, database_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        telegram_token=SecretStr(TOKEN),
        telegram_api_url=fake.api_url,
        loket_chat_id=LOKET,
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


async def run_ours(database_url: str, label: str, reporters: int, paced: bool) -> Result:
    # Telegram's limits are enforced (429s counted) when we pace; lifted runs lift both.
    async with LoadFake(enforce_limits=paced) as fake:
        app = await build_app(settings(fake, database_url))
        try:
            bot = build_bot(TOKEN, fake.api_url, paced=paced)
            async with telegram_channel(app, utc_now, run_scheduler=False, bot=bot):
                return await drive(fake, label, reporters, wait_cards=not paced)
        finally:
            await app.close()
            gc.collect()


async def run_peer(workdir: Path, reporters: int) -> Result:
    # The peer has no limiter at all, so Telegram's limits are lifted for it.
    async with (
        LoadFake(enforce_limits=False) as fake,
        running_peer(TOKEN, fake.base_url, workdir, LOKET),
    ):
        return await drive(
            fake, "peer (PTB ConversationHandler + PicklePersistence)", reporters, True
        )


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def show(result: Result, targets: bool) -> None:
    lat = result.latencies
    print(f"  {result.label}, {result.reporters} reporters at once:")
    print(f"    {'updates':<22}{result.updates:>10}  in {result.seconds:.2f} s")
    print(f"    {'throughput':<22}{result.per_second:>10.1f}  updates/s")
    for p in (50, 95, 99):
        extra = ""
        if p == 99 and targets:
            extra = f"  target <= 50 ms: {verdict(result.pct(lat, 99) <= 50)}"
        print(f"    {f'reply p{p}':<22}{result.pct(lat, p):>10.1f}  ms{extra}")
    if result.cards:
        for p in (50, 95, 99):
            extra = ""
            if p == 99:
                extra = f"  target <= 1000 ms: {verdict(result.pct(result.cards, 99) <= 1000)}"
            print(f"    {f'loket card p{p}':<22}{result.pct(result.cards, p):>10.1f}  ms{extra}")
    print(f"    {'429s provoked':<22}{result.rate_limited:>10}")
    if result.lost:
        print(f"    {'reporters lost':<22}{result.lost:>10}  (no reply within {WAIT:.0f} s)")


def compare(ours: Result, peer: Result) -> None:
    ratio = ours.per_second / peer.per_second
    p99_ratio = ours.pct(ours.latencies, 99) / peer.pct(peer.latencies, 99)
    ok = ratio >= 2 and p99_ratio <= 1
    print(
        f"  ours/peer at {ours.reporters} ({ours.label}): throughput x{ratio:.2f},"
        f" p99 x{p99_ratio:.2f}  target throughput >= 2x, p99 <= 1x: {verdict(ok)}"
    )


@contextlib.contextmanager
def postgres() -> Iterator[Any]:
    from tests.pg import start_postgres

    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


@contextlib.asynccontextmanager
async def pg_database(server: Any) -> AsyncIterator[str]:
    url = await server.create_database("bench")
    try:
        yield url
    finally:
        await server.drop_database(url)


async def main_async(sizes: list[int], with_pg: bool, paced_size: int | None) -> None:
    server = None
    stack = contextlib.ExitStack()
    if with_pg:
        try:
            server = stack.enter_context(postgres())
        except Exception as error:
            print(f"PostgreSQL unavailable, skipped: {error}")
    with stack:
        for size in sizes:
            print(f"\n== {size} reporter(s) at once, pacing lifted (paced=False) ==")
            with tempfile.TemporaryDirectory() as workdir:
                url = f"sqlite+aiosqlite:///{Path(workdir) / 'signaalpunt.db'}"
                ours = await run_ours(url, "ours on SQLite", size, paced=False)
                show(ours, targets=size == 50)
            if server is not None:
                async with pg_database(server) as url:
                    ours_pg = await run_ours(url, "ours on PostgreSQL", size, paced=False)
                show(ours_pg, targets=False)
            with tempfile.TemporaryDirectory() as workdir:
                peer = await run_peer(Path(workdir), size)
            show(peer, targets=False)
            compare(ours, peer)
            if server is not None:
                compare(ours_pg, peer)
        if paced_size is not None:
            print(
                f"\n== {paced_size} reporters, Telegram pacing as in production"
                " (AIORateLimiter: 30/s overall, 20/min per group; cards not awaited) =="
            )
            with tempfile.TemporaryDirectory() as workdir:
                url = f"sqlite+aiosqlite:///{Path(workdir) / 'signaalpunt.db'}"
                show(await run_ours(url, "ours on SQLite, paced", paced_size, paced=True), True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="1 and 3 reporters, SQLite only")
    args = parser.parse_args()
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # figures show as each run ends
    print(
        "Telegram end to end over the fake Bot API on loopback (percentiles: quantiles inclusive)"
    )
    if args.smoke:
        asyncio.run(main_async([1, 3], with_pg=False, paced_size=None))
    else:
        asyncio.run(main_async([1, 50, 500], with_pg=True, paced_size=50))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
