"""The monitoring figures' queries: aggregates over the signals created in a period.

Everything is counted in SQL (GROUP BY), also the times against their working-day
deadlines and the percentiles (``times``). No query per signal, no row per signal
moved to Python, no personal field read.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    select,
)

from core.followup.rules import FollowUpRules
from core.followup.workdays import WorkingHours
from core.monitoring.figures import (
    AgeRow,
    ChoiceRow,
    Figures,
    PlaceRow,
    SourceRow,
    StatusRow,
    build_figures,
)
from core.monitoring.period import Period
from core.monitoring.timing import Timing
from storage._base import SessionRepository
from storage.models import Signal

from . import times as figure_times


@dataclass(frozen=True)
class FigureRows:
    """Everything ``core.monitoring.figures.build_figures`` needs for one period."""

    sources: list[SourceRow]
    places: list[PlaceRow]
    ages: list[AgeRow]
    choices: list[ChoiceRow]
    statuses: list[StatusRow]
    claim: Timing
    contact: Timing

    def figures(self, period: Period, areas: Mapping[str, str] | None = None) -> Figures:
        """The figures these rows make for ``period``; ``areas``: the neighbourhood of a
        postcode's four digits (``core.dialog.areas``), so typed postcodes count with it."""
        return build_figures(
            period,
            areas=areas or {},
            sources=self.sources,
            places=self.places,
            ages=self.ages,
            choices=self.choices,
            statuses=self.statuses,
            claim=self.claim,
            contact=self.contact,
        )


@dataclass(frozen=True)
class FigureCounts:
    """The figures' rows but the times, which ``Store.figure_rows`` reads beside them."""

    sources: list[SourceRow]
    places: list[PlaceRow]
    ages: list[AgeRow]
    choices: list[ChoiceRow]
    statuses: list[StatusRow]

    def with_times(self, claim: Timing, contact: Timing) -> FigureRows:
        return FigureRows(**vars(self), claim=claim, contact=contact)


class FiguresRepository(SessionRepository):
    async def rows(
        self, period: Period, *, now: datetime, hours: WorkingHours, rules: FollowUpRules
    ) -> FigureRows:
        """The figures' rows; the times against the deadlines of ``hours`` and ``rules``
        (pending: the deadline is after ``now``)."""
        counts = await self.counts(period)
        return counts.with_times(*await self.timings(period, now=now, hours=hours, rules=rules))

    async def counts(self, period: Period) -> FigureCounts:
        """The figures' rows but the times: three scans of the period's signals."""
        where = await self._in(period)
        places, ages, statuses = await self._places_ages_statuses(where)
        return FigureCounts(
            sources=await self._sources(period, where),
            places=places,
            ages=ages,
            choices=await self._choices(where),
            statuses=statuses,
        )

    async def timings(
        self, period: Period, *, now: datetime, hours: WorkingHours, rules: FollowUpRules
    ) -> tuple[Timing, Timing]:
        """Time to pick up and to first contact, counted in SQL (``times``)."""
        return await self._timings(period, await self._in(period), now, hours, rules)

    async def _timings(
        self,
        period: Period,
        where: ColumnElement[bool],
        now: datetime,
        hours: WorkingHours,
        rules: FollowUpRules,
    ) -> tuple[Timing, Timing]:
        return await figure_times.timings(
            self._session, self._dialect, period, where, now=now, hours=hours, rules=rules
        )

    async def _in(self, period: Period) -> ColumnElement[bool]:
        """The period's signals. On SQLite also by their range of ids, found from the
        ``created_at`` index alone: without it SQLite reads a long period through that
        index, one row lookup per signal (0.5 s a query for a year); ids grow with the
        creation time, so the range is a cheap scan of just the period's rows."""
        start, end = period.bounds()
        created = and_(Signal.created_at >= start, Signal.created_at < end)
        if self._dialect != "sqlite":
            return created
        ids = select(func.min(Signal.id), func.max(Signal.id)).where(created)
        low, high = (await self._session.execute(ids)).one()
        if low is None:  # none: the index finds that again at once
            return created
        return and_(Signal.id >= low, Signal.id <= high, created)

    async def _sources(self, period: Period, where: ColumnElement[bool]) -> list[SourceRow]:
        """Signals per week (index into ``period.weeks()``), kind, role, partner, channel."""
        starts = period.week_starts()
        week = _week_of(Signal.created_at, starts, 0, len(starts))
        inner = (
            select(week.label("week"), Signal.kind, Signal.role, Signal.partner, Signal.channel)
            .where(where)
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

    async def _places_ages_statuses(
        self, where: ColumnElement[bool]
    ) -> tuple[list[PlaceRow], list[AgeRow], list[StatusRow]]:
        """Places, age groups and statuses from one scan grouped by their columns together
        (hundreds to a few thousand groups), summed per figure here. The choice lists are
        a scan of their own: grouped with these they made tens of thousands of groups."""
        columns = (
            Signal.kind,
            Signal.area,
            Signal.postcode4,
            Signal.age_group,
            Signal.status,
            Signal.outcome,
        )
        query = select(*columns, func.count()).where(where).group_by(*columns)
        places: Counter[tuple[str | None, str | None]] = Counter()
        ages: Counter[tuple[str, str | None]] = Counter()
        statuses: Counter[tuple[str, str | None]] = Counter()
        for kind, area, pc4, age, status, outcome, n in await self._all(query):
            places[(area, pc4)] += n
            ages[(kind, age)] += n
            statuses[(status, outcome)] += n
        return (
            [PlaceRow(*key, n) for key, n in places.items()],
            [AgeRow(*key, n) for key, n in ages.items()],
            [StatusRow(*key, n) for key, n in statuses.items()],
        )

    async def _choices(self, where: ColumnElement[bool]) -> list[ChoiceRow]:
        """Signals per kind and lists of observations and help wanted. The JSON lists are
        grouped as text (json has no equality in PostgreSQL) and parsed once per group."""
        observations = cast(Signal.observations, String).label("observations")
        helps = cast(Signal.help_wanted, String).label("help_wanted")
        inner = select(Signal.kind, observations, helps).where(where).subquery()
        columns = tuple(inner.c)
        query = select(*columns, func.count()).group_by(*columns)
        choices: Counter[tuple[str, tuple[str, ...], tuple[str, ...]]] = Counter()
        for kind, obs, helped, n in await self._all(query):
            choices[(kind, _codes(obs), _codes(helped))] += n
        return [ChoiceRow(*key, n) for key, n in choices.items()]

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


@lru_cache(maxsize=4096)
def _codes(text: str | None) -> tuple[str, ...]:
    """A JSON list of codes as a tuple. Cached: the groups of ``profiles`` repeat the same
    few lists (a year held tens of thousands of groups, parsing was 0.5 s on SQLite)."""
    if not text:
        return ()
    values = json.loads(text)
    return tuple(str(v) for v in values) if isinstance(values, list) else ()
