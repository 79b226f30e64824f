"""The 08:30 digest (weekdays) and the 03:15 retention run fire at those times in Amsterdam,
also across both changes of daylight saving time: the trigger's own computation, driven
with explicit moments (no waiting for a clock)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.bootstrap.build import build_app
from bot.followup.scheduler import FollowUpScheduler
from bot.settings import Settings

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.fixture
async def scheduler(tmp_path: Path) -> AsyncIterator[FollowUpScheduler]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}",
        key_file=tmp_path / "keys.json",
    )
    assert (settings.digest_time.hour, settings.digest_time.minute) == (8, 30)
    assert (settings.retention_time.hour, settings.retention_time.minute) == (3, 15)
    app = await build_app(settings)
    try:
        yield app.scheduler(lambda: utc(2026, 1, 1))
    finally:
        await app.close()


def local(times: list[datetime]) -> list[str]:
    return [t.astimezone(AMSTERDAM).strftime("%a %Y-%m-%d %H:%M %Z") for t in times]


def in_utc(times: list[datetime]) -> list[str]:
    return [t.astimezone(UTC).strftime("%Y-%m-%d %H:%M") for t in times]


def test_the_digest_stays_at_half_past_eight_when_summer_time_starts(
    scheduler: FollowUpScheduler,
) -> None:
    # Sunday 29 March 2026, 02:00 CET becomes 03:00 CEST.
    fired = scheduler.fire_times("digest", utc(2026, 3, 26, 12), 3)
    assert local(fired) == [
        "Fri 2026-03-27 08:30 CET",
        "Mon 2026-03-30 08:30 CEST",
        "Tue 2026-03-31 08:30 CEST",
    ]
    assert in_utc(fired) == ["2026-03-27 07:30", "2026-03-30 06:30", "2026-03-31 06:30"]


def test_the_digest_stays_at_half_past_eight_when_summer_time_ends(
    scheduler: FollowUpScheduler,
) -> None:
    # Sunday 25 October 2026, 03:00 CEST becomes 02:00 CET.
    fired = scheduler.fire_times("digest", utc(2026, 10, 22, 12), 3)
    assert local(fired) == [
        "Fri 2026-10-23 08:30 CEST",
        "Mon 2026-10-26 08:30 CET",
        "Tue 2026-10-27 08:30 CET",
    ]
    assert in_utc(fired) == ["2026-10-23 06:30", "2026-10-26 07:30", "2026-10-27 07:30"]


def test_retention_runs_once_a_night_at_a_quarter_past_three_across_both_changes(
    scheduler: FollowUpScheduler,
) -> None:
    spring = scheduler.fire_times("retention", utc(2026, 3, 28, 0), 3)
    assert local(spring) == [
        "Sat 2026-03-28 03:15 CET",
        "Sun 2026-03-29 03:15 CEST",  # the night the clock jumps from 02:00 to 03:00
        "Mon 2026-03-30 03:15 CEST",
    ]
    assert in_utc(spring) == ["2026-03-28 02:15", "2026-03-29 01:15", "2026-03-30 01:15"]
    autumn = scheduler.fire_times("retention", utc(2026, 10, 24, 0), 3)
    assert local(autumn) == [
        "Sat 2026-10-24 03:15 CEST",
        "Sun 2026-10-25 03:15 CET",  # the night 02:00-03:00 happens twice: once at 03:15
        "Mon 2026-10-26 03:15 CET",
    ]
    assert in_utc(autumn) == ["2026-10-24 01:15", "2026-10-25 02:15", "2026-10-26 02:15"]


def test_no_digest_at_the_weekend(scheduler: FollowUpScheduler) -> None:
    fired = scheduler.fire_times("digest", utc(2026, 3, 27, 8), 1)  # after Friday's
    assert local(fired) == ["Mon 2026-03-30 08:30 CEST"]
