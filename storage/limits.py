"""The limits' counters: signals a reporter sent in a day, and attempts (invite codes,
dashboard logins) counted before they are checked, so guessing is locked out. Every method
works in the caller's transaction."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, func, select, update

from ._base import SessionRepository
from .models import (
    AccessAttempt,
    Submission,
)
from .types import as_utc

# The first key of the two-key PostgreSQL advisory locks that serialise one subject's
# attempts (a key space apart from the one-key claim locks of storage._base).
ATTEMPT_LOCK = 0x5350


def _lock_key(kind: str, subject: str) -> int:
    """A signed 32-bit key for the subject (two subjects sharing one only wait for each
    other)."""
    digest = hashlib.sha256(f"{kind}:{subject}".encode()).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


class LimitsRepository(SessionRepository):
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
        await self._changed_rows(
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

    async def delete_counters(self, before: datetime) -> int:
        submissions = await self._changed_rows(
            delete(Submission).where(Submission.at < as_utc(before))
        )
        attempts = await self._changed_rows(
            delete(AccessAttempt).where(AccessAttempt.at < as_utc(before))
        )
        return submissions + attempts
