"""The monitoring figures' core: percentiles, periods and ISO weeks in Amsterdam, the fast
deadlines (against WorkingHours.add_days), timings and the categories of each figure."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.followup.rules import FollowUpRules
from core.followup.workdays import WorkingHours
from core.monitoring import period as fp
from core.monitoring.figures import (
    NONE,
    SELF,
    UNKNOWN,
    AgeRow,
    ChoiceRow,
    PlaceRow,
    SourceRow,
    StatusRow,
    build_figures,
)
from core.monitoring.period import Period, Week, choose_period, preset_period, week_key
from core.monitoring.timing import HOUR as HOUR_US
from core.monitoring.timing import (
    LATE,
    MEDIAN,
    MISSED,
    P90,
    PENDING,
    WITHIN,
    DeadlineCalculator,
    SignalTimes,
    Timing,
    classify,
    percentile,
    percentile_ranks,
    ranked_percentile,
    ranked_timing,
    timings,
)

AMS = ZoneInfo("Europe/Amsterdam")
NL = holidays.country_holidays("NL")
DUTCH = WorkingHours(holidays=NL)
RULES = FollowUpRules()
HOUR = timedelta(hours=1)


def ams(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMS).astimezone(UTC)


# -- percentiles ------------------------------------------------------------------------


@given(st.lists(st.integers(-(10**12), 10**12), min_size=2, max_size=60))
def test_percentiles_are_excels_percentile_inc(values: list[int]) -> None:
    # statistics' "inclusive" method is the same type 7 definition, computed independently.
    exact = [Fraction(v) for v in values]
    deciles = statistics.quantiles(exact, n=10, method="inclusive")
    assert percentile(values, Fraction(9, 10)) == deciles[8]
    assert percentile(values, Fraction(1, 10)) == deciles[0]
    assert percentile(values, Fraction(1, 2)) == statistics.median(exact)


def test_percentile_edges() -> None:
    assert percentile([], Fraction(1, 2)) is None
    assert percentile([7], Fraction(9, 10)) == 7
    assert percentile([3, 1, 2], Fraction(0)) == 1
    assert percentile([3, 1, 2], Fraction(1)) == 3
    # ten values: h = 9 * 0.9 = 8.1, so 10% of the way from the 9th to the 10th
    assert percentile(list(range(10, 110, 10)), Fraction(9, 10)) == 91
    assert percentile([1, 2, 3, 4], Fraction(1, 2)) == Fraction(5, 2)
    with pytest.raises(ValueError, match="between 0 and 1"):
        percentile([1], Fraction(3, 2))


# -- periods and weeks ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "key"),
    [
        (date(2024, 12, 29), "2024-W52"),
        (date(2024, 12, 30), "2025-W01"),  # a Monday in December starts week 1
        (date(2025, 1, 1), "2025-W01"),
        (date(2021, 1, 3), "2020-W53"),  # a Sunday in January ends last year's week 53
        (date(2021, 1, 4), "2021-W01"),
        (date(2026, 3, 29), "2026-W13"),  # the clocks go forward on this Sunday
    ],
)
def test_week_keys_are_iso_weeks(day: date, key: str) -> None:
    assert week_key(day) == key


def test_weeks_are_cut_to_the_period() -> None:
    period = Period(date(2024, 12, 25), date(2025, 1, 8))
    assert period.weeks() == (
        Week("2024-W52", date(2024, 12, 25), date(2024, 12, 29)),
        Week("2025-W01", date(2024, 12, 30), date(2025, 1, 5)),
        Week("2025-W02", date(2025, 1, 6), date(2025, 1, 8)),
    )
    starts = period.week_starts()
    assert starts == (ams(2024, 12, 25), ams(2024, 12, 30), ams(2025, 1, 6))
    assert period.slug == "2024-12-25_2025-01-08"


def test_bounds_are_amsterdam_midnights_across_daylight_saving() -> None:
    start, end = Period(date(2026, 3, 23), date(2026, 10, 25)).bounds()
    assert start == datetime(2026, 3, 22, 23, tzinfo=UTC)  # CET, UTC+1
    assert end == datetime(2026, 10, 25, 23, tzinfo=UTC)  # 26 October 00:00 CET
    summer = Period(date(2026, 3, 30), date(2026, 3, 30)).bounds()
    assert summer == (datetime(2026, 3, 29, 22, tzinfo=UTC), datetime(2026, 3, 30, 22, tzinfo=UTC))
    with pytest.raises(ValueError, match="starts after"):
        Period(date(2026, 1, 2), date(2026, 1, 1))


def test_presets() -> None:
    today = date(2026, 3, 12)  # a Thursday
    assert preset_period("4w", today) == Period(date(2026, 2, 16), today)
    assert preset_period("12w", today) == Period(date(2025, 12, 22), today)
    assert len(preset_period("12w", today).weeks()) == 12
    assert preset_period("this_year", today) == Period(date(2026, 1, 1), today)
    assert preset_period("last_year", today) == Period(date(2025, 1, 1), date(2025, 12, 31))
    with pytest.raises(ValueError, match="unknown period"):
        preset_period("forever", today)


TODAY = date(2026, 3, 12)
DEFAULT = preset_period("12w", TODAY)


JAN_FEB = Period(date(2026, 1, 1), date(2026, 2, 28))


@pytest.mark.parametrize(
    ("asked", "period", "preset"),
    [
        ({}, DEFAULT, "12w"),
        ({"preset": "4w"}, preset_period("4w", TODAY), "4w"),
        ({"first": "2026-01-01", "last": "2026-02-28"}, JAN_FEB, "custom"),
        ({"first": "1-1-2026", "last": "28/2/2026"}, JAN_FEB, "custom"),
        ({"preset": "4w", "first": "1.1.2026", "last": " 2026-02-28 "}, JAN_FEB, "custom"),
    ],
)
def test_choose_period(asked: dict[str, str], period: Period, preset: str) -> None:
    choice = choose_period(TODAY, **asked)
    assert (choice.period, choice.preset, choice.error) == (period, preset, None)


@pytest.mark.parametrize(
    ("asked", "error"),
    [
        ({"first": "2026-02-30", "last": "2026-03-01"}, fp.BAD_DATE),
        ({"first": "yesterday", "last": "2026-03-01"}, fp.BAD_DATE),
        ({"first": "2026-03-02", "last": "2026-03-01"}, fp.REVERSED),
        ({"first": "2026-03-02", "last": ""}, fp.BOTH_DATES),
        ({"first": "2020-01-01", "last": "2026-03-01"}, fp.TOO_LONG),
        ({"first": "1999-12-31", "last": "2000-01-01"}, fp.TOO_EARLY),
        ({"first": "٢٠٢٦-٠١-٠١", "last": "2026-03-01"}, fp.BAD_DATE),
        ({"first": "1" * 5000, "last": "2026-03-01"}, fp.BAD_DATE),
        ({"preset": "forever"}, fp.UNKNOWN_PRESET),
    ],
)
def test_a_bad_period_keeps_the_default_and_what_was_typed(
    asked: dict[str, str], error: str
) -> None:
    choice = choose_period(TODAY, **asked)
    assert (choice.period, choice.preset, choice.error) == (DEFAULT, "12w", error)
    if "first" in asked:
        assert choice.typed == {"from": asked["first"], "to": asked["last"]}


# -- deadlines ---------------------------------------------------------------------------

MOMENTS = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


def _edges() -> list[datetime]:
    """Openings, closings and a microsecond either side, on days with DST changes,
    holidays and weekends around them."""
    found = []
    days = [date(2026, 3, 27), date(2026, 3, 30), date(2026, 10, 23), date(2026, 10, 26)]
    days += [date(2026, 12, 24), date(2026, 12, 28), date(2026, 4, 2), date(2026, 4, 27)]
    for day in days:
        for wall in (time(9), time(17), time(0), time(12, 30)):
            at = datetime.combine(day, wall, tzinfo=AMS).astimezone(UTC)
            found += [at - timedelta(microseconds=1), at, at + timedelta(microseconds=1)]
    return found


@settings(max_examples=400)
@given(st.lists(MOMENTS, min_size=1, max_size=30), st.integers(1, 5))
def test_fast_deadlines_equal_add_days(starts: list[datetime], days: int) -> None:
    calculator = DeadlineCalculator(DUTCH, days)
    for start in starts:
        assert calculator.add_days(start) == DUTCH.add_days(start, days), start


@pytest.mark.parametrize("days", [0, 1, 3, 10])
def test_fast_deadlines_equal_add_days_at_the_edges(days: int) -> None:
    for hours in (DUTCH, WorkingHours(opens=time(8, 30), closes=time(12, 15))):
        calculator = DeadlineCalculator(hours, days)
        for start in _edges():
            assert calculator.add_days(start) == hours.add_days(start, days), start


# -- timings -----------------------------------------------------------------------------

NOW = ams(2026, 6, 19, 12)  # a Friday


def counts(timing: Timing) -> tuple[int, int, int, int, int]:
    return timing.measured, timing.within, timing.late, timing.missed, timing.pending


def test_time_to_claim_and_contact() -> None:
    monday = ams(2026, 6, 8, 10)
    signals = [
        # claimed after 2 h (deadline Tuesday 10:00), contacted after 30 h (deadline
        # three working days after the claim: Thursday 12:00)
        SignalTimes(monday, False, monday + 2 * HOUR, monday + 30 * HOUR),
        # claimed exactly at the deadline: late; contacted Thursday: within
        SignalTimes(monday, False, ams(2026, 6, 9, 10), ams(2026, 6, 11, 9)),
        # urgent: 2 hours, any time; claimed after 3 h: late; never contacted: missed
        SignalTimes(ams(2026, 6, 6, 22), True, ams(2026, 6, 7, 1), None),
        # never claimed: missed; no contact figure
        SignalTimes(monday, False, None, None),
        # created Thursday 15:00: the claim is due Friday 15:00, not yet: pending
        SignalTimes(ams(2026, 6, 18, 15), False, None, None),
        # claimed Friday 09:00 (within): contact due Tuesday 17:00, not yet: pending
        SignalTimes(ams(2026, 6, 18, 16), False, ams(2026, 6, 19, 9), None),
    ]
    claim, contact = timings(signals, NOW, DUTCH, RULES)
    claim_hours = sorted([2, 24, 3, 17])
    assert counts(claim) == (4, 2, 2, 1, 1)
    assert claim.median == Fraction(3 + 17, 2)
    assert (
        claim.p90
        == Fraction(17) + Fraction(7, 10) * (24 - 17)
        == percentile(claim_hours, Fraction(9, 10))
    )
    assert claim.share_within == Fraction(2, 5)
    assert counts(contact) == (2, 2, 0, 1, 1)
    assert contact.median == Fraction(30 + 71, 2)  # 30 h and Monday 10:00 to Thursday 09:00
    assert contact.share_within == Fraction(2, 3)


def test_no_signals_no_figures() -> None:
    claim, contact = timings([], NOW, DUTCH, RULES)
    assert (claim.median, claim.p90, claim.share_within) == (None, None, None)
    assert contact.measured == 0


@settings(max_examples=300)
@given(st.lists(st.integers(0, 10**12), min_size=0, max_size=40))
def test_percentiles_from_the_ranks_alone(durations: list[int]) -> None:
    """What the database hands over (the values at ``percentile_ranks``) gives the same
    exact percentiles as all the values sorted."""
    ordered = sorted(durations)
    ranks = percentile_ranks(len(ordered))
    assert len(ranks) <= 4
    at_ranks = {rank: ordered[rank] for rank in ranks}
    for p in (MEDIAN, P90):
        expected = percentile(ordered, p)
        found = ranked_percentile(len(ordered), p, at_ranks.__getitem__)
        assert found == (None if expected is None else expected / HOUR_US)


def test_a_timing_from_counts_and_ranked_values() -> None:
    values = {0: 3_600_000_000, 1: 7_200_000_000}  # two measured: 1 h and 2 h
    timing = ranked_timing({WITHIN: 1, LATE: 1, PENDING: 4}, values)
    assert (timing.measured, timing.within, timing.late, timing.missed, timing.pending) == (
        2,
        1,
        1,
        0,
        4,
    )
    assert (timing.median, timing.p90) == (Fraction(3, 2), Fraction(19, 10))
    assert classify(None, NOW, NOW) == MISSED  # the deadline is now: passed
    assert classify(NOW, NOW, NOW) == LATE
    assert classify(None, NOW + HOUR, NOW) == PENDING


# Counted timings, as storage hands them over.
CLAIMED = Timing(3, Fraction(2), Fraction(5), 2, 1, 1, 0)
CONTACTED = Timing(1, Fraction(7), Fraction(7), 1, 0, 0, 2)


# -- categories --------------------------------------------------------------------------


def test_build_figures_categories() -> None:
    period = Period(date(2026, 6, 1), date(2026, 6, 14))
    figures = build_figures(
        period,
        sources=[
            SourceRow(0, "other", "shop", "jumbo", "telegram", 3),
            SourceRow(1, "other", "shop", None, "whatsapp", 2),
            SourceRow(1, "self", None, None, "web", 4),
        ],
        places=[
            PlaceRow("zaamslag", None, 5),
            PlaceRow(None, "4536", 2),
            PlaceRow(None, None, 2),
        ],
        ages=[AgeRow("other", "75_plus", 4), AgeRow("other", None, 1), AgeRow("self", None, 4)],
        choices=[
            ChoiceRow("other", ("often_alone", "not_seen"), (), 3),
            ChoiceRow("other", ("often_alone",), (), 1),
            ChoiceRow("other", (), (), 1),
            ChoiceRow("self", (), ("grief", "activities"), 3),
            ChoiceRow("self", (), (), 1),
        ],
        statuses=[
            StatusRow("closed", "buddy", 2),
            StatusRow("closed", None, 1),
            StatusRow("cannot_follow_up", None, 1),
            StatusRow("new", None, 3),
            StatusRow("reopened", "buddy", 2),  # reopened after closing: open again
        ],
        claim=CLAIMED,
        contact=CONTACTED,
    )
    assert (figures.claim, figures.contact) == (CLAIMED, CONTACTED)  # as counted
    assert figures.total == 9
    assert figures.by_role.counts == {"shop": (3, 2), SELF: (0, 4)}
    assert figures.by_partner.counts == {"jumbo": (3, 0), NONE: (0, 6)}
    assert figures.by_channel.totals() == {"telegram": 3, "whatsapp": 2, "web": 4}
    assert figures.by_channel.week_totals() == (3, 6)
    assert figures.by_area == {"zaamslag": 5, "postcode:4536": 2, UNKNOWN: 2}
    assert figures.by_age_group == {"75_plus": 4, UNKNOWN: 1, SELF: 4}
    assert figures.by_observation == {"often_alone": 4, "not_seen": 3, NONE: 1}
    assert figures.by_help_wanted == {"grief": 3, "activities": 3, NONE: 1}
    assert figures.outcomes == {"buddy": 2, UNKNOWN: 1, "cannot_follow_up": 1}
    assert figures.open_by_status == {"new": 3, "reopened": 2}
    assert figures.still_open == 5


def test_an_empty_period_has_zero_weeks() -> None:
    period = Period(date(2026, 6, 1), date(2026, 6, 14))
    empty: dict[str, Any] = {
        name: [] for name in ("sources", "places", "ages", "choices", "statuses")
    }
    claim, contact = timings([], NOW, DUTCH, RULES)
    figures = build_figures(period, **empty, claim=claim, contact=contact)
    assert figures.total == 0
    assert figures.by_role.week_totals() == (0, 0)
    assert figures.claim.share_within is None


@example(date(2024, 12, 30))
@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)))
def test_every_day_of_a_period_is_in_exactly_one_week(day: date) -> None:
    period = preset_period("12w", day)
    weeks = period.weeks()
    covered = [
        w.first + timedelta(days=i) for w in weeks for i in range((w.last - w.first).days + 1)
    ]
    assert covered == [
        period.first + timedelta(days=i) for i in range((day - period.first).days + 1)
    ]
    assert all(week_key(w.first) == w.key == week_key(w.last) for w in weeks)
