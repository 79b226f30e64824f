"""The outbox worker: delivers committed loket notifications, at least once, with backoff."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from conversations.matching import Catalog, Place
from conversations.notification import loket_notification
from conversations.text import STAFF_LANGUAGE
from storage.records import OutboxItem
from storage.uow import Store

from .ports import DeliveryError, LoketSink
from .rendering import render_texts

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
BASE_DELAY = timedelta(seconds=5)
MAX_DELAY = timedelta(minutes=30)


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 5 s, 10 s, 20 s, ... capped at 30 minutes."""
    delay: timedelta = BASE_DELAY * (2 ** min(max(attempts, 0), 20))
    return min(delay, MAX_DELAY)


class OutboxWorker:
    def __init__(
        self,
        store: Store,
        sink: LoketSink,
        catalogs: Mapping[str, Catalog],
        places: Sequence[Place],
        batch: int = 50,
    ) -> None:
        self._store = store
        self._sink = sink
        self._catalog = catalogs[STAFF_LANGUAGE]
        self._places = tuple(places)
        self._batch = batch

    async def drain(self, now: datetime) -> int:
        """Send every due notification once; returns how many were delivered."""
        async with self._store.unit_of_work() as uow:
            items = await uow.outbox.claim_due(now, self._batch)
        delivered = 0
        for item in items:
            delivered += await self._deliver(item, now)
        return delivered

    async def _deliver(self, item: OutboxItem, now: datetime) -> int:
        async with self._store.unit_of_work() as uow:
            stored = await uow.signals.get(item.signal_id)
        if stored is None:
            return await self._fail(item, now, "signal not found", permanent=True)
        texts = loket_notification(stored.reference, stored.draft, stored.created_at, self._places)
        try:
            await self._sink.send(
                stored.reference, render_texts(texts, self._catalog, STAFF_LANGUAGE, "\n")
            )
        except DeliveryError as error:
            return await self._fail(item, now, str(error), permanent=error.permanent)
        except OSError as error:
            return await self._fail(item, now, repr(error), permanent=False)
        async with self._store.unit_of_work() as uow:
            await uow.outbox.mark_sent(item.id, now)
            await uow.commit()
        return 1

    async def _fail(self, item: OutboxItem, now: datetime, error: str, *, permanent: bool) -> int:
        dead = permanent or item.attempts + 1 >= MAX_ATTEMPTS
        retry_at = None if dead else now + retry_delay(item.attempts)
        log.warning("loket notification %s failed: %s (dead=%s)", item.id, error, dead)
        async with self._store.unit_of_work() as uow:
            await uow.outbox.mark_failed(item.id, now, error, retry_at)
            await uow.commit()
        return 0
