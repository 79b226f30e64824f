"""A tap's answer and the next question edited into the pressed message (ADR 0111): two Bot
API calls a tap, every question with its answer still readable in the chat, and the
fallbacks where Telegram will not or cannot edit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.telegram_api import (
    FROM_WEBHOOK_RESPONSE,
    MAX_TEXT,
    FakeTelegram,
    FakeUser,
    SentMessage,
)
from tests.support.reports import REPORT
from tests.support.telegram_harness import WEBHOOK_SECRET, Person, running_bot, webhook_bot

pytestmark = pytest.mark.e2e

CASHIER = FakeUser(id=501, first_name="Sanne", language_code="nl")
ANSWER = "\nJe antwoord: \u2068Ik maak me zorgen om iemand\u2069"
REPLY_CALLS = ("answerCallbackQuery", "sendMessage", "editMessageText", "editMessageReplyMarkup")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


def calls(fake: FakeTelegram) -> int:
    return sum(len(fake.calls(method)) for method in REPLY_CALLS)


async def test_every_tap_of_a_report_costs_two_calls_and_keeps_the_answers_readable(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    person = Person(fake, CASHIER)
    async with running_bot(fake, tmp_path):
        await person.says("/start")
        for prompt, choice in REPORT:
            before = calls(fake)
            question = person.question()
            label = {data: text for text, data in question.buttons()}[f"r|{prompt}|{choice}"]
            [shown] = await person.taps(prompt, choice)
            assert calls(fake) - before == 2  # the press answered, the message edited
            assert shown is question
            if prompt == "observations" and choice != "done":
                continue  # a toggle: the ✓ marks in place, no answer line yet
            shown_text = shown.plain_text
            if choice == "done":  # the answer is what was ticked, not "Klaar"
                assert "Je antwoord: \u2068Vaak alleen" in shown_text
            else:
                assert f"Je antwoord: \u2068{label}\u2069" in shown_text
        assert len(person.chat) == 1  # one message, grown: the questions, answers and thanks
        chat = person.chat[0].plain_text
        # In order: each question before its answer, the thanks last.
        assert chat.index("Hoe ken je de persoon?") < chat.index("Ik werk in een winkel")
        assert chat.rstrip().endswith("over je melding.")
        assert "SP-2026-0001" in chat
        assert len(fake.answered_callbacks) == len(REPORT)


async def answered_then_asked_anew(person: Person, welcome: SentMessage) -> SentMessage:
    """Tap the welcome's first choice, answered in three calls: the welcome keeps its text
    with the answer under it and no buttons; the next question is a message of its own."""
    before = calls(person.fake)
    replies = await person.taps("welcome", "report")
    assert calls(person.fake) - before == 3
    assert replies[0] is welcome
    assert welcome.buttons() == []
    assert welcome.plain_text.endswith(ANSWER)
    assert replies[-1].plain_text.startswith("Hoe ken je de persoon?")
    assert "r|role|shop" in [data for _, data in replies[-1].buttons()]
    return replies[-1]


async def test_without_answers_in_place_each_question_is_a_new_message(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    person = Person(fake, CASHIER)
    async with running_bot(fake, tmp_path, telegram_answers_in_place=False):
        [welcome] = await person.says("/start")
        await answered_then_asked_anew(person, welcome)


async def test_a_pressed_message_the_reporter_deleted_gets_the_next_question_anew(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    person = Person(fake, CASHIER)
    async with running_bot(fake, tmp_path):
        [welcome] = await person.says("/start")
        update = fake.user_presses(CASHIER, welcome, "r|welcome|report")
        welcome.deleted = True  # after the press: "message to edit not found"
        replies = await person.handled(update)
        assert [m.plain_text.startswith("Hoe ken je de persoon?") for m in replies] == [True]
        assert "r|role|shop" in [data for _, data in replies[0].buttons()]
        assert len(fake.answered_callbacks) == 1
        # The next tap, on the new message, is edited in again.
        [shown] = await person.taps("role", "shop")
        assert shown is replies[0]
        assert "Je antwoord: \u2068Ik werk in een winkel\u2069" in shown.plain_text


async def test_a_message_that_would_grow_too_long_is_closed_and_the_question_sent_anew(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    person = Person(fake, CASHIER)
    async with running_bot(fake, tmp_path):
        [welcome] = await person.says("/start")
        # The message as Telegram holds it is near its 4096 characters (as after many
        # answers): the answer still fits under it, the next question does not.
        room = MAX_TEXT - len(welcome.plain_text) - len(ANSWER) - len("\n\n") - 10
        welcome.text = "x" * room + "\n\n" + welcome.text
        asked = await answered_then_asked_anew(person, welcome)
        [shown] = await person.taps("role", "shop")  # the new message grows from here
        assert shown is asked


async def test_in_webhook_mode_a_tap_is_one_request_of_ours(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """The press is answered in the webhook's response (Telegram carries it out), the next
    question edited in: one request of the bot's per tap, two Bot API calls."""
    async with webhook_bot(fake, tmp_path) as (_, port):
        url = f"http://127.0.0.1:{port}/telegram/webhook"
        assert await fake.post_webhook(url, fake.user_sends(CASHIER, "/start"), WEBHOOK_SECRET)
        [welcome] = fake.messages(CASHIER.id)
        before = len(fake.requests)
        tap = fake.user_presses(CASHIER, welcome, "r|welcome|report")
        assert await fake.post_webhook(url, tap, WEBHOOK_SECRET) == 200
        made = [r for r in fake.requests[before:] if r.method in REPLY_CALLS]
        ours = [r.method for r in made if FROM_WEBHOOK_RESPONSE not in r.headers]
        answered = [r.method for r in made if FROM_WEBHOOK_RESPONSE in r.headers]
        assert (ours, answered) == (["editMessageText"], ["answerCallbackQuery"])
        assert [r.status for r in made] == [200, 200]
        assert tap["callback_query"]["id"] in fake.answered_callbacks
        assert "Je antwoord: \u2068Ik maak me zorgen om iemand\u2069" in welcome.plain_text
        # A typed message has no press to answer: the response carries nothing.
        assert await fake.post_webhook(url, fake.user_sends(CASHIER, "hallo"), WEBHOOK_SECRET)
        assert not [r for r in fake.requests if r.method == "answerCallbackQuery"][1:]
