"""The period of the monitoring figures: calendar days in Europe/Amsterdam and its weeks.

A period is a first and a last day (both included), local dates of the loket. Its signals
are those *created* from the first day 00:00 up to, not including, the day after the last
day 00:00 (Amsterdam time). Weeks are ISO 8601 weeks (Monday to Sunday, week 1 holds the
year's first Thursday) of the Amsterdam date; the first and last week of a period are cut
to the period.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.text.msgids import N_

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

LAST_4_WEEKS = "4w"
LAST_12_WEEKS = "12w"
THIS_YEAR = "this_year"
LAST_YEAR = "last_year"
CUSTOM = "custom"
PRESETS: dict[str, str] = {
    LAST_4_WEEKS: N_("Last 4 weeks"),
    LAST_12_WEEKS: N_("Last 12 weeks"),
    THIS_YEAR: N_("This year"),
    LAST_YEAR: N_("Last year"),
}
DEFAULT_PRESET = LAST_12_WEEKS
EARLIEST = date(2000, 1, 1)
AHEAD = timedelta(days=366)  # a period may end at most this far after today
MAX_DAYS = 3 * 366 + 1  # three years: a longer span is a mistake more often than not

BAD_DATE = N_("Please give the dates as day-month-year, for example %(example)s.")
REVERSED = N_("The first day must not be after the last day.")
TOO_LONG = N_("Please choose a period of at most three years.")
TOO_EARLY = N_("Please choose a period from the year 2000 onwards.")
TOO_LATE = N_("Please choose a period that ends within a year from today.")
BOTH_DATES = N_("Please give both the first and the last day.")
UNKNOWN_PRESET = N_("That period is not known.")


@dataclass(frozen=True)
class Week:
    """One ISO week of a period: its key ("2026-W05") and its days inside the period."""

    key: str
    first: date
    last: date


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise ValueError(f"period starts after it ends: {self.first} > {self.last}")

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC: the first day 00:00 and the day after the last 00:00."""
        return local_midnight(self.first), local_midnight(self.last + timedelta(days=1))

    def weeks(self) -> tuple[Week, ...]:
        """Every ISO week the period touches, in order, each cut to the period."""
        found: list[Week] = []
        monday = self.first - timedelta(days=self.first.weekday())
        while monday <= self.last:
            sunday = monday + timedelta(days=6)
            found.append(Week(week_key(monday), max(monday, self.first), min(sunday, self.last)))
            monday += timedelta(days=7)
        return tuple(found)

    def week_starts(self) -> tuple[datetime, ...]:
        """The UTC moment each week of ``weeks()`` starts (its first day 00:00 local); a
        moment in the period belongs to the last week that starts at or before it."""
        return tuple(local_midnight(week.first) for week in self.weeks())

    @property
    def slug(self) -> str:
        """For file names: "2026-01-05_2026-03-29"."""
        return f"{self.first.isoformat()}_{self.last.isoformat()}"


def local_midnight(day: date) -> datetime:
    """00:00 of ``day`` in Amsterdam, in UTC (midnight is never skipped or repeated)."""
    return datetime.combine(day, time(0), tzinfo=AMSTERDAM).astimezone(UTC)


def local_date(at: datetime) -> date:
    return at.astimezone(AMSTERDAM).date()


def week_key(day: date) -> str:
    """The ISO week of a local date: "2026-W01" (the ISO year, which can differ from the
    calendar year around New Year: 2024-12-30 is in 2025-W01)."""
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def preset_period(preset: str, today: date) -> Period:
    """The last 4 or 12 weeks: the current ISO week up to ``today`` and the 3 or 11 full
    weeks before it. This year: 1 January up to today. Last year: the whole previous year."""
    monday = today - timedelta(days=today.weekday())
    if preset == LAST_4_WEEKS:
        return Period(monday - timedelta(weeks=3), today)
    if preset == LAST_12_WEEKS:
        return Period(monday - timedelta(weeks=11), today)
    if preset == THIS_YEAR:
        return Period(date(today.year, 1, 1), today)
    if preset == LAST_YEAR:
        return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    raise ValueError(f"unknown period preset: {preset!r}")


@dataclass(frozen=True)
class PeriodChoice:
    """The period to show, which preset it is (or ``CUSTOM``), and, when the request could
    not be used, the message to show (the default period is shown instead; ``typed`` keeps
    what was typed so the form shows it again)."""

    period: Period
    preset: str
    error: str | None = None
    typed: Mapping[str, str] | None = None


def choose_period(
    today: date, *, preset: str | None = None, first: str | None = None, last: str | None = None
) -> PeriodChoice:
    """The period asked for in a request: custom dates (ISO "2026-03-01", as a date input
    sends them, or "1-3-2026") win over a preset; nothing asked: the default preset."""
    first, last = (first or "").strip(), (last or "").strip()
    if first or last:
        typed = {"from": first, "to": last}
        fallback = preset_period(DEFAULT_PRESET, today)
        if not first or not last:
            return PeriodChoice(fallback, DEFAULT_PRESET, BOTH_DATES, typed)
        start, end = parse_date(first), parse_date(last)
        if start is None or end is None:
            return PeriodChoice(fallback, DEFAULT_PRESET, BAD_DATE, typed)
        if start > end:
            return PeriodChoice(fallback, DEFAULT_PRESET, REVERSED, typed)
        if start < EARLIEST:
            return PeriodChoice(fallback, DEFAULT_PRESET, TOO_EARLY, typed)
        if end > today + AHEAD:  # 9999-12-31 has no day after it to end the period on
            return PeriodChoice(fallback, DEFAULT_PRESET, TOO_LATE, typed)
        if (end - start).days + 1 > MAX_DAYS:
            return PeriodChoice(fallback, DEFAULT_PRESET, TOO_LONG, typed)
        return PeriodChoice(Period(start, end), CUSTOM)
    if preset is None or preset == "":
        return PeriodChoice(preset_period(DEFAULT_PRESET, today), DEFAULT_PRESET)
    if preset not in PRESETS:
        return PeriodChoice(preset_period(DEFAULT_PRESET, today), DEFAULT_PRESET, UNKNOWN_PRESET)
    return PeriodChoice(preset_period(preset, today), preset)


def parse_date(text: str) -> date | None:
    """An ISO date ("2026-03-01") or a Dutch one ("1-3-2026", "01/03/2026"); else None."""
    text = text.strip()
    if len(text) > 10:
        return None
    try:
        return date.fromisoformat(text) if len(text) == 10 and text[4] == "-" else _dutch(text)
    except ValueError:
        return None


def _dutch(text: str) -> date | None:
    parts = text.replace("/", "-").replace(".", "-").split("-")
    if len(parts) != 3 or not all(p.isdigit() and p.isascii() for p in parts):
        return None
    day, month, year = (int(p) for p in parts)
    if len(parts[2]) != 4:
        return None
    return date(year, month, day)
