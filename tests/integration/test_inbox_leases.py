"""The WhatsApp inbox with two instances on one database: each claims messages with a
lease, a sender's messages go to one instance at a time and in order, claims made at the
same moment never overlap, and a crashed instance's messages are taken up by the other
once its lease has run out (and not before). On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from storage import Store, make_engine
from storage.inbox import LEASE
from tests.support.builders import NOW
from tests.support.keys import TEST_KEYRING

CHANNEL = "whatsapp"


@pytest.fixture
async def instances(database_url: str) -> AsyncIterator[tuple[Store, Store]]:
    """Two instances: a store each, with engines (and pools) of their own."""
    engines = [make_engine(database_url), make_engine(database_url)]
    try:
        yield Store(engines[0], TEST_KEYRING), Store(engines[1], TEST_KEYRING)
    finally:
        for engine in engines:
            await engine.dispose()


async def keep(store: Store, *messages: tuple[str, str]) -> None:
    async with store.unit_of_work() as uow:
        for wamid, sender in messages:
            assert await uow.inbox.add(CHANNEL, wamid, sender, {"id": wamid}, NOW)
        await uow.commit()


async def claim(store: Store, at: timedelta, limit: int = 10) -> list[tuple[str, str]]:
    async with store.unit_of_work() as uow:
        items = await uow.inbox.claim(CHANNEL, NOW + at, limit)
        await uow.commit()
    return [(str(item.payload["id"]), item.sender) for item in items]


async def done(store: Store, *wamids: str) -> None:
    async with store.unit_of_work() as uow:
        for item in await uow.inbox.waiting(CHANNEL, 100):
            if item.payload["id"] in wamids:
                await uow.inbox.done(item.id)
        await uow.commit()


async def test_a_senders_messages_stay_with_one_instance_in_order(
    instances: tuple[Store, Store],
) -> None:
    first, second = instances
    await keep(first, ("a1", "31600000001"), ("a2", "31600000001"), ("b1", "31600000002"))
    assert await claim(first, timedelta(0), limit=1) == [("a1", "31600000001")]
    # a2 waits for a1 (its sender is busy on the first instance); b1 is free.
    assert await claim(second, timedelta(seconds=1)) == [("b1", "31600000002")]
    assert await claim(second, timedelta(seconds=2)) == []
    await done(first, "a1")
    assert await claim(second, timedelta(seconds=3)) == [("a2", "31600000001")]


async def test_claims_at_the_same_moment_never_overlap(instances: tuple[Store, Store]) -> None:
    first, second = instances
    senders = [f"3161000{n:04d}" for n in range(20)]
    await keep(first, *((f"m{n}-{k}", sender) for n, sender in enumerate(senders) for k in (1, 2)))
    claimed = await asyncio.gather(
        claim(first, timedelta(0), limit=13), claim(second, timedelta(0), limit=13)
    )
    ids = [wamid for batch in claimed for wamid, _ in batch]
    assert len(ids) == len(set(ids)) == 26
    by_instance = [{sender for _, sender in batch} for batch in claimed]
    assert not by_instance[0] & by_instance[1]  # no sender split over the two
    for batch in claimed:  # each sender's messages in the order they came
        for sender in {s for _, s in batch}:
            mine = [wamid for wamid, s in batch if s == sender]
            assert mine == sorted(mine)


async def test_a_crashed_instances_messages_are_taken_up_once_the_lease_ran_out(
    instances: tuple[Store, Store],
) -> None:
    first, second = instances
    await keep(first, ("a1", "31600000001"), ("a2", "31600000001"))
    assert [wamid for wamid, _ in await claim(first, timedelta(0))] == ["a1", "a2"]
    # The first instance dies here, its messages claimed but not processed.
    assert await claim(second, LEASE - timedelta(seconds=1)) == []
    taken = await claim(second, LEASE)
    assert [wamid for wamid, _ in taken] == ["a1", "a2"]
    await done(second, "a1", "a2")
    assert await claim(first, LEASE * 3) == []
