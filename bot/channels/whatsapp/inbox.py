"""The inbox worker: processes kept WhatsApp messages, each sender's in order, different
senders concurrently, and removes each once processed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from bot.outbox.worker import drain_until
from storage.records import InboxItem
from storage.uow import Store

from .inbound import Inbound
from .messenger import CHANNEL
from .updates import WhatsAppUpdates

log = logging.getLogger(__name__)


class InboxWorker:
    def __init__(
        self,
        store: Store,
        updates: WhatsAppUpdates,
        clock: Callable[[], datetime],
        batch: int = 100,
    ) -> None:
        self._store = store
        self._updates = updates
        self._clock = clock
        self._batch = batch
        self._draining = asyncio.Lock()

    async def drain(self) -> int:
        """Process every waiting message once; returns how many were processed."""
        async with self._draining:  # one drain at a time keeps each sender's order
            total = 0
            while True:
                async with self._store.unit_of_work() as uow:
                    # A lease, committed at once: another instance skips these senders.
                    items = await uow.inbox.claim(CHANNEL, self._clock(), self._batch)
                    await uow.commit()
                if not items:
                    return total
                by_sender: dict[str, list[InboxItem]] = {}
                for item in items:
                    by_sender.setdefault(item.sender, []).append(item)
                await asyncio.gather(*(self._in_order(queue) for queue in by_sender.values()))
                total += len(items)

    async def _in_order(self, queue: list[InboxItem]) -> None:
        for item in queue:
            try:
                await self._updates.process(Inbound.from_json(item.payload), self._clock())
            except Exception:
                # Processing is recorded with the conversation step, so the message is
                # never handled twice; what failed here was answering it (or it is a
                # message that cannot be handled): keeping it would block this sender.
                log.exception("handling WhatsApp message %s failed", item.id)
            async with self._store.unit_of_work() as uow:
                await uow.inbox.done(item.id)
                await uow.commit()


async def run_inbox(
    inbox: InboxWorker, wake: asyncio.Event, stop: asyncio.Event, interval: float = 5.0
) -> None:
    """Process until ``stop``: at once when woken (a webhook kept something), else every
    ``interval`` (messages kept before a restart)."""
    await drain_until(inbox.drain, wake, stop, interval, "inbox")
