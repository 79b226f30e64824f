"""Long polling against the fake Bot API on loopback: chats are handled concurrently and each
in order, a slow chat holds up no other chat, the offset never acknowledges an update that is
not handled yet, the number in flight is bounded, and a stop finishes the work in flight.

A chat is made slow by the fake: its sendMessage calls are answered only when the test
releases them (a Bot API request that stays in flight as long as the test needs)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.bootstrap.build import build_app
from bot.channels.telegram.channel import telegram_parts
from bot.channels.telegram.polling import poll
from tests.fakes.telegram_api import FakeTelegram, FakeUser, Params
from tests.support.telegram_harness import TOKEN, Clock, settings_for

pytestmark = pytest.mark.e2e

ALICE = FakeUser(id=701, first_name="Alice", language_code="nl")
BOB = FakeUser(id=702, first_name="Bob", language_code="nl")
WELCOME = "r|welcome|report"


class HeldTelegram(FakeTelegram):
    """The fake, where messages to a held chat are answered only when released, and which
    notes which updates each getUpdates call returned while a chat was held."""

    def __init__(self) -> None:
        super().__init__(TOKEN)
        self._gates: dict[int, asyncio.Event] = {}
        self.offered_while_held: list[int] = []

    def hold(self, chat_id: int) -> None:
        self._gates[chat_id] = asyncio.Event()

    def release(self, chat_id: int) -> None:
        self._gates.pop(chat_id).set()
        self._notify()

    def release_all(self) -> None:
        for chat_id in list(self._gates):
            self.release(chat_id)

    async def next_poll(self) -> None:
        """Wait until the bot calls getUpdates once more."""
        polls = len(self.calls("getUpdates"))
        await self.wait_for(lambda: len(self.calls("getUpdates")) > polls, what="a new poll")

    def sending_to(self, chat_id: int) -> list[int]:
        """The sendMessage calls to the chat that arrived (status 0: not answered yet)."""
        return [r.status for r in self.calls("sendMessage") if r.params.get("chat_id") == chat_id]

    async def _api_sendMessage(self, params: Params) -> dict[str, Any]:
        gate = self._gates.get(self._chat(params))
        if gate is not None:
            await gate.wait()
        return await super()._api_sendMessage(params)

    async def _api_getUpdates(self, params: Params) -> list[dict[str, Any]]:
        batch = await super()._api_getUpdates(params)
        if self._gates:
            self.offered_while_held += [update["update_id"] for update in batch]
        return batch


class Stop(asyncio.Event):
    """The stop signal, noting that the poller looked at it after it was set."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = asyncio.Event()

    def is_set(self) -> bool:
        if result := super().is_set():
            self.seen.set()
        return result


@dataclass
class Poller:
    app: App
    stop: Stop
    task: asyncio.Task[None]

    async def keyboard(self, user: FakeUser) -> str | None:
        """The message the bot recorded as the chat's live question (its last step's write)."""
        async with self.app.store.unit_of_work() as uow:
            return await uow.keyboards.get("telegram", str(user.id))


@pytest.fixture
async def fake() -> AsyncIterator[HeldTelegram]:
    async with HeldTelegram() as server:
        yield server


@contextlib.asynccontextmanager
async def polling(fake: HeldTelegram, tmp_path: Path, **options: Any) -> AsyncIterator[Poller]:
    app = await build_app(settings_for(fake, tmp_path))
    try:
        async with telegram_parts(app, Clock()) as parts:
            stop = Stop()
            task = asyncio.create_task(poll(parts.bot, parts.updates, stop, **options))
            try:
                yield Poller(app, stop, task)
            finally:
                stop.set()
                fake.release_all()  # a failed test must not leave the poller waiting
                await task
    finally:
        await app.close()
        gc.collect()


def offsets(fake: FakeTelegram) -> list[int]:
    return [int(str(r.params["offset"])) for r in fake.calls("getUpdates") if "offset" in r.params]


