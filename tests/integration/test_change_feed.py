"""The signals' change feed behind the live dashboard, on SQLite and PostgreSQL: the cursor,
ids committed out of order, the wake-up on this process's commits, and the fan-out to the
open streams with its bounds."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.dashboard.live_feed import Batch, LiveFeed, TooManyStreams
from core.lifecycle.parties import StaffMember
from storage import Store
from storage.changes import GAP_WAIT, ChangeCursor, SignalChange, on_signal_commit
from tests.support.builders import NOW, add_signal


async def changes_since(store: Store, cursor: ChangeCursor, now: float) -> list[SignalChange]:
    async with store.unit_of_work() as uow:
        found = await uow.changes.since(cursor.position, also=cursor.gaps)
    return cursor.take(found, now)


async def test_the_cursor_gives_each_change_once_with_its_reference(store: Store) -> None:
    async with store.unit_of_work() as uow:
        assert await uow.changes.latest() == 0
    first = await add_signal(store)
    cursor = ChangeCursor(0)
    [created] = await changes_since(store, cursor, 0.0)
    assert (created.reference, created.created) == (first.reference, True)
    assert await changes_since(store, cursor, 1.0) == []  # nothing twice
    async with store.unit_of_work() as uow:
        await uow.signals.add_event(
            first.id, at=NOW + timedelta(minutes=1), actor=StaffMember(1), action="note"
        )
        await uow.commit()
        latest = await uow.changes.latest()
    [noted] = await changes_since(store, cursor, 2.0)
    assert (noted.reference, noted.created, noted.event_id) == (first.reference, False, latest)
    assert cursor.position == latest


async def test_an_id_committed_after_a_higher_one_is_not_missed(store: Store) -> None:
    if store.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one writer at a time: ids commit in their order")
    first = await add_signal(store)
    async with store.unit_of_work() as uow:
        cursor = ChangeCursor(await uow.changes.latest())
    async with store.unit_of_work() as slow:
        # Takes the next id now, commits after the next transaction has committed its own.
        await slow.signals.add_event(first.id, at=NOW, actor=StaffMember(1), action="note")
        later = await add_signal(store)
        [seen] = await changes_since(store, cursor, 0.0)
        assert seen.reference == later.reference
        assert len(cursor.gaps) == 1  # the slow transaction's id, awaited
        await slow.commit()
    [late] = await changes_since(store, cursor, 1.0)
    assert (late.reference, late.created) == (first.reference, False)
    assert not cursor.gaps


def test_a_gap_nobody_commits_is_given_up_after_a_while() -> None:
    cursor = ChangeCursor(3)
    taken = cursor.take([SignalChange(6, "SP-2026-0006", True)], now=100.0)
    assert [c.event_id for c in taken] == [6]
    assert cursor.gaps == (4, 5)
    assert cursor.take([SignalChange(5, "SP-2026-0005", True)], now=101.0)[0].event_id == 5
    assert cursor.take([], now=100.0 + GAP_WAIT) == []
    assert not cursor.gaps  # 4 was rolled back
    assert cursor.take([SignalChange(6, "SP-2026-0006", True)], now=200.0) == []


async def test_this_process_is_woken_by_commits_of_signal_events_only(store: Store) -> None:
    woken: list[str] = []
    undo = on_signal_commit(store.engine.sync_engine, lambda: woken.append("commit"))
    try:
        await add_signal(store)
        assert woken == ["commit"]
        await add_signal(store, commit=False)  # rolled back
        async with store.unit_of_work() as uow:  # a commit that changes no signal
            await uow.partners.all()
            await uow.commit()
        assert woken == ["commit"]
    finally:
        undo()
    await add_signal(store)
    assert woken == ["commit"]


async def test_the_feed_fans_out_catches_up_and_is_bounded(store: Store) -> None:
    feed = LiveFeed(store, per_staff=2, in_total=3)
    try:
        await feed.look()  # starts at the latest change
        rendered_at = feed.position
        assert rendered_at == 0
        first = await add_signal(store)
        await feed.look()
        # A page rendered before the change connects after it: it is sent what it missed.
        late = feed.subscribe(1, after=rendered_at)
        missed = late.queue.get_nowait()
        assert missed is not None
        assert [c.reference for c in missed.changes] == [first.reference]
        watching = feed.subscribe(2, after=feed.position)
        assert watching.queue.empty()
        second = await add_signal(store)
        await feed.look()
        for stream in (late, watching):
            batch = stream.queue.get_nowait()
            assert batch is not None
            assert [c.reference for c in batch.changes] == [second.reference]
        feed.subscribe(1, after=None)
        with pytest.raises(TooManyStreams):  # a third of staff member 1
            feed.subscribe(1, after=None)
        with pytest.raises(TooManyStreams):  # a fourth in all
            feed.subscribe(3, after=None)
        feed.unsubscribe(watching)
        feed.subscribe(3, after=None)
    finally:
        feed.close()
    assert late.queue.get_nowait() is None  # closing ends every stream


async def test_a_stream_that_connects_too_late_is_told_to_reload(store: Store) -> None:
    feed = LiveFeed(store, recent=1)  # keeps one change for streams that connect late
    await feed.look()
    rendered_at = feed.position
    await add_signal(store)
    await feed.look()
    last = await add_signal(store)
    await feed.look()
    stream = feed.subscribe(1, after=rendered_at)
    batch = stream.queue.get_nowait()
    assert batch is not None
    assert batch.reset  # two changes missed, one kept: reload the list
    assert feed.subscribe(2, after=(feed.position or 0) - 1).queue.get_nowait() == Batch(
        feed.position or 0, (SignalChange(feed.position or 0, last.reference, True),)
    )
    feed.close()
