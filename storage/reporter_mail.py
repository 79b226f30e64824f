"""Web reporters reached by mail: the address a web reporter left on their signal (kept
and erased exactly like their phone number: an encrypted column of the signal, bound to
its reference), how long their web chat is kept for what waits in it, the e-mail question
the chat shows, and the single-use links of the notice mails (only their SHA-256 stored).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import CursorResult, func, insert, select, update

from ._base import SessionRepository
from .models import Reporter, Signal, WebChat, WebChatLink
from .types import Bound, as_utc, reveal
from .webchat import WEB_CHANNEL

LinkState = Literal["open", "used", "expired", "unknown"]


@dataclass(frozen=True)
class LinkFound:
    state: LinkState
    language: str | None = None
    user_id: str | None = None


@dataclass(frozen=True)
class LatestSignal:
    """A web reporter's newest signal, as the e-mail question needs it."""

    id: int
    reference: str
    created_at: datetime
    checkin: bool  # the reporter agreed to the check-in
    message_here: bool  # the reporter chose to be answered in the chat
    has_email: bool


class ReporterMailRepository(SessionRepository):
    # -- the address, on the signal ---------------------------------------------------------

    async def set_email(self, signal_id: int, address: str | None) -> bool:
        """Store (or with None remove) the reporter's address on their signal; False when
        the signal has no reporter any more (erased meanwhile)."""
        row = await self._session.get(Signal, signal_id)
        if row is None or row.reporter_id is None:
            return False
        value = Bound(address, row.reference) if address is not None else None
        statement = update(Signal).where(Signal.id == signal_id).values(reporter_email=value)
        return await self._changed_rows(statement) > 0

    async def email_of(self, signal_id: int) -> str | None:
        query = select(Signal.reporter_email, Signal.reference).where(Signal.id == signal_id)
        row = (await self._session.execute(query)).one_or_none()
        return None if row is None else reveal(row[0], row[1])

    async def latest_signal(
        self, user_id: str, since: datetime | None = None
    ) -> LatestSignal | None:
        """The newest signal of the web chat's reporter (sent at ``since`` or later: read
        through the index on ``created_at``, so asking after every step costs nothing)."""
        query = (
            select(Signal)
            .join(Reporter, Reporter.id == Signal.reporter_id)
            .where(
                Reporter.channel == WEB_CHANNEL,
                Reporter.user_key == self._keys.index(f"reporter:{WEB_CHANNEL}:{user_id}"),
                *([Signal.created_at >= as_utc(since)] if since is not None else []),
            )
            .order_by(Signal.id.desc())
            .limit(1)
        )
        row = (await self._session.execute(query)).scalar_one_or_none()
        if row is None:
            return None
        contact = row.callback or row.reach
        return LatestSignal(
            id=row.id,
            reference=row.reference,
            created_at=as_utc(row.created_at),
            checkin=row.checkin == "yes",
            message_here=contact == "here",
            has_email=row.reporter_email is not None,
        )

    # -- the chat ---------------------------------------------------------------------------

    async def offer(self, user_id: str, signal_id: int | None) -> None:
        """Show (a signal id) or stop showing (None) the e-mail question in the chat."""
        await self._changed_rows(
            update(WebChat).where(WebChat.user_id == user_id).values(mail_offer=signal_id)
        )

    async def offered(self, user_id: str) -> int | None:
        query = select(WebChat.mail_offer).where(WebChat.user_id == user_id)
        return (await self._session.execute(query)).scalar_one_or_none()

    async def keep(self, user_id: str, until: datetime) -> None:
        """Keep the chat at least until ``until`` (never shortens what was promised)."""
        at = as_utc(until)
        await self._changed_rows(
            update(WebChat)
            .where(
                WebChat.user_id == user_id,
                (WebChat.kept_until.is_(None)) | (WebChat.kept_until < at),
            )
            .values(kept_until=at)
        )

    async def kept_until(self, hashed: str) -> datetime | None:
        query = select(WebChat.kept_until).where(WebChat.token_hash == hashed)
        found = (await self._session.execute(query)).scalar_one_or_none()
        return None if found is None else as_utc(found)

    async def move_chat(self, user_id: str, hashed: str, now: datetime) -> bool:
        """The chat is now found by ``hashed`` (a new cookie's token): the cookie it had
        opens it no more."""
        statement = (
            update(WebChat)
            .where(WebChat.user_id == user_id)
            .values(token_hash=hashed, updated_at=as_utc(now))
        )
        return await self._changed_rows(statement) > 0

    # -- the links --------------------------------------------------------------------------

    async def add_link(
        self, hashed: str, user_id: str, language: str, now: datetime, expires_at: datetime
    ) -> None:
        await self._session.execute(
            insert(WebChatLink).values(
                token_hash=hashed,
                user_id=user_id,
                language=language,
                created_at=as_utc(now),
                expires_at=as_utc(expires_at),
            )
        )

    async def find_link(self, hashed: str, now: datetime) -> LinkFound:
        row = await self._session.get(WebChatLink, hashed, populate_existing=True)
        if row is None:
            return LinkFound("unknown")
        if row.used_at is not None:
            return LinkFound("used", row.language)
        if as_utc(row.expires_at) <= now:
            return LinkFound("expired", row.language)
        return LinkFound("open", row.language, row.user_id)

    async def use_link(self, hashed: str, now: datetime) -> LinkFound:
        """Use the link once: "open" (with its chat) for exactly one caller."""
        found = await self.find_link(hashed, now)
        if found.state != "open":
            return found
        result = await self._session.execute(
            update(WebChatLink)
            .where(WebChatLink.token_hash == hashed, WebChatLink.used_at.is_(None))
            .values(used_at=as_utc(now))
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return found if result.rowcount == 1 else LinkFound("used", found.language)

    async def links(self, user_id: str) -> int:
        query = select(func.count()).where(WebChatLink.user_id == user_id)
        return int((await self._session.execute(query)).scalar_one())
