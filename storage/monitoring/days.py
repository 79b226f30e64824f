"""The local days whose working-day deadlines the SQL of ``times`` looks up: one
row per day (``DeadlineCalculator.day``), handed over as one JSON parameter, and the SQL
that finds a moment's local day number without the database's time zones (the UTC offset
is constant between clock changes)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, column, text

from core.followup.rules import FollowUpRules
from core.followup.workdays import WorkingHours
from core.monitoring.period import Period
from core.monitoring.timing import DeadlineCalculator

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_DAY = date(1970, 1, 1).toordinal()
US = timedelta(microseconds=1)
DAY_US = 86_400_000_000
# A day in the table: how its deadlines are given (see ``Days._row``).
NORMAL, CLOSED, PER_START = 0, 1, 2
FIELDS = ("kind", "opens", "closes", "shift", "before", "after")
COLUMNS = ("d", *(f"{f}1" for f in FIELDS), *(f"{f}2" for f in FIELDS))


def micros(moment: datetime) -> int:
    """An aware moment as integer microseconds since 1970."""
    return (moment - EPOCH) // US


class Days:
    """The local days whose deadlines the SQL looks up: the period's, and after it up to
    the day after today (pick-ups happen after creation, normally not after now)."""

    def __init__(
        self, period: Period, now: datetime, hours: WorkingHours, rules: FollowUpRules
    ) -> None:
        self.tz = hours.timezone
        self.claim = _calculator(hours, rules.claim_days)
        self.contact = _calculator(hours, rules.contact_days)
        self.first = period.first
        self.last = max(period.last, now.astimezone(self.tz).date()) + timedelta(days=1)

    def _start(self, day: date) -> int:
        return micros(datetime.combine(day, time(0), tzinfo=self.tz).astimezone(UTC))

    def rows(self) -> list[list[int]]:
        found = []
        day = self.first
        while day <= self.last:
            found.append([day.toordinal() - EPOCH_DAY, *self._row(self.claim, day)])
            found[-1] += self._row(self.contact, day)
            day += timedelta(days=1)
        return found

    @staticmethod
    def _row(calculator: DeadlineCalculator, local: date) -> list[int]:
        if calculator.days <= 0:
            return [PER_START, 0, 0, 0, 0, 0]
        day = calculator.day(local)
        after = micros(day.after)
        if day.closed:
            return [CLOSED, 0, 0, 0, after, after]
        if day.opens is None or day.closes is None:
            return [PER_START, 0, 0, 0, 0, 0]
        opens, closes, before = micros(day.opens), micros(day.closes), micros(day.before)
        return [NORMAL, opens, closes, day.shift // US, before, after]

    def number(self, moment: str) -> str:
        """SQL: the local day number (days since 1970-01-01) of a moment in microseconds,
        NULL outside the days covered. Between clock changes it is (moment + offset) / day;
        a day with a clock change is named whole."""
        branches = []
        day = self.first
        run_start: date | None = None
        while day <= self.last:
            start, end = self._start(day), self._start(day + timedelta(days=1))
            if end - start == DAY_US:
                run_start = run_start or day
            else:
                if run_start is not None:
                    branches.append(self._run(moment, run_start, start))
                    run_start = None
                number = day.toordinal() - EPOCH_DAY
                branches.append(f"WHEN {moment} < {end} THEN {number}")
            day += timedelta(days=1)
        if run_start is not None:
            branches.append(self._run(moment, run_start, self._start(day)))
        first = self._start(self.first)
        return f"CASE WHEN {moment} < {first} THEN NULL {' '.join(branches)} END"

    def _run(self, moment: str, first: date, end: int) -> str:
        offset = (first.toordinal() - EPOCH_DAY) * DAY_US - self._start(first)
        return f"WHEN {moment} < {end} THEN ({moment} + {offset}) / {DAY_US}"


@lru_cache(maxsize=8)
def _calculator(hours: WorkingHours, days: int) -> DeadlineCalculator:
    """Kept between pages: a year of days is a few thousand ``add_days`` (0.1 s), and a
    day's deadlines never change for the same office hours and holidays."""
    return DeadlineCalculator(hours, days)


def days_table(dialect: str, rows: list[list[int]]) -> Any:
    """The day table from one JSON parameter: a list of rows of ``COLUMNS``."""
    if dialect == "sqlite":
        fields = ", ".join(
            f"json_extract(value, '$[{i}]') AS {name}" for i, name in enumerate(COLUMNS)
        )
        query = f"SELECT {fields} FROM json_each(:days) LIMIT -1 OFFSET 0"
    else:
        fields = ", ".join(f"(value->>{i})::bigint AS {name}" for i, name in enumerate(COLUMNS))
        query = f"SELECT {fields} FROM jsonb_array_elements(CAST(:days AS jsonb)) OFFSET 0"
    textual = text(query).bindparams(days=json.dumps(rows, separators=(",", ":")))
    return textual.columns(*(column(name, BigInteger) for name in COLUMNS)).subquery("days")