async def test_a_slow_chat_delays_no_other_chat_and_is_not_acknowledged(
    fake: HeldTelegram, tmp_path: Path
) -> None:
    async with polling(fake, tmp_path):
        fake.hold(ALICE.id)
        first = fake.user_sends(ALICE, "/start")["update_id"]
        await fake.wait_for(lambda: fake.sending_to(ALICE.id) == [0], what="Alice's reply held")
        second = fake.user_sends_photo(ALICE)["update_id"]
        bob = fake.user_sends(BOB, "/start")["update_id"]

        assert first < second < bob
        # Bob is answered while Alice's first update is still being handled.
        await fake.wait_for(lambda: bool(fake.messages(BOB.id)), what="Bob's welcome")
        assert WELCOME in [data for _, data in fake.messages(BOB.id)[0].buttons()]
        await fake.next_poll()  # one after Bob's update was handled
        # Alice's first update is unhandled, so nothing from it on is acknowledged...
        assert max(offsets(fake)) <= first
        # ...and her second one, fetched with Bob's, waits for her first one.
        assert second in fake.offered_while_held
        assert fake.sending_to(ALICE.id) == [0]
        assert fake.messages(ALICE.id) == []

        fake.release(ALICE.id)
        await fake.wait_for(lambda: max(offsets(fake)) > second, what="Alice's updates handled")
    # In order: the welcome for /start, then the answer to the photo (which asks again).
    welcome, refusal, again = fake.messages(ALICE.id)
    assert "Signaalpunt" in welcome.plain_text
    assert "alleen tekst, knoppen en spraakberichten" in refusal.plain_text
    assert WELCOME in [data for _, data in again.buttons()]


async def test_the_offset_stays_at_the_lowest_unhandled_update(
    fake: HeldTelegram, tmp_path: Path
) -> None:
    async with polling(fake, tmp_path):
        bob = fake.user_sends(BOB, "/start")["update_id"]
        await fake.wait_for(lambda: max(offsets(fake), default=0) > bob, what="Bob handled")
        fake.hold(ALICE.id)
        alice = fake.user_sends(ALICE, "/start")["update_id"]
        await fake.wait_for(lambda: fake.sending_to(ALICE.id) == [0], what="Alice's reply held")
        later = fake.user_sends(BOB, "hallo")["update_id"]
        await fake.wait_for(lambda: len(fake.messages(BOB.id)) == 2, what="Bob's second reply")
        await fake.next_poll()
        # Bob's later update is handled, but it comes after Alice's: the offset waits for hers.
        assert later > alice
        assert [offset for offset in offsets(fake) if offset > alice] == []
        fake.release(ALICE.id)
        await fake.wait_for(lambda: max(offsets(fake)) > later, what="both acknowledged")


async def test_updates_in_flight_are_bounded(fake: HeldTelegram, tmp_path: Path) -> None:
    async with polling(fake, tmp_path, max_in_flight=1):
        fake.hold(ALICE.id)
        alice = fake.user_sends(ALICE, "/start")["update_id"]
        await fake.wait_for(lambda: fake.sending_to(ALICE.id) == [0], what="Alice's reply held")
        bob = fake.user_sends(BOB, "/start")["update_id"]
        fake.release(ALICE.id)
        await fake.wait_for(lambda: bool(fake.messages(BOB.id)), what="Bob's welcome")
    # With room for one update, Bob's was not even fetched while Alice's was in flight.
    assert bob not in fake.offered_while_held
    assert alice in fake.offered_while_held


async def test_a_stop_finishes_the_update_in_flight(fake: HeldTelegram, tmp_path: Path) -> None:
    async with polling(fake, tmp_path) as poller:
        fake.hold(ALICE.id)
        fake.user_sends(ALICE, "/start")
        await fake.wait_for(lambda: fake.sending_to(ALICE.id) == [0], what="Alice's reply held")
        poller.stop.set()
        async with asyncio.timeout(10):
            await poller.stop.seen.wait()
        assert not poller.task.done()
        assert await poller.keyboard(ALICE) is None
        fake.release(ALICE.id)
        async with asyncio.timeout(10):
            await poller.task
        [welcome] = fake.messages(ALICE.id)
        assert WELCOME in [data for _, data in welcome.buttons()]
        # The step ran to its end: its last write records the question with live buttons.
        assert await poller.keyboard(ALICE) == str(welcome.message_id)
