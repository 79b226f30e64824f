"""Regression: a staff or check-in payload with a signal id beyond a database integer
(``s|claim|99999999999999999999`` fits in Telegram's 64 bytes) was parsed as a signal id;
looking it up raised in the database driver, the update failed with a traceback and the
press was never answered. Such a payload is now not one of ours: answered, and the
reporter's question asked again."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.buttons import MAX_ID, parse
from tests.fakes.telegram_api import FakeTelegram, FakeUser
from tests.support.telegram_harness import Person, running_bot

pytestmark = pytest.mark.e2e

HUGE = ["s|claim|99999999999999999999", f"s|close|{MAX_ID + 1}|other", f"k|{2**64}|yes"]


@pytest.mark.parametrize("data", HUGE)
def test_an_id_beyond_the_database_is_no_payload_of_ours(data: str) -> None:
    assert parse(data) is None


async def test_a_press_with_a_huge_id_is_answered(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeTelegram() as fake, running_bot(fake, tmp_path):
        cashier = Person(fake, FakeUser(id=501, first_name="Sanne"))
        await cashier.says("/start")
        for data in HUGE:
            press = fake.user_presses(cashier.user, cashier.question(), data)
            replies = await cashier.handled(press)
            assert str(press["callback_query"]["id"]) in fake.answered_callbacks
            assert "r|welcome|report" in [d for _, d in replies[-1].buttons()]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
