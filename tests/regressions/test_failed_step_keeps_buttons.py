"""Regression: when a reporter's tap could not be stored ("database is locked" under a burst),
the bot answered "saving failed, please try again", but had already taken the buttons off the
question, and the update was acknowledged (Telegram does not offer it again): nothing was left
to press. Now a failed step leaves the question as it was, so pressing again carries on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from core.dialog import messages as m
from storage import create_schema
from tests.fakes.telegram_api import FakeTelegram, FakeUser
from tests.support.telegram_harness import Person, running_bot

pytestmark = pytest.mark.e2e

CASHIER = FakeUser(id=501, first_name="Sanne", language_code="nl")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


async def test_a_step_that_fails_to_save_keeps_the_question_to_press_again(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    person = Person(fake, CASHIER)
    async with running_bot(fake, tmp_path) as (app, _):
        await person.says("/start")
        await person.taps("welcome", "report")
        asked = person.question()
        # The step's first statement (the inbound dedupe insert) now fails.
        async with app.store.engine.begin() as connection:
            await connection.execute(text("DROP TABLE inbound_messages"))
        [failed] = await person.taps("role", "shop")
        assert failed.plain_text == app.catalogs["nl"].gettext(m.SAVE_FAILED)
        assert "r|role|shop" in [data for _, data in asked.buttons()]
        assert fake.answered_callbacks, "the press is answered all the same"

        await create_schema(app.store.engine)  # the database works again
        replies = await person.taps("role", "shop")
        assert "r|age_group|75_plus" in [data for _, data in replies[-1].buttons()]
        # Answered now: the answer and the next question are edited in (ADR 0111), so the
        # question's own buttons are gone.
        assert "r|role|shop" not in [data for m in person.chat for _, data in m.buttons()]
        assert "Je antwoord: \u2068Ik werk in een winkel\u2069" in asked.plain_text
