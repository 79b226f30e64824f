"""The loket group upgraded to a supergroup: Telegram gives it a new chat id and answers a
message to the old one with 400 and ``migrate_to_chat_id``. Every card was dead-lettered
(and the alert about it was all the admins got). Now the bot follows the group: the card
goes to the new id at once, the move is remembered (also after a restart), a card's update
lands where the card now is, buttons in the new group count, and each admin is told once to
set SIGNAALPUNT_LOKET_CHAT_ID. Nothing is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.telegram_api import FakeTelegram, FakeUser
from tests.support.reports import REPORT
from tests.support.telegram_harness import Clock, Person, running_bot

pytestmark = pytest.mark.e2e

OLD, NEW = -4_012_345, -1_001_234_567_890  # a basic group's id, then its supergroup's
ADMIN = FakeUser(id=601, first_name="Anna")
WORKER = FakeUser(id=602, first_name="Bram")


async def report(person: Person) -> None:
    await person.says("/start")
    for prompt, choice in REPORT:
        await person.taps(prompt, choice)


@pytest.mark.parametrize("learnt_from", ["the refused message", "the service message"])
async def test_the_bot_follows_the_loket_group_to_its_supergroup(
    tmp_path: Path, learnt_from: str
) -> None:
    clock = Clock()
    async with FakeTelegram(groups={OLD: "group"}) as fake:
        admin, worker = Person(fake, ADMIN), Person(fake, WORKER)
        first, second = Person(fake, FakeUser(900, "Kassa")), Person(fake, FakeUser(901, "Buur"))
        async with running_bot(fake, tmp_path, clock, run_outbox=False, loket_chat_id=OLD) as (
            app,
            channel,
        ):
            await admin.says(f"/koppel {await app.accounts.create_invite('admin', clock.now)}")
            await worker.says(f"/koppel {await app.accounts.create_invite('loket', clock.now)}")
            await report(first)
            await channel.worker.drain(clock.now)
            [old_card] = fake.messages(OLD)

            _, moved = fake.migrate_group(OLD, NEW, by=ADMIN)
            if learnt_from == "the service message":
                await admin.handled(moved)  # both service messages were handled
            await report(second)
            await channel.worker.drain(clock.now)

            [card] = fake.messages(NEW)
            assert "SP-" in card.plain_text
            assert len(fake.messages(OLD)) == 1  # nothing more went to the old id
            # The worker picks up the first report's card, which is still in the old group's
            # history: its update is sent to the supergroup as a fresh card.
            await worker.handled(fake.user_presses(WORKER, old_card, old_card.buttons()[0][1]))
            await channel.worker.drain(clock.now)
            assert any(m.chat_id == NEW and "Bram" in m.plain_text for m in fake.messages(NEW))
            # Buttons in the supergroup are the loket's.
            await worker.handled(fake.user_presses(WORKER, card, card.buttons()[0][1]))
            await channel.worker.drain(clock.now)
            assert any("Bram" in m.plain_text for m in fake.messages(NEW)[1:])
            async with app.store.unit_of_work() as uow:
                counts = await uow.outbox.counts()
                assert await uow.chats.migrations() == {OLD: NEW}
            assert counts.get("dead", 0) == 0
            alerts = [m for m in admin.chat if "SIGNAALPUNT_LOKET_CHAT_ID" in m.plain_text]
            assert len(alerts) == 1
            assert str(NEW) in alerts[0].plain_text

        # A restart with the old id still configured sends to the supergroup directly.
        requests_before = len(fake.requests)
        async with running_bot(fake, tmp_path, clock, run_outbox=False, loket_chat_id=OLD) as (
            _,
            channel,
        ):
            third = Person(fake, FakeUser(902, "Apotheek"))
            await report(third)
            await channel.worker.drain(clock.now)
        to_old = [
            r
            for r in fake.requests[requests_before:]
            if r.method == "sendMessage" and r.params.get("chat_id") == OLD
        ]
        assert to_old == []
        assert len([m for m in fake.messages(NEW) if "SP-" in m.plain_text]) >= 3
        assert len([m for m in admin.chat if "SIGNAALPUNT_LOKET_CHAT_ID" in m.plain_text]) == 1
