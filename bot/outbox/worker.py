"""The outbox worker: delivers committed staff messages, at least once, with backoff.

Items for different chats go out concurrently (the chat app's rate limiter paces them), and
so do one chat's items about different signals; the items about one signal go in order, so
a card is always sent before its edit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta

from bot.ports import DeliveryError, Messenger, Outgoing
from core.dialog.model import Place
from core.lifecycle.parties import LOKET, SYSTEM, ByMail, Reporter, StaffMember, Target, as_text
from core.text.catalog import Catalog
from core.text.languages import STAFF_LANGUAGE
from storage.followup import REPORTER_UNREACHABLE
from storage.records import OutboxItem
from storage.uow import Store, UnitOfWork

from .by_mail import MailComposer
from .followup import FollowUpComposer
from .kinds import ADMIN_ALERT, KINDS, MAIL_TO_GROUP, MAIL_TO_STAFF, Composer
from .loket import LoketComposer
from .reporter_mail import ReporterMailComposer, queue_notice
from .voice import Later, VoiceNoteComposer

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
BASE_DELAY = timedelta(seconds=5)
MAX_DELAY = timedelta(minutes=30)
# Items claimed and not yet delivered, at most (chats waiting for their rate limit
# included): room for a few groups' claims waiting for their window (PER_TARGET each) and a
# second's worth of private messages. Kept small so that claims follow each other often and
# oldest first: a large number in flight would queue newer private messages ahead of a
# group's next claim at the overall limit, and the group's window would open later.
MAX_IN_FLIGHT = 100
# A set-up an administrator must mend (a mail server's password) is told to them at most
# this often per reason and instance, however many messages wait for it.
OPERATOR_ALERT_EVERY = timedelta(hours=4)


class _Failed(Exception):
    """A delivery attempt failed with ``error``; recorded by ``OutboxWorker._fail``."""

    def __init__(self, error: DeliveryError) -> None:
        super().__init__(str(error))
        self.error = error


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 5 s, 10 s, 20 s, ... capped at 30 minutes."""
    delay: timedelta = BASE_DELAY * (2 ** min(max(attempts, 0), 20))
    return min(delay, MAX_DELAY)


