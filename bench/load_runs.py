"""One run of bench/telegram_load.py: a bot (ours on SQLite or PostgreSQL, or the PTB peer in
one of its configurations) against a fresh far side (bench/load_fake.py: the fake Bot API and
the reporters in their own process), and what it measured."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import statistics
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr

from bench.load_fake import wait_for
from bench.peer_ptb import Drops, build_peer, running_peer
from bot.bootstrap.build import build_app
from bot.bootstrap.telegram_alone import serve_telegram
from bot.channels.telegram.client import build_bot
from bot.settings import Settings
from tests.support.telegram_harness import LOKET, TOKEN

OURS, OURS_PG = "ours", "ours-pg"
LABELS = {
    OURS: "ours, SQLite",
    OURS_PG: "ours, PostgreSQL",
    "peer-defaults": "PTB defaults (one update at a time)",
    "peer-concurrent": "PTB concurrent_updates(True)",
    "peer-per_chat": "PTB per-chat processor (concurrent across chats)",
    "peer-per_chat_aiohttp": "(not PTB's) per-chat over our aiohttp transport",
}


@dataclass(frozen=True)
class Load:
    reporters: int
    shape: str  # "saturation" or "human"
    think: tuple[float, float]
    rtt_ms: float
    wait_s: float = 0.0  # how long a reporter waits for a reply (0: by size, wait_for)

    @property
    def wait(self) -> float:
        return self.wait_s or wait_for(self.reporters)


@dataclass
class Result:
    config: str  # a key of LABELS
    load: Load
    updates: int = 0
    taps: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    cards: list[float] = field(default_factory=list)
    rate_limited: int = 0
    lost: int = 0
    crashed: list[str] = field(default_factory=list)
    calls: dict[str, dict[str, int]] = field(default_factory=dict)
    last_reply: float = 0.0
    pickups: list[float] = field(default_factory=list)  # update queued -> handed to the bot
    handling: list[float] = field(default_factory=list)  # handed to the bot -> its reply
    cpu_seconds: float = 0.0  # of the bot's process while the reporters ran
    dropped: int = 0  # the peer: updates its ConversationHandler matched to no handler

    @property
    def label(self) -> str:
        return LABELS[self.config]

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds if self.seconds else float("nan")

    @property
    def judged_latencies(self) -> list[float]:
        """Every reply, a lost one counted as the whole wait (it never came)."""
        return self.latencies + [self.load.wait] * self.lost

    def reply_ms(self, p: int) -> float:
        return percentile_ms(self.judged_latencies, p)

    def card_ms(self, p: int) -> float:
        return percentile_ms(self.cards, p)

    def pickup_ms(self, p: int) -> float:
        return percentile_ms(self.pickups, p)

    def handling_ms(self, p: int) -> float:
        return percentile_ms(self.handling, p)

    def calls_per(self, kind: str) -> float:
        count = self.taps if kind == "tap" else self.updates - self.taps
        return sum(self.calls.get(kind, {}).values()) / count if count else float("nan")

    @property
    def cpu_ms_per_update(self) -> float:
        return self.cpu_seconds * 1000 / self.updates if self.updates else float("nan")


def percentile_ms(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] * 1000 if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] * 1000


class FarSide:
    """The fake and the reporters in their own process (bench/load_fake.py)."""

    def __init__(self, process: asyncio.subprocess.Process, api_url: str) -> None:
        self.process, self.api_url = process, api_url

    async def run(self, config: str, load: Load) -> Result:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        cpu = time.process_time()
        self.process.stdin.write(b"go\n")
        await self.process.stdin.drain()
        line = await self.process.stdout.readline()
        cpu = time.process_time() - cpu
        if not line:
            raise RuntimeError("bench.load_fake ended without figures (see its stderr)")
        return Result(config, load, cpu_seconds=cpu, **json.loads(line))


@contextlib.asynccontextmanager
async def far_side(load: Load, *, enforce_limits: bool, wait_cards: bool) -> AsyncIterator[FarSide]:
    options = [
        f"--reporters={load.reporters}",
        f"--think-min={load.think[0]}",
        f"--think-max={load.think[1]}",
        f"--rtt-ms={load.rtt_ms}",
        f"--wait={load.wait}",
    ]
    options += ["--enforce-limits"] * enforce_limits + ["--wait-cards"] * wait_cards
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.load_fake",
        *options,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        limit=2**26,  # the figures line holds every latency (7,500 at 500 reporters)
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        line = await process.stdout.readline()
        if not line:
            raise RuntimeError("bench.load_fake did not start (see its stderr)")
        yield FarSide(process, json.loads(line)["api_url"])
    finally:
        with contextlib.suppress(ConnectionError):
            process.stdin.write(b"quit\n")
            process.stdin.close()
        await process.wait()


def settings(api_url: str, database_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        telegram_token=SecretStr(TOKEN),
        telegram_api_url=api_url,
        loket_chat_id=LOKET,
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


async def run_ours(config: str, database_url: str, load: Load, paced: bool) -> Result:
    # Telegram's limits are enforced (429s counted) when we pace; lifted runs lift both. In
    # the paced run the cards are not awaited: 20 a minute per group would take minutes.
    async with far_side(load, enforce_limits=paced, wait_cards=not paced) as far:
        app = await build_app(settings(far.api_url, database_url))
        try:
            bot = build_bot(TOKEN, far.api_url, paced=paced)
            async with serve_telegram(app, utc_now, run_scheduler=False, bot=bot):
                return await far.run(config, load)
        finally:
            await app.close()
            gc.collect()


async def run_peer(configuration: str, workdir: Path, load: Load) -> Result:
    # The peer has no limiter at all, so Telegram's limits are lifted for it (and for ours in
    # the same comparison).
    drops = Drops()
    async with (
        far_side(load, enforce_limits=False, wait_cards=True) as far,
        running_peer(build_peer(TOKEN, f"{far.api_url}/bot", workdir, LOKET, configuration, drops)),
    ):
        result = await far.run(f"peer-{configuration}", load)
    result.dropped = drops.count
    gc.collect()
    return result
