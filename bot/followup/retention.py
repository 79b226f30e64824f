"""The nightly retention job: erase what follow-up no longer needs (see docs/privacy.md).

Each kind is erased in its own transaction, so a failure in one leaves the others done;
every step is idempotent, so a run that is cut off is simply completed by the next. The
run is claimed once per day (like the digest), so several instances erase once and record
one run, with counts only.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.settings import RetentionPeriods
from core.lifecycle.table import FINISHED_STATUSES
from storage.uow import Store, UnitOfWork

log = logging.getLogger(__name__)

RETENTION = "retention"
# Limit counters live a day (signals per 24 h) or an hour (lockouts); two days is ample.
COUNTERS_KEPT = timedelta(days=2)

_Step = Callable[[UnitOfWork], Awaitable[int]]


class RetentionService:
    def __init__(self, store: Store, periods: RetentionPeriods, timezone: ZoneInfo) -> None:
        self._store = store
        self.periods = periods
        self._timezone = timezone

    async def run(self, now: datetime) -> dict[str, int] | None:
        """Erase everything due at ``now``; None when another run claimed this day."""
        day = now.astimezone(self._timezone).date().isoformat()
        async with self._store.unit_of_work() as uow:
            claimed = await uow.followup.claim_key(
                f"{RETENTION}:{day}", RETENTION, now, now, signal_id=None
            )
            await uow.commit()
        if not claimed:
            return None
        return await self.erase(now)

    async def erase(self, now: datetime) -> dict[str, int]:
        """Every erasure due at ``now`` (unclaimed: the CLI and tests call it directly)."""
        p, finished = self.periods, FINISHED_STATUSES
        steps: dict[str, _Step] = {
            "reporter_contact": lambda uow: uow.erasure.erase_reporter_contact(
                finished, now - p.reporter_contact, now
            ),
            "person_details": lambda uow: uow.erasure.erase_person_details(
                finished, now - p.person_details, now
            ),
            "drafts": lambda uow: uow.erasure.delete_drafts(now - p.drafts),
            "web_chats": lambda uow: uow.erasure.delete_web_chats(now - p.drafts, now),
            "update_ids": lambda uow: uow.erasure.delete_update_ids(now - p.update_ids),
            "reporter_messages": lambda uow: uow.erasure.delete_reporter_messages(
                now - p.reporter_contact
            ),
            "idle_reporters": lambda uow: uow.erasure.delete_idle_reporters(
                now - p.reporter_contact
            ),
            "counters": lambda uow: uow.limits.delete_counters(now - COUNTERS_KEPT),
            # A session lasts a working day at most (web_session_max_hours <= 24).
            "staff_sessions": lambda uow: uow.erasure.delete_staff_sessions(now - COUNTERS_KEPT),
        }
        counts: dict[str, int] = {}
        for name, step in steps.items():
            counts[name] = await self._one(step)
        async with self._store.unit_of_work() as uow:
            await uow.erasure.record_run(now, counts)
            await uow.commit()
        log.info("retention run", extra={"counts": counts})
        return counts

    async def _one(self, step: _Step) -> int:
        async with self._store.unit_of_work() as uow:
            count = await step(uow)
            await uow.commit()
        return count
