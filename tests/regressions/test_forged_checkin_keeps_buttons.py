"""Regression: a check-in payload (``k|<id>|<answer>``) pressed on a message that never
carried it, such as the reporter's current question, took that question's buttons off
before saying the check-in was not open, so the reporter could no longer tap an answer.
Only a message that shows the pressed button loses its buttons now."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.followup import texts as ft
from tests.fakes.telegram_api import FakeTelegram, FakeUser
from tests.support.reports import REPORT
from tests.support.telegram_harness import Person, running_bot

pytestmark = pytest.mark.e2e


async def test_a_forged_checkin_leaves_the_current_question_alone(tmp_path: Path) -> None:
    async with FakeTelegram() as fake, running_bot(fake, tmp_path) as (app, _):
        cashier = Person(fake, FakeUser(id=501, first_name="Sanne"))
        await cashier.says("/start")
        for prompt, choice in REPORT[:2]:
            await cashier.taps(prompt, choice)
        question = cashier.question()
        buttons = question.buttons()
        [told] = await cashier.handled(fake.user_presses(cashier.user, question, "k|1|yes"))
        assert told.plain_text == app.catalogs["nl"].gettext(ft.CHECKIN_UNKNOWN)
        assert question.buttons() == buttons
        replies = await cashier.taps("age_group", "75_plus")
    assert "r|observations|done" in [data for _, data in replies[-1].buttons()]
