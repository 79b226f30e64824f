"""End to end over Telegram: simulated reporters (1, 50 and 500 at once) through the fake Bot
API on loopback (polling, the real PTB client, our bot, the outbox worker), on SQLite and on
PostgreSQL, and the peer (bench/peer_ptb.py: a plain PTB ConversationHandler bot with
PicklePersistence) against the same fake with the same reporters, in the same run.

The fake and the reporters run in a process of their own (bench/load_fake.py), as Telegram
and its users are not in the bot's process; they measure there and send the figures back.
Each reporter runs the full report flow (/start and 14 taps) and waits for the bot's reply
before its next step. Two load shapes, both reported:
- saturation: no pause between taps (closed loop): the most the bot can do, so latency is
  about reporters / throughput (Little's law). The throughput ratio to the peer comes from here.
- human: a pause of 1-3 s before each tap (seeded random.Random per reporter): a cashier
  reads a short question and taps one button with one thumb. This is what "50 reporters at
  once" means in practice and what the p99 <= 50 ms target is about.
``--rtt-ms`` adds a network round trip to each Bot API request (half in, half out).

Latency: from the update being queued at the fake to the bot's reply that carries the next
step arriving at the fake. Card: from "send" being queued to a loket card arriving (cards
matched to sends in time order). Percentiles: statistics.quantiles(n=100, method="inclusive").

Run: .venv/bin/python -m bench.telegram_load [--smoke] [--sizes 1,50] [--shapes human]
     [--rtt-ms 0,20] [--no-pg] [--no-peer] [--paced 50]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import io
import json
import statistics
import sys
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bench.load_fake import WAIT
from bench.peer_ptb import running_peer
from bench.pg import pg_database, postgres
from bot.bootstrap.build import build_app
from bot.bootstrap.telegram_alone import serve_telegram
from bot.channels.telegram.client import build_bot
from bot.settings import Settings
from tests.support.telegram_harness import LOKET, TOKEN

HUMAN = (1.0, 3.0)  # seconds of thought before each tap
SMOKE_HUMAN = (0.02, 0.05)  # --smoke: the same shape, in a few seconds
PEER = "peer (PTB ConversationHandler + PicklePersistence)"


@dataclass
class Result:
    label: str
    reporters: int
    shape: str
    rtt_ms: float
    updates: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    cards: list[float] = field(default_factory=list)
    rate_limited: int = 0
    lost: int = 0
    crashed: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds if self.seconds else float("nan")

    def pct(self, values: list[float], p: int) -> float:
        if len(values) < 2:
            return values[0] * 1000 if values else float("nan")
        return statistics.quantiles(values, n=100, method="inclusive")[p - 1] * 1000


@dataclass(frozen=True)
class Load:
    reporters: int
    shape: str  # "saturation" or "human"
    think: tuple[float, float]
    rtt_ms: float


class FarSide:
    """The fake and the reporters in their own process (bench/load_fake.py)."""

    def __init__(self, process: asyncio.subprocess.Process, api_url: str) -> None:
        self.process, self.api_url = process, api_url

    async def run(self, label: str, load: Load) -> Result:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(b"go\n")
        await self.process.stdin.drain()
        line = await self.process.stdout.readline()
        if not line:
            raise RuntimeError("bench.load_fake ended without figures (see its stderr)")
        return Result(label, load.reporters, load.shape, load.rtt_ms, **json.loads(line))


@contextlib.asynccontextmanager
async def far_side(load: Load, *, enforce_limits: bool, wait_cards: bool) -> AsyncIterator[FarSide]:
    options = [
        f"--reporters={load.reporters}",
        f"--think-min={load.think[0]}",
        f"--think-max={load.think[1]}",
        f"--rtt-ms={load.rtt_ms}",
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


async def run_ours(database_url: str, label: str, load: Load, paced: bool) -> Result:
    # Telegram's limits are enforced (429s counted) when we pace; lifted runs lift both. In
    # the paced run the cards are not awaited: 20 a minute per group would take minutes.
    async with far_side(load, enforce_limits=paced, wait_cards=not paced) as far:
        app = await build_app(settings(far.api_url, database_url))
        try:
            bot = build_bot(TOKEN, far.api_url, paced=paced)
            async with serve_telegram(app, utc_now, run_scheduler=False, bot=bot):
                return await far.run(label, load)
        finally:
            await app.close()
            gc.collect()


async def run_peer(workdir: Path, load: Load) -> Result:
    # The peer has no limiter at all, so Telegram's limits are lifted for it.
    async with (
        far_side(load, enforce_limits=False, wait_cards=True) as far,
        running_peer(TOKEN, f"{far.api_url}/bot", workdir, LOKET),
    ):
        return await far.run(PEER, load)


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def show(result: Result, targets: bool) -> None:
    lat = result.latencies
    print(f"  {result.label}, {result.reporters} reporters, {result.shape}:")
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
    for crash in result.crashed:
        print(f"    stopped: {crash}")


def compare(ours: Result, peer: Result) -> None:
    ratio = ours.per_second / peer.per_second
    p99_ratio = ours.pct(ours.latencies, 99) / peer.pct(peer.latencies, 99)
    ok = ratio >= 2 and p99_ratio <= 1
    target = "  target throughput >= 2x, p99 <= 1x: " + verdict(ok)
    if ours.shape != "saturation":
        target = "  (offered load: throughput follows the reporters' pace)"
    print(
        f"  ours/peer at {ours.reporters}, {ours.shape} ({ours.label}):"
        f" throughput x{ratio:.2f}, p99 x{p99_ratio:.2f}{target}"
    )


async def run_load(load: Load, server: Any, with_peer: bool) -> None:
    print(f"\n== {load.reporters} reporter(s), {load.shape}, RTT {load.rtt_ms:g} ms ==")
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite+aiosqlite:///{Path(workdir) / 'signaalpunt.db'}"
        ours = await run_ours(url, "ours on SQLite", load, paced=False)
    show(ours, targets=load.reporters == 50)
    ours_pg = None
    if server is not None:
        async with pg_database(server) as url:
            ours_pg = await run_ours(url, "ours on PostgreSQL", load, paced=False)
        show(ours_pg, targets=False)
    if with_peer:
        with tempfile.TemporaryDirectory() as workdir:
            peer = await run_peer(Path(workdir), load)
        show(peer, targets=False)
        compare(ours, peer)
        if ours_pg is not None:
            compare(ours_pg, peer)


async def main_async(args: argparse.Namespace, human: tuple[float, float]) -> None:
    server = None
    stack = contextlib.ExitStack()
    if args.pg:
        try:
            server = stack.enter_context(postgres())
        except Exception as error:
            print(f"PostgreSQL unavailable, skipped: {error}")
    thinks = {"saturation": (0.0, 0.0), "human": human}
    with stack:
        for rtt in args.rtt_ms:
            for shape in args.shapes:
                for size in args.sizes:
                    await run_load(Load(size, shape, thinks[shape], rtt), server, args.peer)
        if args.paced:
            print(
                f"\n== {args.paced} reporters, Telegram pacing as in production (our limiter;"
                " the fake enforces 30/s overall, 20/min per group; cards not awaited) =="
            )
            for shape in args.shapes:
                load = Load(args.paced, shape, thinks[shape], args.rtt_ms[0])
                with tempfile.TemporaryDirectory() as workdir:
                    url = f"sqlite+aiosqlite:///{Path(workdir) / 'signaalpunt.db'}"
                    paced = await run_ours(url, "ours on SQLite, paced", load, paced=True)
                show(paced, targets=args.paced == 50)


def numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]  # "": only the paced run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--smoke", action="store_true", help="3 reporters, both shapes, SQLite and the peer"
    )
    parser.add_argument("--sizes", type=numbers, default=[1, 50, 500])
    parser.add_argument("--shapes", type=lambda t: t.split(","), default=["saturation", "human"])
    parser.add_argument("--rtt-ms", type=lambda t: [float(p) for p in t.split(",")], default=[0.0])
    parser.add_argument("--no-pg", dest="pg", action="store_false")
    parser.add_argument("--no-peer", dest="peer", action="store_false")
    parser.add_argument("--paced", type=int, default=50, help="reporters (0: no paced run)")
    args = parser.parse_args()
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # figures show as each run ends
    print(
        "Telegram end to end over the fake Bot API on loopback, fake and reporters in their"
        " own process (percentiles: quantiles inclusive)"
    )
    human = HUMAN
    if args.smoke:
        args.sizes, args.pg, args.paced, human = [3], False, 0, SMOKE_HUMAN
    asyncio.run(main_async(args, human))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
