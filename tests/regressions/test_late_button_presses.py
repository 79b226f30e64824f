"""Telegram lets a bot answer a button press only for a short while ("query is too old and
response timeout expired or query ID is invalid"), and an answer's text only up to 200
characters. The fake accepted any answer any time, and the bot answered some presses before
doing what they asked: a check-in answer pressed while the bot was restarting was lost
(the failed answer broke off its handling), and a staff press answered late was logged as
an error with a traceback. Now what a press asks is done whatever becomes of its answer."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.e2e.test_telegram_followup import ANNA, file_report, link
from tests.fakes.telegram_api import FakeTelegram, FakeUser
from tests.support.telegram_harness import LOKET, Clock, Person, running_bot

pytestmark = pytest.mark.e2e


async def test_presses_handled_too_late_to_answer_still_count(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    async with FakeTelegram() as fake:
        reporter = Person(fake, FakeUser(id=801, first_name="R", language_code="nl"))
        anna = Person(fake, ANNA)
        async with running_bot(fake, tmp_path, clock, run_outbox=False) as (app, channel):
            await link(app, anna)
            await file_report(reporter)
            await channel.worker.drain(clock())
            [card] = fake.messages(LOKET)
            caplog.set_level(logging.INFO)
            caplog.clear()
            press = fake.user_presses(ANNA, card, "s|claim|1")
            fake.expire_callbacks()  # the bot gets to it only after Telegram stopped waiting
            await anna.handled(press)
            await channel.worker.drain(clock())
            async with app.store.unit_of_work() as uow:
                signal = await uow.signals.get(1)
            assert signal is not None
            assert signal.status == "claimed"

            # Closed, and the check-in comes two weeks later.
            details = next(m for m in reversed(anna.chat) if m.protect_content)
            for data in ("s|contact|1", "s|close|1", "s|close|1|buddy"):
                await anna.handled(fake.user_presses(ANNA, details, data))
            queued = await app.followup.sweep(clock.advance(minutes=5))
            assert queued["reporter_checkin"] == 1
            await channel.worker.drain(clock())
            checkin = reporter.chat[-1]
            answer = fake.user_presses(reporter.user, checkin, "k|1|yes")
            fake.expire_callbacks()
            replies = await reporter.handled(answer)
            assert replies  # thanked
            async with app.store.unit_of_work() as uow:
                events = [(e.action, e.detail) for e in await uow.signals.events(1)]
            assert ("reporter_answer", "yes") in events
        assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
        answered = [r.params for r in fake.calls("answerCallbackQuery") if r.status == 200]
        assert all(len(str(params.get("text", ""))) <= 200 for params in answered)
