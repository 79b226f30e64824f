"""The durable outbox: messages queued in the transaction that caused them, claimed by one
instance at a time, delivered at least once, in order per chat."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, insert, or_, select, update

from core.lifecycle.parties import (
    LOKET,
    ByMail,
    LoketGroup,
    StaffMember,
    Target,
    as_text,
    parse_target,
)

from ._base import OUTBOX_CLAIM_LOCK, SessionRepository
from .models import OutboxMessage, Staff, StaffEmailAccount, StaffTelegramAccount
from .records import OutboxItem
from .types import as_utc

# A row's ``target`` is a ``core.lifecycle.parties.Target`` as text (the loket group, a
# staff member by staff id, a reporter by reporter id), resolved by the channel when sending.
# Statuses: pending (to send), sent, dead (given up: an admin is told), unreached (no channel
# can reach the recipient: a staff member with a dashboard login only; not retried).
UNREACHED = "unreached"  # fits the status column (10)
# How long a claimed item belongs to the instance that claimed it. Long enough to deliver a
# claim (at most PER_TARGET messages to one chat, 20 a minute to a group); a crashed
# instance's items are taken up again after it.
LEASE = timedelta(minutes=2)
PER_TARGET = 5


def _item(row: Any) -> OutboxItem | None:
    """An item from a row or a RETURNING row (the same columns by name); None for a target
    of no known form (rows of before the targets were typed that named nobody we know)."""
    target = parse_target(row.target)
    if target is None:
        return None
    return OutboxItem(
        id=row.id,
        kind=row.kind,
        signal_id=row.signal_id,
        target=target,
        attempts=row.attempts,
        payload=dict(row.payload or {}),
    )


@dataclass(frozen=True)
class NewMessage:
    """A message to queue with ``enqueue_many``: what ``enqueue`` takes, but ``now``."""

    kind: str
    target: Target
    signal_id: int | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MailRouting:
    """Which messages also go by e-mail, each copy a row of its own (``ByMail``) so that
    the chat's delivery and the mail's are retried and marked apart: a message that reached
    the Telegram group is never sent again because the mail failed, and the other way round.

    ``group``: kinds for the loket group that go to the loket's mailbox (when there is one,
    ``loket_mailbox``) and to every active staff member who chose an address (what the
    group's members read in the group). ``personal``: kinds for a staff member that go to
    the address they chose. A staff member reached by mail only gets no chat row.
    Built from ``bot.outbox.kinds`` by the composition root; the storage knows no kinds."""

    group: frozenset[str]
    personal: frozenset[str]
    loket_mailbox: bool


class OutboxRepository(SessionRepository):
    # Set by the unit of work: which messages also go by e-mail (None: mail is off).
    mail: MailRouting | None = None

    async def enqueue(
        self,
        kind: str,
        target: Target,
        now: datetime,
        *,
        signal_id: int | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        """Queue a message in the caller's transaction: it goes out only if that commits
        (with its copies by e-mail, ``MailRouting``)."""
        await self.enqueue_many([NewMessage(kind, target, signal_id, dict(payload or {}))], now)

    async def _by_mail(self, messages: Sequence[NewMessage]) -> list[NewMessage]:
        """``messages`` with their e-mail copies, each after its message; the chat's copy
        dropped for a staff member who is reached by mail only."""
        routing = self.mail
        if routing is None:
            return list(messages)
        wanted = [m for m in messages if isinstance(m.target, StaffMember)]
        with_mail: set[int] = set()
        on_chat: set[int] = set()
        if wanted:
            ids = [m.target.staff_id for m in wanted if isinstance(m.target, StaffMember)]
            with_mail = await self._staff_with_mail(ids)
            found = select(StaffTelegramAccount.staff_id).where(
                StaffTelegramAccount.staff_id.in_(ids)
            )
            on_chat = set((await self._session.execute(found)).scalars())
        group_readers: list[int] | None = None
        out: list[NewMessage] = []
        for m in messages:
            if isinstance(m.target, LoketGroup) and m.kind in routing.group:
                out.append(m)
                if routing.loket_mailbox:
                    out.append(replace(m, target=ByMail(LOKET)))
                if group_readers is None:
                    group_readers = sorted(await self._staff_with_mail(None))
                out.extend(replace(m, target=ByMail(StaffMember(s))) for s in group_readers)
            elif (
                isinstance(m.target, StaffMember)
                and m.kind in routing.personal
                and m.target.staff_id in with_mail
            ):
                if m.target.staff_id in on_chat:
                    out.append(m)
                out.append(replace(m, target=ByMail(m.target)))
            else:
                out.append(m)
        return out

    async def _staff_with_mail(self, among: Sequence[int] | None) -> set[int]:
        query = (
            select(StaffEmailAccount.staff_id)
            .join(Staff, Staff.id == StaffEmailAccount.staff_id)
            .where(Staff.revoked_at.is_(None))
        )
        if among is not None:
            query = query.where(StaffEmailAccount.staff_id.in_(list(among)))
        return set((await self._session.execute(query)).scalars())

    async def enqueue_many(self, messages: Sequence[NewMessage], now: datetime) -> None:
        """Queue ``messages`` as ``enqueue`` does, in the order given, in one statement (a
        sweep queues hundreds at once)."""
        messages = await self._by_mail(messages)
        if not messages:
            return
        at = as_utc(now)
        connection = await self._session.connection()
        await connection.execute(
            insert(OutboxMessage),
            [
                {
                    "kind": m.kind,
                    "signal_id": m.signal_id,
                    "target": as_text(m.target),
                    "payload": dict(m.payload),
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": at,
                    "created_at": at,
                }
                for m in messages
            ],
        )

    async def delivered_ref(self, signal_id: int, kind: str) -> str | None:
        """Where the first delivered ``kind`` message of a signal landed, if it did."""
        query = (
            select(OutboxMessage.delivered_ref)
            .where(
                OutboxMessage.signal_id == signal_id,
                OutboxMessage.kind == kind,
                OutboxMessage.status == "sent",
            )
            .order_by(OutboxMessage.id)
            .limit(1)
        )
        return (await self._session.execute(query)).scalar_one_or_none()

    async def latest_ref(self, signal_id: int, kinds: Sequence[str]) -> str | None:
        """Where the latest delivered message of these kinds landed: a card that had to be
        sent again (its group became a supergroup) is edited where it is now."""
        query = (
            select(OutboxMessage.delivered_ref)
            .where(
                OutboxMessage.signal_id == signal_id,
                OutboxMessage.kind.in_(list(kinds)),
                OutboxMessage.status == "sent",
                OutboxMessage.delivered_ref.is_not(None),
            )
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )
        return (await self._session.execute(query)).scalar_one_or_none()

    async def landed(self, *delivered_refs: str) -> OutboxItem | None:
        """The sent item that landed at one of ``delivered_refs`` (a WhatsApp message id
        is recorded as it is, or marked as a template)."""
        hashed = [self._landed_key(ref) for ref in delivered_refs]
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.delivered_ref.in_(hashed), OutboxMessage.status == "sent")
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )
        row = (await self._session.execute(query)).scalar_one_or_none()
        return _item(row) if row is not None else None

    async def resend(self, item_id: int, now: datetime) -> None:
        """Send a delivered item again (composed afresh): the chat app reported later that
        it did not arrive. The attempt is counted, so this cannot loop forever."""
        await self._update(item_id, status="pending", next_attempt_at=as_utc(now))

    async def counts(self) -> dict[str, int]:
        """Number of items per status (pending, sent, dead, unreached)."""
        query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        return {status: int(n) for status, n in (await self._session.execute(query)).all()}

    async def claim_due(
        self, now: datetime, limit: int = 50, lease: timedelta = LEASE
    ) -> list[OutboxItem]:
        """Claim pending items due at ``now`` for delivery by this instance until
        ``now + lease``; oldest first, at most ``PER_TARGET`` per chat. The caller commits.

        Claims of all instances run one at a time (an advisory lock on PostgreSQL, the
        single writer on SQLite) and a chat with items still claimed is skipped altogether,
        so each item goes to one instance and a chat's messages go out in order whichever
        instance sends them.
        """
        now = as_utc(now)
        await self._serialise(OUTBOX_CLAIM_LOCK)
        claimed = select(OutboxMessage.target).where(
            OutboxMessage.status == "pending", OutboxMessage.leased_until > now
        )
        ranked = (
            select(
                OutboxMessage.id,
                OutboxMessage.next_attempt_at,
                func.row_number()
                .over(
                    partition_by=OutboxMessage.target,
                    order_by=(OutboxMessage.next_attempt_at, OutboxMessage.id),
                )
                .label("place"),
            )
            .where(
                OutboxMessage.status == "pending",
                OutboxMessage.next_attempt_at <= now,
                OutboxMessage.target.not_in(claimed),
            )
            .subquery()
        )
        chosen = (
            select(ranked.c.id)
            .where(ranked.c.place <= PER_TARGET)
            .order_by(ranked.c.next_attempt_at, ranked.c.id)
            .limit(limit)
        )
        statement = (
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(chosen),
                OutboxMessage.status == "pending",
                or_(OutboxMessage.leased_until.is_(None), OutboxMessage.leased_until <= now),
            )
            .values(leased_until=now + lease)
            .returning(
                OutboxMessage.id,
                OutboxMessage.kind,
                OutboxMessage.signal_id,
                OutboxMessage.target,
                OutboxMessage.attempts,
                OutboxMessage.payload,
                OutboxMessage.next_attempt_at,
            )
            .execution_options(synchronize_session=False)
        )
        rows = (await self._session.execute(statement)).all()
        rows = sorted(rows, key=lambda row: (row.next_attempt_at, row.id))
        items = [_item(row) for row in rows]
        return [item for item in items if item is not None]

    async def mark_sent(
        self, item_id: int, now: datetime, delivered_ref: str | None = None
    ) -> None:
        """Record the delivery. Where a message landed names the chat (a reporter's chat id,
        a WhatsApp id encoding their number): only the loket group's is kept as it is,
        because its cards are edited later; any other is kept as a keyed hash, enough to
        recognise a status or a reply naming it."""
        landed: Any = None
        if delivered_ref is not None:
            landed = case(
                (OutboxMessage.target == as_text(LOKET), delivered_ref),
                else_=self._landed_key(delivered_ref),
            )
        await self._update(
            item_id, status="sent", sent_at=as_utc(now), last_error=None, delivered_ref=landed
        )

    def _landed_key(self, delivered_ref: str) -> str:
        return self._keys.index(f"landed:{delivered_ref}")

    async def mark_failed(
        self, item_id: int, now: datetime, error: str, retry_at: datetime | None
    ) -> None:
        """Count a failed attempt; retry at ``retry_at``, or give up ("dead") when None."""
        as_utc(now)  # refuse naive datetimes like every other method
        if retry_at is None:
            await self._update(item_id, status="dead", last_error=error)
        else:
            await self._update(
                item_id, status="pending", last_error=error, next_attempt_at=as_utc(retry_at)
            )

    async def mark_undeliverable(self, item_id: int, error: str) -> None:
        """No channel can reach the recipient: not retried, counted apart from the dead
        (no admin needs to mend a chat; the recipient has none)."""
        await self._update(item_id, status=UNREACHED, last_error=error)

    async def postpone_target(self, target: Target, until: datetime) -> None:
        """Hold every pending item for ``target`` until ``until`` (a 429 or an outage holds
        the whole chat, and keeps its messages in order), and give up their claim: they are
        claimed afresh when due. Attempts are not counted."""
        await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.target == as_text(target),
                OutboxMessage.status == "pending",
                OutboxMessage.next_attempt_at < as_utc(until),
            )
            .values(next_attempt_at=as_utc(until), leased_until=None)
            .execution_options(synchronize_session=False)
        )

    async def _update(self, item_id: int, **values: Any) -> None:
        """Record the outcome of one delivery attempt (every attempt counts)."""
        statement = (
            update(OutboxMessage)
            .where(OutboxMessage.id == item_id)
            .values(attempts=OutboxMessage.attempts + 1, leased_until=None, **values)
            .execution_options(synchronize_session=False)
        )
        await self._session.execute(statement)

    async def pending_count(self) -> int:
        query = (
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")
        )
        return int((await self._session.execute(query)).scalar_one())
