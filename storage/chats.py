"""Telegram group chats that moved: a basic group upgraded to a supergroup has a new id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, select

from ._base import SessionRepository, insert_for
from .models import ChatMigration
from .types import as_utc


class ChatRepository(SessionRepository):
    async def record_migration(self, old: int, new: int, now: datetime) -> bool:
        """Remember that ``old`` is now ``new``; False when it was known already (another
        instance, or the service message and the error both told us)."""
        statement = (
            insert_for(self._dialect, ChatMigration)
            .values(from_chat_id=old, to_chat_id=new, at=as_utc(now))
            .on_conflict_do_nothing(index_elements=["from_chat_id"])
        )
        result = await self._session.execute(statement)
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def migrations(self) -> dict[int, int]:
        """Every recorded move: old chat id -> new chat id."""
        rows = await self._session.execute(
            select(ChatMigration.from_chat_id, ChatMigration.to_chat_id)
        )
        return {int(old): int(new) for old, new in rows}
