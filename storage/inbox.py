"""The inbox: received chat messages waiting to be processed (see ``models.InboxMessage``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, delete, select

from ._base import SessionRepository, insert_for
from .models import InboxMessage
from .records import InboxItem
from .types import Bound, as_utc, reveal


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
        items = []
        for row in rows:
            key = _row_key(row.channel, row.message_id)
            sender = reveal(row.sender, key)
            payload = json.loads(reveal(row.payload, key) or "{}")
            assert sender is not None
            items.append(InboxItem(row.id, row.message_id, sender, payload, row.received_at))
        return items

    async def done(self, item_id: int) -> None:
        await self._session.execute(
            delete(InboxMessage)
            .where(InboxMessage.id == item_id)
            .execution_options(synchronize_session=False)
        )


def _row_key(channel: str, message_id: str) -> str:
    return f"{channel}:{message_id}"
