"""How fast signals were picked up and contacted, and whether within the deadline.

Percentiles are linear interpolation between closest ranks (Hyndman & Fan type 7; numpy's
default, Excel's PERCENTILE.INC): for sorted values x[0..n-1] and 0 <= p <= 1, with
h = (n - 1) * p, the percentile is x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)]).
The median is the percentile for p = 1/2 (the mean of the two middle values for an even n).
Computed exactly, as fractions.

Working-day deadlines for many signals at once, exactly as ``WorkingHours.add_days``.

The monitoring figures need a deadline for every signal of a period (100,000 in a year
at scale); ``WorkingHours.add_days`` walks the calendar for each one. This gives the same
answers from two facts about ``add_days(start, n)`` with ``n >= 1``:

- it depends on ``start`` only through the next opening at or after it;
- for a start strictly inside the open hours of a working day, it is the same wall time
  on the ``n``-th working day after that day.

So one ``add_days`` per calendar day (memoised) answers every start of that day. The
unit tests check the equivalence against ``add_days`` over random moments, holidays and
daylight saving changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from math import floor
from typing import NamedTuple

from core.followup.rules import FollowUpRules
from core.followup.workdays import WorkingHours

_TINY = timedelta(microseconds=1)
# How a signal stands against a deadline (see ``Timing``).
WITHIN, LATE, MISSED, PENDING = "within", "late", "missed", "pending"
HOUR = Fraction(3600 * 1_000_000)  # microseconds
MEDIAN = Fraction(1, 2)
P90 = Fraction(9, 10)


class SignalTimes(NamedTuple):
    """One signal's creation and its first "claim" and first "contact" events (a tuple:
    a year holds 100,000 of them)."""

    created_at: datetime
    urgent: bool
    claimed_at: datetime | None
    contacted_at: datetime | None


@dataclass(frozen=True)
class Timing:
    """Time from creation to an event, and the share of signals within the deadline.

    ``within``: the event happened before its deadline; ``late``: after it; ``missed``: it
    has not happened and the deadline passed; ``pending``: it has not happened and the
    deadline has not passed yet (left out of the share). ``median``/``p90`` in hours over
    the ``measured`` signals that had the event (exact fractions)."""

    measured: int
    median: Fraction | None
    p90: Fraction | None
    within: int
    late: int
    missed: int
    pending: int

    @property
    def share_within(self) -> Fraction | None:
        decided = self.within + self.late + self.missed
        return Fraction(self.within, decided) if decided else None


def percentile(values: Sequence[int | Fraction], p: Fraction) -> Fraction | None:
    """Linear interpolation between closest ranks (type 7); None for no values."""
    if not 0 <= p <= 1:
        raise ValueError(f"a percentile is between 0 and 1: {p}")
    ordered = sorted(values)
    if not ordered:
        return None
    h = (len(ordered) - 1) * p
    low = floor(h)
    base = Fraction(ordered[low])
    if low + 1 == len(ordered):
        return base
    return base + (h - low) * (ordered[low + 1] - base)


@dataclass(frozen=True)
class DayDeadline:
    """One local day, in UTC. ``opens``/``closes``: its open hours (None when closed, or
    when the clock changes within them); ``shift``: a start inside them has its deadline
    at the same wall time on the ``n``-th working day after, ``shift`` later. ``before``
    and ``after``: the deadline of any start before (or at) the opening, and after the
    closing; on a closed day, ``after`` is the deadline of every start."""

    closed: bool
    opens: datetime | None
    closes: datetime | None
    shift: timedelta
    before: datetime
    after: datetime


@dataclass
class DeadlineCalculator:
    """``add_days(start, days)`` for one ``WorkingHours`` and a fixed ``days``."""

    hours: WorkingHours
    days: int
    _days: dict[date, DayDeadline] = field(default_factory=dict, repr=False)

    def add_days(self, start: datetime) -> datetime:
        if self.days <= 0:
            return self.hours.add_days(start, self.days)
        day = self.day(start.astimezone(self.hours.timezone).date())
        if day.closed:
            return day.after
        if day.opens is None or day.closes is None:
            return self.hours.add_days(start, self.days)
        if start <= day.opens:
            return day.before
        if start < day.closes:
            return start + day.shift
        return day.after

    def day(self, local: date) -> DayDeadline:
        """The deadlines of every start on the local day ``local`` (``days`` >= 1): the
        same answers as ``add_days``, as data (``storage.monitoring.times`` turns them into
        SQL). ``opens`` is None on a working day that ``add_days`` must answer per start."""
        found = self._days.get(local)
        if found is None:
            found = self._days[local] = self._day(local)
        return found

    def _day(self, local: date) -> DayDeadline:
        hours, days, tz = self.hours, self.days, self.hours.timezone
        opens = datetime.combine(local, hours.opens, tzinfo=tz)
        closes = datetime.combine(local, hours.closes, tzinfo=tz)
        after = hours.add_days(closes, days)
        if not hours.is_working_day(local):
            return DayDeadline(True, None, None, timedelta(0), after, after)
        before = hours.add_days(opens, days)
        later = hours.add_days(opens + _TINY, days).astimezone(tz).date()
        later_opens = datetime.combine(later, hours.opens, tzinfo=tz)
        later_closes = datetime.combine(later, hours.closes, tzinfo=tz)
        if opens.utcoffset() != closes.utcoffset() or (
            later_opens.utcoffset() != later_closes.utcoffset()
        ):
            return DayDeadline(False, None, None, timedelta(0), before, after)
        shift = later_opens.astimezone(UTC) - opens.astimezone(UTC)
        return DayDeadline(
            False, opens.astimezone(UTC), closes.astimezone(UTC), shift, before, after
        )


def _timing(events: Iterable[tuple[datetime, datetime | None, datetime]], now: datetime) -> Timing:
    """(start, event, deadline) per signal, durations measured from ``start``."""
    durations: list[timedelta] = []
    within = late = missed = pending = 0
    for start, event, deadline in events:
        if event is not None:
            durations.append(event - start)
            if event < deadline:
                within += 1
            else:
                late += 1
        elif now < deadline:
            pending += 1
        else:
            missed += 1
    durations.sort()
    median, p90 = _sorted_percentile(durations, MEDIAN), _sorted_percentile(durations, P90)
    return Timing(len(durations), median, p90, within, late, missed, pending)


def _sorted_percentile(ordered: Sequence[timedelta], p: Fraction) -> Fraction | None:
    """``percentile`` of sorted durations, in hours; only the two values needed are
    converted (to microseconds, exactly)."""
    return ranked_percentile(len(ordered), p, lambda rank: ordered[rank] // _TINY)


def percentile_ranks(count: int) -> tuple[int, ...]:
    """The ranks (0-based, in sorted order) of the values that the median and the 90th
    percentile of ``count`` values are interpolated from: at most four, so a database can
    sort the values and hand over just these."""
    ranks: set[int] = set()
    for p in (MEDIAN, P90):
        if count:
            low = floor((count - 1) * p)
            ranks.update(rank for rank in (low, low + 1) if rank < count)
    return tuple(sorted(ranks))


def ranked_percentile(count: int, p: Fraction, value_at: Callable[[int], int]) -> Fraction | None:
    """``percentile`` (type 7) of ``count`` sorted durations in microseconds, in hours,
    reading only the values at the ranks it needs (``value_at(rank)``, 0-based)."""
    if not count:
        return None
    h = (count - 1) * p
    low = floor(h)
    value = Fraction(value_at(low))
    if low + 1 < count:
        value += (h - low) * (value_at(low + 1) - value)
    return value / HOUR


def ranked_timing(counts: Mapping[str, int], values: Mapping[int, int]) -> Timing:
    """A ``Timing`` from the number of signals in each class (``WITHIN``, ``LATE``,
    ``MISSED``, ``PENDING``; missing ones are 0) and the durations in microseconds at
    ``percentile_ranks`` of the measured ones (those ``WITHIN`` or ``LATE``)."""
    within, late = counts.get(WITHIN, 0), counts.get(LATE, 0)
    measured = within + late
    return Timing(
        measured,
        ranked_percentile(measured, MEDIAN, values.__getitem__),
        ranked_percentile(measured, P90, values.__getitem__),
        within,
        late,
        counts.get(MISSED, 0),
        counts.get(PENDING, 0),
    )


def classify(event: datetime | None, deadline: datetime, now: datetime) -> str:
    """``WITHIN``, ``LATE`` (at the deadline or after), ``MISSED`` or ``PENDING``."""
    if event is not None:
        return WITHIN if event < deadline else LATE
    return PENDING if now < deadline else MISSED


def timings(
    signals: Iterable[SignalTimes], now: datetime, hours: WorkingHours, rules: FollowUpRules
) -> tuple[Timing, Timing]:
    """Time to claim (deadline: ``rules.urgent_claim`` after creation for an urgent signal,
    else ``rules.claim_days`` working days) and time to first contact (deadline:
    ``rules.contact_days`` working days after the *first* claim; only signals that were
    claimed). Both measured from creation; an event exactly at its deadline is late, as
    in ``followup.is_overdue``."""
    claim_days = DeadlineCalculator(hours, rules.claim_days)
    contact_days = DeadlineCalculator(hours, rules.contact_days)
    claims: list[tuple[datetime, datetime | None, datetime]] = []
    contacts: list[tuple[datetime, datetime | None, datetime]] = []
    for signal in signals:
        created = signal.created_at
        if signal.urgent:
            claim_deadline = created + rules.urgent_claim
        else:
            claim_deadline = claim_days.add_days(created)
        claims.append((created, signal.claimed_at, claim_deadline))
        if signal.claimed_at is not None:
            contact_deadline = contact_days.add_days(signal.claimed_at)
            contacts.append((created, signal.contacted_at, contact_deadline))
    return _timing(claims, now), _timing(contacts, now)
