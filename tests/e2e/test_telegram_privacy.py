"""Privacy and abuse limits over Telegram: the real PTB client and our bot against the fake
Bot API. /verwijder erases the reporter; signals per day, messages per minute and /koppel
guesses are limited. The clock is the test's: it moves only when a test moves it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.app import App
from tests.fakes.telegram_api import FakeTelegram, FakeUser, SentMessage
from tests.support.builders import telegram
from tests.support.reports import REPORT, UNTIL_CONTACT
from tests.support.telegram_harness import LOKET, Clock, Person, running_bot

pytestmark = pytest.mark.e2e

CASHIER = FakeUser(id=501, first_name="Sanne", language_code="nl")
MALLORY = FakeUser(id=666, first_name="Mallory", language_code="en")
ANNA = FakeUser(id=601, first_name="Anna", language_code="nl")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


async def rows(app: App, sql: str) -> list[tuple[Any, ...]]:
    async with app.store.engine.connect() as connection:
        return [tuple(row) for row in (await connection.execute(text(sql))).all()]


async def file_report(person: Person, clock: Clock, *, call_me: bool = False) -> str:
    """A whole report by taps, three seconds a message (a person, not a flood)."""
    clock.advance(seconds=3)
    await person.says("/start")
    steps = [*UNTIL_CONTACT, ("callback", "yes")] if call_me else REPORT
    done: list[SentMessage] = []
    for prompt, choice in steps:
        clock.advance(seconds=3)
        done = await person.taps(prompt, choice)
    if call_me:
        clock.advance(seconds=3)
        await person.says("Sanne de Vries 0612345678")
        clock.advance(seconds=3)
        done = await person.taps("summary", "send")
    return "\n".join(m.plain_text for m in done)


async def test_verwijder_erases_the_reporter_and_keeps_the_signal(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    clock = Clock()
    person = Person(fake, CASHIER)
    async with running_bot(fake, tmp_path, clock) as (app, _):
        assert "SP-2026-0001" in await file_report(person, clock, call_me=True)
        card = await fake.next_message(LOKET)
        await person.says("/start")
        await person.taps("welcome", "report")  # and an unfinished report
        [asked] = await person.says("/verwijder")
        assert "contactgegevens" in asked.plain_text
        assert "blijven bij de gemeente" in asked.plain_text
        assert [d for _, d in asked.buttons()] == ["r|confirm_erase|yes", "r|confirm_erase|no"]
        [erased] = await person.taps("confirm_erase", "yes")
        assert "Je gegevens zijn verwijderd" in erased.plain_text
        assert erased.buttons() == []  # no live buttons to remember of an erased reporter
        assert asked.buttons() == []  # the answered question cannot be pressed again

        signal = await rows(
            app,
            "SELECT reference, reporter_name, reporter_phone, reporter_id, "
            "reporter_erased_at IS NOT NULL FROM signals",
        )
        assert signal == [("SP-2026-0001", None, None, None, True)]
        for table in ("reporters", "conversations", "chat_keyboards"):
            assert await rows(app, f"SELECT count(*) FROM {table}") == [(0,)], table

        # The loket still picks it up; the next message is from a new reporter.
        assert "SP-2026-0001" in card.plain_text
        [welcome] = await person.says("hallo")
        assert "Signaalpunt" in welcome.plain_text
        assert await rows(app, "SELECT count(*) FROM reporters") == [(1,)]
        [status, _] = await person.says("/status")
        assert "SP-2026-0001" not in status.plain_text
    menus = [c["command"] for cs in fake.commands.values() for c in cs]
    assert "verwijder" in menus


async def test_no_keeps_the_report_where_it_was(fake: FakeTelegram, tmp_path: Path) -> None:
    person = Person(fake, FakeUser(id=777, first_name="Ali", language_code="tr"))
    async with running_bot(fake, tmp_path):
        await person.says("/start")
        await person.taps("welcome", "report")
        await person.taps("role", "shop")
        await person.says("/sil")
        replies = await person.taps("confirm_erase", "no")
        assert "r|age_group|75_plus" in [d for _, d in replies[-1].buttons()]


async def test_a_fourth_signal_in_a_day_is_refused_before_it_is_typed(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    clock = Clock()
    person = Person(fake, CASHIER)
    async with running_bot(fake, tmp_path, clock) as (app, _):
        for number in (1, 2, 3):
            assert f"SP-2026-000{number}" in await file_report(person, clock)
        await person.says("/start")
        replies = await person.taps("welcome", "report")
        assert "al een paar meldingen gestuurd" in replies[0].plain_text
        assert "112" in replies[0].plain_text
        assert "r|welcome|report" in [d for _, d in replies[-1].buttons()]
        assert await rows(app, "SELECT count(*) FROM signals") == [(3,)]
        clock.advance(hours=24)
        assert "SP-2026-0004" in await file_report(person, clock)


async def test_a_flood_gets_one_slow_down_then_silence(fake: FakeTelegram, tmp_path: Path) -> None:
    clock = Clock()
    person = Person(fake, CASHIER)
    async with running_bot(fake, tmp_path, clock):
        await person.says("/start")
        for _ in range(29):  # thirty messages in the same minute are fine
            assert await person.says("/help")
        [slow] = await person.says("/help")
        assert "Wacht 1 minuut" in slow.plain_text
        assert await person.says("/help") == []
        assert await person.says("/help") == []
        clock.advance(minutes=1)
        replies = await person.says("/help")
        assert "r|welcome|report" in [d for _, d in replies[-1].buttons()]


async def test_koppel_guessing_is_locked_out(fake: FakeTelegram, tmp_path: Path) -> None:
    clock = Clock()
    mallory, anna = Person(fake, MALLORY), Person(fake, ANNA)
    async with running_bot(fake, tmp_path, clock) as (app, _):
        code = await app.accounts.create_invite("admin", clock.now)
        for guess in range(5):
            clock.advance(minutes=1)
            [refused] = await mallory.says(f"/koppel AAAA-BBBB-CCC{guess}")
            assert "ongeldig" in refused.plain_text
        clock.advance(minutes=1)
        [locked] = await mallory.says(f"/koppel {code}")
        assert "Te veel verkeerde codes" in locked.plain_text
        assert "60 minuten" in locked.plain_text
        assert not await app.accounts.is_staff(telegram(MALLORY.id))
        [welcome] = await anna.says(f"/koppel {code}")  # nobody else is locked out
        assert "Welkom" in welcome.plain_text
        clock.advance(minutes=61)
        [refused] = await mallory.says(f"/koppel {code}")  # read again, and used up
        assert "ongeldig" in refused.plain_text
        outcomes = await rows(app, "SELECT succeeded FROM access_attempts ORDER BY id")
        assert [bool(ok) for (ok,) in outcomes] == [False] * 6 + [True, False]
