"""What the follow-up sweep reads (signals as ``SignalClock`` values) and how it claims a
due check-in exactly once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import aliased

from conversations import lifecycle
from conversations.followup import REPORTER_CHECKIN, CheckIn, SignalClock

from ._base import SessionRepository, insert_for
from .models import CheckInClaim, Signal, SignalEvent
from .types import as_utc

REPORTER_ANSWER = "reporter_answer"  # the event that records the reporter's answer
REPORTER_UNREACHABLE = "reporter_unreachable"  # a message to the reporter was undeliverable
# A reporter check-in is due 14 days after the signal at the latest (then office hours, then
# 5 days for an answer): older signals never need one, so the sweep does not read them.
REPORTER_WINDOW = timedelta(days=60)
_CHUNK = 500


class FollowUpRepository(SessionRepository):
    async def clocks(
        self, now: datetime, *, created_since: datetime | None = None
    ) -> list[SignalClock]:
        """Open signals, signals whose reporter check-in may still be due, and (for the
        digest) every signal received since ``created_since``."""
        asked = aliased(CheckInClaim)
        # An unreachable reporter (blocked the bot) cannot react: not "no reaction".
        answered = exists().where(
            SignalEvent.signal_id == Signal.id,
            SignalEvent.action.in_([REPORTER_ANSWER, REPORTER_UNREACHABLE]),
        )
        wanted = self._wanted(now, created_since)
        query = (
            select(
                Signal.id,
                Signal.reference,
                Signal.status,
                Signal.urgent,
                Signal.created_at,
                Signal.status_at,
                Signal.assignee_id,
                Signal.checkin,
                Signal.reporter_id,
                asked.claimed_at,
                answered.label("answered"),
            )
            .outerjoin(asked, and_(asked.signal_id == Signal.id, asked.kind == REPORTER_CHECKIN))
            .where(wanted)
            .order_by(Signal.id)
        )
        return [
            SignalClock(
                id=row.id,
                reference=row.reference,
                status=row.status,
                urgent=row.urgent,
                created_at=row.created_at,
                status_at=row.status_at,
                assignee_id=row.assignee_id,
                checkin_consent=row.checkin == "yes" and row.reporter_id is not None,
                reporter_asked_at=row.claimed_at,
                reporter_answered=bool(row.answered),
            )
            for row in (await self._session.execute(query)).all()
        ]

    @staticmethod
    def _wanted(now: datetime, created_since: datetime | None) -> ColumnElement[bool]:
        wanted = [
            Signal.status.in_(sorted(lifecycle.OPEN_STATUSES)),
            and_(
                Signal.checkin == "yes",
                Signal.reporter_id.is_not(None),
                Signal.created_at >= as_utc(now - REPORTER_WINDOW),
            ),
        ]
        if created_since is not None:
            wanted.append(Signal.created_at >= as_utc(created_since))
        return or_(*wanted)

    async def claimed_for(self, now: datetime) -> set[str]:
        """The claimed check-in keys of every signal the sweep reads (one query)."""
        query = (
            select(CheckInClaim.key)
            .join(Signal, Signal.id == CheckInClaim.signal_id)
            .where(self._wanted(now, None))
        )
        return set((await self._session.execute(query)).scalars())

    async def claimed(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` were claimed already."""
        wanted = sorted(set(keys))
        found: set[str] = set()
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            query = select(CheckInClaim.key).where(CheckInClaim.key.in_(chunk))
            found.update((await self._session.execute(query)).scalars())
        return found

    async def claim(self, checkin: CheckIn, now: datetime) -> bool:
        """Claim a check-in for sending; False when another sweep claimed it first.

        On PostgreSQL a rival insert of the same key waits for our transaction and then
        does nothing; SQLite has one writer at a time.
        """
        return await self.claim_key(
            checkin.key, checkin.kind, checkin.due_at, now, signal_id=checkin.signal_id
        )

    async def claim_key(
        self, key: str, kind: str, due_at: datetime, now: datetime, *, signal_id: int | None
    ) -> bool:
        statement = (
            insert_for(self._dialect, CheckInClaim)
            .values(
                key=key,
                signal_id=signal_id,
                kind=kind,
                due_at=as_utc(due_at),
                claimed_at=as_utc(now),
            )
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(CheckInClaim.key)
        )
        return (await self._session.execute(statement)).first() is not None
