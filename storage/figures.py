"""The monitoring figures' queries: aggregates over the signals created in a period.

Everything is counted in SQL (GROUP BY), except what needs one row per signal: the time
to the first claim and the first contact (percentiles and working-day deadlines are
computed in ``conversations.figure_timing``). No query per signal, no personal field read.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, and_, case, cast, func, literal, select

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
        return FigureRows(
            sources=await self.sources(period),
            places=await self.places(period),
            ages=await self.ages(period),
            choices=await self.choices(period),
            statuses=await self.statuses(period),
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

    async def places(self, period: Period) -> list[PlaceRow]:
        columns = (Signal.area, Signal.postcode4)
        query = select(*columns, func.count()).where(self._in(period)).group_by(*columns)
        return [PlaceRow(area, pc4, int(n)) for area, pc4, n in await self._all(query)]

    async def ages(self, period: Period) -> list[AgeRow]:
        columns = (Signal.kind, Signal.age_group)
        query = select(*columns, func.count()).where(self._in(period)).group_by(*columns)
        return [AgeRow(kind, age, int(n)) for kind, age, n in await self._all(query)]

    async def choices(self, period: Period) -> list[ChoiceRow]:
        """One row per distinct combination: the JSON lists are grouped as text (json has
        no equality in PostgreSQL) and parsed here, a few hundred rows at most."""
        observations = cast(Signal.observations, String).label("observations")
        helps = cast(Signal.help_wanted, String).label("help_wanted")
        inner = select(Signal.kind, observations, helps).where(self._in(period)).subquery()
        columns = (inner.c.kind, inner.c.observations, inner.c.help_wanted)
        query = select(*columns, func.count()).group_by(*columns)
        return [
            ChoiceRow(kind, _codes(obs), _codes(helped), int(n))
            for kind, obs, helped, n in await self._all(query)
        ]

    async def statuses(self, period: Period) -> list[StatusRow]:
        columns = (Signal.status, Signal.outcome)
        query = select(*columns, func.count()).where(self._in(period)).group_by(*columns)
        return [StatusRow(status, outcome, int(n)) for status, outcome, n in await self._all(query)]

    async def times(self, period: Period) -> list[SignalTimes]:
        """Per signal: created, urgent, and its first claim and first contact events (one
        join on the events' signal_id index, grouped per signal)."""
        first_claim = func.min(case((SignalEvent.action == CLAIM, SignalEvent.at)))
        first_contact = func.min(case((SignalEvent.action == CONTACT, SignalEvent.at)))
        query = (
            select(Signal.created_at, Signal.urgent, first_claim, first_contact)
            .outerjoin(
                SignalEvent,
                and_(SignalEvent.signal_id == Signal.id, SignalEvent.action.in_([CLAIM, CONTACT])),
            )
            .where(self._in(period))
            .group_by(Signal.id, Signal.created_at, Signal.urgent)
        )
        return [SignalTimes(*row) for row in await self._all(query)]

    async def _all(self, query: Any) -> Sequence[Any]:
        return (await self._session.execute(query)).all()


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


def _codes(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    values = json.loads(text)
    return tuple(str(v) for v in values) if isinstance(values, list) else ()
