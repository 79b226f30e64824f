"""Deadlines in working time: office hours, weekends, Dutch holidays and daylight saving."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.followup.workdays import WorkingHours

AMS = ZoneInfo("Europe/Amsterdam")
CET = timedelta(hours=1)
CEST = timedelta(hours=2)
DAY = timedelta(hours=8)

# Built once: hypothesis does not want function-scoped fixtures, and the calendar is lazy.
NL = holidays.country_holidays("NL")
PLAIN = WorkingHours()
DUTCH = WorkingHours(holidays=NL)


def ams(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


def local_offset(at: datetime) -> timedelta | None:
    return at.astimezone(AMS).utcoffset()


# --- add / add_days -------------------------------------------------------------------------
# June 2026 has no Dutch holidays, so these show the weekday rules alone.


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        pytest.param(ams(2026, 6, 5, 16), 1, ams(2026, 6, 8, 16), id="friday-16h-monday-16h"),
        pytest.param(ams(2026, 6, 6, 10), 1, ams(2026, 6, 8, 17), id="saturday-monday-closing"),
        pytest.param(ams(2026, 6, 3, 8), 1, ams(2026, 6, 3, 17), id="before-opening-same-day"),
        pytest.param(ams(2026, 6, 8, 17, 30), 1, ams(2026, 6, 9, 17), id="after-closing"),
        pytest.param(ams(2026, 6, 8, 17), 1, ams(2026, 6, 9, 17), id="exactly-at-closing"),
        pytest.param(ams(2026, 6, 4, 11), 3, ams(2026, 6, 9, 11), id="three-days-over-weekend"),
        pytest.param(ams(2026, 6, 5, 9), 3, ams(2026, 6, 9, 17), id="three-days-from-opening"),
        pytest.param(ams(2026, 6, 5, 18), 3, ams(2026, 6, 10, 17), id="three-days-friday-night"),
        pytest.param(ams(2026, 6, 8, 9), 10, ams(2026, 6, 19, 17), id="two-weeks"),
        pytest.param(ams(2026, 6, 6, 10), 0, ams(2026, 6, 8, 9), id="zero-days-next-opening"),
    ],
)
def test_add_days(start: datetime, days: int, expected: datetime) -> None:
    result = PLAIN.add_days(start, days)
    assert result == expected
    assert result.tzinfo is UTC


def test_add_carries_part_of_an_hour_into_the_next_day() -> None:
    assert PLAIN.add(ams(2026, 6, 8, 16, 30), timedelta(hours=1)) == ams(2026, 6, 9, 9, 30)


def test_add_of_nothing_is_next_open() -> None:
    for start in (ams(2026, 6, 5, 20), ams(2026, 6, 8, 12, 34), ams(2026, 6, 8, 7)):
        assert PLAIN.add(start, timedelta(0)) == PLAIN.next_open(start)


def test_add_accepts_any_timezone() -> None:
    # Friday 16:00 in Amsterdam, given as UTC and as New York time.
    expected = ams(2026, 6, 8, 16)
    assert PLAIN.add_days(datetime(2026, 6, 5, 14, tzinfo=UTC), 1) == expected
    new_york = datetime(2026, 6, 5, 10, tzinfo=ZoneInfo("America/New_York"))
    assert PLAIN.add_days(new_york, 1) == expected


# --- Dutch holidays -------------------------------------------------------------------------


def test_dutch_calendar_as_the_holidays_package_has_it() -> None:
    assert date(2026, 12, 25) in NL
    assert date(2026, 12, 26) in NL
    assert date(2026, 4, 27) in NL  # King's Day, a Monday
    # 27 April 2025 is a Sunday, so King's Day moved back to Saturday 26 April.
    assert date(2025, 4, 26) in NL
    assert date(2025, 4, 27) not in NL
    # Liberation Day is a public holiday only in lustrum years.
    assert date(2025, 5, 5) in NL
    assert date(2026, 5, 5) not in NL
    assert date(2030, 5, 5) in NL
    assert date(2026, 4, 3) in NL  # Good Friday: the package counts it
    assert date(2026, 5, 14) in NL  # Ascension Day
    assert date(2026, 5, 25) in NL  # Whit Monday
    assert date(2026, 6, 5) not in NL


def test_christmas_2026_and_the_weekend_are_skipped() -> None:
    # Thursday 24 December; Christmas falls on Friday and Saturday.
    assert DUTCH.add_days(ams(2026, 12, 24, 15), 1) == ams(2026, 12, 28, 15)
    assert not DUTCH.is_working_day(date(2026, 12, 25))
    assert DUTCH.between(ams(2026, 12, 24, 15), ams(2026, 12, 28, 15)) == DAY


def test_kings_day_2026_is_skipped() -> None:
    assert DUTCH.add_days(ams(2026, 4, 24, 14), 1) == ams(2026, 4, 28, 14)
    assert PLAIN.add_days(ams(2026, 4, 24, 14), 1) == ams(2026, 4, 27, 14)


def test_kings_day_2025_falls_on_saturday() -> None:
    assert not DUTCH.is_working_day(date(2025, 4, 26))
    # So the Monday after is an ordinary working day.
    assert DUTCH.is_working_day(date(2025, 4, 28))
    assert DUTCH.add_days(ams(2025, 4, 25, 14), 1) == ams(2025, 4, 28, 14)


def test_easter_2026_closes_good_friday_and_easter_monday() -> None:
    assert DUTCH.add_days(ams(2026, 4, 2, 10), 1) == ams(2026, 4, 7, 10)


def test_holidays_can_be_a_plain_set() -> None:
    hours = WorkingHours(holidays=frozenset({date(2026, 6, 8)}))
    assert hours.add_days(ams(2026, 6, 5, 16), 1) == ams(2026, 6, 9, 16)


# --- daylight saving ------------------------------------------------------------------------


def test_spring_forward_weekend_keeps_local_time() -> None:
    start = ams(2026, 3, 27, 16)
    assert local_offset(start) == CET
    assert start == datetime(2026, 3, 27, 15, tzinfo=UTC)
    result = PLAIN.add_days(start, 1)
    assert result == datetime(2026, 3, 30, 14, tzinfo=UTC)
    assert local_offset(result) == CEST
    assert result.astimezone(AMS).replace(tzinfo=None) == datetime(2026, 3, 30, 16)


def test_fall_back_weekend_keeps_local_time() -> None:
    start = ams(2026, 10, 23, 16)
    assert local_offset(start) == CEST
    assert start == datetime(2026, 10, 23, 14, tzinfo=UTC)
    result = PLAIN.add_days(start, 1)
    assert result == datetime(2026, 10, 26, 15, tzinfo=UTC)
    assert local_offset(result) == CET
    assert result.astimezone(AMS).replace(tzinfo=None) == datetime(2026, 10, 26, 16)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        pytest.param(ams(2026, 3, 27, 9), ams(2026, 3, 30, 17), id="spring-forward"),
        pytest.param(ams(2026, 10, 23, 9), ams(2026, 10, 26, 17), id="fall-back"),
    ],
)
def test_between_across_dst_weekend_is_the_open_hours(start: datetime, end: datetime) -> None:
    assert PLAIN.between(start, end) == 2 * DAY
    hour = timedelta(hours=1)
    assert PLAIN.between(start + 3 * hour, end - 3 * hour) == 2 * DAY - 6 * hour


def test_open_time_is_measured_on_the_wall_clock() -> None:
    # A (contrived) Sunday night shift spanning the spring-forward jump at 02:00: four
    # hours on the wall, though only three pass.
    night = WorkingHours(weekdays=frozenset({6}), opens=time(1), closes=time(5))
    assert night.between(ams(2026, 3, 29, 0), ams(2026, 3, 29, 6)) == timedelta(hours=4)
    assert night.add(ams(2026, 3, 29, 1), timedelta(hours=2)) == ams(2026, 3, 29, 3)


# --- is_open / next_open --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "is_open"),
    [
        pytest.param(ams(2026, 6, 8, 8, 59), False, id="before-opening"),
        pytest.param(ams(2026, 6, 8, 9), True, id="at-opening"),
        pytest.param(ams(2026, 6, 8, 16, 59), True, id="last-minute"),
        pytest.param(ams(2026, 6, 8, 17), False, id="at-closing"),
        pytest.param(ams(2026, 6, 6, 12), False, id="saturday"),
        pytest.param(ams(2026, 4, 27, 12), False, id="kings-day"),
        pytest.param(datetime(2026, 6, 8, 7, 30, tzinfo=UTC), True, id="utc-summer-0930"),
        pytest.param(datetime(2026, 1, 5, 7, 30, tzinfo=UTC), False, id="utc-winter-0830"),
    ],
)
def test_is_open(at: datetime, is_open: bool) -> None:
    assert DUTCH.is_open(at) is is_open


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        pytest.param(ams(2026, 6, 8, 12, 34), ams(2026, 6, 8, 12, 34), id="open-itself"),
        pytest.param(ams(2026, 6, 8, 9), ams(2026, 6, 8, 9), id="at-opening"),
        pytest.param(ams(2026, 6, 8, 7), ams(2026, 6, 8, 9), id="early-morning"),
        pytest.param(ams(2026, 6, 8, 17), ams(2026, 6, 9, 9), id="at-closing"),
        pytest.param(ams(2026, 6, 5, 19), ams(2026, 6, 8, 9), id="friday-evening"),
        pytest.param(ams(2026, 12, 24, 17), ams(2026, 12, 28, 9), id="christmas-eve"),
        pytest.param(ams(2026, 4, 27, 10), ams(2026, 4, 28, 9), id="kings-day"),
    ],
)
def test_next_open(at: datetime, expected: datetime) -> None:
    result = DUTCH.next_open(at)
    assert result == expected
    assert result.tzinfo is UTC
    assert DUTCH.is_open(result)


# --- between --------------------------------------------------------------------------------


def test_between_basics() -> None:
    monday = ams(2026, 6, 8, 10)
    assert PLAIN.between(monday, monday) == timedelta(0)
    assert PLAIN.between(monday, monday - timedelta(hours=1)) == timedelta(0)
    assert PLAIN.between(monday, ams(2026, 6, 8, 12, 30)) == timedelta(hours=2, minutes=30)
    assert PLAIN.between(ams(2026, 6, 6, 0), ams(2026, 6, 8, 0)) == timedelta(0)
    assert PLAIN.between(ams(2026, 6, 8, 0), ams(2026, 6, 15, 0)) == 5 * DAY
    assert PLAIN.between(datetime(2026, 6, 8, 7, tzinfo=UTC), ams(2026, 6, 8, 10)) == DAY / 8


def test_between_over_years_is_quick_and_exact() -> None:
    # 2 March 2026 is a Monday; 520 whole weeks later is a Monday again.
    start = ams(2026, 3, 2)
    assert PLAIN.between(start, start + timedelta(weeks=520)) == 520 * 5 * DAY
    assert PLAIN.add_days(start, 520 * 5) == ams(2036, 2, 15, 17)


# --- configuration --------------------------------------------------------------------------


def test_custom_hours_and_weekdays() -> None:
    mornings = WorkingHours(opens=time(8, 30), closes=time(12, 30), weekdays=frozenset({0, 2}))
    assert mornings.day_length == timedelta(hours=4)
    assert PLAIN.day_length == DAY
    # Monday 12:00 + one (four-hour) day: half an hour on Monday, the rest on Wednesday.
    assert mornings.add_days(ams(2026, 6, 8, 12), 1) == ams(2026, 6, 10, 12)
    assert not mornings.is_working_day(date(2026, 6, 9))


def test_usable_as_a_key_even_with_a_holidays_calendar() -> None:
    assert hash(DUTCH) == hash(WorkingHours(holidays=holidays.country_holidays("NL")))
    assert WorkingHours() == PLAIN


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"weekdays": frozenset()}, "at least one", id="no-weekdays"),
        pytest.param({"weekdays": frozenset({7})}, "0 .Monday.", id="weekday-out-of-range"),
        pytest.param({"opens": time(17), "closes": time(17)}, "before", id="opens-is-closes"),
        pytest.param({"opens": time(18), "closes": time(9)}, "before", id="opens-after-closes"),
        pytest.param({"opens": time(9, tzinfo=UTC)}, "no tzinfo", id="aware-opening-time"),
    ],
)
def test_bad_configuration_is_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WorkingHours(**kwargs)  # type: ignore[arg-type]


NAIVE = datetime(2026, 6, 8, 10)


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda: PLAIN.is_open(NAIVE), id="is_open"),
        pytest.param(lambda: PLAIN.next_open(NAIVE), id="next_open"),
        pytest.param(lambda: PLAIN.add(NAIVE, DAY), id="add"),
        pytest.param(lambda: PLAIN.add_days(NAIVE, 1), id="add_days"),
        pytest.param(lambda: PLAIN.between(NAIVE, ams(2026, 6, 9)), id="between-start"),
        pytest.param(lambda: PLAIN.between(ams(2026, 6, 1), NAIVE), id="between-end"),
    ],
)
def test_naive_datetimes_are_refused(call: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="naive"):
        call()


def test_programming_errors() -> None:
    with pytest.raises(ValueError, match="negative"):
        PLAIN.add(ams(2026, 6, 8, 10), timedelta(minutes=-1))
    with pytest.raises(TypeError, match="date"):
        PLAIN.is_working_day(ams(2026, 6, 8, 10))


class _Everything:
    def __contains__(self, item: object) -> bool:
        return True


def test_a_calendar_closed_for_ever_does_not_hang() -> None:
    with pytest.raises(ValueError, match="no working day"):
        WorkingHours(holidays=_Everything()).next_open(ams(2026, 6, 8, 10))


# --- properties -----------------------------------------------------------------------------

# Every instant once, in zones with and without DST; imaginary local times are left out, and
# hypothesis sets fold on the repeated autumn hour.
moments = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2027, 12, 31),
    timezones=st.sampled_from([UTC, AMS, ZoneInfo("America/New_York")]),
    allow_imaginary=False,
)
working = st.integers(min_value=0, max_value=80 * 60).map(lambda m: timedelta(minutes=m))


@settings(max_examples=200, deadline=None)
@given(start=moments, delta=working)
def test_between_undoes_add(start: datetime, delta: timedelta) -> None:
    end = DUTCH.add(start, delta)
    assert end.tzinfo is UTC
    assert DUTCH.between(DUTCH.next_open(start), end) == delta
    # The time before the next opening is closed, so it adds nothing.
    assert DUTCH.between(start, end) == delta


@settings(max_examples=200, deadline=None)
@given(start=moments, first=working, second=working)
def test_add_is_monotonic(start: datetime, first: timedelta, second: timedelta) -> None:
    shorter, longer = sorted((first, second))
    assert DUTCH.add(start, shorter) <= DUTCH.add(start, longer)


@settings(max_examples=200, deadline=None)
@given(start=moments)
def test_next_open_is_open_and_not_earlier(start: datetime) -> None:
    opening = DUTCH.next_open(start)
    assert opening >= start
    assert DUTCH.is_open(opening)
    assert DUTCH.between(start, opening) == timedelta(0)
