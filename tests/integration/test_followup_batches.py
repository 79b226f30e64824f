"""The sweep at scale, on SQLite and PostgreSQL: check-ins claimed and queued in batches
(one transaction each, a few statements), a sweep that fails half way, and the read that
leaves out the signals with nothing left to claim (a pre-filter: the rules still decide).
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError

from bot.followup.service import FollowUpService
from bot.outbox.kinds import DIGEST
from core.followup import rules as f
from core.followup.rules import FollowUpRules
from core.followup.workdays import WorkingHours
from core.lifecycle import table as lc
from core.lifecycle.parties import SYSTEM, Reporter, as_text
from storage import Store, make_engine
from storage.followup import REPORTER_ANSWER
from storage.models import Signal
from tests.support.builders import add_draft_signal, add_signal, checkin_keys, make_draft
from tests.support.builders import outbox_rows as all_outbox_rows
from tests.support.keys import TEST_KEYRING

AMS = ZoneInfo("Europe/Amsterdam")
HOURS = WorkingHours(holidays=holidays.country_holidays("NL"))
RULES = FollowUpRules()
# Friday 20 November 2026, 10:00: claim reminder Monday 10:00, escalation Tuesday 10:00.
RECEIVED = datetime(2026, 11, 20, 10, 0, tzinfo=AMS)
ESCALATION_DUE = datetime(2026, 11, 24, 10, 0, tzinfo=AMS)
STAFF_KINDS = (f.CLAIM_REMINDER, f.CLAIM_ESCALATION)
KINDS = set(f.CHECKIN_KINDS)  # the messages of check-ins (not the new-signal cards)


def followup(store: Store, batch: int) -> FollowUpService:
    return FollowUpService(store, HOURS, RULES, claim_batch=batch)


async def assert_consistent(store: Store) -> Counter[str]:
    """Every claimed check-in has its one event and its one message (but "no reaction",
    which is recorded only), and nothing else has either; returns the claimed kinds."""
    claims = [(sid, kind) for _, sid, kind in await checkin_keys(store) if kind != DIGEST]
    queued = [(r.signal_id, r.kind) for r in await all_outbox_rows(store) if r.kind in KINDS]
    assert Counter(queued) == Counter(c for c in claims if c[1] != f.REPORTER_NO_REACTION)
    recorded: list[tuple[int | None, str]] = []
    async with store.unit_of_work() as uow:
        for signal_id in {sid for sid, _ in claims} | {sid for sid, _ in queued}:
            assert signal_id is not None
            events = await uow.signals.events(signal_id)
            recorded += [(signal_id, e.action) for e in events if e.actor == as_text(SYSTEM)]
    assert Counter(recorded) == Counter(claims)
    return Counter(kind for _, kind in claims)


async def test_batches_claim_and_queue_every_checkin_once_in_order(store: Store) -> None:
    signals = [await add_signal(store, now=RECEIVED) for _ in range(10)]
    service = followup(store, batch=3)

    counts = await service.sweep(ESCALATION_DUE)

    # Tuesday 10:00: the digest is caught up too (not a check-in of a signal).
    assert counts == Counter({f.CLAIM_REMINDER: 10, f.CLAIM_ESCALATION: 10, DIGEST: 1})
    del counts[DIGEST]
    assert await assert_consistent(store) == counts
    rows = [r for r in await all_outbox_rows(store) if r.kind in KINDS]
    # Queued in the sweep's order (by signal), whatever the batches: a chat gets them so.
    assert [(r.signal_id, r.kind) for r in rows] == [
        (s.id, kind) for s in signals for kind in STAFF_KINDS
    ]
    assert {r.target for r in rows} == {"loket"}
    assert rows[0].payload == {"due": "2026-11-23T09:00:00+00:00"}
    assert rows[1].payload == {"due": "2026-11-23T09:00:00+00:00"}  # the deadline it is about
    # The next minute: nothing new, nothing twice.
    assert await service.sweep(ESCALATION_DUE + timedelta(minutes=1)) == Counter()
    assert await assert_consistent(store) == counts


async def _fail_outbox_inserts_for(store: Store, signal_id: int) -> None:
    """A database that refuses one signal's message, as a full disk or a lost connection
    would in the middle of a sweep."""
    async with store.engine.begin() as connection:
        if store.engine.dialect.name == "sqlite":
            await connection.execute(
                text(
                    "CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox"
                    f" WHEN NEW.signal_id = {signal_id}"
                    " BEGIN SELECT RAISE(ABORT, 'refused'); END"
                )
            )
        else:
            await connection.execute(
                text(
                    "CREATE FUNCTION fail_outbox() RETURNS trigger LANGUAGE plpgsql AS $$"
                    f" BEGIN IF NEW.signal_id = {signal_id} THEN RAISE EXCEPTION 'refused';"
                    " END IF; RETURN NEW; END $$"
                )
            )
            await connection.execute(
                text(
                    "CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox"
                    " FOR EACH ROW EXECUTE FUNCTION fail_outbox()"
                )
            )


async def test_a_sweep_failing_half_way_leaves_claims_and_messages_consistent(
    store: Store,
) -> None:
    signals = [await add_signal(store, now=RECEIVED) for _ in range(10)]
    # Batches of 4 check-ins: the 4th batch holds signal 7's; batches 1 to 3 commit.
    await _fail_outbox_inserts_for(store, signals[6].id)
    service = followup(store, batch=4)

    with pytest.raises(DBAPIError):
        await service.sweep(ESCALATION_DUE)

    done = await assert_consistent(store)
    assert done == Counter({f.CLAIM_REMINDER: 6, f.CLAIM_ESCALATION: 6})
    on_postgres = store.engine.dialect.name == "postgresql"
    async with store.engine.begin() as connection:
        await connection.execute(text(f"DROP TRIGGER fail_outbox{' ON outbox' * on_postgres}"))

    # The next sweep does what the failed batch and those after it did not, once.
    assert await service.sweep(ESCALATION_DUE + timedelta(minutes=1)) == Counter(
        {f.CLAIM_REMINDER: 4, f.CLAIM_ESCALATION: 4, DIGEST: 1}
    )
    assert await assert_consistent(store) == Counter({f.CLAIM_REMINDER: 10, f.CLAIM_ESCALATION: 10})


async def test_two_instances_with_small_batches_queue_every_checkin_once(
    database_url: str,
) -> None:
    engines = [make_engine(database_url), make_engine(database_url)]
    try:
        first, second = Store(engines[0], TEST_KEYRING), Store(engines[1], TEST_KEYRING)
        for _ in range(25):
            await add_signal(first, now=RECEIVED)
        # Different batch sizes: the instances' transactions overlap on different keys.
        counts = await asyncio.gather(
            followup(first, batch=7).sweep(ESCALATION_DUE),
            followup(second, batch=4).sweep(ESCALATION_DUE),
        )
        total = counts[0] + counts[1]
        assert total == Counter({f.CLAIM_REMINDER: 25, f.CLAIM_ESCALATION: 25, DIGEST: 1})
        assert await assert_consistent(first) == Counter(
            {f.CLAIM_REMINDER: 25, f.CLAIM_ESCALATION: 25}
        )
    finally:
        for engine in engines:
            await engine.dispose()


# -- the sweep's read: only signals with something left to claim ---------------------------

STATUSES = (*sorted(lc.OPEN_STATUSES), *sorted(lc.FINISHED_STATUSES))


async def _varied_signals(store: Store, rng: random.Random) -> list[int]:
    """Signals in every status, urgent or not, some with a reporter who agreed to be asked
    (some of whom answered), entering their status at all sorts of moments."""
    async with store.unit_of_work() as uow:
        reporter = await uow.reporters.get_or_create("telegram", "42", language="nl", now=RECEIVED)
        await uow.commit()
    ids = []
    for number in range(60):
        consent = number % 3 == 0
        codes = {"role": "neighbour", "checkin": "yes" if consent else "no"}
        draft = make_draft(submitted_at=RECEIVED, codes=codes, urgent=number % 5 == 0)
        created = RECEIVED - timedelta(minutes=rng.randrange(0, 60 * 24 * 40))
        stored = await add_draft_signal(
            store, draft, now=created, reporter_id=reporter.id if consent else None
        )
        since = created + timedelta(minutes=rng.randrange(0, 60 * 24 * 20))
        async with store.unit_of_work() as uow:
            await uow.session.execute(
                update(Signal)
                .where(Signal.id == stored.id)
                .values(status=STATUSES[number % len(STATUSES)], status_at=since)
            )
            if consent and number % 2 == 0:
                await uow.signals.add_event(
                    stored.id, at=since, actor=Reporter(1), action=REPORTER_ANSWER, detail="yes"
                )
            await uow.commit()
        ids.append(stored.id)
    return ids


async def _due_the_old_way(store: Store, now: datetime) -> set[str]:
    """Every signal the rules may concern, with every claimed key: what the sweep read
    before the pre-filter."""
    async with store.unit_of_work() as uow:
        clocks = await uow.followup.clocks(now)
    claimed = {key for key, _, _ in await checkin_keys(store)}
    return {c.key for s in clocks for c in f.due(s, now, HOURS, RULES, claimed)}


async def _due_the_new_way(store: Store, now: datetime) -> tuple[set[str], list[f.SignalClock]]:
    """What the sweep reads now: the pre-filtered signals and their claimed keys."""
    earliest = {k: f.earliest_due(k, HOURS, RULES) for ks in f.STATUS_CHECKINS.values() for k in ks}
    async with store.unit_of_work() as uow:
        clocks = await uow.followup.pending(now, earliest)
        claimed = await uow.followup.claimed_of(c.id for c in clocks)
    return {c.key for s in clocks for c in f.due(s, now, HOURS, RULES, claimed)}, clocks


async def test_the_sweep_reads_only_signals_with_something_left_to_claim(store: Store) -> None:
    await _varied_signals(store, random.Random(11))
    service = followup(store, batch=500)
    fully_claimed_seen = 0
    for hours in range(0, 24 * 30, 7):
        now = RECEIVED + timedelta(hours=hours)
        expected = await _due_the_old_way(store, now)
        assert (await _due_the_new_way(store, now))[0] == expected, now
        counts = await service.sweep(now)
        assert sum(counts.values()) - counts[DIGEST] == len(expected)
        # At the same moment again: nothing left to claim, and no signal is read whose
        # check-ins of its current period are all claimed (the keys match in SQL).
        found, read = await _due_the_new_way(store, now)
        assert found == set()
        claimed = {key for key, _, _ in await checkin_keys(store)}
        for clock in read:
            keys = {f.checkin_key(clock.id, kind, cycle) for kind, cycle in f._candidates(clock)}
            assert not keys <= claimed, clock
        async with store.unit_of_work() as uow:
            everything = await uow.followup.clocks(now)
        fully_claimed_seen += sum(
            1
            for clock in everything
            if {f.checkin_key(clock.id, k, c) for k, c in f._candidates(clock)} <= claimed
        )
    assert fully_claimed_seen > 100  # the data did hold what the pre-filter leaves out
    assert await assert_consistent(store)
