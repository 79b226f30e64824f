"""The Telegram channel end to end: the real PTB client, our bot, the fake Bot API on
loopback. Tests act as Telegram users: they type, press buttons, send photos."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.staff.accounts import StaffAccounts
from tests.fakes.telegram_api import FakeTelegram, FakeUser
from tests.support.reports import REPORT
from tests.support.telegram_harness import LOKET, T0, Clock, Person, running_bot

pytestmark = pytest.mark.e2e

CASHIER = FakeUser(id=501, first_name="Sanne", language_code="nl")
ANNA = FakeUser(id=601, first_name="Anna", language_code="nl")
BOB = FakeUser(id=602, first_name="Bob", language_code="nl")
MALLORY = FakeUser(id=666, first_name="Mallory", language_code="en")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


async def file_report(person: Person) -> str:
    await person.says("/start")
    done: list[str] = []
    for prompt, choice in REPORT:
        done = [m.plain_text for m in await person.taps(prompt, choice)]
    [reference] = [w.strip("\u2066\u2068\u2069.,") for t in done for w in t.split() if "SP-" in w]
    return reference


ANSWERED = {"nl": "Je antwoord: ", "ar": "إجابتك: "}


@pytest.mark.parametrize(("language", "thanks"), [("nl", "Dank je wel"), ("ar", "شكر")])
async def test_full_report_by_taps(
    fake: FakeTelegram, tmp_path: Path, language: str, thanks: str
) -> None:
    person = Person(fake, FakeUser(id=777, first_name="R", language_code=language))
    async with running_bot(fake, tmp_path):
        await person.says("/start")
        for prompt, choice in REPORT:
            before = person.question()
            replies = await person.taps(prompt, choice)
            if prompt == "observations" and choice != "done":
                # A toggle edits the same message: ✓ appears, nothing new is sent.
                assert replies == [before]
                assert any(label.startswith("✓") for label, _ in before.buttons())
            else:
                # The answered question's buttons are gone: they cannot be pressed twice.
                live = [data for message in person.chat for _, data in message.buttons()]
                assert f"r|{prompt}|{choice}" not in live
        # Every question stays in the chat with the answer under it (ADR 0111).
        chat = "\n".join(m.plain_text for m in person.chat)
        assert chat.count(ANSWERED[language]) == len(
            [p for p, c in REPORT if c == "done" or p != "observations"]
        )
        done = "\n".join(m.plain_text for m in replies)
        assert thanks in done
        assert "SP-2026-0001" in done
        card = await fake.next_message(LOKET)
    assert "SP-2026-0001" in card.plain_text
    assert [label for label, _ in card.buttons()] == ["Oppakken"]
    assert card.parse_mode == "HTML"


async def test_stale_buttons_media_and_edits_get_a_friendly_answer(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    person = Person(fake, CASHIER)
    async with running_bot(fake, tmp_path):
        await person.says("/start")
        welcome = person.question()
        await person.taps("welcome", "report")
        await person.taps("role", "shop")
        # Pressing a button of an earlier question (a client that still shows it).
        stale = fake.user_presses(CASHIER, welcome, "r|welcome|report")
        replies = await person.handled(stale)
        assert "werkt niet meer" in replies[0].plain_text
        assert "r|age_group|75_plus" in [d for _, d in replies[-1].buttons()]
        assert fake.answered_callbacks, "every button press is answered"
        # (A voice note is read: tests/e2e/test_voice_telegram.py. A contact that is not a
        # phone question's answer is not.)
        for send in (
            fake.user_sends_photo,
            fake.user_sends_sticker,
            fake.user_sends_location,
            fake.user_sends_contact,
        ):
            replies = await person.handled(send(CASHIER))
            assert "alleen tekst, knoppen en spraakberichten" in replies[0].plain_text
            assert "r|age_group|75_plus" in [d for _, d in replies[-1].buttons()]
        typed = fake.user_sends(CASHIER, "75")
        await person.handled(typed)
        replies = await person.handled(fake.user_edits(CASHIER, typed, "65"))
        assert "bewerkt" in replies[0].plain_text
        # Forged button data is treated like a stale button, never as an answer.
        forged = fake.user_presses(CASHIER, person.question(), "r|summary|send")
        replies = await person.handled(forged)
        assert "werkt niet meer" in replies[0].plain_text


async def test_html_in_answers_is_escaped(fake: FakeTelegram, tmp_path: Path) -> None:
    person = Person(fake, CASHIER)
    async with running_bot(fake, tmp_path):
        await person.says("/start")
        for prompt, choice in REPORT[:6]:
            await person.taps(prompt, choice)
        await person.says("1234 AB")  # the postcode, typed
        await person.taps("contact_language", "nl")
        await person.taps("callback", "no")
        await person.taps("person_reach", "details")
        replies = await person.says("<b>Mevr. & Dhr.</b> <script>x</script> &amp;")
        # The fake refuses unparsable HTML, so arriving at all proves the escaping.
        assert replies
        assert person.question().buttons()


async def test_groups_are_ignored_except_the_loket_group(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    person = Person(fake, CASHIER)
    async with running_bot(fake, tmp_path):
        other_group = fake.user_sends(CASHIER, "/start", chat_id=-100999)
        in_loket = fake.user_sends(CASHIER, "hallo", chat_id=LOKET)
        code_in_group = fake.user_sends(CASHIER, "/koppel ABCD-EFGH-JKLM", chat_id=LOKET)
        await person.handled(code_in_group)
    assert fake.messages(-100999) == []
    [warning] = fake.messages(LOKET)
    assert "privéchat" in warning.plain_text
    assert other_group["update_id"] < in_loket["update_id"]


async def test_staff_link_claim_details_and_card_update(fake: FakeTelegram, tmp_path: Path) -> None:
    cashier, anna, bob = Person(fake, CASHIER), Person(fake, ANNA), Person(fake, BOB)
    async with running_bot(fake, tmp_path) as (app, _):
        code = await app.accounts.create_invite("loket", T0)
        [welcome] = await anna.says(f"/koppel {code}")
        assert "Welkom, Anna" in welcome.plain_text
        [reused] = await bob.says(f"/koppel {code}")
        assert "ongeldig, al gebruikt of verlopen" in reused.plain_text
        reference = await file_report(cashier)
        card = await fake.next_message(LOKET)
        assert reference in card.plain_text
        for private in ("Sanne", "Axel"):  # the card is minimal: neighbourhood, not names
            assert (private in card.plain_text) == (private == "Axel")

        # A stranger presses "Oppakken": refused, recorded, the card is unchanged.
        refused = fake.user_presses(MALLORY, card, f"s|claim|{1}")
        await fake.wait_for(lambda: (fake.last_offset or 0) > refused["update_id"])
        answer = list(fake.answered_callbacks.values())[-1]
        assert "Alleen gekoppelde" in str(answer)
        assert [label for label, _ in card.buttons()] == ["Oppakken"]

        claim = fake.user_presses(ANNA, card, "s|claim|1")
        await fake.wait_for(lambda: any(m.protect_content for m in anna.chat), what="details")
        [details] = [m for m in anna.chat if m.protect_content]
        assert details.protect_content
        assert reference in details.plain_text
        assert "Contact met melder" in details.plain_text
        assert [label for label, _ in details.buttons()] == [
            "Contact gelegd",
            "Afsluiten",
            "Niet op te volgen",
            "Hulp nodig (regisseur)",
            "Vraag aan melder",
            "Vrijgeven",
        ]
        await fake.wait_for(lambda: "Opgepakt door Anna" in card.plain_text, what="card edit")
        assert card.buttons() == []
        assert claim["update_id"] > refused["update_id"]

        # Bob is not linked (his code was refused): his press on the private card is refused.
        fake.user_presses(BOB, details, "s|contact|1")
        contact = fake.user_presses(ANNA, details, "s|contact|1")
        await fake.wait_for(lambda: (fake.last_offset or 0) > contact["update_id"])
        await fake.wait_for(lambda: "Doorverwezen" in [lbl for lbl, _ in details.buttons()])
        async with app.store.unit_of_work() as uow:
            signal = await uow.signals.get(1)
            assert signal is not None
            assert signal.status == "in_contact"
            audit = await uow.audit.entries(1)
    assert ("telegram:666", "claim", "refused:not_staff") in audit
    assert ("telegram:602", "contact", "refused:not_staff") in audit


async def test_expired_invite_is_refused(fake: FakeTelegram, tmp_path: Path) -> None:
    anna = Person(fake, ANNA)
    async with running_bot(fake, tmp_path, Clock(T0 + timedelta(hours=25))) as (app, _):
        code = await StaffAccounts(app.store).create_invite("admin", T0)
        [reply] = await anna.says(f"/koppel {code}")
    assert "verlopen" in reply.plain_text


async def test_the_same_update_twice_is_processed_once(fake: FakeTelegram, tmp_path: Path) -> None:
    person = Person(fake, CASHIER)
    async with running_bot(fake, tmp_path):
        await person.says("/start")
        press = fake.user_presses(CASHIER, person.question(), "r|welcome|report")
        first = await person.handled(press)
        fake.redeliver(press)
        await fake.wait_for(lambda: fake.updates_offered >= 3, what="redelivery offered")
        again = await person.says("/help")  # a later update: its reply shows nothing in between
    assert len(first) == 1
    assert "/start" in again[0].plain_text or "knop" in again[0].plain_text
    assert "r|role|shop" in [d for _, d in again[-1].buttons()]


async def test_language_from_telegram_then_taal_and_menus(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    person = Person(fake, FakeUser(id=903, first_name="Oksana", language_code="uk-UA"))
    stranger = Person(fake, FakeUser(id=904, first_name="Ana", language_code="pt-br"))
    async with running_bot(fake, tmp_path):
        [welcome] = await person.says("/start")
        assert "Вітаємо" in welcome.plain_text or "Привіт" in welcome.plain_text
        await person.says("/taal")
        replies = await person.taps("language", "tr")
        assert "Türkçe" in replies[0].plain_text or "devam" in replies[0].plain_text
        [fallback] = await stranger.says("/start")
        assert "Hallo" in fallback.plain_text  # Dutch, with every other language named
        assert "Português" not in fallback.plain_text
        assert "r|welcome|tr" in [d for _, d in fallback.buttons()]
    languages = {language for (_, language) in fake.commands}
    assert languages == {"", "nl", "en", "tr", "ar", "pl", "uk"}
    assert all(c["command"] != "koppel" for cs in fake.commands.values() for c in cs)


async def test_webhook_refuses_a_wrong_or_missing_secret(
    fake: FakeTelegram, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    secret = "s3cret-token_for-tests"
    sock = socket.socket()
    request.addfinalizer(sock.close)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)  # connections wait in the backlog until uvicorn accepts them
    port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    person = Person(fake, CASHIER)
    async with running_bot(
        fake,
        tmp_path,
        telegram_mode="webhook",
        telegram_webhook_url="https://signaalpunt.example/telegram/webhook",
        telegram_webhook_secret=secret,
        http_port=port,
        sock=sock,
    ):
        assert fake.webhook is not None
        update = fake.user_sends(CASHIER, "/start")
        assert await fake.post_webhook(url, update, None) == 401
        assert await fake.post_webhook(url, update, "wrong-secret-value") == 401
        assert await fake.post_webhook(url, update, secret[:-1] + "X") == 401
        assert fake.messages(CASHIER.id) == []
        assert await fake.post_webhook(url, update, secret) == 200
        assert await fake.post_webhook(url, update, secret) == 200  # Telegram retried
        assert person.chat
        assert len(person.chat) == 1
