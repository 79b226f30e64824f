"""Time of one follow-up sweep over many open signals (issue "Follow-up").

Run: .venv/bin/python -m bench.followup_sweep [--signals 10000] [--database-url URL]

Fills a fresh SQLite database (or the given one) with open signals in every status, then
times: the first sweep (which claims and queues every due check-in), and a steady-state
sweep (everything due was claimed already: the usual case, once a minute).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bot.followup.office import office_hours
from bot.followup.service import FollowUpService
from bot.settings import Settings
from core.lifecycle import table as lc
from storage import Store, create_schema, make_engine
from storage.crypto import Keyring
from storage.models import Signal

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
STATUSES = (lc.NEW, lc.CLAIMED, lc.IN_CONTACT, lc.REFERRED, lc.REOPENED)


def _rows(count: int, rng: random.Random) -> list[dict[str, object]]:
    rows = []
    for number in range(1, count + 1):
        created = NOW - timedelta(minutes=rng.randrange(0, 60 * 24 * 30))
        status = STATUSES[number % len(STATUSES)]
        rows.append(
            {
                "reference": f"SP-2026-{number:06d}",
                "kind": "other",
                "status": status,
                "urgent": number % 10 == 0,
                "language": "nl",
                "channel": "telegram",
                "created_at": created,
                "submitted_at": created,
                "status_at": created + timedelta(hours=rng.randrange(0, 48)),
                "checkin": "yes" if number % 3 == 0 else "no",
                "observations": [],
                "help_wanted": [],
            }
        )
    return rows


async def run(signals: int, database_url: str | None) -> None:
    folder = tempfile.mkdtemp(prefix="signaalpunt-bench-")
    url = database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
    engine = make_engine(url)
    await create_schema(engine)
    async with engine.begin() as connection:
        rows = _rows(signals, random.Random(7))
        for start in range(0, len(rows), 5000):
            await connection.execute(insert(Signal), rows[start : start + 5000])
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    service = FollowUpService(
        Store(engine, Keyring.generate()), office_hours(settings), settings.followup_rules()
    )
    started = time.perf_counter()
    first = await service.sweep(NOW)
    first_ms = (time.perf_counter() - started) * 1000
    timings = []
    for minute in range(1, 6):
        started = time.perf_counter()
        await service.sweep(NOW + timedelta(minutes=minute))
        timings.append((time.perf_counter() - started) * 1000)
    await engine.dispose()
    print(f"open signals: {signals} on {url.split(':', 1)[0]}")
    queued = sum(first.values())
    print(f"first sweep: {first_ms:.0f} ms, queued {queued} ({dict(first)})")
    if queued:
        print(f"  per check-in claimed and queued: {first_ms / queued:.2f} ms")
    print(f"steady sweep (nothing new due): median {sorted(timings)[2]:.0f} ms of 5")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signals", type=int, default=10_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    asyncio.run(run(args.signals, args.database_url))


if __name__ == "__main__":
    main()
