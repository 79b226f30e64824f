"""Repositories for reporters, conversation state, the outbox and inbound dedup.

Repositories never commit: the unit of work owns the transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import CursorResult, bindparam, case, delete, select, update

from ._base import SessionRepository, insert_for
from .models import Conversation, InboundMessage, Reporter
from .records import ReporterRecord
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

    async def arrived(
        self, channel: str, channel_user_id: str, *, language: str, now: datetime
    ) -> ReporterRecord:
        """The reporter wrote at ``now``: ``get_or_create``, ``lock`` and ``heard_from`` in
        one statement (an upsert that returns the row). New reporters get ``language``.

        The upsert always updates the row, so on PostgreSQL it holds the row lock until the
        transaction ends, as ``lock`` does: one message of a chat at a time across instances
        (SQLite has one writer). ``last_inbound_at`` only moves forward."""
        key = self.user_key(channel, channel_user_id)
        at = as_utc(now)
        values = {
            "channel": channel,
            "user_key": key,
            "channel_user_id": Bound(channel_user_id, key),
            "language": language,
            "created_at": at,
            "last_inbound_at": at,
        }
        upsert = _arrived_statement(self._dialect)
        row = (await self._session.execute(upsert, values)).one()
        return ReporterRecord(
            id=row.id,
            channel=channel,
            channel_user_id=channel_user_id,
            language=row.language,
            last_inbound_at=row.last_inbound_at,
        )

    async def lock(self, reporter_id: int) -> None:
        """Hold the reporter's row until the transaction ends: one message of a chat is
        handled at a time across instances (PostgreSQL; SQLite has one writer), and the
        next one reads the conversation as the last one left it."""
        await self._session.execute(
            select(Reporter.id).where(Reporter.id == reporter_id).with_for_update()
        )

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
        query = _load_statement()
        state = (
            await self._session.execute(query, {"reporter_id": reporter_id})
        ).scalar_one_or_none()
        return self._decoded(state, reporter_id)

    @staticmethod
    def _decoded(state: Any, reporter_id: int) -> dict[str, Any] | None:
        text = reveal(state, str(reporter_id))
        if text is None:
            return None
        loaded = json.loads(text)
        return loaded if isinstance(loaded, dict) else None

    async def save(self, reporter_id: int, state: Mapping[str, Any], now: datetime) -> None:
        """Insert or replace the (encrypted) JSON state of one reporter's conversation."""
        sealed = Bound(json.dumps(dict(state), ensure_ascii=False), str(reporter_id))
        values = {"reporter_id": reporter_id, "state": sealed, "updated_at": as_utc(now)}
        await self._session.execute(_save_statement(self._dialect), values)

    async def delete(self, reporter_id: int) -> None:
        await self._session.execute(
            delete(Conversation)
            .where(Conversation.reporter_id == reporter_id)
            .execution_options(synchronize_session=False)
        )


class InboundRepository(SessionRepository):
    async def record(self, channel: str, message_id: str, now: datetime) -> bool:
        """Remember an inbound message. True if new, False if it was already processed.

        Kept as a keyed hash: a WhatsApp message id encodes the sender's phone number."""
        values = {
            "channel": channel,
            "message_id": self._keys.index(f"message:{channel}:{message_id}"),
            "processed_at": as_utc(now),
        }
        result = await self._session.execute(_record_statement(self._dialect), values)
        assert isinstance(result, CursorResult)
        return result.rowcount == 1


# The step's hot statements, built once per dialect with bound parameters (issue 24): built
# anew on every call, an upsert cost more in building and cache-key work (``excluded``
# column proxies, a new bind per value) than in the database. Core statements on the tables,
# so no ORM plugin runs for them either.


@cache
def _arrived_statement(dialect: str) -> Any:
    table = Reporter.__table__
    columns = ("channel", "user_key", "channel_user_id", "language", "created_at")
    values: dict[str, Any] = {name: bindparam(name) for name in columns}
    values["last_inbound_at"] = bindparam("last_inbound_at")
    statement = insert_for(dialect, table).values(values)
    later = statement.excluded.last_inbound_at
    current = table.c.last_inbound_at
    return statement.on_conflict_do_update(
        index_elements=["channel", "user_key"],
        set_={
            "last_inbound_at": case(
                (current.is_(None), later), (current < later, later), else_=current
            )
        },
    ).returning(table.c.id, table.c.language, table.c.last_inbound_at)


@cache
def _save_statement(dialect: str) -> Any:
    names = ("reporter_id", "state", "updated_at")
    statement = insert_for(dialect, Conversation.__table__).values(
        {name: bindparam(name) for name in names}
    )
    return statement.on_conflict_do_update(
        index_elements=["reporter_id"],
        set_={"state": statement.excluded.state, "updated_at": statement.excluded.updated_at},
    )


@cache
def _load_statement() -> Any:
    table = Conversation.__table__
    return select(table.c.state).where(table.c.reporter_id == bindparam("reporter_id"))


@cache
def _record_statement(dialect: str) -> Any:
    names = ("channel", "message_id", "processed_at")
    statement = insert_for(dialect, InboundMessage.__table__).values(
        {name: bindparam(name) for name in names}
    )
    return statement.on_conflict_do_nothing(index_elements=["channel", "message_id"])
