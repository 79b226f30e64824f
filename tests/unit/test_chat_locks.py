"""The per-chat locks: one holder per chat, in order, and nothing kept once a chat is quiet."""

from __future__ import annotations

import asyncio
import contextlib

from bot.reporting.chat_locks import ChatLocks


async def test_one_holder_per_chat_in_arrival_order_and_other_chats_not_held_up() -> None:
    locks = ChatLocks()
    order: list[str] = []
    release = asyncio.Event()
    entered = asyncio.Event()

    async def first() -> None:
        async with locks.hold("chat-a"):
            order.append("a1 in")
            entered.set()
            await release.wait()
            order.append("a1 out")

    async def second() -> None:
        async with locks.hold("chat-a"):
            order.append("a2 in")

    async def other() -> None:
        async with locks.hold("chat-b"):
            order.append("b in")

    holder = asyncio.create_task(first())
    await entered.wait()
    waiter = asyncio.create_task(second())
    await other()  # another chat is not held up by chat-a's holder
    assert order == ["a1 in", "b in"]
    assert len(locks) == 1  # chat-b's lock is gone already; chat-a has a holder and a waiter
    release.set()
    await asyncio.gather(holder, waiter)
    assert order == ["a1 in", "b in", "a1 out", "a2 in"]
    assert len(locks) == 0


async def test_a_failing_holder_releases_and_forgets_the_lock() -> None:
    locks = ChatLocks()

    async def fails() -> None:
        async with locks.hold("chat"):
            raise ValueError("step failed")

    for _ in range(3):
        with contextlib.suppress(ValueError):
            await fails()
    assert len(locks) == 0
    async with locks.hold("chat"):  # still usable
        assert len(locks) == 1