class OutboxWorker:
    def __init__(
        self,
        store: Store,
        messenger: Messenger,
        catalogs: Mapping[str, Catalog],
        places: Sequence[Place],
        batch: int = 50,
        mail: MailComposer | None = None,
    ) -> None:
        self._store = store
        self._mail = mail
        self._operator_told: dict[str, datetime] = {}  # reason → when admins were told
        self._messenger = messenger
        self._composers: dict[Composer, LoketComposer | FollowUpComposer | ReporterMailComposer] = {
            "staff": LoketComposer(catalogs, places),
            "followup": FollowUpComposer(catalogs),
            "reporter_mail": ReporterMailComposer(),
        }
        self._voice = VoiceNoteComposer(catalogs[STAFF_LANGUAGE])
        self._batch = batch

    async def drain(self, now: datetime) -> int:
        """Send every message due at ``now`` once; returns how many were delivered.

        Claims come a few per chat at a time (so other instances can take other chats),
        until nothing due is left: whatever is not sent is then waiting for a retry. Each
        chat's claim goes out on its own: a chat held up by its rate limit (a group gets 20
        messages a minute) does not hold up the others, whose next claims follow as soon as
        a chat is done, up to ``MAX_IN_FLIGHT`` items claimed at once."""
        delivered = 0
        running: dict[asyncio.Task[int], int] = {}  # a chat's delivery → items it holds
        try:
            while True:
                room = MAX_IN_FLIGHT - sum(running.values())
                full = False
                if room > 0:
                    limit = min(self._batch, room)
                    async with self._store.unit_of_work() as uow:
                        # Committed at once: the claim (a lease) is what keeps another
                        # instance from sending the same items while these are delivered;
                        # a chat with items still claimed is not claimed again.
                        items = await uow.outbox.claim_due(now, limit)
                        await uow.commit()
                    by_target: dict[Target, list[OutboxItem]] = {}
                    for item in items:
                        by_target.setdefault(item.target, []).append(item)
                    for queue in by_target.values():
                        task = asyncio.create_task(self._deliver_in_order(queue, now))
                        running[task] = len(queue)
                    full = len(items) == limit
                if full and sum(running.values()) < MAX_IN_FLIGHT:
                    continue  # more may be due for other chats
                if not running:
                    return delivered
                done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    del running[task]
                    delivered += task.result()
        except asyncio.CancelledError:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            raise
        except Exception:
            # A delivery in progress is finished, never cut off mid-transaction.
            await asyncio.gather(*running, return_exceptions=True)
            raise

    async def _deliver_in_order(self, queue: list[OutboxItem], now: datetime) -> int:
        """One chat's claimed items: those of one signal in order (a card before its edits),
        those of different signals side by side. The loket group gets every card, and one
        at a time they waited a round trip each behind one another (issue 24: card p99
        1.4-1.7 s at 20 ms to Telegram); the rate limiter still paces the chat."""
        by_signal: dict[int | None, list[OutboxItem]] = {}
        for item in queue:
            by_signal.setdefault(item.signal_id, []).append(item)
        failing = asyncio.Lock()  # one failure at a time: each holds the whole chat
        if len(by_signal) == 1 or isinstance(queue[0].target, ByMail):
            # A mailbox reads as a list in arrival order, and an SMTP server takes a
            # message in milliseconds: mail keeps the chat's order.
            return await self._deliver_one_by_one(queue, now, failing)
        outcomes = await asyncio.gather(
            *(self._deliver_one_by_one(items, now, failing) for items in by_signal.values()),
            return_exceptions=True,  # each delivery finishes; none is cut off mid-transaction
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return sum(o for o in outcomes if isinstance(o, int))

    async def _deliver_one_by_one(
        self, queue: list[OutboxItem], now: datetime, failing: asyncio.Lock
    ) -> int:
        delivered = 0
        for item in queue:
            outcome = await self._deliver(item, now, failing)
            if outcome is None:
                break  # keep this chat's order: the rest waits for the retry
            delivered += outcome
        return delivered

    async def _compose(
        self, uow: UnitOfWork, item: OutboxItem, now: datetime
    ) -> Outgoing | Later | None:
        """The message of ``item``, written by its kind's composer; None when there is
        nothing (left) to send, or the kind is not for this recipient; ``Later`` when it is
        to be composed again then (a voice note waiting for its transcript)."""
        kind = KINDS.get(item.kind)
        target = item.target
        if isinstance(target, ByMail):
            by_mail = MAIL_TO_GROUP if target.to == LOKET else MAIL_TO_STAFF | MAIL_TO_GROUP
            if kind is None or item.kind not in by_mail:
                log.error("outbox item %s: no %s by mail", item.id, item.kind)
                return None
            if self._mail is None:  # mail switched off since it was queued
                raise DeliveryError("mail is not configured", unreachable=True)
            return await self._mail.compose(uow, item, self._composers, now)
        if kind is None or not kind.may_reach(target):
            log.error("outbox item %s: no %s for %s", item.id, item.kind, as_text(target))
            return None
        if kind.composer == "voice":
            return await self._voice.compose(uow, item, now)
        return await self._composers[kind.composer].compose(uow, item)

    async def _deliver(self, item: OutboxItem, now: datetime, failing: asyncio.Lock) -> int | None:
        """Deliver ``item``; a failure is recorded under ``failing``, which the deliveries of
        one chat share: recording it holds every pending item of the chat (``postpone_target``),
        and two such updates at once deadlock on PostgreSQL."""
        try:
            outcome = await self._attempt(item, now)
        except _Failed as failed:
            async with failing:
                return await self._fail(item, now, failed.error)
        if isinstance(outcome, Later):
            # Not an attempt: the chat's queue waits (its order is kept), claimed afresh.
            async with failing, self._store.unit_of_work() as uow:
                await uow.outbox.postpone_target(item.target, outcome.at)
                await uow.commit()
            return None
        return outcome

    async def _attempt(self, item: OutboxItem, now: datetime) -> int | Later:
        try:
            async with self._store.unit_of_work() as uow:
                outgoing = await self._compose(uow, item, now)
            if isinstance(outgoing, Later):
                return outgoing
        except DeliveryError as error:
            raise _Failed(error) from error
        landed = None
        if outgoing is not None:
            try:
                landed = await self._messenger.deliver(outgoing)
            except DeliveryError as error:
                raise _Failed(error) from error
            except OSError as error:
                raise _Failed(DeliveryError(repr(error))) from error
        async with self._store.unit_of_work() as uow:
            await uow.outbox.mark_sent(item.id, now, landed)
            if outgoing is not None:
                await queue_notice(uow, item, outgoing, now)  # a web reporter's mail, once
            disclosed = KINDS[item.kind].discloses and not isinstance(item.target, ByMail)
            if outgoing is not None and disclosed:
                # Personal details reached a staff member (or the group): an access like
                # any view, by whoever received them.
                await uow.audit.record(
                    at=now,
                    actor=item.target,
                    action=f"sent:{item.kind}"[:32],
                    outcome="ok",
                    signal_id=item.signal_id,
                )
            await uow.commit()
        return 1 if outgoing is not None else 0

    async def _fail(self, item: OutboxItem, now: datetime, error: DeliveryError) -> int | None:
        if error.unreachable:
            return await self._undeliverable(item, error)
        dead = error.permanent or item.attempts + 1 >= MAX_ATTEMPTS
        wait = retry_delay(item.attempts)
        if error.retry_after is not None:
            wait = max(wait, timedelta(seconds=error.retry_after))
        retry_at = None if dead else now + wait
        log.warning(
            "outbox item %s (%s to %s) failed: %s (dead=%s)",
            item.id,
            item.kind,
            as_text(item.target),
            error,
            dead,
        )
        async with self._store.unit_of_work() as uow:
            await uow.outbox.mark_failed(item.id, now, str(error)[:500], retry_at)
            if retry_at is not None:
                await uow.outbox.postpone_target(item.target, retry_at)
            if dead and isinstance(item.target, Reporter) and not error.configuration:
                await self._unreachable(uow, item, error, now)
            elif dead and item.kind != ADMIN_ALERT:
                await self._alert_admins(uow, item, error, now)
            elif error.operator and item.kind != ADMIN_ALERT and self._tell_operator(error, now):
                await self._alert_admins(uow, item, error, now, operator=True)
            await uow.commit()
        if dead:
            log.error("outbox item %s (%s) is dead-lettered", item.id, item.kind)
            return 0
        return None

    async def _undeliverable(self, item: OutboxItem, error: DeliveryError) -> int:
        """No channel reaches the recipient (a staff member with a dashboard login only):
        marked as such and counted, not retried; nobody needs to mend a chat."""
        log.warning(
            "outbox item %s (%s to %s) cannot be delivered: %s",
            item.id,
            item.kind,
            as_text(item.target),
            error,
        )
        async with self._store.unit_of_work() as uow:
            await uow.outbox.mark_undeliverable(item.id, str(error)[:500])
            await uow.commit()
        return 0

    async def _unreachable(
        self, uow: UnitOfWork, item: OutboxItem, error: DeliveryError, now: datetime
    ) -> None:
        """A reporter who blocked the bot or left the chat app: recorded on the signal,
        not an alarm (it is their right), and the follow-up goes on without them."""
        if item.signal_id is not None:
            await uow.signals.add_event(
                item.signal_id,
                at=now,
                actor=SYSTEM,
                action=REPORTER_UNREACHABLE,
                detail=item.kind[:32],
                note=str(error)[:200],
            )

    def _tell_operator(self, error: DeliveryError, now: datetime) -> bool:
        reason = str(error)
        told = self._operator_told.get(reason)
        if told is not None and now - told < OPERATOR_ALERT_EVERY:
            return False
        self._operator_told[reason] = now
        return True

    async def _alert_admins(
        self,
        uow: UnitOfWork,
        item: OutboxItem,
        error: DeliveryError,
        now: datetime,
        *,
        operator: bool = False,
    ) -> None:
        reference = None
        if item.signal_id is not None:
            signal = await uow.signals.get(item.signal_id)
            reference = signal.reference if signal else None
        payload: dict[str, object] = {
            "reference": reference,
            "target": as_text(item.target),
            "reason": str(error),
        }
        if error.configuration:
            payload["configuration"] = True
        if operator:
            payload["operator"] = True
        for admin in await uow.staff.active_with_role("admin"):
            await uow.outbox.enqueue(ADMIN_ALERT, StaffMember(admin.id), now, payload=payload)


async def run_worker(
    worker: OutboxWorker,
    clock: Callable[[], datetime],
    wake: asyncio.Event,
    stop: asyncio.Event,
    interval: float = 2.0,
) -> None:
    """Drain the outbox until ``stop``, at once when woken (something was queued)."""
    await drain_until(lambda: worker.drain(clock()), wake, stop, interval, "outbox")


async def drain_until(
    drain: Callable[[], Awaitable[int]],
    wake: asyncio.Event,
    stop: asyncio.Event,
    interval: float,
    what: str,
) -> None:
    """Call ``drain`` until ``stop``: at once when woken, else every ``interval``, and again
    straight away while it finds work. A drain in progress is finished, never cut off
    mid-transaction."""
    while not stop.is_set():
        wake.clear()
        try:
            if await drain():
                continue  # there may be more queued behind this batch
        except Exception:  # the loop must survive a database hiccup; the next round retries
            log.exception("%s drain failed", what)
        await first_of(wake, stop, within=interval)


async def first_of(*events: asyncio.Event, within: float) -> None:
    """Wait until one of ``events`` is set, or ``within`` seconds passed."""
    waiters = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
