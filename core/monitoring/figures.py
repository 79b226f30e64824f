"""The monitoring figures of a period, from aggregate rows: counts per source, area, age
group, observation and outcome, and how fast signals were picked up and contacted.

Pure: storage aggregates in SQL (``storage.monitoring.figures``) and hands over the rows below; this
module turns them into figures in one pass (the times against the deadlines of
``core.followup.rules`` come counted: see ``timing``).
Every figure counts the signals *created* in the period (see ``period``), whatever
happened to them later; see docs/monitoring.md for each definition.

Percentiles: see ``timing``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from core.lifecycle import table as lc

from .period import Period, Week
from .timing import Timing

# Categories that are not choice ids (choice ids and partner codes never hold parentheses).
SELF = "(self)"  # a self-report: it has no reporter role, observations or age group
NONE = "(none)"  # no partner; no observation given
UNKNOWN = "(unknown)"  # no neighbourhood and no postcode; a closed signal without outcome
POSTCODE_PREFIX = "postcode:"  # "postcode:4536": a postcode report, by its four digits
OPEN = "(open)"


# -- what storage hands over ------------------------------------------------------------


@dataclass(frozen=True)
class SourceRow:
    """Signals of one week (an index into ``Period.weeks()``) by kind, role, partner and
    channel."""

    week: int
    kind: str
    role: str | None
    partner: str | None
    channel: str
    count: int


@dataclass(frozen=True)
class PlaceRow:
    area: str | None
    postcode4: str | None
    count: int


@dataclass(frozen=True)
class AgeRow:
    kind: str
    age_group: str | None
    count: int


@dataclass(frozen=True)
class ChoiceRow:
    """Signals with one combination of observations (reports about someone else) or of
    help wanted (self-reports)."""

    kind: str
    observations: tuple[str, ...]
    help_wanted: tuple[str, ...]
    count: int


@dataclass(frozen=True)
class StatusRow:
    status: str
    outcome: str | None
    count: int


# -- the figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class Weekly:
    """Counts per week and category: ``counts[category][i]`` is week ``weeks[i]``."""

    weeks: tuple[Week, ...]
    counts: Mapping[str, tuple[int, ...]]

    def totals(self) -> dict[str, int]:
        return {category: sum(values) for category, values in self.counts.items()}

    def week_totals(self) -> tuple[int, ...]:
        return tuple(
            sum(values[i] for values in self.counts.values()) for i in range(len(self.weeks))
        )


@dataclass(frozen=True)
class Figures:
    period: Period
    total: int
    by_role: Weekly
    by_partner: Weekly
    by_channel: Weekly
    by_area: Mapping[str, int]
    by_age_group: Mapping[str, int]
    by_observation: Mapping[str, int]
    by_help_wanted: Mapping[str, int]
    claim: Timing
    contact: Timing
    outcomes: Mapping[str, int]  # closed and cannot_follow_up signals
    open_by_status: Mapping[str, int]

    @property
    def still_open(self) -> int:
        return sum(self.open_by_status.values())


def role_category(kind: str, role: str | None) -> str:
    return SELF if kind == "self" else role or UNKNOWN


def area_category(
    area: str | None, postcode4: str | None, areas: Mapping[str, str] | None = None
) -> str:
    """The neighbourhood chosen, else the one the postcode lies in (``areas``: four
    digits to a neighbourhood id), else the postcode's four digits."""
    if area:
        return area
    if postcode4 and areas and postcode4 in areas:
        return areas[postcode4]
    return f"{POSTCODE_PREFIX}{postcode4}" if postcode4 else UNKNOWN


def outcome_category(status: str, outcome: str | None) -> str:
    """A finished signal's outcome; "cannot_follow_up" is its own; open signals: OPEN."""
    if status == lc.CANNOT_FOLLOW_UP:
        return lc.CANNOT_FOLLOW_UP
    if status == lc.CLOSED:
        return outcome or UNKNOWN
    return OPEN


def _weekly(weeks: tuple[Week, ...], pairs: Iterable[tuple[int, str, int]]) -> Weekly:
    counts: dict[str, list[int]] = {}
    for week, category, count in pairs:
        counts.setdefault(category, [0] * len(weeks))[week] += count
    return Weekly(weeks, {category: tuple(values) for category, values in counts.items()})


def _places(rows: Iterable[PlaceRow], areas: Mapping[str, str]) -> dict[str, int]:
    found: Counter[str] = Counter()
    for row in rows:
        found[area_category(row.area, row.postcode4, areas)] += row.count
    return dict(found)


def _ages(rows: Iterable[AgeRow]) -> dict[str, int]:
    found: Counter[str] = Counter()
    for row in rows:
        found[SELF if row.kind == "self" else row.age_group or UNKNOWN] += row.count
    return dict(found)


def _choices(rows: Iterable[ChoiceRow]) -> tuple[dict[str, int], dict[str, int]]:
    """Each signal counts once for every observation (or help wanted) it has, so the
    counts add up to more than the signals; a signal with none counts as NONE."""
    observations: Counter[str] = Counter()
    helps: Counter[str] = Counter()
    for row in rows:
        if row.kind == "self":
            for code in set(row.help_wanted) or {NONE}:
                helps[code] += row.count
        else:
            for code in set(row.observations) or {NONE}:
                observations[code] += row.count
    return dict(observations), dict(helps)


def build_figures(
    period: Period,
    *,
    sources: Sequence[SourceRow],
    places: Iterable[PlaceRow],
    ages: Iterable[AgeRow],
    choices: Iterable[ChoiceRow],
    statuses: Sequence[StatusRow],
    claim: Timing,
    contact: Timing,
    areas: Mapping[str, str] | None = None,
) -> Figures:
    """The figures of ``period`` from storage's rows; ``claim`` and ``contact`` come
    counted (``timing.timings`` computes them from one row per signal)."""
    weeks = period.weeks()
    observations, helps = _choices(choices)
    outcomes: Counter[str] = Counter()
    open_by_status: Counter[str] = Counter()
    for row in statuses:
        category = outcome_category(row.status, row.outcome)
        if category == OPEN:
            open_by_status[row.status] += row.count
        else:
            outcomes[category] += row.count
    return Figures(
        period=period,
        total=sum(row.count for row in sources),
        by_role=_weekly(weeks, ((r.week, role_category(r.kind, r.role), r.count) for r in sources)),
        by_partner=_weekly(weeks, ((r.week, r.partner or NONE, r.count) for r in sources)),
        by_channel=_weekly(weeks, ((r.week, r.channel, r.count) for r in sources)),
        by_area=_places(places, areas or {}),
        by_age_group=_ages(ages),
        by_observation=observations,
        by_help_wanted=helps,
        claim=claim,
        contact=contact,
        outcomes=dict(outcomes),
        open_by_status=dict(open_by_status),
    )
