"""Repositories for reporters, conversation state, the outbox and inbound dedup.

Repositories never commit: the unit of work owns the transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, case, delete, func, select, update

from ._base import SessionRepository, insert_for
from .models import Conversation, InboundMessage, OutboxMessage, Reporter
from .records import OutboxItem, ReporterRecord
from .signals import LOKET_TARGET
from .types import Bound, as_utc, reveal


def _reporter_record(row: Reporter) -> ReporterRecord:
    user_id = reveal(row.channel_user_id, row.user_key)
    assert user_id is not None
    return ReporterRecord(
        id=row.id,
        channel=row.channel,
        channel_user_id=user_id,
        language=row.language,
        last_inbound_at=row.last_inbound_at,
    )


class ReporterRepository(SessionRepository):
    def user_key(self, channel: str, channel_user_id: str) -> str:
        """The keyed hash a reporter is found by (their chat id is stored encrypted)."""
        return self._keys.index(f"reporter:{channel}:{channel_user_id}")

    async def _find(self, channel: str, channel_user_id: str) -> Reporter | None:
        query = select(Reporter).where(
            Reporter.channel == channel,
            Reporter.user_key == self.user_key(channel, channel_user_id),
        )
        return (await self._session.execute(query)).scalar_one_or_none()

    async def find(self, channel: str, channel_user_id: str) -> ReporterRecord | None:
        row = await self._find(channel, channel_user_id)
        return _reporter_record(row) if row is not None else None

    async def get(self, reporter_id: int) -> ReporterRecord | None:
        row = await self._session.get(Reporter, reporter_id, populate_existing=True)
        return _reporter_record(row) if row is not None else None

    async def get_or_create(
        self, channel: str, channel_user_id: str, *, language: str, now: datetime
    ) -> ReporterRecord:
        """Find the reporter, or create it with ``language``. Safe under concurrency."""
        row = await self._find(channel, channel_user_id)
        if row is None:
            key = self.user_key(channel, channel_user_id)
            statement = (
                insert_for(self._dialect, Reporter)
                .values(
                    channel=channel,
                    user_key=key,
                    channel_user_id=Bound(channel_user_id, key),
                    language=language,
                    created_at=as_utc(now),
                )
                .on_conflict_do_nothing(index_elements=["channel", "user_key"])
            )
            await self._session.execute(statement)
            row = await self._find(channel, channel_user_id)
            if row is None:  # pragma: no cover - the insert or the rival insert made it
                raise RuntimeError("reporter vanished right after insert")
        return _reporter_record(row)

    async def heard_from(self, reporter_id: int, at: datetime) -> None:
        """The reporter wrote to us at ``at`` (an older message processed late changes
        nothing)."""
        await self._session.execute(
            update(Reporter)
            .where(
                Reporter.id == reporter_id,
                (Reporter.last_inbound_at.is_(None)) | (Reporter.last_inbound_at < as_utc(at)),
            )
            .values(last_inbound_at=as_utc(at))
            .execution_options(synchronize_session=False)
        )

    async def window_closed(self, reporter_id: int) -> None:
        """The chat app says free-form messages no longer reach this reporter."""
        await self._session.execute(
            update(Reporter)
            .where(Reporter.id == reporter_id)
            .values(last_inbound_at=None)
            .execution_options(synchronize_session=False)
        )

    async def adopt_user_id(self, channel: str, old: str, new: str) -> None:
        """Key a reporter known by ``old`` (a phone number) on ``new`` (the chat app's
        user id) from now on, unless ``new`` is known already."""
        if await self._find(channel, new) is not None:
            return
        key = self.user_key(channel, new)
        await self._session.execute(
            update(Reporter)
            .where(Reporter.channel == channel, Reporter.user_key == self.user_key(channel, old))
            .values(user_key=key, channel_user_id=Bound(new, key))
            .execution_options(synchronize_session=False)
        )

    async def set_language(self, reporter_id: int, language: str) -> None:
        await self._session.execute(
            update(Reporter)
            .where(Reporter.id == reporter_id)
            .values(language=language)
            .execution_options(synchronize_session=False)
        )


class ConversationRepository(SessionRepository):
    async def load(self, reporter_id: int) -> dict[str, Any] | None:
        query = select(Conversation.state).where(Conversation.reporter_id == reporter_id)
        state = (await self._session.execute(query)).scalar_one_or_none()
        text = reveal(state, str(reporter_id))
        if text is None:
            return None
        loaded = json.loads(text)
        return loaded if isinstance(loaded, dict) else None

    async def save(self, reporter_id: int, state: Mapping[str, Any], now: datetime) -> None:
        """Insert or replace the (encrypted) JSON state of one reporter's conversation."""
        sealed = Bound(json.dumps(dict(state), ensure_ascii=False), str(reporter_id))
        values = {"reporter_id": reporter_id, "state": sealed, "updated_at": as_utc(now)}
        statement = insert_for(self._dialect, Conversation).values(**values)
        statement = statement.on_conflict_do_update(
            index_elements=["reporter_id"],
            set_={"state": statement.excluded.state, "updated_at": statement.excluded.updated_at},
        )
        await self._session.execute(statement)

    async def delete(self, reporter_id: int) -> None:
        await self._session.execute(
            delete(Conversation)
            .where(Conversation.reporter_id == reporter_id)
            .execution_options(synchronize_session=False)
        )


