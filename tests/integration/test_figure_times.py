"""The times of the monitoring figures counted in SQL (``storage.monitoring.times``) equal those
of ``core.monitoring.timing.timings`` from one row per signal, on SQLite and PostgreSQL:
at the deadlines to the microsecond, across clock changes and holidays, for an event exactly
at its deadline, for pick-ups after the days the SQL covers, and for open hours across a
clock change (the deadlines SQL leaves to Python). Also: the first moments on the signal
row follow the events (a release and a new pick-up, a second contact)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from sqlalchemy import text

from core.followup.rules import FollowUpRules
from core.followup.workdays import WorkingHours
from core.lifecycle.parties import SYSTEM
from core.monitoring.period import Period
from core.monitoring.timing import SignalTimes, timings
from storage import Store
from tests.support.builders import make_draft

AMS = ZoneInfo("Europe/Amsterdam")
DUTCH = WorkingHours(holidays=holidays.country_holidays("NL"))
# Open across both clock changes (02:00-03:00 local): deadlines SQL cannot give.
NIGHT = WorkingHours(opens=time(1, 30), closes=time(3, 30), weekdays=frozenset(range(7)))
RULES = FollowUpRules()
PERIOD = Period(date(2026, 3, 20), date(2026, 4, 10))
NOW = datetime(2026, 4, 8, 12, 0, 0, 1, tzinfo=UTC)
US = timedelta(microseconds=1)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=AMS).astimezone(UTC)


def signals(hours: WorkingHours, seed: int = 9) -> list[SignalTimes]:
    """Creations spread over the period (and a microsecond either side of it), at and
    around the openings and closings; pick-ups and contacts at, just before and just after
    their deadlines, or anywhere; some after ``NOW`` (beyond the days the SQL covers)."""
    rnd = random.Random(seed)
    found: list[SignalTimes] = []
    days = [PERIOD.first + timedelta(days=n) for n in range(22)]
    for number in range(260):
        day = rnd.choice(days)
        wall = rnd.choice((hours.opens, hours.closes, time(0), time(12), time(2, 30)))
        created = datetime.combine(day, wall, tzinfo=AMS).astimezone(UTC)
        created += rnd.choice((-US, timedelta(0), US, timedelta(minutes=rnd.randrange(600))))
        urgent = number % 9 == 0
        claim_deadline = (
            created + RULES.urgent_claim if urgent else hours.add_days(created, RULES.claim_days)
        )
        claimed = _around(rnd, created, claim_deadline)
        contacted = None
        if claimed is not None and rnd.random() < 0.8:
            contacted = _around(rnd, claimed, hours.add_days(claimed, RULES.contact_days))
        found.append(SignalTimes(created, urgent, claimed, contacted))
    return found


def _around(rnd: random.Random, start: datetime, deadline: datetime) -> datetime | None:
    choice = rnd.random()
    if choice < 0.15:
        return None
    if choice < 0.5:
        return deadline + rnd.choice((-US, timedelta(0), US))
    if choice < 0.55:
        return NOW + timedelta(days=rnd.randrange(1, 30))  # after the days covered
    return start + timedelta(minutes=rnd.randrange(1, 6000))


async def store_signals(store: Store, times: list[SignalTimes]) -> None:
    async with store.unit_of_work() as uow:
        for signal in times:
            stored = await uow.signals.add(
                make_draft(urgent=signal.urgent, submitted_at=signal.created_at),
                reporter_id=None,
                channel="web",
                now=signal.created_at,
            )
            # Events out of order, a second pick-up and contact: the first one counts.
            if signal.contacted_at is not None:
                later = signal.contacted_at + timedelta(hours=5)
                await uow.signals.add_event(stored.id, at=later, actor=SYSTEM, action="contact")
                await uow.signals.add_event(
                    stored.id, at=signal.contacted_at, actor=SYSTEM, action="contact"
                )
            if signal.claimed_at is not None:
                await uow.signals.add_event(
                    stored.id, at=signal.claimed_at, actor=SYSTEM, action="claim"
                )
                await uow.signals.add_event(
                    stored.id, at=signal.claimed_at + US, actor=SYSTEM, action="release"
                )
                await uow.signals.add_event(
                    stored.id, at=signal.claimed_at + 2 * US, actor=SYSTEM, action="claim"
                )
        await uow.commit()


def in_period(times: list[SignalTimes]) -> list[SignalTimes]:
    start, end = PERIOD.bounds()
    return [s for s in times if start <= s.created_at < end]


@pytest.mark.parametrize("hours", [DUTCH, NIGHT], ids=["office", "night"])
async def test_sql_times_equal_the_python_ones(store: Store, hours: WorkingHours) -> None:
    times = signals(hours)
    await store_signals(store, times)
    async with store.unit_of_work() as uow:
        claim, contact = await uow.figures.timings(PERIOD, now=NOW, hours=hours, rules=RULES)
    expected_claim, expected_contact = timings(in_period(times), NOW, hours, RULES)
    assert claim == expected_claim
    assert contact == expected_contact
    for timing in (claim, contact):
        assert min(timing.within, timing.late, timing.missed, timing.pending) > 0


async def test_the_first_moments_follow_the_events(store: Store) -> None:
    times = signals(DUTCH)[:40]
    await store_signals(store, times)
    async with store.engine.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    "SELECT s.id, s.first_claimed_at, s.first_contacted_at,"
                    " (SELECT min(at) FROM signal_events e WHERE e.signal_id = s.id"
                    "  AND e.action = 'claim'),"
                    " (SELECT min(at) FROM signal_events e WHERE e.signal_id = s.id"
                    "  AND e.action = 'contact') FROM signals s ORDER BY s.id"
                )
            )
        ).all()
    assert [(r[1], r[2]) for r in rows] == [(r[3], r[4]) for r in rows]
    assert any(r[1] is not None for r in rows)
    assert any(r[2] is None for r in rows)


async def test_no_signals_no_times(store: Store) -> None:
    async with store.unit_of_work() as uow:
        claim, contact = await uow.figures.timings(PERIOD, now=NOW, hours=DUTCH, rules=RULES)
    assert (claim.measured, claim.median, claim.within, claim.pending) == (0, None, 0, 0)
    assert contact.measured == 0
