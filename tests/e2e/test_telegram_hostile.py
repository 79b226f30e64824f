"""Hostile input over the real Telegram channel and the fake Bot API: odd language codes,
markup typed by reporters, and forged button presses by reporters, strangers and staff."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from core.dialog.dialogs import WELCOME
from core.dialog.flows import REPORT_OTHER
from core.followup import texts as ft
from core.lifecycle import staff_texts as t
from tests.fakes.telegram_api import FakeTelegram, FakeUser, SentMessage
from tests.support.reports import REPORT
from tests.support.telegram_harness import LOKET, T0, Clock, Person, running_bot

pytestmark = pytest.mark.e2e

CASHIER = FakeUser(id=501, first_name="Sanne", language_code="nl")
# A staff name is shown on the group card: markup in it must arrive as typed.
ANNA = FakeUser(id=601, first_name="Anna <b>&amp;</b>", language_code="nl")
BOB = FakeUser(id=602, first_name="Bob", language_code="nl")
MALLORY = FakeUser(id=666, first_name="Mallory", language_code="en")
# What a reporter may type as a note: markup of both kinds Telegram knows, and entities.
NOTE = "<b>Mevr.</b> & Dhr. <script>x</script> &amp; &lt; *vet* _schuin_ [a](b) ~s~ `c` >"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


def said(app: App, language: str, msgid: str) -> str:
    return app.catalogs[language].gettext(msgid)


LANGUAGE_CODES: list[tuple[str | None, str]] = [
    (None, "nl"),
    ("", "nl"),
    ("pt-br", "nl"),
    ("ar-SA", "ar"),
    ("AR", "ar"),
    ("tr-TR", "tr"),
    ("x" * 300, "nl"),
    ("../../etc", "nl"),
    ("\x00", "nl"),
    ("uk\x00", "nl"),
]


async def test_any_language_code_gets_a_welcome_in_a_language_we_speak(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    async with running_bot(fake, tmp_path) as (app, _):
        for number, (code, language) in enumerate(LANGUAGE_CODES):
            person = Person(fake, FakeUser(id=800 + number, first_name="R", language_code=code))
            [welcome] = await person.says("/start")
            assert welcome.plain_text.startswith(
                said(app, language, WELCOME.prompt).split("%")[0]
            ), code
            replies = await person.taps("welcome", "report")
            first = said(app, language, REPORT_OTHER.step("role").prompt)
            # The question is edited in under the answered welcome (ADR 0111).
            assert replies[-1].plain_text.rpartition("\n\n")[2].startswith(first), code


async def answer_up_to_the_summary(person: Person, note: str) -> SentMessage:
    await person.says("/start")
    for prompt, choice in REPORT:
        if prompt == "summary":
            break
        await person.taps(prompt, choice)
    [summary] = await person.says(note)  # the note, typed at the summary
    return summary


async def test_markup_typed_by_a_reporter_is_echoed_exactly_and_escaped(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    cashier, anna = Person(fake, CASHIER), Person(fake, ANNA)
    async with running_bot(fake, tmp_path) as (app, _):
        code = await app.accounts.create_invite("loket", T0)
        await anna.says(f"/koppel {code}")
        summary = await answer_up_to_the_summary(cashier, NOTE)
        # The fake refuses text that is no valid Telegram HTML, so arriving proves escaping;
        # what the reporter sees is exactly what they typed.
        assert f"\u2068{NOTE}\u2069" in summary.plain_text
        assert "&lt;b&gt;Mevr.&lt;/b&gt; &amp; Dhr." in summary.text
        assert "&amp;amp; &amp;lt;" in summary.text
        await cashier.taps("summary", "send")
        card = await fake.next_message(LOKET)
        assert NOTE not in card.plain_text  # the group card is minimal
        fake.user_presses(ANNA, card, "s|claim|1")
        await fake.wait_for(lambda: any(m.protect_content for m in anna.chat), what="details")
    [details] = [message for message in anna.chat if message.protect_content]
    assert NOTE in details.plain_text
    assert details.parse_mode == "HTML"


def forged_payloads() -> list[str]:
    rng = random.Random(20261123)
    noise = [rng.randbytes(rng.randint(1, 90)).decode("utf-8", "replace") for _ in range(6)]
    noise += [rng.randbytes(rng.randint(1, 40)).decode("latin-1") for _ in range(4)]
    return [
        *noise,
        "",
        "r|summary|send",  # another question's button
        "r|role|no_such_role",
        "r|language|xx",
        "r|role|" + "shop" * 20,  # over 64 bytes
        "r|" + "é" * 40,
        "x" * 5000,
        "s|show|1",  # a staff button in a reporter's chat
        "k|1|yes",  # a check-in answer for a signal that is not theirs
        "s|claim|99999999999999999999",
    ]


async def test_forged_buttons_of_a_reporter_change_no_answer(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    cashier, clock = Person(fake, CASHIER), Clock()
    async with running_bot(fake, tmp_path, clock) as (app, _):
        await cashier.says("/start")
        for prompt, choice in REPORT[:2]:  # now at the age question
            await cashier.taps(prompt, choice)
        for data in forged_payloads():
            clock.advance(seconds=10)  # a patient forger: below any message pace
            press = fake.user_presses(CASHIER, cashier.question(), data)
            replies = await cashier.handled(press)
            assert str(press["callback_query"]["id"]) in fake.answered_callbacks, repr(data)
            assert not any(reply.protect_content for reply in replies)
            question = cashier.question()
            assert "r|age_group|75_plus" in [d for _, d in question.buttons()], repr(data)
        done = []
        for prompt, choice in REPORT[2:]:
            clock.advance(seconds=10)
            done = await cashier.taps(prompt, choice)
        assert "SP-2026-0001" in done[-1].plain_text
        async with app.store.unit_of_work() as uow:
            signal = await uow.signals.get(1)
    assert signal is not None
    codes = signal.draft.codes
    assert (codes["danger"], codes["role"], codes["age_group"]) == ("no", "shop", "75_plus")


async def test_forged_staff_buttons_change_nothing_and_show_no_details(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    cashier, anna, bob = Person(fake, CASHIER), Person(fake, ANNA), Person(fake, BOB)
    mallory, clock = Person(fake, MALLORY), Clock()
    async with running_bot(fake, tmp_path, clock) as (app, _):
        for staff in (anna, bob):
            await staff.says(f"/koppel {await app.accounts.create_invite('loket', T0)}")
        await answer_up_to_the_summary(cashier, NOTE)
        await cashier.taps("summary", "send")
        card = await fake.next_message(LOKET)
        [welcome] = await mallory.says("/start")

        async def press(who: Person, on: SentMessage, data: str) -> str:
            clock.advance(seconds=10)
            update = fake.user_presses(who.user, on, data)
            await who.handled(update)
            answer = fake.answered_callbacks[str(update["callback_query"]["id"])]
            return str(answer.get("text", ""))

        refused = said(app, "nl", t.REFUSED_NOT_STAFF)
        for data in ("s|claim|1", "s|show|1", "s|close|1|other", "s|contact|1", "s|release|1"):
            assert await press(mallory, welcome, data) == refused, data
            assert await press(mallory, card, data) == refused, data
        assert welcome.edits == 0  # no staff buttons drawn under a stranger's message
        # A stranger gets the same answer for an action or a signal that does not exist.
        assert await press(mallory, card, "s|delete_everything|1") == refused
        assert await press(mallory, card, "s|claim|999") == refused
        unknown = said(app, "nl", t.REFUSED_UNKNOWN)
        [checkin] = await mallory.handled(fake.user_presses(MALLORY, welcome, "k|1|no"))
        assert checkin.plain_text == said(app, "en", ft.CHECKIN_UNKNOWN)

        # Staff, but the wrong step, an option that does not exist, a signal that does not.
        [linked] = bob.chat
        for data in ("s|close|1|other", "s|refer|1|team_welzijn", "s|close|1|bogus"):
            assert await press(bob, card, data) not in ("", refused), data
        assert await press(bob, card, "s|claim|999") == unknown
        await press(anna, card, "s|claim|1")
        await fake.wait_for(lambda: any(m.protect_content for m in anna.chat), what="details")
        await fake.wait_for(lambda: "Anna <b>&amp;</b>" in card.plain_text, what="card edit")
        # Bob is loket staff but not the assignee: he may not act, and sees nothing more.
        for data in ("s|close|1|other", "s|release|1", "s|ask_reporter|1", "s|claim|1"):
            assert await press(bob, linked, data) not in ("", refused), data
        async with app.store.unit_of_work() as uow:
            signal = await uow.signals.get(1)
            audit = await uow.audit.entries(1)
    assert signal is not None
    assert signal.status == "claimed"
    assert ("telegram:666", "close", "refused:not_staff") in audit
    assert ("staff:2", "close", "refused:not_assignee") in audit
    for person in (mallory, bob):
        assert not any(message.protect_content for message in person.chat)
        assert not any("Mevr." in message.plain_text for message in person.chat)
    answers = [str(a.get("text", "")) for a in fake.answered_callbacks.values()]
    assert not any("Mevr." in text for text in answers)
