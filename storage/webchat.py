"""Residents' web chats: the cookie's token (found by its hash), the reporter's random id
on the "web" channel, and the transcript the page shows, encrypted and bound to that id.

``updated_at`` is when the resident was last on the page (a visit or a message); a
message from the loket does not count, so a chat lives exactly as long as its cookie.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, delete, func, select, update

from ._base import SessionRepository, insert_for
from .models import WebChat
from .types import Bound, as_utc, reveal

WEB_CHANNEL = "web"  # the reporters of the web chat (``Reporter.channel``)
EMPTY_TRANSCRIPT = "{}"


def token_hash(token: str) -> str:
    """What the database keeps of a cookie's token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class WebChatRecord:
    token_hash: str
    user_id: str
    created_at: datetime
    updated_at: datetime
    transcript: Mapping[str, Any] = field(default_factory=dict)


def _record(row: WebChat) -> WebChatRecord:
    text = reveal(row.transcript, row.user_id)
    loaded = json.loads(text) if text else {}
    return WebChatRecord(
        token_hash=row.token_hash,
        user_id=row.user_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        transcript=loaded if isinstance(loaded, dict) else {},
    )


class WebChatRepository(SessionRepository):
    async def create(self, hashed: str, user_id: str, now: datetime) -> bool:
        """A new chat with an empty transcript; False when the token already has one
        (a double submit of the first form: the other request created it)."""
        statement = (
            insert_for(self._dialect, WebChat)
            .values(
                token_hash=hashed,
                user_id=user_id,
                transcript=Bound(EMPTY_TRANSCRIPT, user_id),
                created_at=as_utc(now),
                updated_at=as_utc(now),
            )
            .on_conflict_do_nothing(index_elements=["token_hash"])
        )
        result = await self._session.execute(statement)
        assert isinstance(result, CursorResult)
        return bool(result.rowcount)

    async def by_token(self, hashed: str, *, lock: bool = False) -> WebChatRecord | None:
        query = select(WebChat).where(WebChat.token_hash == hashed)
        return await self._one(query.with_for_update() if lock else query)

    async def by_user(self, user_id: str, *, lock: bool = False) -> WebChatRecord | None:
        """``lock``: hold the row until the transaction ends (PostgreSQL), so two writers
        of one transcript (the resident and the loket) do not overwrite each other."""
        query = select(WebChat).where(WebChat.user_id == user_id)
        return await self._one(query.with_for_update() if lock else query)

    async def _one(self, query: Any) -> WebChatRecord | None:
        result = await self._session.execute(query.execution_options(populate_existing=True))
        row = result.scalar_one_or_none()
        return _record(row) if row is not None else None

    async def save(
        self, user_id: str, transcript: Mapping[str, Any], *, now: datetime | None = None
    ) -> bool:
        """Replace the transcript; ``now`` when the resident did it (the chat lives on).
        False when the chat is gone."""
        values: dict[str, Any] = {
            "transcript": Bound(json.dumps(transcript, ensure_ascii=False), user_id)
        }
        if now is not None:
            values["updated_at"] = as_utc(now)
        return await self._rows(update(WebChat).where(WebChat.user_id == user_id), values) > 0

    async def created_since(self, since: datetime) -> int:
        """How many web chats were started since ``since`` (and still exist)."""
        query = select(func.count()).where(WebChat.created_at >= as_utc(since))
        return int((await self._session.execute(query)).scalar_one())

    async def touch(self, hashed: str, now: datetime) -> None:
        """The resident is on the page: the chat (and its cookie) live on from ``now``."""
        await self._rows(update(WebChat).where(WebChat.token_hash == hashed), {"updated_at": now})

    async def delete(self, user_id: str) -> int:
        result = await self._session.execute(delete(WebChat).where(WebChat.user_id == user_id))
        assert isinstance(result, CursorResult)
        return int(result.rowcount)

    async def _rows(self, statement: Any, values: dict[str, Any]) -> int:
        if "updated_at" in values:
            values["updated_at"] = as_utc(values["updated_at"])
        result = await self._session.execute(
            statement.values(**values).execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return int(result.rowcount)
