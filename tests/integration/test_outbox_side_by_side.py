"""One chat's claimed messages about different signals go out side by side (the loket group
gets every card); a signal's own messages stay in order (a card before its edit), and
failures at once hold the chat without deadlocking on PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from bot.i18n import ContextCatalog, load_catalogs
from bot.outbox.worker import OutboxWorker
from bot.ports import DeliveryError, Outgoing
from bot.staff.accounts import StaffAccounts
from bot.staff.actions import SignalActions
from core.dialog.model import Place
from storage import Store
from tests.fakes.messenger import RecordingMessenger
from tests.support.builders import NOW, add_signal, telegram

CATALOGS: dict[str, ContextCatalog] = load_catalogs()
PLACES = (Place("centrum", "Centrum"),)
ANNA = 1001


class TogetherMessenger(RecordingMessenger):
    """Each delivery waits until ``together`` deliveries are under way at once, so a test
    that expects them side by side passes at once and one that sends them one by one fails
    on its time limit instead of hanging."""

    def __init__(self, together: int) -> None:
        super().__init__()
        self._together = together
        self._under_way = 0
        self._all_there = asyncio.Event()
        self.order: list[str] = []
        self.landed: dict[str, str] = {}  # "loket:SP-…:new" → where it landed

    async def deliver(self, message: Outgoing) -> str:
        self._under_way += 1
        if self._under_way >= self._together:
            self._all_there.set()
        await self._all_there.wait()
        what = f"{message.target}:{message.reference}:{'edit' if message.edit else 'new'}"
        landed = await super().deliver(message)
        self.order.append(what)
        self.landed[what] = landed
        return landed


def worker(store: Store, messenger: RecordingMessenger) -> OutboxWorker:
    return OutboxWorker(store, messenger, CATALOGS, PLACES)


async def test_cards_of_different_signals_go_to_the_loket_side_by_side(store: Store) -> None:
    signals = [await add_signal(store) for _ in range(3)]
    messenger = TogetherMessenger(together=3)
    async with asyncio.timeout(10):
        assert await worker(store, messenger).drain(NOW) == 3
    assert sorted(messenger.order) == sorted(f"loket:{s.reference}:new" for s in signals)
    async with store.unit_of_work() as uow:
        assert await uow.outbox.counts() == {"sent": 3}


async def test_a_signals_card_goes_before_its_edit_beside_another_signals_card(
    store: Store,
) -> None:
    accounts, actions = StaffAccounts(store), SignalActions(store)
    code = await accounts.create_invite("loket", NOW)
    await accounts.link(code, account=telegram(ANNA), name="Anna", now=NOW)
    first, second = await add_signal(store), await add_signal(store)
    # Picked up before its card went out: the card and its edit are queued together.
    assert await actions.act("claim", first.id, actor=telegram(ANNA), now=NOW) is not None
    messenger = TogetherMessenger(together=2)
    async with asyncio.timeout(10):
        while await worker(store, messenger).drain(NOW):
            pass
    card, edit_of_card = f"loket:{first.reference}:new", f"loket:{first.reference}:edit"
    assert [e for e in messenger.order if e in (card, edit_of_card)] == [card, edit_of_card]
    [edit] = [m for m in messenger.messages if m.reference == first.reference and m.edit]
    assert edit.edit == messenger.landed[card]
    assert f"loket:{second.reference}:new" in messenger.order


@pytest.mark.parametrize("permanent", [False, True])
async def test_failures_at_once_hold_the_chat_once_and_lose_nothing(
    store: Store, permanent: bool
) -> None:
    await add_signal(store)
    await add_signal(store)
    messenger = TogetherMessenger(together=2)
    messenger.failures = [
        DeliveryError("429 Too Many Requests", retry_after=30, permanent=permanent),
        DeliveryError("429 Too Many Requests", retry_after=30, permanent=permanent),
    ]
    async with asyncio.timeout(10):
        assert await worker(store, messenger).drain(NOW) == 0
    async with store.unit_of_work() as uow:
        counts = await uow.outbox.counts()
    if permanent:
        # Both dead-lettered, each with its alert (nobody to alert here: no admins).
        assert counts == {"dead": 2}
    else:
        assert counts == {"pending": 2}
        assert await worker(store, RecordingMessenger()).drain(NOW) == 0  # held: not due
