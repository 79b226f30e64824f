"""Follow-up over Telegram, through the fake Bot API: staff close with an outcome from the
private card, ask the reporter a question, look a signal up; reporters get the check-in in
their own language and answer it; a reporter who blocked the bot is recorded, not alarmed.

The outbox is drained and the sweep run explicitly with the test's clock: no waiting on
timers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from bot.bootstrap.telegram_alone import TelegramService
from core.followup import texts as ft
from core.text.msgids import Msg, Token, msg
from core.text.render import render
from tests.fakes.telegram_api import FakeTelegram, FakeUser, SentMessage
from tests.support.reports import MESSAGE_ME, REPORT
from tests.support.telegram_harness import LOKET, T0, Clock, Person, running_bot

pytestmark = pytest.mark.e2e

ANNA = FakeUser(id=601, first_name="Anna", language_code="nl")
BOB = FakeUser(id=602, first_name="Bob", language_code="nl")
ADMIN = FakeUser(id=603, first_name="Ada", language_code="nl")
MALLORY = FakeUser(id=666, first_name="Mallory", language_code="en")
WITH_CHECKIN = MESSAGE_ME  # the municipality may write back: asked after 2 weeks


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


async def link(app: App, person: Person, role: str = "loket") -> None:
    code = await app.accounts.create_invite(role, T0)
    await person.says(f"/koppel {code}")


async def file_report(person: Person, steps: list[tuple[str, str]] = WITH_CHECKIN) -> str:
    await person.says("/start")
    for prompt, choice in steps:
        await person.taps(prompt, choice)
    return "SP-2026-0001"


async def press(person: Person, message: SentMessage, data: str) -> list[SentMessage]:
    assert data in [d for _, d in message.buttons()], (data, message.buttons())
    return await person.handled(person.fake.user_presses(person.user, message, data))


async def claimed_details(
    app: App, channel: TelegramService, clock: Clock, fake: FakeTelegram, anna: Person
) -> SentMessage:
    await channel.worker.drain(clock())
    [card] = fake.messages(LOKET)
    await press(anna, card, "s|claim|1")
    await channel.worker.drain(clock())
    return next(m for m in reversed(anna.chat) if m.protect_content)


@pytest.mark.parametrize("language", ["tr", "ar"])
async def test_reporter_checkin_in_their_language_and_a_worried_answer_reopens(
    fake: FakeTelegram, tmp_path: Path, language: str
) -> None:
    clock = Clock()
    reporter = Person(fake, FakeUser(id=801, first_name="R", language_code=language))
    anna = Person(fake, ANNA)
    async with running_bot(fake, tmp_path, clock, run_outbox=False) as (app, channel):
        await link(app, anna)
        reference = await file_report(reporter)
        details = await claimed_details(app, channel, clock, fake, anna)
        await press(anna, details, "s|contact|1")
        await press(anna, details, "s|close|1")
        # Closing needs an outcome: the buttons became the outcomes (and a way back).
        outcomes = [d for _, d in details.buttons()]
        assert "s|close|1|buddy" in outcomes
        assert outcomes[-1] == "s|show|1"
        await press(anna, details, "s|close|1|buddy")

        queued = await app.followup.sweep(clock.advance(minutes=5))
        assert queued["reporter_checkin"] == 1
        await channel.worker.drain(clock())
        checkin = reporter.chat[-1]
        catalog = app.catalogs[language]
        expected = render(msg(ft.CHECKIN_QUESTION, reference=Token(reference)), catalog, language)
        assert checkin.plain_text == expected
        labels = [label for label, _ in checkin.buttons()]
        assert labels == [render(Msg(t), catalog, language) for t in ft.CHECKIN_CHOICES.values()]
        if language == "ar":
            assert any("\u0600" <= ch <= "\u06ff" for ch in checkin.plain_text)

        thanks = (await press(reporter, checkin, "k|1|worried"))[-1]
        assert thanks.plain_text == render(msg(ft.CHECKIN_PASSED_ON), catalog, language)
        assert checkin.buttons() == []  # answered: it cannot be pressed again
        await channel.worker.drain(clock())
        async with app.store.unit_of_work() as uow:
            signal = await uow.signals.get(1)
            events = [(e.action, e.detail) for e in await uow.signals.events(1)]
        assert signal is not None
        assert signal.status == "reopened"
        assert signal.outcome is None
        assert ("reporter_answer", "worried") in events
        flag = anna.chat[-1]
        assert reference in flag.plain_text
        assert "nog steeds zorgen" in flag.plain_text
        assert "heropend" in flag.plain_text
        # The reporter never hears which care followed: only received / picked up / closed.
        shown = "\n".join(m.plain_text for m in reporter.chat)
        assert render(Msg("Buddy or volunteer coupled"), catalog, language) not in shown


async def test_staff_ask_the_reporter_and_the_answer_comes_back_without_phone_numbers(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    clock = Clock()
    reporter = Person(fake, FakeUser(id=802, first_name="R", language_code="nl"))
    anna = Person(fake, ANNA)
    async with running_bot(fake, tmp_path, clock, run_outbox=False) as (app, channel):
        await link(app, anna)
        reference = await file_report(reporter)
        details = await claimed_details(app, channel, clock, fake, anna)
        prompt = (await press(anna, details, "s|ask_reporter|1"))[-1]
        assert (prompt.reply_markup or {}).get("force_reply") is True
        assert reference in prompt.plain_text

        [refused] = await anna.handled(fake.user_replies(ANNA, prompt, "Bel mij op 0612345678"))
        assert "telefoonnummers" in refused.plain_text.lower()
        [sent] = await anna.handled(fake.user_replies(ANNA, prompt, "Heeft zij familie dichtbij?"))
        assert reference in sent.plain_text
        await channel.worker.drain(clock())
        question = reporter.chat[-1]
        assert "Heeft zij familie dichtbij?" in question.plain_text
        assert (question.reply_markup or {}).get("force_reply") is True

        answer = fake.user_replies(reporter.user, question, "Een zoon, nummer 06 1234 5678")
        thanks = await reporter.handled(answer)
        assert any("telefoonnummers" in m.plain_text.lower() for m in thanks)
        await channel.worker.drain(clock())
        relayed = anna.chat[-1]
        assert "Een zoon, nummer" in relayed.plain_text
        assert "5678" not in relayed.plain_text
        assert relayed.protect_content
        async with app.store.unit_of_work() as uow:
            actions = [e.action for e in await uow.signals.events(1)]
        assert actions.count("question") == 1
        assert "reporter_reply" in actions


async def test_signaal_command_shows_details_only_to_those_who_may_see_them(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    clock = Clock()
    anna, bob, mallory = Person(fake, ANNA), Person(fake, BOB), Person(fake, MALLORY)
    reporter = Person(fake, FakeUser(id=803, first_name="R", language_code="nl"))
    async with running_bot(fake, tmp_path, clock, run_outbox=False) as (app, channel):
        await link(app, anna)
        await link(app, bob)
        reference = await file_report(reporter, REPORT)
        await claimed_details(app, channel, clock, fake, anna)
        await anna.says(f"/signaal {reference}")
        await bob.says(f"/signaal {reference.lower()}")
        [refused] = await mallory.says(f"/signaal {reference}")
        [unknown] = await bob.says("/signaal SP-1999-0001")
        await channel.worker.drain(clock())
        assert "Alleen gekoppelde" in refused.plain_text
        assert "/signaal SP-2026-0001" in unknown.plain_text
        again = anna.chat[-1]
        assert again.protect_content
        assert "Contact met melder" in again.plain_text
        card = bob.chat[-1]
        assert reference in card.plain_text
        assert "Contact met melder" not in card.plain_text
        async with app.store.unit_of_work() as uow:
            views = [e for e in await uow.audit.entries(1) if e[1] == "view"]
        assert {outcome for _, _, outcome in views} == {"staff_details", "staff_card"}


async def test_a_reporter_who_blocked_the_bot_is_recorded_not_alarmed(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    clock = Clock()
    reporter = Person(fake, FakeUser(id=804, first_name="R", language_code="tr"))
    admin = Person(fake, ADMIN)
    async with running_bot(fake, tmp_path, clock, run_outbox=False) as (app, channel):
        await link(app, admin, "admin")
        await file_report(reporter)
        await channel.worker.drain(clock())
        fake.blocked.add(reporter.user.id)
        queued = await app.followup.sweep(clock.advance(days=15))
        assert queued["reporter_checkin"] == 1
        await channel.worker.drain(clock())
        async with app.store.unit_of_work() as uow:
            events = [(e.action, e.detail) for e in await uow.signals.events(1)]
            counts = await uow.outbox.counts()
        assert ("reporter_unreachable", "reporter_checkin") in events
        assert counts.get("dead") == 1
        await channel.worker.drain(clock())
        assert [m for m in admin.chat if "kon niet worden bezorgd" in m.plain_text] == []
        # Unreachable is not "no reaction": five days later nothing more is recorded.
        assert (await app.followup.sweep(clock.advance(days=5)))["reporter_no_reaction"] == 0


async def test_referral_check_buttons_and_a_call_for_help_reach_the_regisseur(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    clock = Clock()
    anna, bob = Person(fake, ANNA), Person(fake, BOB)
    reporter = Person(fake, FakeUser(id=805, first_name="R", language_code="nl"))
    async with running_bot(fake, tmp_path, clock, run_outbox=False) as (app, channel):
        await link(app, anna)
        await link(app, bob, "regisseur")
        reference = await file_report(reporter, REPORT)
        details = await claimed_details(app, channel, clock, fake, anna)
        await press(anna, details, "s|contact|1")
        await press(anna, details, "s|refer|1")
        await press(anna, details, "s|refer|1|team_welzijn")
        queued = await app.followup.sweep(clock.advance(days=14, hours=1))
        assert queued["referral_check"] == 1
        await channel.worker.drain(clock())
        check = anna.chat[-1]
        assert reference in check.plain_text
        assert [d for _, d in check.buttons()] == [
            "s|on_track|1",
            "s|close|1",
            "s|needs_help|1",
        ]
        await press(anna, check, "s|needs_help|1")
        await channel.worker.drain(clock())
        assert "Anna" in bob.chat[-1].plain_text
        assert reference in bob.chat[-1].plain_text
        assert (await app.followup.sweep(clock.advance(days=1)))["referral_check"] == 0
