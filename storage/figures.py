"""The monitoring figures' queries: aggregates over the signals created in a period.

Everything is counted in SQL (GROUP BY), except what needs one row per signal: the time
to the first claim and the first contact (percentiles and working-day deadlines are
computed in ``conversations.figure_timing``). No query per signal, no personal field read.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    type_coerce,
)

from conversations.figure_period import Period
from conversations.figure_timing import SignalTimes
from conversations.figures import AgeRow, ChoiceRow, PlaceRow, SourceRow, StatusRow

from ._base import SessionRepository
from .models import Signal, SignalEvent

CLAIM = "claim"
CONTACT = "contact"


@dataclass(frozen=True)
class FigureRows:
    """Everything ``conversations.figures.build_figures`` needs for one period."""

    sources: list[SourceRow]
    places: list[PlaceRow]
    ages: list[AgeRow]
    choices: list[ChoiceRow]
    statuses: list[StatusRow]
    times: list[SignalTimes]


class FiguresRepository(SessionRepository):
    async def rows(self, period: Period) -> FigureRows:
        places, ages, choices, statuses = await self.profiles(period)
        return FigureRows(
            sources=await self.sources(period),
            places=places,
            ages=ages,
            choices=choices,
            statuses=statuses,
            times=await self.times(period),
        )

    @staticmethod
    def _in(period: Period) -> ColumnElement[bool]:
        start, end = period.bounds()
        return and_(Signal.created_at >= start, Signal.created_at < end)

    async def sources(self, period: Period) -> list[SourceRow]:
        """Signals per week (index into ``period.weeks()``), kind, role, partner, channel."""
        starts = period.week_starts()
        week = _week_of(Signal.created_at, starts, 0, len(starts))
        inner = (
            select(week.label("week"), Signal.kind, Signal.role, Signal.partner, Signal.channel)
            .where(self._in(period))
            .subquery()
        )
        # Grouped outside the subquery: PostgreSQL would not see the CASE with its bound
        # parameters in GROUP BY as the one selected.
        columns = (inner.c.week, inner.c.kind, inner.c.role, inner.c.partner, inner.c.channel)
        query = select(*columns, func.count()).group_by(*columns)
        return [
            SourceRow(int(w), kind, role, partner, channel, int(n))
            for w, kind, role, partner, channel, n in await self._all(query)
        ]

    async def profiles(
        self, period: Period
    ) -> tuple[list[PlaceRow], list[AgeRow], list[ChoiceRow], list[StatusRow]]:
        """Places, age groups, choices and statuses from one scan: grouped by all of them
        together (a few hundred combinations, where four scans would read every row four
        times), then summed per figure here. The JSON lists are grouped as text (json has
        no equality in PostgreSQL) and parsed once per combination."""
        observations = cast(Signal.observations, String).label("observations")
        helps = cast(Signal.help_wanted, String).label("help_wanted")
        inner = (
            select(
                Signal.kind,
                Signal.area,
                Signal.postcode4,
                Signal.age_group,
                Signal.status,
                Signal.outcome,
                observations,
                helps,
            )
            .where(self._in(period))
            .subquery()
        )
        columns = tuple(inner.c)
        query = select(*columns, func.count()).group_by(*columns)
        places: Counter[tuple[str | None, str | None]] = Counter()
        ages: Counter[tuple[str, str | None]] = Counter()
        choices: Counter[tuple[str, tuple[str, ...], tuple[str, ...]]] = Counter()
        statuses: Counter[tuple[str, str | None]] = Counter()
        for kind, area, pc4, age, status, outcome, obs, helped, n in await self._all(query):
            places[(area, pc4)] += n
            ages[(kind, age)] += n
            choices[(kind, _codes(obs), _codes(helped))] += n
            statuses[(status, outcome)] += n
        return (
            [PlaceRow(*key, n) for key, n in places.items()],
            [AgeRow(*key, n) for key, n in ages.items()],
            [ChoiceRow(*key, n) for key, n in choices.items()],
            [StatusRow(*key, n) for key, n in statuses.items()],
        )

    async def times(self, period: Period) -> list[SignalTimes]:
        """Per signal: created, urgent, and its first claim and first contact events (one
        join on the events' signal_id index, grouped per signal). 100,000 rows for a busy
        year: the moments are read raw and made UTC datetimes here, cheaply."""
        moment, to_utc = self._raw_moments()
        first_claim = func.min(case((SignalEvent.action == CLAIM, SignalEvent.at)))
        first_contact = func.min(case((SignalEvent.action == CONTACT, SignalEvent.at)))
        query = (
            select(
                moment(Signal.created_at), Signal.urgent, moment(first_claim), moment(first_contact)
            )
            .outerjoin(
                SignalEvent,
                and_(SignalEvent.signal_id == Signal.id, SignalEvent.action.in_([CLAIM, CONTACT])),
            )
            .where(self._in(period))
            # By the key alone (the other columns depend on it): SQLite then reads the
            # signals in key order without sorting; PostgreSQL allows it for a primary key.
            .group_by(Signal.id)
        )
        connection = await self._session.connection()
        result = await connection.execute(query)
        return [
            SignalTimes(to_utc(created), bool(urgent), to_utc(claimed), to_utc(contacted))
            for created, urgent, claimed, contacted in result.all()
        ]

    def _raw_moments(self) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
        """How to select a ``UTCDateTime`` without its per-value processing, and how to
        turn the raw value into an aware UTC datetime (see ``types.UTCDateTime``: SQLite
        holds UTC text without an offset, PostgreSQL a timestamptz)."""
        if self._dialect == "sqlite":
            return lambda column: type_coerce(column, String), _sqlite_utc
        return lambda column: type_coerce(column, DateTime(timezone=True)), _aware_utc

    async def _all(self, query: Any) -> Sequence[Any]:
        return (await self._session.execute(query)).all()


def _sqlite_utc(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text + "+00:00")


def _aware_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is UTC:
        return value
    return value.astimezone(UTC)


def _week_of(column: Any, starts: Sequence[Any], low: int, high: int) -> Any:
    """The index in ``[low, high)`` of the last start at or before ``column``: a balanced
    CASE (a binary search, a handful of comparisons a row even for a year of weeks)."""
    if high - low == 1:
        return literal(low)
    middle = (low + high) // 2
    return case(
        (column >= starts[middle], _week_of(column, starts, middle, high)),
        else_=_week_of(column, starts, low, middle),
    )


@lru_cache(maxsize=4096)
def _codes(text: str | None) -> tuple[str, ...]:
    """A JSON list of codes as a tuple. Cached: the groups of ``profiles`` repeat the same
    few lists (a year held tens of thousands of groups, parsing was 0.5 s on SQLite)."""
    if not text:
        return ()
    values = json.loads(text)
    return tuple(str(v) for v in values) if isinstance(values, list) else ()
