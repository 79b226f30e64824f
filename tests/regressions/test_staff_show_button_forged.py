"""Regression: the staff "back" button (``s|show|<id>``) was not checked against the staff
list. Anyone who forged it in their private chat got the staff buttons for that signal
drawn under the pressed message, which told the signal's status (and replaced the
reporter's own buttons). A stranger's press is now refused like every other staff button."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.lifecycle import staff_texts as t
from tests.fakes.telegram_api import FakeTelegram, FakeUser
from tests.support.reports import REPORT
from tests.support.telegram_harness import LOKET, Person, running_bot

pytestmark = pytest.mark.e2e


async def test_a_stranger_pressing_show_gets_no_staff_buttons(tmp_path: Path) -> None:
    async with FakeTelegram() as fake, running_bot(fake, tmp_path) as (app, _):
        cashier = Person(fake, FakeUser(id=501, first_name="Sanne"))
        mallory = Person(fake, FakeUser(id=666, first_name="Mallory", language_code="en"))
        await cashier.says("/start")
        for prompt, choice in REPORT:
            await cashier.taps(prompt, choice)
        await fake.next_message(LOKET)
        [welcome] = await mallory.says("/start")
        before = welcome.buttons()
        press = fake.user_presses(mallory.user, welcome, "s|show|1")
        assert await mallory.handled(press) == []
        answer = fake.answered_callbacks[str(press["callback_query"]["id"])]
    assert answer["text"] == app.catalogs["nl"].gettext(t.REFUSED_NOT_STAFF)
    assert (welcome.edits, welcome.buttons()) == (0, before)
