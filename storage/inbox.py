"""The inbox: received chat messages waiting to be processed (see ``models.InboxMessage``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, delete, or_, select, update

from ._base import INBOX_CLAIM_LOCK, SessionRepository, insert_for
from .models import InboxMessage
from .records import InboxItem
from .types import Bound, as_utc, reveal

# How long claimed messages belong to the instance processing them (a crashed instance's
# messages are taken up again after it). Processing one takes milliseconds.
LEASE = timedelta(minutes=1)


class InboxRepository(SessionRepository):
    async def add(
        self,
        channel: str,
        message_id: str,
        sender: str,
        payload: Mapping[str, Any],
        received_at: datetime,
    ) -> bool:
        """Keep a received message; False when it is already waiting (a redelivery).
        The message id is kept as a keyed hash (a WhatsApp id encodes the phone number)."""
        key = self._keys.index(f"message:{channel}:{message_id}")
        row = _row_key(channel, key)
        statement = (
            insert_for(self._dialect, InboxMessage)
            .values(
                channel=channel,
                message_id=key,
                sender_key=self._keys.index(f"sender:{channel}:{sender}"),
                sender=Bound(sender, row),
                payload=Bound(json.dumps(dict(payload), ensure_ascii=False), row),
                received_at=as_utc(received_at),
            )
            .on_conflict_do_nothing(index_elements=["channel", "message_id"])
        )
        result = await self._session.execute(statement)
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def waiting(self, channel: str, limit: int) -> list[InboxItem]:
        """The oldest waiting messages of ``channel``, in the order they arrived."""
        query = (
            select(InboxMessage)
            .where(InboxMessage.channel == channel)
            .order_by(InboxMessage.id)
            .limit(limit)
        )
        rows = (await self._session.execute(query)).scalars().all()
        return [self._item(row) for row in rows]

    async def claim(
        self, channel: str, now: datetime, limit: int, lease: timedelta = LEASE
    ) -> list[InboxItem]:
        """Claim waiting messages for processing by this instance until ``now + lease``,
        in the order they arrived; a sender with messages still claimed elsewhere is
        skipped, so each sender's messages are processed in order. The caller commits."""
        now = as_utc(now)
        await self._serialise(INBOX_CLAIM_LOCK)
        busy = select(InboxMessage.sender_key).where(InboxMessage.leased_until > now)
        chosen = (
            select(InboxMessage.id)
            .where(InboxMessage.channel == channel, InboxMessage.sender_key.not_in(busy))
            .order_by(InboxMessage.id)
            .limit(limit)
        )
        statement = (
            update(InboxMessage)
            .where(
                InboxMessage.id.in_(chosen),
                or_(InboxMessage.leased_until.is_(None), InboxMessage.leased_until <= now),
            )
            .values(leased_until=now + lease)
            .returning(
                InboxMessage.id,
                InboxMessage.channel,
                InboxMessage.message_id,
                InboxMessage.sender,
                InboxMessage.payload,
                InboxMessage.received_at,
            )
            .execution_options(synchronize_session=False)
        )
        rows = (await self._session.execute(statement)).all()
        return [self._item(row) for row in sorted(rows, key=lambda row: row.id)]

    def _item(self, row: Any) -> InboxItem:
        """An item from a row or a RETURNING row (the same columns by name)."""
        key = _row_key(row.channel, row.message_id)
        sender = reveal(row.sender, key)
        assert sender is not None
        payload = json.loads(reveal(row.payload, key) or "{}")
        return InboxItem(row.id, row.message_id, sender, payload, row.received_at)

    async def done(self, item_id: int) -> None:
        await self._session.execute(
            delete(InboxMessage)
            .where(InboxMessage.id == item_id)
            .execution_options(synchronize_session=False)
        )


def _row_key(channel: str, message_id: str) -> str:
    return f"{channel}:{message_id}"
