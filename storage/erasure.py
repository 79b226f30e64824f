"""Erasure: a reporter's own (``/verwijder``) and the retention job's deletions. Every
method works in the caller's transaction and returns a count, never what it erased."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.sql.selectable import ScalarSelect

from core.lifecycle import parties
from core.lifecycle.search import PERSON, REPORTER

from ._base import SessionRepository
from .models import (
    Conversation,
    InboundMessage,
    OutboxMessage,
    Reporter,
    RetentionRun,
    SearchKey,
    Signal,
    SignalEvent,
    StaffSession,
    WebChat,
    WebChatLink,
)
from .types import as_utc, reveal
from .voice import VoiceRepository
from .webchat import WEB_CHANNEL


class ErasureRepository(SessionRepository):
    @property
    def _voice(self) -> VoiceRepository:
        return VoiceRepository(self._session, self._dialect, self._keys)

    # -- a reporter's own erasure (/verwijder) -----------------------------------------

    async def erase_reporter(self, reporter_id: int, now: datetime) -> int:
        """Remove the reporter: their name and phone on every signal, the link from the
        signals to them, their draft, queued messages to them, and the reporter row itself
        (with the encrypted chat id), and their web chat. Their voice notes go too, on the
        signals they sent as well: the audio and its transcript are their voice and their
        words. The signals stay for follow-up. Returns how many signals lost their reporter
        details."""
        await self._voice.erase_of_reporter(reporter_id, now)
        reporter = await self._session.get(Reporter, reporter_id)
        if reporter is not None and reporter.channel == WEB_CHANNEL:
            user_id = reveal(reporter.channel_user_id, reporter.user_key)
            await self._changed_rows(delete(WebChat).where(WebChat.user_id == user_id))
            await self._changed_rows(delete(WebChatLink).where(WebChatLink.user_id == user_id))
        theirs = select(Signal.id).where(Signal.reporter_id == reporter_id).scalar_subquery()
        await self._forget_keys(REPORTER, theirs)
        signals = await self._changed_rows(
            update(Signal)
            .where(Signal.reporter_id == reporter_id)
            .values(
                reporter_name=None,
                reporter_phone=None,
                reporter_email=None,
                reporter_id=None,
                reporter_erased_at=as_utc(now),
            )
        )
        await self._changed_rows(
            delete(OutboxMessage).where(
                OutboxMessage.target == parties.as_text(parties.Reporter(reporter_id))
            )
        )
        await self._changed_rows(
            delete(Conversation).where(Conversation.reporter_id == reporter_id)
        )
        await self._changed_rows(delete(Reporter).where(Reporter.id == reporter_id))
        return signals

    # -- retention -------------------------------------------------------------------------

    async def erase_reporter_contact(
        self, finished: Iterable[str], before: datetime, now: datetime
    ) -> int:
        """Reporter name, phone and link off signals finished before ``before``."""
        due = (
            Signal.status.in_(sorted(finished)),
            Signal.status_at < as_utc(before),
            Signal.reporter_erased_at.is_(None),
        )
        await self._forget_keys(REPORTER, select(Signal.id).where(*due).scalar_subquery())
        return await self._changed_rows(
            update(Signal)
            .where(*due)
            .values(
                reporter_name=None,
                reporter_phone=None,
                reporter_email=None,
                reporter_id=None,
                reporter_erased_at=as_utc(now),
            )
        )

    async def erase_person_details(
        self, finished: Iterable[str], before: datetime, now: datetime
    ) -> int:
        """The person's contact details, the full postcode and all free text (the note,
        questions and answers, voice notes and their transcripts) off signals finished
        before ``before``. What is left is anonymous: codes, area, four postcode digits,
        times and outcome, for the figures."""
        due = (
            select(Signal.id)
            .where(
                Signal.status.in_(sorted(finished)),
                Signal.status_at < as_utc(before),
                Signal.person_erased_at.is_(None),
            )
            .scalar_subquery()
        )
        await self._changed_rows(
            update(SignalEvent)
            .where(SignalEvent.signal_id.in_(due), SignalEvent.note.is_not(None))
            .values(note=None)
        )
        await self._forget_keys(PERSON, due)
        await self._voice.erase_of_signals(due, now)
        return await self._changed_rows(
            update(Signal)
            .where(Signal.id.in_(due))
            .values(
                person_contact=None,
                note=None,
                language_other=None,
                postcode=None,
                person_erased_at=as_utc(now),
            )
        )

    async def delete_drafts(self, idle_before: datetime) -> int:
        """Conversations nobody touched since ``idle_before`` (abandoned drafts), and the
        voice notes of reports never sent that are as old."""
        await self._voice.delete_drafts(idle_before)
        return await self._changed_rows(
            delete(Conversation).where(Conversation.updated_at < as_utc(idle_before))
        )

    async def delete_web_chats(self, idle_before: datetime, now: datetime | None = None) -> int:
        """Web chats whose resident has not been on the page since ``idle_before`` and in
        which nothing is kept waiting past ``now`` (a check-in, a message of the loket);
        the links of notice mails go with their chat or when they expired."""
        at = as_utc(now) if now is not None else as_utc(idle_before)
        gone = await self._changed_rows(
            delete(WebChat).where(
                WebChat.updated_at < as_utc(idle_before),
                or_(WebChat.kept_until.is_(None), WebChat.kept_until < at),
            )
        )
        chat = exists().where(WebChat.user_id == WebChatLink.user_id)
        await self._changed_rows(delete(WebChatLink).where(or_(~chat, WebChatLink.expires_at < at)))
        return gone

    async def delete_staff_sessions(self, seen_before: datetime) -> int:
        """Dashboard sessions not used since ``seen_before`` (long expired: the browser
        was closed without logging out)."""
        return await self._changed_rows(
            delete(StaffSession).where(StaffSession.last_seen_at < as_utc(seen_before))
        )

    async def delete_update_ids(self, before: datetime) -> int:
        return await self._changed_rows(
            delete(InboundMessage).where(InboundMessage.processed_at < as_utc(before))
        )

    async def delete_reporter_messages(self, before: datetime) -> int:
        """Delivered or dead messages to reporters (where they landed names their chat)."""
        return await self._changed_rows(
            delete(OutboxMessage).where(
                OutboxMessage.target.startswith(parties.REPORTER_PREFIX),
                OutboxMessage.status != "pending",
                OutboxMessage.created_at < as_utc(before),
            )
        )

    async def delete_idle_reporters(self, before: datetime) -> int:
        """Reporters with no signal, no draft and no message since ``before``: their
        encrypted chat id is of no more use."""
        has_signal = exists().where(Signal.reporter_id == Reporter.id)
        has_draft = exists().where(Conversation.reporter_id == Reporter.id)
        last_seen = func.coalesce(Reporter.last_inbound_at, Reporter.created_at)
        return await self._changed_rows(
            delete(Reporter).where(~has_signal, ~has_draft, last_seen < as_utc(before))
        )

    async def record_run(self, at: datetime, counts: dict[str, int]) -> None:
        self._session.add(RetentionRun(at=as_utc(at), counts=dict(counts)))
        await self._session.flush()

    async def runs(self) -> list[tuple[datetime, dict[str, int]]]:
        query = select(RetentionRun).order_by(RetentionRun.id)
        rows = (await self._session.execute(query)).scalars().all()
        return [(row.at, dict(row.counts)) for row in rows]

    async def _forget_keys(self, whose: str, signals: ScalarSelect[int]) -> None:
        """The search keys of erased values: a hash of a phone number is kept no longer
        than the number."""
        await self._changed_rows(
            delete(SearchKey).where(SearchKey.whose == whose, SearchKey.signal_id.in_(signals))
        )
