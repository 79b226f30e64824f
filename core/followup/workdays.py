"""Deadlines in working time: the loket's office hours, weekends and public holidays.

Pure: the holiday calendar is passed in (the shell builds it, e.g. with the ``holidays``
package), so this module needs no data and no clock.

All arithmetic happens in the local wall time of the loket, so 09:00-17:00 stays 09:00-17:00
across daylight saving changes; open time is measured on that wall clock. Results are UTC.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# ZoneInfo instances are cached and immutable, so one shared default is safe.
_AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# A calendar that closes every day would make the search for the next opening endless.
_MAX_CLOSED_DAYS = 3660


@dataclass(frozen=True)
class WorkingHours:
    """Office hours of the loket: deadlines in working time count only these hours.

    ``holidays`` is anything that answers ``day in holidays`` for a :class:`date` (a set, or
    ``holidays.country_holidays("NL")``). The loket is open on each of ``weekdays``
    (Monday is 0) that is not a holiday, from ``opens`` up to, but not including, ``closes``,
    both local wall times in ``timezone``.
    """

    # Left out of the hash: a holidays.HolidayBase is a dict, and unhashable.
    holidays: Container[date] = field(default=frozenset(), hash=False)
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    timezone: ZoneInfo = _AMSTERDAM

    def __post_init__(self) -> None:
        if not self.weekdays:
            raise ValueError("WorkingHours needs at least one working weekday")
        if not self.weekdays <= frozenset(range(7)):
            raise ValueError(f"weekdays must be 0 (Monday) to 6 (Sunday): {sorted(self.weekdays)}")
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("opens and closes are wall times in `timezone`; give them no tzinfo")
        if self.opens >= self.closes:
            raise ValueError(f"opens ({self.opens}) must be before closes ({self.closes})")

    @property
    def day_length(self) -> timedelta:
        """The open time of one working day (8 hours by default)."""
        return datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)

    def is_working_day(self, day: date) -> bool:
        """Whether the loket opens on ``day`` (a date, not a datetime)."""
        if isinstance(day, datetime):
            # A datetime never equals a date, so a holiday lookup would silently miss.
            raise TypeError("is_working_day takes a date; use is_open for a moment")
        return day.weekday() in self.weekdays and day not in self.holidays

    def is_open(self, at: datetime) -> bool:
        """Whether the loket is open at the aware moment ``at`` (closed at closing time)."""
        wall = self._wall(at)
        return self.is_working_day(wall.date()) and self.opens <= wall.time() < self.closes

    def next_open(self, at: datetime) -> datetime:
        """``at`` itself (in UTC) when the loket is open, else the next opening moment."""
        return self._utc(self._next_open_wall(self._wall(at)))

    def add(self, start: datetime, working: timedelta) -> datetime:
        """The moment (UTC) when ``working`` open time has passed since ``start``.

        A start outside office hours counts from the next opening, so ``add(x, 0)`` is
        ``next_open(x)``. A deadline that uses up a day exactly ends at that day's closing
        time rather than at the next opening: Saturday plus one working day is Monday 17:00.
        """
        if working < timedelta(0):
            raise ValueError(f"working time must not be negative: {working}")
        current = self._next_open_wall(self._wall(start))
        remaining = working
        while True:
            available = datetime.combine(current.date(), self.closes) - current
            if remaining <= available:
                return self._utc(current + remaining if remaining else current)
            remaining -= available
            following = self._next_working_day(current.date() + timedelta(days=1))
            current = datetime.combine(following, self.opens)

    def add_days(self, start: datetime, days: int) -> datetime:
        """``add(start, days * day_length)``: a deadline of ``days`` working days."""
        return self.add(start, days * self.day_length)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """The open time in ``[start, end)``; zero when ``end`` is not after ``start``."""
        first, last = self._wall(start), self._wall(end)
        total = timedelta(0)
        if end <= start:
            return total
        day = first.date()
        while day <= last.date():
            if self.is_working_day(day):
                lower = max(first, datetime.combine(day, self.opens))
                upper = min(last, datetime.combine(day, self.closes))
                if upper > lower:
                    total += upper - lower
            day += timedelta(days=1)
        return total

    def _wall(self, at: datetime) -> datetime:
        """``at`` as a naive local wall time; ``fold`` still tells the repeated hour apart."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"a naive datetime has no place on the clock: {at!r}")
        return at.astimezone(self.timezone).replace(tzinfo=None)

    def _utc(self, wall: datetime) -> datetime:
        return wall.replace(tzinfo=self.timezone).astimezone(UTC)

    def _next_working_day(self, day: date) -> date:
        """``day`` or the first working day after it."""
        for offset in range(_MAX_CLOSED_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day in the {_MAX_CLOSED_DAYS} days from {day}")

    def _next_open_wall(self, wall: datetime) -> datetime:
        if self.is_working_day(wall.date()):
            if wall.time() < self.opens:
                return datetime.combine(wall.date(), self.opens)
            if wall.time() < self.closes:
                # Returned unchanged so its fold survives a repeated autumn hour.
                return wall
        following = self._next_working_day(wall.date() + timedelta(days=1))
        return datetime.combine(following, self.opens)
