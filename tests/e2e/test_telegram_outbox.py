"""The loket outbox against a failing Bot API: 429 with retry_after, 502s and dropped
connections for a while. Nothing is lost and nothing is sent twice once it recovers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App
from tests.fakes.telegram_api import FakeTelegram, FakeUser
from tests.support.reports import REPORT
from tests.support.telegram_harness import LOKET, Clock, Person, running_bot

pytestmark = pytest.mark.e2e
REPORTERS = 6


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


async def test_outage_loses_nothing_and_sends_nothing_twice(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    clock = Clock()
    people = [Person(fake, FakeUser(id=800 + i, first_name=f"R{i}")) for i in range(REPORTERS)]
    async with running_bot(fake, tmp_path, clock, run_outbox=False) as (app, channel):
        for person in people:
            await person.says("/start")
            for prompt, choice in REPORT:
                await person.taps(prompt, choice)
        now = clock.now

        def sends() -> int:
            return len(fake.calls("sendMessage"))

        fake.outage("502")
        assert await channel.worker.drain(now) == 0
        fake.outage("drop")
        assert await channel.worker.drain(now + timedelta(seconds=6)) == 0
        fake.outage("429", retry_after=120)
        assert await channel.worker.drain(now + timedelta(seconds=30)) == 0
        attempted = sends()
        # Telegram asked for two minutes: nothing is tried before that, however often we look.
        for seconds in (40, 60, 100, 140):
            assert await channel.worker.drain(now + timedelta(seconds=seconds)) == 0
        assert sends() == attempted
        assert fake.failures_injected >= 3

        fake.recover()
        assert await channel.worker.drain(now + timedelta(seconds=151)) == REPORTERS
        assert await channel.worker.drain(now + timedelta(hours=2)) == 0

        cards = fake.messages(LOKET)
        references = [line for c in cards for line in c.plain_text.split() if "SP-2026-" in line]
        assert len(cards) == REPORTERS
        assert len(set(references)) == REPORTERS
        async with app.store.unit_of_work() as uow:
            assert await uow.outbox.counts() == {"sent": REPORTERS}


async def admin_and_report(app: App, clock: Clock, admin: Person, reporter: Person) -> None:
    """``admin`` links as an admin; ``reporter`` sends the scripted report."""
    code = await app.accounts.create_invite("admin", clock.now)
    await admin.says(f"/koppel {code}")
    await reporter.says("/start")
    for prompt, choice in REPORT:
        await reporter.taps(prompt, choice)


async def test_bot_removed_from_the_group_is_dead_lettered_and_admins_told(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    clock = Clock()
    admin = Person(fake, FakeUser(id=601, first_name="Anna"))
    reporter = Person(fake, FakeUser(id=900, first_name="Kassa"))
    async with running_bot(fake, tmp_path, clock, run_outbox=False) as (app, channel):
        await admin_and_report(app, clock, admin, reporter)
        fake.remove_bot(LOKET)  # Telegram answers 403: the bot was kicked from the group
        # The card is dead-lettered; the alert it queues goes to the admin in the same drain.
        assert await channel.worker.drain(clock.now) == 1
        alert = admin.chat[-1]
        assert "SP-2026-0001" in alert.plain_text
        assert "403" in alert.plain_text
        assert fake.messages(LOKET) == []
        async with app.store.unit_of_work() as uow:
            assert await uow.outbox.counts() == {"dead": 1, "sent": 1}


async def test_a_staff_member_with_a_dashboard_login_only_is_a_recipient_not_reached(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """Admins are told of a dead letter by staff id. One has a Telegram account and reads
    it there; the other signs in to the dashboard only: the alert for them is marked
    unreached and counted, and never tried again."""
    clock = Clock()
    anna = Person(fake, FakeUser(id=601, first_name="Anna"))
    reporter = Person(fake, FakeUser(id=900, first_name="Kassa"))
    async with running_bot(fake, tmp_path, clock, run_outbox=False) as (app, channel):
        await admin_and_report(app, clock, anna, reporter)
        async with app.store.unit_of_work() as uow:
            wim = await uow.logins.add_account(
                "wim", display_name="Wim", role="admin", password_hash="x", now=clock.now
            )
            await uow.commit()
        assert wim is not None
        assert wim.reach == frozenset({"web"})
        fake.remove_bot(LOKET)
        assert await channel.worker.drain(clock.now) == 1  # Anna's alert
        assert "SP-2026-0001" in anna.chat[-1].plain_text
        async with app.store.unit_of_work() as uow:
            assert await uow.outbox.counts() == {"dead": 1, "sent": 1, "unreached": 1}
        sent = len(fake.calls("sendMessage"))
        assert await channel.worker.drain(clock.advance(hours=2)) == 0
        assert len(fake.calls("sendMessage")) == sent  # not retried
        async with app.store.unit_of_work() as uow:
            assert await uow.outbox.counts() == {"dead": 1, "sent": 1, "unreached": 1}