def _item(row: OutboxMessage) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        kind=row.kind,
        signal_id=row.signal_id,
        target=row.target,
        attempts=row.attempts,
        payload=dict(row.payload or {}),
    )


class OutboxRepository(SessionRepository):
    async def enqueue(
        self,
        kind: str,
        target: str,
        now: datetime,
        *,
        signal_id: int | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        """Queue a message in the caller's transaction: it goes out only if that commits."""
        self._session.add(
            OutboxMessage(
                kind=kind,
                signal_id=signal_id,
                target=target,
                payload=dict(payload or {}),
                status="pending",
                attempts=0,
                next_attempt_at=as_utc(now),
                created_at=as_utc(now),
            )
        )
        await self._session.flush()

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
        """Number of items per status (pending, sent, dead)."""
        query = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        return {status: int(n) for status, n in (await self._session.execute(query)).all()}

    async def claim_due(self, now: datetime, limit: int = 50) -> list[OutboxItem]:
        """Pending items due at ``now``, oldest first.

        On PostgreSQL the rows are locked (SKIP LOCKED) until the transaction ends, so two
        workers never claim the same item; SQLite serialises writers anyway.
        """
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= as_utc(now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = (await self._session.execute(query)).scalars().all()
        return [_item(row) for row in rows]

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
                (OutboxMessage.target == LOKET_TARGET, delivered_ref),
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

    async def postpone_target(self, target: str, until: datetime) -> None:
        """Hold every pending item for ``target`` until ``until`` (a 429 or an outage holds
        the whole chat, and keeps its messages in order). Attempts are not counted."""
        await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.target == target,
                OutboxMessage.status == "pending",
                OutboxMessage.next_attempt_at < as_utc(until),
            )
            .values(next_attempt_at=as_utc(until))
            .execution_options(synchronize_session=False)
        )

    async def _update(self, item_id: int, **values: Any) -> None:
        """Record the outcome of one delivery attempt (every attempt counts)."""
        statement = (
            update(OutboxMessage)
            .where(OutboxMessage.id == item_id)
            .values(attempts=OutboxMessage.attempts + 1, **values)
            .execution_options(synchronize_session=False)
        )
        await self._session.execute(statement)

    async def pending_count(self) -> int:
        query = (
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")
        )
        return int((await self._session.execute(query)).scalar_one())


class InboundRepository(SessionRepository):
    async def record(self, channel: str, message_id: str, now: datetime) -> bool:
        """Remember an inbound message. True if new, False if it was already processed.

        Kept as a keyed hash: a WhatsApp message id encodes the sender's phone number."""
        statement = (
            insert_for(self._dialect, InboundMessage)
            .values(
                channel=channel,
                message_id=self._keys.index(f"message:{channel}:{message_id}"),
                processed_at=as_utc(now),
            )
            .on_conflict_do_nothing(index_elements=["channel", "message_id"])
        )
        result = await self._session.execute(statement)
        assert isinstance(result, CursorResult)
        return result.rowcount == 1
