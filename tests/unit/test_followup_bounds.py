"""The follow-up rules' bounds for storage: how soon a staff check-in can be due
(``earliest_due``, the sweep's pre-filter) and when a signal turns overdue
(``overdue_cutoffs``, the list's filter), checked against ``due`` and ``is_overdue``
themselves over a year of moments, with the Dutch holidays and both clock changes."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

import holidays
import pytest

from core.followup import rules as f
from core.followup.rules import FollowUpRules, SignalClock
from core.followup.workdays import WorkingHours
from core.lifecycle import table as lc

NL = holidays.country_holidays("NL", years=range(2025, 2028))
DEFAULT = WorkingHours(holidays=NL)
# Open every night over the clock changes (on Sundays: 02:00 becomes 03:00 in spring): a
# "working day" of 3 hours that once a year lasts 2 hours of real time.
NIGHT = WorkingHours(holidays=NL, opens=time(1, 0), closes=time(4, 0), weekdays=frozenset(range(7)))
RULES = FollowUpRules()
YEAR = datetime(2026, 1, 1, tzinfo=UTC)
# The nights of the clock changes (29 March, 25 October 2026) and Christmas Eve.
SPECIAL = [
    datetime(2026, 3, 28, 23, 0, tzinfo=UTC),
    datetime(2026, 10, 24, 23, 0, tzinfo=UTC),
    datetime(2026, 12, 24, 15, 0, tzinfo=UTC),
]


def moments(rng: random.Random, count: int) -> list[datetime]:
    found = [YEAR + timedelta(minutes=rng.randrange(0, 365 * 24 * 60)) for _ in range(count)]
    for special in SPECIAL:
        found += [special + timedelta(minutes=rng.randrange(0, 6 * 60)) for _ in range(count // 4)]
    return found


# An urgent signal's two hours would hide the night's short working day.
SLOW_URGENT = FollowUpRules(urgent_claim=timedelta(hours=10))


@pytest.mark.parametrize(
    ("hours", "rules"), [(DEFAULT, RULES), (NIGHT, SLOW_URGENT)], ids=["office", "night"]
)
def test_no_staff_checkin_is_due_before_its_earliest(
    hours: WorkingHours, rules: FollowUpRules
) -> None:
    rng = random.Random(5)
    far = datetime(2030, 1, 1, tzinfo=UTC)  # everything is due by then
    seen: set[str] = set()
    for since in moments(rng, 400):
        for status in f.STATUS_CHECKINS:
            for urgent in (False, True):
                clock = SignalClock(1, "SP-1", status, urgent, since, since)
                for checkin in f.due(clock, far, hours, rules):
                    seen.add(checkin.kind)
                    assert checkin.due_at - since >= f.earliest_due(checkin.kind, hours, rules)
    assert seen == {kind for kinds in f.STATUS_CHECKINS.values() for kind in kinds}


def test_earliest_due_is_not_for_reporter_checkins() -> None:
    with pytest.raises(ValueError, match="not a staff check-in"):
        f.earliest_due(f.REPORTER_CHECKIN, DEFAULT, RULES)


def test_overdue_cutoffs_tell_exactly_who_is_overdue() -> None:
    rng = random.Random(8)
    for now in moments(rng, 40):
        cutoffs = f.overdue_cutoffs(now, DEFAULT, RULES)
        assert set(cutoffs) == {(s, u) for s in f.OVERDUE_STATUSES for u in (False, True)}
        for (status, urgent), cutoff in cutoffs.items():
            # Exact to the microsecond: at the cutoff overdue, just after it not.
            for since, overdue in ((cutoff, True), (cutoff + timedelta(microseconds=1), False)):
                clock = SignalClock(1, "SP-1", status, urgent, since, since)
                assert f.is_overdue(clock, now, DEFAULT, RULES) is overdue, (now, status)
            for _ in range(30):
                since = now - timedelta(minutes=rng.randrange(0, 40 * 24 * 60))
                clock = SignalClock(1, "SP-1", status, urgent, since, since)
                assert f.is_overdue(clock, now, DEFAULT, RULES) is (since <= cutoff)


def test_only_statuses_with_a_staff_deadline_can_be_overdue() -> None:
    now = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    long_ago = now - timedelta(days=300)
    for status in lc.STATUS_LABELS:
        clock = SignalClock(1, "SP-1", status, False, long_ago, long_ago)
        assert f.is_overdue(clock, now, DEFAULT, RULES) is (status in f.OVERDUE_STATUSES)
