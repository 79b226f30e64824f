"""Privacy in storage: a reporter's erasure, the abuse and guessing counters, and the
retention job's deletions. Every method works in the caller's transaction and returns a
count, never what it erased."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import CursorResult, delete, exists, func, select, update
from sqlalchemy.sql.dml import Delete, Update

from storage.outbox import REPORTER_TARGET

from ._base import SessionRepository
from .models import (
    AccessAttempt,
    Conversation,
    InboundMessage,
    OutboxMessage,
    Reporter,
    RetentionRun,
    Signal,
    SignalEvent,
    StaffSession,
    Submission,
    WebChat,
)
from .types import as_utc, reveal
from .webchat import WEB_CHANNEL

# The first key of the two-key PostgreSQL advisory locks that serialise one subject's
# attempts (a key space apart from the one-key claim locks of storage._base).
ATTEMPT_LOCK = 0x5350


def _lock_key(kind: str, subject: str) -> int:
    """A signed 32-bit key for the subject (two subjects sharing one only wait for each
    other)."""
    digest = hashlib.sha256(f"{kind}:{subject}".encode()).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


class PrivacyRepository(SessionRepository):
    # -- a reporter's own erasure (/verwijder) -----------------------------------------

    async def erase_reporter(self, reporter_id: int, now: datetime) -> int:
        """Remove the reporter: their name and phone on every signal, the link from the
        signals to them, their draft, queued messages to them, and the reporter row itself
        (with the encrypted chat id), and their web chat. The signals stay for follow-up.
        Returns how many signals lost their reporter details."""
        reporter = await self._session.get(Reporter, reporter_id)
        if reporter is not None and reporter.channel == WEB_CHANNEL:
            user_id = reveal(reporter.channel_user_id, reporter.user_key)
            await self._rows(delete(WebChat).where(WebChat.user_id == user_id))
        signals = await self._rows(
            update(Signal)
            .where(Signal.reporter_id == reporter_id)
            .values(
                reporter_name=None,
                reporter_phone=None,
                reporter_id=None,
                reporter_erased_at=as_utc(now),
            )
        )
        await self._rows(
            delete(OutboxMessage).where(OutboxMessage.target == f"{REPORTER_TARGET}{reporter_id}")
        )
        await self._rows(delete(Conversation).where(Conversation.reporter_id == reporter_id))
        await self._rows(delete(Reporter).where(Reporter.id == reporter_id))
        return signals

    # -- limits --------------------------------------------------------------------------

    async def record_submission(self, reporter_key: str, at: datetime) -> None:
        self._session.add(Submission(reporter_key=reporter_key, at=as_utc(at)))
        await self._session.flush()

    async def submissions_since(self, reporter_key: str, since: datetime) -> int:
        query = select(func.count()).where(
            Submission.reporter_key == reporter_key, Submission.at >= as_utc(since)
        )
        return int((await self._session.execute(query)).scalar_one())

    async def reserve_attempt(
        self, kind: str, subject: str, at: datetime, *, since: datetime, limit: int
    ) -> int | None:
        """Count one attempt of ``subject`` (a keyed hash) as failed *before* it is checked:
        the id of the attempt when fewer than ``limit`` failures since ``since`` (and after
        the last success) came before it, else None (locked out; the refused attempt counts
        too, so guessing on keeps the lock closed). ``attempt_succeeded`` clears it.

        The caller commits at once. Counting and recording are one step for every caller,
        however many run at once, in however many instances: on PostgreSQL the subject's
        advisory lock is held until the commit, on SQLite the INSERT takes the database's
        one write lock first; so no two attempts both see the last free place."""
        if self._dialect == "postgresql":
            await self._session.execute(
                select(func.pg_advisory_xact_lock(ATTEMPT_LOCK, _lock_key(kind, subject)))
            )
        row = AccessAttempt(kind=kind, subject=subject, at=as_utc(at), succeeded=False)
        self._session.add(row)
        await self._session.flush()
        failed = await self.failures_since(kind, subject, since)  # this attempt included
        return row.id if failed <= limit else None

    async def attempt_succeeded(self, attempt_id: int) -> None:
        """The reserved attempt turned out right: failures before it no longer count."""
        await self._rows(
            update(AccessAttempt).where(AccessAttempt.id == attempt_id).values(succeeded=True)
        )

    async def failures_since(self, kind: str, subject: str, since: datetime) -> int:
        """Failed attempts of ``subject`` since ``since`` and after its last success."""
        last_success = (
            select(func.max(AccessAttempt.at))
            .where(
                AccessAttempt.kind == kind,
                AccessAttempt.subject == subject,
                AccessAttempt.succeeded.is_(True),
            )
            .scalar_subquery()
        )
        query = select(func.count()).where(
            AccessAttempt.kind == kind,
            AccessAttempt.subject == subject,
            AccessAttempt.succeeded.is_(False),
            AccessAttempt.at >= as_utc(since),
            (last_success.is_(None)) | (AccessAttempt.at > last_success),
        )
        return int((await self._session.execute(query)).scalar_one())

    # -- retention -------------------------------------------------------------------------

    async def erase_reporter_contact(
        self, finished: Iterable[str], before: datetime, now: datetime
    ) -> int:
        """Reporter name, phone and link off signals finished before ``before``."""
        return await self._rows(
            update(Signal)
            .where(
                Signal.status.in_(sorted(finished)),
                Signal.status_at < as_utc(before),
                Signal.reporter_erased_at.is_(None),
            )
            .values(
                reporter_name=None,
                reporter_phone=None,
                reporter_id=None,
                reporter_erased_at=as_utc(now),
            )
        )

    async def erase_person_details(
        self, finished: Iterable[str], before: datetime, now: datetime
    ) -> int:
        """The person's contact details, the full postcode and all free text (the note,
        questions and answers) off signals finished before ``before``. What is left is
        anonymous: codes, area, four postcode digits, times and outcome, for the figures."""
        due = (
            select(Signal.id)
            .where(
                Signal.status.in_(sorted(finished)),
                Signal.status_at < as_utc(before),
                Signal.person_erased_at.is_(None),
            )
            .scalar_subquery()
        )
        await self._rows(
            update(SignalEvent)
            .where(SignalEvent.signal_id.in_(due), SignalEvent.note.is_not(None))
            .values(note=None)
        )
        return await self._rows(
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
        """Conversations nobody touched since ``idle_before`` (abandoned drafts)."""
        return await self._rows(
            delete(Conversation).where(Conversation.updated_at < as_utc(idle_before))
        )

    async def delete_web_chats(self, idle_before: datetime) -> int:
        """Web chats whose resident has not been on the page since ``idle_before``."""
        return await self._rows(delete(WebChat).where(WebChat.updated_at < as_utc(idle_before)))

    async def delete_staff_sessions(self, seen_before: datetime) -> int:
        """Dashboard sessions not used since ``seen_before`` (long expired: the browser
        was closed without logging out)."""
        return await self._rows(
            delete(StaffSession).where(StaffSession.last_seen_at < as_utc(seen_before))
        )

    async def delete_update_ids(self, before: datetime) -> int:
        return await self._rows(
            delete(InboundMessage).where(InboundMessage.processed_at < as_utc(before))
        )

    async def delete_counters(self, before: datetime) -> int:
        submissions = await self._rows(delete(Submission).where(Submission.at < as_utc(before)))
        attempts = await self._rows(delete(AccessAttempt).where(AccessAttempt.at < as_utc(before)))
        return submissions + attempts

    async def delete_reporter_messages(self, before: datetime) -> int:
        """Delivered or dead messages to reporters (where they landed names their chat)."""
        return await self._rows(
            delete(OutboxMessage).where(
                OutboxMessage.target.startswith(REPORTER_TARGET),
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
        return await self._rows(
            delete(Reporter).where(~has_signal, ~has_draft, last_seen < as_utc(before))
        )

    async def record_run(self, at: datetime, counts: dict[str, int]) -> None:
        self._session.add(RetentionRun(at=as_utc(at), counts=dict(counts)))
        await self._session.flush()

    async def runs(self) -> list[tuple[datetime, dict[str, int]]]:
        query = select(RetentionRun).order_by(RetentionRun.id)
        rows = (await self._session.execute(query)).scalars().all()
        return [(row.at, dict(row.counts)) for row in rows]

    async def _rows(self, statement: Update | Delete) -> int:
        result = await self._session.execute(statement.execution_options(synchronize_session=False))
        assert isinstance(result, CursorResult)
        return int(result.rowcount)
