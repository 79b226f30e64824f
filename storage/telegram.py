"""What the Telegram channel keeps: the loket group's moves (a basic group upgraded to a
supergroup has a new id) and, per chat, the message that still has live buttons."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, delete, select

from ._base import SessionRepository, insert_for
from .models import ChatKeyboard, ChatMigration
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


class KeyboardRepository(SessionRepository):
    def _chat_key(self, chat_id: str) -> str:
        return self._keys.index(f"chat:{chat_id}")

    async def get(self, channel: str, chat_id: str) -> str | None:
        query = select(ChatKeyboard.message_id).where(
            ChatKeyboard.channel == channel, ChatKeyboard.chat_key == self._chat_key(chat_id)
        )
        return (await self._session.execute(query)).scalar_one_or_none()

    async def set(self, channel: str, chat_id: str, message_id: str | None) -> None:
        if message_id is None:
            await self._session.execute(
                delete(ChatKeyboard)
                .where(
                    ChatKeyboard.channel == channel,
                    ChatKeyboard.chat_key == self._chat_key(chat_id),
                )
                .execution_options(synchronize_session=False)
            )
            return
        statement = insert_for(self._dialect, ChatKeyboard).values(
            channel=channel, chat_key=self._chat_key(chat_id), message_id=message_id
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["channel", "chat_key"],
                set_={"message_id": statement.excluded.message_id},
            )
        )
