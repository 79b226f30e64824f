"""What the follow-up sweep reads (signals as ``SignalClock`` values) and how it claims due
check-ins exactly once, many in a few statements."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    Select,
    String,
    and_,
    cast,
    exists,
    extract,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import aliased

from core.followup.rules import (
    REPORTER_CHECKIN,
    REPORTER_NO_REACTION,
    STATUS_CHECKINS,
    CheckIn,
    SignalClock,
)
from core.lifecycle import table as lifecycle
from core.lifecycle.parties import Actor, as_text

from ._base import SessionRepository, insert_for
from .models import CheckInClaim, Signal, SignalEvent
from .types import as_utc

REPORTER_ANSWER = "reporter_answer"  # the event that records the reporter's answer
REPORTER_UNREACHABLE = "reporter_unreachable"  # a message to the reporter was undeliverable
# A reporter check-in is due 14 days after the signal at the latest (then office hours, then
# 5 days for an answer): older signals never need one, so the sweep does not read them.
REPORTER_WINDOW = timedelta(days=60)
_CHUNK = 500
_OPEN = sorted(lifecycle.OPEN_STATUSES)


@dataclass(frozen=True)
class ClaimedCheckIn:
    """A check-in this transaction claimed, with what addressing its message needs."""

    checkin: CheckIn
    reporter_id: int | None
    assignee_id: int | None


class FollowUpRepository(SessionRepository):
    async def clocks(
        self, now: datetime, *, created_since: datetime | None = None
    ) -> list[SignalClock]:
        """Open signals, signals whose reporter check-in may still be due, and (for the
        digest) every signal received since ``created_since``."""
        wanted = [Signal.status.in_(_OPEN), self._consent_window(now)]
        if created_since is not None:
            wanted.append(Signal.created_at >= as_utc(created_since))
        return await self._clocks(or_(*wanted))

    async def pending(self, now: datetime, earliest: Mapping[str, timedelta]) -> list[SignalClock]:
        """The signals the sweep must look at: those with a check-in not claimed yet that
        may be due at ``now``. ``earliest``: per staff check-in kind, how long after the
        status began it can be due at the soonest (``followup.earliest_due``).

        A pre-filter only: ``followup.due`` still decides, with ``claimed_of``. It leaves
        out what the rules would find nothing due for (every check-in of the current status
        period claimed, or too early), which in a steady sweep is nearly every open signal.
        """
        cycle = self._cycle()
        staff = [
            and_(
                Signal.status == status,
                or_(
                    *(
                        and_(
                            Signal.status_at <= as_utc(now - earliest[kind]),
                            self._unclaimed(literal(f":{kind}:") + cycle),
                        )
                        for kind in kinds
                    )
                ),
            )
            for status, kinds in STATUS_CHECKINS.items()
        ]
        reporter = and_(
            self._consent(),
            or_(
                self._unclaimed(literal(f":{REPORTER_CHECKIN}:1")),
                and_(~self._answered(), self._unclaimed(literal(f":{REPORTER_NO_REACTION}:1"))),
            ),
        )
        if self._dialect == "postgresql":
            # Its estimated cost (the correlated subqueries) passes jit_above_cost: compiling
            # it took a second on PostgreSQL 15, running it 40 ms. This transaction only.
            await self._session.execute(text("SET LOCAL jit = off"))
        # Two terms that each have an index (status, created_at), so neither database
        # scans every signal stored.
        return await self._clocks(
            or_(
                and_(Signal.status.in_(_OPEN), or_(*staff, reporter)),
                and_(Signal.created_at >= as_utc(now - REPORTER_WINDOW), reporter),
            )
        )

    async def claimed_of(self, signal_ids: Iterable[int]) -> set[str]:
        """The claimed check-in keys of these signals."""
        return await self._claimed_where(CheckInClaim.signal_id, signal_ids)

    async def claimed(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` were claimed already."""
        return await self._claimed_where(CheckInClaim.key, keys)

    async def _claimed_where(self, column: Any, values: Iterable[Any]) -> set[str]:
        wanted = sorted(set(values))
        found: set[str] = set()
        for start in range(0, len(wanted), _CHUNK):
            query = select(CheckInClaim.key).where(column.in_(wanted[start : start + _CHUNK]))
            found.update((await self._session.execute(query)).scalars())
        return found

    async def claim_all(
        self, checkins: Sequence[CheckIn], now: datetime, *, actor: Actor
    ) -> list[ClaimedCheckIn]:
        """Claim ``checkins`` and record each one claimed as an event (``actor``, its kind)
        on its signal, in a few statements; the caller queues their messages and commits.
        Returns those this transaction won, in the order given.

        A key claimed already (by an earlier sweep or a rival instance) is left out: on
        PostgreSQL a rival insert of the same key waits for our transaction and then does
        nothing; SQLite has one writer at a time.
        """
        if not checkins:
            return []
        at = as_utc(now)
        # Keys in one order in every sweep: two instances wait for each other's keys in
        # the same order, so their claims cannot deadlock.
        rows = sorted(
            (
                {
                    "key": c.key,
                    "signal_id": c.signal_id,
                    "kind": c.kind,
                    "due_at": as_utc(c.due_at),
                    "claimed_at": at,
                }
                for c in checkins
            ),
            key=lambda row: str(row["key"]),
        )
        statement = (
            insert_for(self._dialect, CheckInClaim)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(CheckInClaim.key)
        )
        connection = await self._session.connection()
        won = set((await connection.execute(statement, rows)).scalars())
        mine = [c for c in checkins if c.key in won]
        if not mine:
            return []
        await connection.execute(
            insert(SignalEvent),
            [
                {"signal_id": c.signal_id, "at": at, "actor": as_text(actor), "action": c.kind}
                for c in mine
            ],
        )
        ids = sorted({c.signal_id for c in mine})
        chats: dict[int, tuple[int | None, int | None]] = {}
        for start in range(0, len(ids), _CHUNK):
            query = select(Signal.id, Signal.reporter_id, Signal.assignee_id).where(
                Signal.id.in_(ids[start : start + _CHUNK])
            )
            for id, reporter_id, assignee_id in await connection.execute(query):
                chats[id] = (reporter_id, assignee_id)
        # The claim's foreign key holds every signal: each one is found.
        return [ClaimedCheckIn(c, *chats[c.signal_id]) for c in mine]

    async def claim(self, checkin: CheckIn, now: datetime) -> bool:
        """Claim one check-in for sending; False when another sweep claimed it first."""
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

    # -- the queries' parts ---------------------------------------------------------------

    async def _clocks(self, wanted: ColumnElement[bool]) -> list[SignalClock]:
        moment, to_utc = self._raw_moments()
        asked = aliased(CheckInClaim)
        query: Select[Any] = (
            select(
                Signal.id,
                Signal.reference,
                Signal.status,
                Signal.urgent,
                moment(Signal.created_at),
                moment(Signal.status_at),
                Signal.assignee_id,
                Signal.checkin,
                Signal.reporter_id,
                moment(asked.claimed_at),
                self._answered(),
            )
            .outerjoin(asked, and_(asked.signal_id == Signal.id, asked.kind == REPORTER_CHECKIN))
            .where(wanted)
        )
        connection = await self._session.connection()
        # Sorted here, not in SQL: ORDER BY id makes SQLite scan every signal in key order
        # instead of using the indexes of the filter.
        clocks = [
            SignalClock(
                id=row[0],
                reference=row[1],
                status=row[2],
                urgent=bool(row[3]),
                created_at=to_utc(row[4]),
                status_at=to_utc(row[5]),
                assignee_id=row[6],
                checkin_consent=row[7] == "yes" and row[8] is not None,
                reporter_asked_at=None if row[9] is None else to_utc(row[9]),
                reporter_answered=bool(row[10]),
            )
            for row in await connection.execute(query)
        ]
        return sorted(clocks, key=lambda clock: clock.id)

    @staticmethod
    def _consent() -> ColumnElement[bool]:
        return and_(Signal.checkin == "yes", Signal.reporter_id.is_not(None))

    def _consent_window(self, now: datetime) -> ColumnElement[bool]:
        return and_(self._consent(), Signal.created_at >= as_utc(now - REPORTER_WINDOW))

    @staticmethod
    def _answered() -> ColumnElement[bool]:
        # An unreachable reporter (blocked the bot) cannot react: not "no reaction".
        return exists().where(
            SignalEvent.signal_id == Signal.id,
            SignalEvent.action.in_([REPORTER_ANSWER, REPORTER_UNREACHABLE]),
        )

    @staticmethod
    def _unclaimed(rest: ColumnElement[str]) -> ColumnElement[bool]:
        """No claim of the key ``<signal id><rest>`` (``followup.checkin_key``'s format)."""
        key = cast(Signal.id, String) + rest
        return ~exists().where(CheckInClaim.key == key)

    def _cycle(self) -> ColumnElement[str]:
        """``followup._cycle`` of the status period in SQL: ``status_at`` in whole seconds
        since 1970. A value that came out different would only read a signal more."""
        if self._dialect == "sqlite":  # UTC text "YYYY-MM-DD HH:MM:SS.ffffff": cut, not rounded
            seconds = func.substr(type_coerce(Signal.status_at, String), 1, 19)
            return type_coerce(func.strftime("%s", seconds), String)
        return cast(cast(func.floor(extract("epoch", Signal.status_at)), BigInteger), String)

    def _raw_moments(self) -> tuple[Callable[[Any], Any], Callable[[Any], datetime]]:
        """A ``UTCDateTime`` selected without its per-value processing, and how to make the
        raw value an aware UTC datetime (as ``FiguresRepository._raw_moments``): thousands
        of rows a sweep or list page."""
        if self._dialect == "sqlite":
            return lambda column: type_coerce(column, String), _sqlite_utc
        return lambda column: type_coerce(column, DateTime(timezone=True)), _aware_utc


def _sqlite_utc(text: str) -> datetime:
    return datetime.fromisoformat(text + "+00:00")


def _aware_utc(value: datetime) -> datetime:
    return value if value.tzinfo is UTC else value.astimezone(UTC)
