"""The signal list's "overdue only" filter and its deep pages, on SQLite and PostgreSQL:
the filter runs in SQL (``followup.overdue_cutoffs``) and must pick exactly the signals the
follow-up rules call overdue."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import holidays
from sqlalchemy import update

from bot.dashboard.signals import PAGE_SIZE, list_page
from core.followup import rules as f
from core.followup.rules import FollowUpRules, SignalClock
from core.followup.workdays import WorkingHours
from core.lifecycle import table as lc
from storage import Store
from storage.listing import SignalFilter
from storage.models import Signal
from tests.support.builders import make_draft

HOURS = WorkingHours(holidays=holidays.country_holidays("NL"))
RULES = FollowUpRules()
NOW = datetime(2026, 12, 28, 14, 0, tzinfo=UTC)  # between Christmas and New Year
STATUSES = sorted(lc.STATUS_LABELS)


async def seed(store: Store, count: int) -> list[SignalClock]:
    """Signals in every status, urgent or not, that entered it up to 30 days ago."""
    rng = random.Random(3)
    clocks = []
    async with store.unit_of_work() as uow:
        for number in range(count):
            created = NOW - timedelta(minutes=rng.randrange(0, 60 * 24 * 30))
            urgent = number % 4 == 0
            draft = make_draft(submitted_at=created, urgent=urgent)
            stored = await uow.signals.add(draft, reporter_id=None, channel="web", now=created)
            status = STATUSES[number % len(STATUSES)]
            since = created + (NOW - created) * rng.random()
            await uow.session.execute(
                update(Signal).where(Signal.id == stored.id).values(status=status, status_at=since)
            )
            clocks.append(SignalClock(stored.id, stored.reference, status, urgent, created, since))
        await uow.commit()
    return clocks


async def test_overdue_only_lists_exactly_the_overdue_signals_newest_first(store: Store) -> None:
    clocks = await seed(store, 130)
    overdue = [c for c in clocks if f.is_overdue(c, NOW, HOURS, RULES)]
    assert 10 < len(overdue) < len(clocks)
    expected = [c.id for c in sorted(overdue, key=lambda c: (c.created_at, c.id), reverse=True)]

    shown: list[int] = []
    async with store.unit_of_work() as uow:
        for page in (1, 2):
            found = await list_page(
                uow,
                SignalFilter(status="open"),
                page=page,
                overdue_only=True,
                now=NOW,
                hours=HOURS,
                rules=RULES,
            )
            assert found.total == len(overdue)
            assert found.overdue == {r.id for r in found.rows}  # every badge shown
            shown += [r.id for r in found.rows]
    assert shown == expected[: 2 * PAGE_SIZE]


async def test_deep_pages_follow_each_other_without_gaps(store: Store) -> None:
    clocks = await seed(store, 130)
    newest_first = [c.id for c in sorted(clocks, key=lambda c: (c.created_at, c.id), reverse=True)]
    open_ids = {c.id for c in clocks if c.status in lc.OPEN_STATUSES}
    shown: list[int] = []
    badges: set[int] = set()
    async with store.unit_of_work() as uow:
        for page in (1, 2, 3, 4):
            found = await list_page(
                uow,
                SignalFilter(),
                page=page,
                overdue_only=False,
                now=NOW,
                hours=HOURS,
                rules=RULES,
            )
            assert found.total == len(clocks)
            shown += [r.id for r in found.rows]
            badges |= found.overdue
    assert shown == newest_first
    assert badges == {c.id for c in clocks if f.is_overdue(c, NOW, HOURS, RULES)}
    assert badges <= open_ids
