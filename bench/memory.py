"""Memory with 10,000 conversations in progress; bytes stored per conversation and signal
(issue 9, item 6).

Run: .venv/bin/python -m bench.memory [--smoke] [--reporters 10000] [--signals 1000]

"In progress" in our architecture: the service keeps no conversation in memory between
messages; each step loads the reporter's state from the database, advances it and stores it
again (encrypted, ``conversations.state``). So the figures are:

1. process RSS (``VmRSS`` of /proc/self/status) before and after 10,000 reporters each went
   part of the way through a report (1 to 15 of the typical cashier's 17 interactions, so
   drafts of every length) through the real ``ConversationService`` on SQLite; what the
   process holds per reporter afterwards is what grows with the number of reporters;
2. bytes stored per conversation in progress: the encrypted ``conversations.state`` (its
   payload as SQLite stores it) and the pages of the table and its indexes (SQLite
   ``dbstat``), divided by the number of conversations;
3. bytes stored per signal: the growth of ``signals``, ``signal_events`` and ``outbox``
   (tables and their indexes, ``dbstat``) when ``--signals`` reports are sent;
4. for comparison, the RSS growth of holding the same 10,000 ``ConversationState`` drafts
   as objects in memory (what a bot that keeps state in memory would hold).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.interactions import T0, TYPICAL_TAPS_AND_TEXTS
from bot.i18n import load_catalogs
from bot.reporting.service import ConversationService
from core.dialog.engine import Engine
from core.dialog.events import Event, TextIn
from core.dialog.matching import LabelIndex
from core.dialog.model import Place
from core.dialog.state import ConversationState
from storage import Store, create_schema, make_engine
from storage.crypto import Keyring

TARGET_MB = 200.0
MB = 1024 * 1024
# The report up to (not including) "send": a conversation in progress stops before it.
IN_PROGRESS = len(TYPICAL_TAPS_AND_TEXTS) - 1
SIGNAL_TABLES = ("signals", "signal_events", "outbox")


def rss_bytes() -> int:
    """Resident set size of this process (VmRSS), in bytes."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _steps(reporter: int) -> list[Event]:
    """The first 1..15 interactions after /start: drafts of various lengths."""
    taken = 1 + reporter % (IN_PROGRESS - 1)
    return [TextIn("/start"), *TYPICAL_TAPS_AND_TEXTS[:taken]]


async def _walk(service: ConversationService, user: str, events: list[Event]) -> None:
    now = T0
    for number, event in enumerate(events):
        now += timedelta(seconds=2)
        await service.handle("telegram", user, event, now, message_id=f"{user}-{number}")


async def _dbstat(engine: AsyncEngine) -> dict[str, tuple[int, int]]:
    """Per table, with its indexes: (pages in bytes, payload bytes)."""
    query = text(
        "SELECT coalesce(m.tbl_name, d.name), sum(d.pgsize), sum(d.payload)"
        " FROM dbstat AS d LEFT JOIN sqlite_master AS m ON m.name = d.name"
        " GROUP BY 1"
    )
    async with engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    return {str(name): (int(pages), int(payload)) for name, pages, payload in rows}


async def _scalar(engine: AsyncEngine, sql: str) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text(sql))).scalar_one() or 0)


def _states(engine: Engine, reporters: int) -> list[ConversationState]:
    held = []
    for reporter in range(reporters):
        state = engine.new_state("nl")
        now = T0
        for event in _steps(reporter):
            now += timedelta(seconds=2)
            state = engine.advance(state, event, now).state
        held.append(state)
    return held


async def run(reporters: int, signals: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="signaalpunt-bench-memory-"))
    url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    db = make_engine(url)
    await create_schema(db)
    catalogs = load_catalogs()
    engine = Engine(LabelIndex(catalogs), (Place("axel", "Axel"),))
    service = ConversationService(Store(db, Keyring.generate()), engine, catalogs)
    await _walk(service, "warm-up", _steps(3))  # first queries compiled, caches filled
    gc.collect()
    before = rss_bytes()
    for reporter in range(reporters):
        await _walk(service, f"r{reporter}", _steps(reporter))
    gc.collect()
    after = rss_bytes()
    held = await _scalar(db, "SELECT count(*) FROM conversations WHERE state IS NOT NULL")
    stat = await _dbstat(db)
    conv_pages, _ = stat.get("conversations", (0, 0))
    state_bytes = await _scalar(db, "SELECT sum(length(state)) FROM conversations")

    signals_before = {name: stat.get(name, (0, 0)) for name in SIGNAL_TABLES}
    for number in range(signals):
        user = f"s{number}"
        await _walk(service, user, [TextIn("/start"), *TYPICAL_TAPS_AND_TEXTS])
    stored = await _scalar(db, "SELECT count(*) FROM signals")
    stat = await _dbstat(db)
    await db.dispose()
    shutil.rmtree(folder, ignore_errors=True)

    gc.collect()
    states_before = rss_bytes()
    states = _states(engine, reporters)
    gc.collect()
    states_after = rss_bytes()

    print("memory (issue 9, item 6): SQLite, the real ConversationService")
    print(f"  conversations in progress:     {held:,} (1-15 of 17 interactions each)")
    print(f"  RSS before:                    {before / MB:8.1f} MB")
    after_verdict = "meets target" if after / MB <= TARGET_MB else "MISSES target"
    print(
        f"  RSS after:                     {after / MB:8.1f} MB"
        f"  target <= {TARGET_MB:.0f} MB: {after_verdict}"
    )
    print(f"  RSS growth per reporter:       {(after - before) / max(reporters, 1):8.0f} B")
    print(f"  stored state per conversation: {state_bytes / max(held, 1):8.0f} B (encrypted)")
    print(
        f"  conversations table+indexes:   {conv_pages / max(held, 1):8.0f} B"
        " per conversation (dbstat pages)"
    )
    if stored:
        grown = 0
        for name in SIGNAL_TABLES:
            pages, payload = stat.get(name, (0, 0))
            old_pages, old_payload = signals_before[name]
            grown += pages - old_pages
            print(
                f"  {name + ':':<30} {(pages - old_pages) / stored:8.0f} B pages,"
                f" {(payload - old_payload) / stored:6.0f} B payload per signal"
            )
        print(f"  per signal, all three:         {grown / stored:8.0f} B ({stored:,} signals)")
    print(
        f"  in memory instead: {len(states):,} ConversationState drafts"
        f" add {(states_after - states_before) / MB:.1f} MB RSS"
        f" ({(states_after - states_before) / max(len(states), 1):.0f} B each)"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="memory and bytes stored (issue 9, item 6)")
    parser.add_argument("--smoke", action="store_true", help="a tiny size, for CI")
    parser.add_argument("--reporters", type=int, default=10_000)
    parser.add_argument("--signals", type=int, default=1_000)
    args = parser.parse_args(argv)
    reporters, signals = (50, 10) if args.smoke else (args.reporters, args.signals)
    asyncio.run(run(reporters, signals))


if __name__ == "__main__":
    main()
