"""What the Telegram channel keeps: staff members' Telegram accounts (the only record of
Telegram user ids of staff), the loket group's moves (a basic group upgraded to a supergroup
has a new id) and, per chat, the message that still has live buttons."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import CursorResult, bindparam, delete, select

from ._base import SessionRepository, insert_for
from .models import ChatKeyboard, ChatMigration, StaffTelegramAccount
from .types import as_utc


class TelegramAccountRepository(SessionRepository):
    """Which Telegram user is which staff member. The services know an account only as an
    opaque id on a channel (``core.lifecycle.parties.Account``); this is where the Telegram
    channel finds the staff member behind it, and the chat to send a staff member's
    messages to."""

    async def staff_of(self, account: str) -> int | None:
        """The staff member whose account this Telegram user id (as text) is."""
        if not (account.lstrip("-").isascii() and account.lstrip("-").isdigit()):
            return None
        query = select(StaffTelegramAccount.staff_id).where(
            StaffTelegramAccount.telegram_user_id == int(account)
        )
        return (await self._session.execute(query)).scalar_one_or_none()

    async def account_of(self, staff_id: int) -> int | None:
        """The staff member's Telegram user id (their private chat with the bot)."""
        query = select(StaffTelegramAccount.telegram_user_id).where(
            StaffTelegramAccount.staff_id == staff_id
        )
        found = (await self._session.execute(query)).scalar_one_or_none()
        return int(found) if found is not None else None

    async def link(self, account: str, staff_id: int, now: datetime) -> None:
        """This Telegram user (id as text) is now this staff member's account (replacing
        the account the staff member had)."""
        telegram_user_id = int(account)
        await self._session.execute(
            delete(StaffTelegramAccount)
            .where(StaffTelegramAccount.staff_id == staff_id)
            .execution_options(synchronize_session=False)
        )
        self._session.add(
            StaffTelegramAccount(
                staff_id=staff_id, telegram_user_id=telegram_user_id, linked_at=as_utc(now)
            )
        )
        await self._session.flush()


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

    async def set_many(self, channel: str, live: Mapping[str, str | None]) -> None:
        """``set`` for many chats in two statements: one delete of the chats without live
        buttons, one upsert (executemany, of a statement built once) of the rest."""
        gone = [self._chat_key(chat_id) for chat_id, message in live.items() if message is None]
        if gone:
            await self._session.execute(
                delete(ChatKeyboard)
                .where(ChatKeyboard.channel == channel, ChatKeyboard.chat_key.in_(gone))
                .execution_options(synchronize_session=False)
            )
        rows = [
            {"channel": channel, "chat_key": self._chat_key(chat_id), "message_id": message}
            for chat_id, message in live.items()
            if message is not None
        ]
        if rows:
            await self._session.execute(_keyboard_upsert(self._dialect), rows)

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


@cache
def _keyboard_upsert(dialect: str) -> Any:
    """Built once (ADR 0112): the live-buttons record of a whole polling batch."""
    names = ("channel", "chat_key", "message_id")
    statement = insert_for(dialect, ChatKeyboard.__table__).values(
        {name: bindparam(name) for name in names}
    )
    return statement.on_conflict_do_update(
        index_elements=["channel", "chat_key"],
        set_={"message_id": statement.excluded.message_id},
    )
