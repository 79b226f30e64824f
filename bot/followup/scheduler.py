"""The follow-up schedule: APScheduler runs the sweep every minute, the digest at 08:30
on weekdays and the retention job every night. Jobs live in memory only; what is due is
always read from the database, so a restart loses nothing and two instances send nothing
twice (see ``bot.followup.service``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from .retention import RetentionService
from .service import FollowUpService

log = logging.getLogger(__name__)


class FollowUpScheduler:
    def __init__(
        self,
        followup: FollowUpService,
        clock: Callable[[], datetime],
        *,
        sweep_seconds: float,
        digest_at: time,
        timezone: ZoneInfo,
        retention: RetentionService | None = None,
        retention_at: time = time(3, 15),
    ) -> None:
        self._followup = followup
        self._retention = retention
        self._clock = clock
        self._running: set[asyncio.Task[Any]] = set()
        self._scheduler = AsyncIOScheduler(timezone=timezone)
        self._scheduler.add_job(
            self._guarded(self._sweep),
            IntervalTrigger(seconds=sweep_seconds, timezone=timezone),
            id="sweep",
            # At start-up too, to catch up on what fell due while down. APScheduler keeps
            # its own wall-clock time; ``clock`` only says what "now" means to the sweep.
            next_run_time=datetime.now(timezone),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(30, int(sweep_seconds)),
        )
        self._scheduler.add_job(
            self._guarded(self._digest),
            CronTrigger(
                day_of_week="mon-fri",
                hour=digest_at.hour,
                minute=digest_at.minute,
                timezone=timezone,
            ),
            id="digest",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=600,
        )

        if retention is not None:
            self._scheduler.add_job(
                self._guarded(self._erase),
                CronTrigger(hour=retention_at.hour, minute=retention_at.minute, timezone=timezone),
                id="retention",
                max_instances=1,
                coalesce=True,
                # A night missed (every instance down) is made up by the next one: each
                # erasure takes everything due by then.
                misfire_grace_time=3600,
            )

    def _guarded(
        self, job: Callable[[], Coroutine[Any, Any, None]]
    ) -> Callable[[], Coroutine[Any, Any, None]]:
        async def run() -> None:
            task = asyncio.current_task()
            assert task is not None
            self._running.add(task)
            try:
                await job()
            except Exception:  # the schedule must survive a database hiccup; next run retries
                log.exception("follow-up job failed")
            finally:
                self._running.discard(task)

        return run

    async def _sweep(self) -> None:
        await self._followup.sweep(self._clock())

    async def _digest(self) -> None:
        await self._followup.digest(self._clock())

    async def _erase(self) -> None:
        if self._retention is not None:
            await self._retention.run(self._clock())

    def fire_times(self, job: str, after: datetime, count: int) -> list[datetime]:
        """When ``job`` ("digest", "retention", "sweep") runs next after ``after``, as its
        trigger computes it (what APScheduler does between runs), ``count`` times."""
        found = self._scheduler.get_job(job)
        if found is None:
            raise KeyError(job)
        times: list[datetime] = []
        previous: datetime | None = None
        now = after
        while len(times) < count:
            fire = found.trigger.get_next_fire_time(previous, now)
            if fire is None:
                break
            times.append(fire)
            previous, now = fire, fire + timedelta(microseconds=1)
        return times

    def start(self) -> None:
        self._scheduler.start()

    async def stop(self) -> None:
        """Stop scheduling; a sweep or digest in progress is finished first.

        APScheduler's shutdown cancels job tasks still running, so we pause it, let any job
        it just submitted take its first step (and register), await them, then shut down.
        """
        if not self._scheduler.running:
            return
        self._scheduler.pause()
        await asyncio.sleep(0)
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
        self._scheduler.shutdown(wait=False)
