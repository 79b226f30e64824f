"""The loket outbox: due items, delivery and retries, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from core.lifecycle.parties import StaffMember
from storage import Store, make_engine
from storage.outbox import LEASE, PER_TARGET
from tests.support.builders import NOW, add_signal
from tests.support.keys import TEST_KEYRING

A, B = StaffMember(1), StaffMember(2)  # two chats


async def test_claim_due_returns_due_items_oldest_first(store: Store) -> None:
    newest = await add_signal(store, now=NOW)
    oldest = await add_signal(store, now=NOW - timedelta(minutes=10))
    await add_signal(store, now=NOW + timedelta(minutes=5))
    async with store.unit_of_work() as uow:
        assert [i.signal_id for i in await uow.outbox.claim_due(NOW, limit=1)] == [oldest.id]
        await uow.rollback()
        due = await uow.outbox.claim_due(NOW)
        assert [item.signal_id for item in due] == [oldest.id, newest.id]


async def test_a_claim_is_a_lease_and_keeps_each_chat_in_order(store: Store) -> None:
    async with store.unit_of_work() as uow:
        for n in range(PER_TARGET + 2):
            await uow.outbox.enqueue("note", A, NOW + timedelta(seconds=n), payload={"n": n})
        await uow.outbox.enqueue("note", B, NOW, payload={"n": 0})
        await uow.commit()
    later = NOW + timedelta(minutes=1)
    async with store.unit_of_work() as uow:
        first = await uow.outbox.claim_due(later)
        await uow.commit()
    # At most PER_TARGET of one chat, in order; other chats alongside.
    assert [(i.target, i.payload["n"]) for i in first] == [
        (A, 0), (B, 0), *((A, n) for n in range(1, PER_TARGET)),
    ]  # fmt: skip
    async with store.unit_of_work() as uow:
        # Another instance now: nothing of A (its first items are out), B is done.
        assert await uow.outbox.claim_due(later) == []
        for item in first[:-1]:
            await uow.outbox.mark_sent(item.id, later)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.outbox.claim_due(later) == []  # A's last claimed item is out
        # The lease of a crashed instance runs out: its item is claimed again, in order.
        again = await uow.outbox.claim_due(later + LEASE)
    assert [i.payload["n"] for i in again] == [PER_TARGET - 1, PER_TARGET, PER_TARGET + 1]


async def test_two_instances_claiming_at_once_share_nothing(
    store: Store, database_url: str
) -> None:
    async with store.unit_of_work() as uow:
        for n in range(60):
            await uow.outbox.enqueue("note", StaffMember(n % 20), NOW, payload={"n": n})
        await uow.commit()
    other = Store(make_engine(database_url), TEST_KEYRING)

    async def claim(on: Store) -> list[int]:
        async with on.unit_of_work() as uow:
            items = await uow.outbox.claim_due(NOW, limit=40)
            await uow.commit()
        return [item.id for item in items]

    try:
        mine, theirs = await asyncio.gather(claim(store), claim(other))
    finally:
        await other.engine.dispose()
    assert not set(mine) & set(theirs)
    assert len(mine) + len(theirs) >= 40  # nothing lost to the race either


async def test_mark_sent_removes_item_from_queue(store: Store) -> None:
    await add_signal(store)
    async with store.unit_of_work() as uow:
        [item] = await uow.outbox.claim_due(NOW)
        await uow.outbox.mark_sent(item.id, NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.outbox.claim_due(NOW + timedelta(days=1)) == []
        assert await uow.outbox.pending_count() == 0


async def test_mark_failed_retries_then_goes_dead(store: Store) -> None:
    await add_signal(store)
    retry_at = NOW + timedelta(minutes=1)
    async with store.unit_of_work() as uow:
        [item] = await uow.outbox.claim_due(NOW)
        await uow.outbox.mark_failed(item.id, NOW, "loket returned 503", retry_at)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.outbox.claim_due(NOW) == []
        assert await uow.outbox.pending_count() == 1
        [retry] = await uow.outbox.claim_due(retry_at)
        assert (retry.id, retry.attempts) == (item.id, 1)
        await uow.outbox.mark_failed(retry.id, retry_at, "loket returned 400", None)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.outbox.claim_due(NOW + timedelta(days=365)) == []
        assert await uow.outbox.pending_count() == 0
