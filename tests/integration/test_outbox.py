"""The loket outbox: due items, delivery and retries, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from storage import Store
from tests.integration.helpers import NOW, add_signal


async def test_claim_due_returns_due_items_oldest_first(store: Store) -> None:
    newest = await add_signal(store, now=NOW)
    oldest = await add_signal(store, now=NOW - timedelta(minutes=10))
    future = await add_signal(store, now=NOW + timedelta(minutes=5))
    async with store.unit_of_work() as uow:
        due = await uow.outbox.claim_due(NOW)
        assert [item.signal_id for item in due] == [oldest.id, newest.id]
        assert [i.signal_id for i in await uow.outbox.claim_due(NOW, limit=1)] == [oldest.id]
        later = await uow.outbox.claim_due(NOW + timedelta(minutes=5))
        assert [item.signal_id for item in later] == [oldest.id, newest.id, future.id]


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
