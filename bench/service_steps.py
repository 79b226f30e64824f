"""Conversation steps through ``ConversationService.handle`` on a real database (issue 9, item 2).

Run: .venv/bin/python -m bench.service_steps [--smoke] [--reports N] [--no-pg]

No Telegram, no HTTP: the service alone, on a SQLite file and on PostgreSQL
(tests/support/pg.py ``start_postgres()``: fsync off, a fresh database per run). A report is
the Telegram flow of ``tests/support/reports.REPORT`` (as the Telegram tests drive it):
``/start`` and 12 taps, each with an inbound message id (so the dedupe insert is measured
too), through to the stored signal: 13 steps (15 before the express path of issue 20). Every
report is a new reporter (the signal limit counts per reporter).

- 1 reporter: reports one after the other, each step awaited before the next;
- 50 reporters: 50 reporters at once (``asyncio.gather``), each through its reports in order.

Figures: steps per second (all steps / wall time), per-step latency (``perf_counter``
around each ``handle`` call; with 50 at once it includes waiting for the database, which is
the point), and CPU per step (``process_time``, all threads of the process; the PostgreSQL
server's CPU is not in it), which a shared machine disturbs less than wall time.
Percentiles: ``statistics.quantiles(n=100, method="inclusive")``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import pg
from bot.i18n import load_catalogs
from bot.reporting.service import ConversationService
from core.dialog.engine import Engine
from core.dialog.events import Event, Pick, TextIn
from core.dialog.matching import LabelIndex
from core.dialog.model import Place
from storage import Store, create_schema, make_engine
from tests.support.keys import TEST_KEYRING
from tests.support.reports import REPORT

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
EVENTS: list[Event] = [TextIn("/start"), *(Pick(prompt, choice) for prompt, choice in REPORT)]


@dataclass
class Run:
    steps: int = 0
    seconds: float = 0.0
    cpu: float = 0.0  # process CPU seconds (all threads: aiosqlite's too), less noisy
    latencies: list[float] = field(default_factory=list)
    failed: int = 0  # steps whose transaction failed (the reporter got "saving failed")
    incomplete: int = 0  # reports that did not end with a stored signal

    def pct(self, p: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000


async def report(service: ConversationService, user: str, out: Run) -> None:
    now = T0
    replies: list[Any] = []
    for number, event in enumerate(EVENTS):
        now += timedelta(seconds=2)
        started = time.perf_counter()
        replies = await service.handle("bench", user, event, now, message_id=f"{user}-{number}")
        out.latencies.append(time.perf_counter() - started)
        out.steps += 1
    # The last tap sends the report: its reply carries the reference.
    if not any("SP-" in reply.text for reply in replies):
        out.incomplete += 1


class FailedSteps(logging.Filter):
    """Counts the service's "storing a conversation step failed" and keeps it off stderr."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage() == "storing a conversation step failed":
            self.count += 1
            return False
        return True


async def reporter(service: ConversationService, number: int, reports: int, out: Run) -> None:
    for index in range(reports):
        await report(service, f"r{number}-{index}", out)


async def measure(url: str, reporters: int, reports: int) -> Run:
    engine = make_engine(url)
    failures = FailedSteps()
    logging.getLogger("bot.reporting.service").addFilter(failures)
    try:
        await create_schema(engine)
        catalogs = load_catalogs()
        service = ConversationService(
            Store(engine, TEST_KEYRING),
            Engine(LabelIndex(catalogs), (Place("axel", "Axel"),)),
            catalogs,
            max_messages_per_minute=1_000,  # the pace limit is not what is measured
        )
        await report(service, "warm-up", Run())  # connections, first compiles, caches
        out = Run()
        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(reporter(service, n, reports, out) for n in range(reporters)))
        out.seconds = time.perf_counter() - started
        out.cpu = time.process_time() - cpu
        out.failed = failures.count
        return out
    finally:
        logging.getLogger("bot.reporting.service").removeFilter(failures)
        await engine.dispose()


def show(label: str, reporters: int, run: Run) -> None:
    print(
        f"  {label:<11} {reporters:>3} at once: {run.steps:>6} steps in {run.seconds:6.2f} s"
        f"  {run.steps / run.seconds:8.1f} steps/s"
        f"  p50 {run.pct(50):7.1f}  p95 {run.pct(95):7.1f}  p99 {run.pct(99):7.1f} ms"
        f"  cpu {run.cpu / run.steps * 1000:5.2f} ms/step"
    )
    if run.failed or run.incomplete:
        print(f"    FAILED: {run.failed} steps failed, {run.incomplete} reports not stored")


@contextlib.contextmanager
def postgres(wanted: bool) -> Iterator[Any]:
    """The server, or None when not wanted or not available (the SQLite figures still count)."""
    if not wanted:
        yield None
        return
    with contextlib.ExitStack() as stack:
        try:
            server = stack.enter_context(pg.postgres())
        except Exception as error:  # no server binaries here
            print(f"PostgreSQL unavailable, skipped: {error}")
            server = None
        yield server


async def main_async(sizes: list[tuple[int, int]], with_pg: bool) -> None:
    with postgres(with_pg) as server:
        for reporters, reports in sizes:
            with tempfile.TemporaryDirectory() as workdir:
                url = f"sqlite+aiosqlite:///{Path(workdir) / 'signaalpunt.db'}"
                show("SQLite", reporters, await measure(url, reporters, reports))
            if server is not None:
                async with pg.pg_database(server) as url:
                    show("PostgreSQL", reporters, await measure(url, reporters, reports))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--smoke", action="store_true", help="a tiny size, SQLite only, for CI")
    parser.add_argument("--reports", type=int, default=20, help="reports per reporter (1 at once)")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)
    print(f"service steps (issue 9, item 2): ConversationService.handle, {len(EVENTS)} a report")
    if args.smoke:
        sizes, with_pg = [(1, 1), (3, 1)], False
    else:
        # About the same number of steps for both sizes.
        sizes, with_pg = [(1, args.reports), (50, max(1, args.reports // 10))], not args.no_pg
    for reporters, reports in sizes:
        print(f"  size: {reporters} reporter(s) x {reports} report(s)")
    asyncio.run(main_async(sizes, with_pg))


if __name__ == "__main__":
    main()
