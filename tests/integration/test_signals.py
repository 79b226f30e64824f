"""Signals: references, atomicity, concurrency and the outbox, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.outbox.kinds import when_stored
from core.lifecycle.parties import LOKET, StaffMember
from storage import SignalEventRecord, Store, StoredSignal
from tests.support.builders import NOW, add_signal, make_draft


async def test_references_count_up_per_year(store: Store) -> None:
    first = await add_signal(store)
    second = await add_signal(store)
    assert (first.reference, second.reference) == ("SP-2026-0001", "SP-2026-0002")
    assert first.status == "new"
    assert first.channel == "telegram"


async def test_reference_year_follows_amsterdam_time(store: Store) -> None:
    before = await add_signal(store, now=datetime(2026, 12, 31, 22, 30, tzinfo=UTC))
    after = await add_signal(store, now=datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    later = await add_signal(store, now=datetime(2027, 1, 2, 8, 0, tzinfo=UTC))
    assert before.reference == "SP-2026-0001"  # 23:30 in Amsterdam
    assert after.reference == "SP-2027-0001"  # 00:30 on New Year's Day in Amsterdam
    assert later.reference == "SP-2027-0002"


async def test_draft_round_trips(store: Store) -> None:
    draft = make_draft(
        kind="self",
        urgent=True,
        codes={"callback": "yes", "contact_language": "tr", "unknown_step": "x", "reach": None},
        multi={"help_wanted": ("visits", "activities"), "observations": ()},
        reporter_name="Ayşe",
        reporter_phone="+31612345678",
        partner="library",
        person_contact=None,
    )
    async with store.unit_of_work() as uow:
        reporter = await uow.reporters.get_or_create("telegram", "9", language="tr", now=NOW)
        stored = await uow.signals.add(draft, reporter_id=reporter.id, channel="telegram", now=NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        by_id = await uow.signals.get(stored.id)
        by_reference = await uow.signals.get_by_reference(stored.reference)
        assert await uow.signals.get(stored.id + 1000) is None
        assert await uow.signals.get_by_reference("SP-1999-0001") is None
    expected = make_draft(
        kind="self",
        urgent=True,
        codes={"callback": "yes", "contact_language": "tr"},
        multi={"help_wanted": ("visits", "activities")},
        reporter_name="Ayşe",
        reporter_phone="+31612345678",
        partner="library",
        person_contact=None,
    )
    assert by_id is not None
    assert by_id == by_reference == stored
    assert by_id.draft == expected


async def test_signal_event_and_outbox_commit_together(store: Store) -> None:
    # add_signal queues what the service queues for a stored signal (its loket card).
    async with store.unit_of_work() as uow:
        reporter = await uow.reporters.get_or_create("telegram", "5", language="nl", now=NOW)
        await uow.commit()
    named = await add_signal(store, reporter_id=reporter.id)
    anonymous = await add_signal(store)
    async with store.unit_of_work() as uow:
        assert await uow.signals.count() == 2
        assert await uow.outbox.pending_count() == 2
        assert await uow.signals.events(named.id) == [
            SignalEventRecord(at=NOW, actor=f"reporter:{reporter.id}", action="created", note=None)
        ]
        events = await uow.signals.events(anonymous.id)
        assert [(e.actor, e.action) for e in events] == [("reporter:anonymous", "created")]
        items = await uow.outbox.claim_due(NOW)
    assert [(i.signal_id, i.kind, i.target, i.attempts) for i in items] == [
        (named.id, "loket_card", LOKET, 0),
        (anonymous.id, "loket_card", LOKET, 0),
    ]


async def test_events_are_appended_in_order(store: Store) -> None:
    signal = await add_signal(store)
    later = NOW + timedelta(hours=1)
    async with store.unit_of_work() as uow:
        await uow.signals.add_event(
            signal.id, at=later, actor=StaffMember(1), action="status", note="called"
        )
        await uow.commit()
    async with store.unit_of_work() as uow:
        events = await uow.signals.events(signal.id)
    assert [(e.action, e.at, e.note) for e in events] == [
        ("created", NOW, None),
        ("status", later, "called"),
    ]


async def test_rollback_leaves_no_trace(store: Store) -> None:
    rolled_back = await add_signal(store, commit=False)
    assert rolled_back.reference == "SP-2026-0001"
    async with store.unit_of_work() as uow:
        assert await uow.signals.count() == 0
        assert await uow.outbox.pending_count() == 0
        assert await uow.signals.events(rolled_back.id) == []
        assert await uow.signals.get_by_reference("SP-2026-0001") is None
    # The counter was rolled back too: the reference is handed out again.
    assert (await add_signal(store)).reference == "SP-2026-0001"


async def test_rollback_on_exception(store: Store) -> None:
    class Boom(Exception):
        pass

    async def add_then_fail() -> None:
        async with store.unit_of_work() as uow:
            await uow.signals.add(make_draft(), reporter_id=None, channel="web", now=NOW)
            raise Boom

    with pytest.raises(Boom):
        await add_then_fail()
    async with store.unit_of_work() as uow:
        assert await uow.signals.count() == 0


async def test_concurrent_adds_get_distinct_references(store: Store) -> None:
    async def submit() -> StoredSignal:
        async with store.unit_of_work() as uow:
            stored = await uow.signals.add(make_draft(), reporter_id=None, channel="web", now=NOW)
            await uow.outbox.enqueue_many(when_stored(stored), NOW)
            await uow.commit()
            return stored

    results = await asyncio.gather(*(submit() for _ in range(10)))
    references = sorted(signal.reference for signal in results)
    assert references == [f"SP-2026-{n:04d}" for n in range(1, 11)]
    async with store.unit_of_work() as uow:
        assert await uow.signals.count() == 10
        assert await uow.outbox.pending_count() == 10
