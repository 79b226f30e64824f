"""End to end over Telegram, ours against the peer at its best, side by side in one run
(issue 24): simulated reporters through the fake Bot API on loopback (polling, the real PTB
client), our bot (SQLite, and PostgreSQL unless --no-pg; outbox worker on) and the peer
(bench/peer_ptb.py: a PTB ConversationHandler bot with PicklePersistence) in each of its
configurations: PTB's defaults (one update at a time), ``concurrent_updates(True)``, and a
per-chat update processor (concurrent across chats, in order within one: its best correct
configuration). The peer at its best is the correct configuration (no reply lost in any
round) with the highest median throughput; a configuration that loses replies is printed
with its losses and ratios, and a lost reply counts as the whole wait in its p99. Beside
them, informational: the per-chat peer over our Bot API transport (aiohttp, ADR 0116), which
PTB does not ship and which is never taken as the peer at its best.

The fake and the reporters run in a process of their own (bench/load_fake.py), as Telegram
and its users are not in the bot's process; they measure there (latency, loket cards, Bot API
calls per tap) and send the figures back. Each reporter sends /start and taps through a
complete report (tests/support/reports.py REPORT), waiting for each reply. Two load shapes:
- saturation: no pause between taps (closed loop): the most the bot can do, so latency is
  about reporters / throughput (Little's law). The throughput ratios come from here.
- human: a pause of 1-3 s before each tap (seeded random.Random per reporter): a cashier
  reads a short question and taps one button with one thumb. The p99 target is judged here.
``--rtt-ms`` adds a network round trip to each Bot API request (half in, half out).

Rounds: every configuration runs once per round, back to back, in an order rotated each
round; a figure is the median of the rounds (``--rounds``, 5 by default) and a ratio is the
median of the per-round ratios. The machine's load average is printed at each round's start.
Throughput counts answered updates up to the last reply. Latency: from the update being
queued at the fake to the reply that carries the next step arriving there. Card: from "send"
being queued to a loket card arriving (matched in time order). CPU: the bot's process time
while the reporters ran, per update. Percentiles: statistics.quantiles(n=100, "inclusive").

Run: .venv/bin/python -m bench.telegram_load [--smoke] [--sizes 50] [--shapes human]
     [--rtt-ms 0,20] [--rounds 5] [--no-pg] [--peers defaults,concurrent,per_chat]
     [--human-peers per_chat] [--paced 50]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import io
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.load_report import Block, issue_targets, run_line, show_block
from bench.load_runs import OURS, OURS_PG, Load, Result, run_ours, run_peer
from bench.peer_ptb import CONFIGURATIONS, OVER_OUR_TRANSPORT
from bench.pg import pg_database, postgres
from bench.targets import print_targets

HUMAN = (1.0, 3.0)  # seconds of thought before each tap
SMOKE_HUMAN = (0.02, 0.05)  # --smoke: the same shape, in a few seconds


def sqlite_url(workdir: str) -> str:
    return f"sqlite+aiosqlite:///{Path(workdir) / 'signaalpunt.db'}"


async def run_config(config: str, load: Load, server: Any) -> Result:
    with tempfile.TemporaryDirectory() as workdir:
        if config == OURS:
            return await run_ours(config, sqlite_url(workdir), load, paced=False)
        if config == OURS_PG:
            async with pg_database(server) as url:
                return await run_ours(config, url, load, paced=False)
        return await run_peer(config.removeprefix("peer-"), Path(workdir), load)


async def run_block(load: Load, configs: list[str], server: Any, rounds: int) -> Block:
    print(f"\n== {load.reporters} reporter(s), {load.shape}, RTT {load.rtt_ms:g} ms ==")
    block = Block(load, {config: [] for config in configs}, [])
    for index in range(rounds):
        block.loads.append(os.getloadavg()[0])
        print(f"  round {index + 1} of {rounds} (load average {block.loads[-1]:.2f})")
        # Rotated each round, so no configuration always runs first (or after the same one).
        for config in configs[index % len(configs) :] + configs[: index % len(configs)]:
            result = await run_config(config, load, server)
            block.runs[config].append(result)
            print(run_line(result))
    show_block(block)
    return block


async def paced_runs(args: argparse.Namespace, thinks: dict[str, tuple[float, float]]) -> None:
    print(
        f"\n== {args.paced} reporters, Telegram pacing as in production (our limiter; the fake"
        " enforces 30 calls/s overall, 20/min per group, about 1/s per chat; cards not awaited;"
        " one round, not judged) =="
    )
    for shape in args.shapes:
        load = Load(args.paced, shape, thinks[shape], args.rtt_ms[0])
        with tempfile.TemporaryDirectory() as workdir, counted_logs() as logged:
            result = await run_ours(OURS, sqlite_url(workdir), load, paced=True)
        print(f"  {shape}:")
        print(run_line(result) + f"  {result.rate_limited} 429s provoked")
        for message, count in logged.most_common():
            print(f"      logged {count}x: {message}")


class Tally(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: collections.Counter[str] = collections.Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[record.getMessage()[:120]] += 1


@contextlib.contextmanager
def counted_logs() -> Iterator[collections.Counter[str]]:
    """The bot's warnings counted rather than printed one by one (under Telegram's pace, one
    per press whose answer was given up)."""
    tally = Tally()
    root = logging.getLogger()
    root.addHandler(tally)
    try:
        yield tally.counts
    finally:
        root.removeHandler(tally)


async def main_async(args: argparse.Namespace, human: tuple[float, float], wait: float) -> None:
    server = None
    stack = contextlib.ExitStack()
    if args.pg:
        try:
            server = stack.enter_context(postgres())
        except Exception as error:
            print(f"PostgreSQL unavailable, skipped: {error}")
    thinks = {"saturation": (0.0, 0.0), "human": human}
    blocks: list[Block] = []
    with stack:
        for rtt in args.rtt_ms:
            for shape in args.shapes:
                peers = args.peers if shape == "saturation" else args.human_peers
                configs = [OURS] + [OURS_PG] * (server is not None)
                configs += [f"peer-{peer}" for peer in peers]
                for size in args.sizes:
                    load = Load(size, shape, thinks[shape], rtt, wait)
                    blocks.append(await run_block(load, configs, server, args.rounds))
        if args.paced:
            await paced_runs(args, thinks)
    print_targets(
        "issue 24, Telegram (ratios and figures: median of the rounds)", issue_targets(blocks)
    )


def numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]  # "": only the paced run


def names(text: str) -> list[str]:
    chosen = [part for part in text.split(",") if part]
    unknown = set(chosen) - {*CONFIGURATIONS, OVER_OUR_TRANSPORT}
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown peer configuration(s) {sorted(unknown)}")
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--smoke", action="store_true", help="3 reporters, both shapes, SQLite and the peer"
    )
    parser.add_argument("--sizes", type=numbers, default=[50])
    parser.add_argument("--shapes", type=lambda t: t.split(","), default=["saturation", "human"])
    parser.add_argument(
        "--rtt-ms", type=lambda t: [float(p) for p in t.split(",")], default=[0.0, 20.0]
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-pg", dest="pg", action="store_false")
    parser.add_argument(
        "--peers",
        type=names,
        default=[*CONFIGURATIONS, OVER_OUR_TRANSPORT],
        help="saturation (per_chat_aiohttp: informational, never the peer at its best)",
    )
    parser.add_argument(
        "--human-peers",
        type=names,
        default=["per_chat"],
        help="peer configurations at a person's pace (the offered load is the same for all;"
        " only per_chat keeps up at 20 ms, and concurrent equals it at this pace)",
    )
    parser.add_argument("--paced", type=int, default=50, help="reporters (0: no paced run)")
    args = parser.parse_args()
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # figures show as each run ends
    human, wait = HUMAN, 0.0
    if args.smoke:
        args.sizes, args.pg, args.paced, args.rounds = [3], False, 0, 1
        args.rtt_ms, human, wait = [0.0], SMOKE_HUMAN, 5.0
    print(
        "Telegram end to end over the fake Bot API on loopback, fake and reporters in their"
        f" own process; {args.rounds} round(s), medians; load average"
        f" {' '.join(f'{a:.2f}' for a in os.getloadavg())} at the start"
    )
    asyncio.run(main_async(args, human, wait))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
