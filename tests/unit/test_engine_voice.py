"""Voice notes in the conversation (issue 23): a note starts the voice flow (buttons only,
"the municipality calls you back"), answers a free-text question, or is kept with the report
while the question is asked again; refused notes are explained and lose nothing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import pytest

from core.dialog import messages as m
from core.dialog.draft import signal_lines
from core.dialog.engine import START_LANGUAGE, Engine
from core.dialog.events import CheckSignalLimit, ContactShared, VoiceIn, VoiceRefused
from core.dialog.flows import REPORT_OTHER, VOICE_FLOW
from core.dialog.model import VOICE_ANSWER
from core.dialog.state import VoiceRef
from core.text.catalog import Catalog
from core.text.languages import LANGUAGES, LanguageName, language_name
from core.text.msgids import Msg, Token
from core.text.render import render
from tests.support.driver import Driver
from tests.support.reports import REPORT

NUMBER = "+31612345678"


def spoken(driver: Driver, note: int, seconds: float = 12.4) -> None:
    driver.send(VoiceIn(note, seconds))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_voice_note_starts_a_call_back_report_answered_with_buttons(
    engine: Engine, catalogs: Mapping[str, Catalog], language: str
) -> None:
    driver = Driver(engine, catalogs, language)
    outcome = driver.engine.advance(driver.state, VoiceIn(7, 41.6), driver.now)
    assert CheckSignalLimit() in outcome.effects
    spoken(driver, 7, 41.6)
    assert driver.state.flow == VOICE_FLOW
    assert driver.state.voices == (VoiceRef(7, 42),)
    # The welcome on screen showed the safety numbers: not again.
    assert driver.msgids()[0] == m.VOICE_START
    assert m.SAFETY not in driver.msgids()
    # The first question names the chat's language, and is answered with a button.
    assert driver.prompt == "callback"
    assert driver.choice_ids() == ["yes", "no"]
    question = render(driver.last.texts[-1], catalogs[language], language)
    named = driver.last.texts[-1].params["language"]
    assert named == LanguageName(language)
    assert language_name(language, language) in question
    driver.tap("yes")
    # No number known (Telegram, the web chat): typed, or shared with one tap.
    assert driver.prompt == "reporter_phone"
    assert driver.last.asks_phone
    assert driver.last.accepts_text
    assert driver.last.share_phone is not None
    assert driver.choice_ids() == []
    driver.type("06 12345678")
    assert driver.prompt == "summary"
    shown = "\n".join(driver.texts())
    assert "06 12345678" in shown
    driver.tap("send")
    [draft] = driver.drafts
    assert draft.kind == "voice"
    assert draft.language == language
    assert draft.codes == {"callback": "yes", "contact_language": language}
    assert draft.reporter_phone == NUMBER
    assert draft.voice_notes == ((7, None),)
    assert m.DONE_CALLBACK in driver.msgids()
    assert not driver.state.voices  # sent: the notes went with the signal


def test_the_summary_shows_the_voice_notes_and_the_call_back_language(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    driver = Driver(engine, catalogs, "tr")
    spoken(driver, 1)
    driver.tap("yes")
    driver.type("0612345678")
    summary = [t for r in driver.replies for t in r.texts]
    lines = {
        getattr(t.params.get("label"), "msgid", None): t.params.get("value")
        for t in summary
        if t.msgid == m.SUMMARY_LINE
    }
    assert lines[m.VOICE_COUNT_LABEL] == Token("1")
    # The call back's language is the chat's, and can be changed there.
    driver.tap("change")
    assert "contact_language" in driver.choice_ids()
    driver.tap("contact_language")
    driver.tap("ar")
    assert driver.prompt == "summary"
    driver.tap("send")
    assert driver.drafts[0].codes["contact_language"] == "ar"
    assert driver.drafts[0].language == "tr"


def asked_the_number(
    engine: Engine, catalogs: Mapping[str, Catalog], known: str | None = NUMBER
) -> Driver:
    """A resident who spoke and asked to be called; the number is asked now."""
    driver = Driver(engine, catalogs, "nl")
    driver.state = driver.state.with_(known_phone=known)
    spoken(driver, 3)
    driver.tap("yes")
    assert driver.prompt == "reporter_phone"
    return driver


def test_whatsapp_offers_the_number_it_knows(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    driver = asked_the_number(engine, catalogs)
    assert driver.msgids()[-1] == m.OWN_PHONE_KNOWN
    assert "06 12345678" in driver.texts()[-1]
    assert driver.choice_ids() == ["known"]
    assert driver.last.share_phone is None  # nothing to share: the number is known
    driver.tap("known")
    assert driver.prompt == "summary"
    driver.tap("send")
    assert driver.drafts[0].reporter_phone == NUMBER


def test_another_number_may_be_typed_instead_of_the_known_one(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    driver = asked_the_number(engine, catalogs)
    driver.type("020 1234567")
    driver.tap("send")
    assert driver.drafts[0].reporter_phone == "+31201234567"


def test_a_shared_contact_answers_the_phone_question_and_nothing_else(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    driver = Driver(engine, catalogs, "nl")
    spoken(driver, 3)
    driver.send(ContactShared("31612345678"))  # not a phone question: read as media
    assert driver.msgids()[0] == m.UNREADABLE
    assert driver.prompt == "callback"
    driver.tap("yes")
    driver.send(ContactShared("31612345678"))  # Telegram may leave out the "+"
    assert driver.prompt == "summary"
    driver.tap("send")
    assert driver.drafts[0].reporter_phone == NUMBER


def test_no_call_back_still_sends_the_voice_note(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    driver = Driver(engine, catalogs, "uk")
    spoken(driver, 9)
    driver.tap("no")
    assert driver.prompt == "summary"
    driver.tap("send")
    [draft] = driver.drafts
    assert draft.codes["callback"] == "no"
    assert draft.reporter_phone is None
    assert draft.voice_notes == ((9, None),)
    assert m.DONE_NO_CONTACT in driver.msgids()


def _to_step(driver: Driver, step: str) -> None:
    for prompt, choice in REPORT:
        if driver.prompt == step:
            return
        assert driver.prompt == prompt
        driver.tap(choice)
    assert driver.prompt == step


def test_a_voice_note_at_a_question_with_buttons_is_kept_and_the_question_asked_again(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    driver = Driver(engine, catalogs, "nl")
    driver.tap("report")
    asked = driver.prompt
    answers = driver.state.answers
    spoken(driver, 21)
    assert driver.msgids()[0] == m.VOICE_KEPT
    assert driver.prompt == asked
    assert driver.state.answers == answers
    assert driver.state.voices == (VoiceRef(21, 12),)
    for prompt, choice in REPORT[1:]:
        assert driver.prompt == prompt
        driver.tap(choice)
    [draft] = driver.drafts
    assert draft.kind == "other"
    assert draft.voice_notes == ((21, None),)


def test_a_voice_note_at_a_free_text_question_is_its_answer(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    driver = Driver(engine, catalogs, "nl")
    driver.tap("report")
    for step, choice in (
        ("role", "neighbour"),
        ("age_group", "75_plus"),
        ("observations", "often_alone"),
        ("observations", "done"),
        ("place", "unknown"),
        ("contact_language", "nl"),
        ("callback", "no"),
        ("person_reach", "details"),
    ):
        assert driver.prompt == step, driver.texts()
        driver.tap(choice)
    assert driver.prompt == "person_contact"
    spoken(driver, 5)
    assert driver.msgids()[0] == m.VOICE_THANKS
    assert driver.state.answers["person_contact"].choice == VOICE_ANSWER
    assert driver.prompt == "awareness"
    driver.tap("no")
    assert driver.prompt == "summary"
    # At the summary, a note where the note is offered is the note.
    spoken(driver, 6)
    assert driver.state.answers["note"].choice == VOICE_ANSWER
    assert driver.prompt == "summary"
    driver.tap("send")
    [draft] = driver.drafts
    assert draft.person_contact is None
    assert draft.note is None
    assert draft.voice_notes == ((5, "person_contact"), (6, "note"))
    # The loket reads which questions the voice notes answer.
    lines = [render(t, catalogs["nl"], "nl") for t in signal_lines(REPORT_OTHER, draft, ())]
    voiced = render(Msg(m.VOICE_ANSWER), catalogs["nl"], "nl")
    assert sum(voiced in line for line in lines) == 2


def test_no_more_notes_than_the_limit(engine: Engine, catalogs: Mapping[str, Catalog]) -> None:
    driver = Driver(engine, catalogs, "pl")
    for note in (1, 2, 3):
        spoken(driver, note)
    assert len(driver.state.voices) == engine.max_voice_notes == 3
    asked = driver.prompt
    spoken(driver, 4)
    assert driver.msgids()[0] == m.VOICE_LIMIT
    assert "3" in driver.texts()[0]
    assert [v.id for v in driver.state.voices] == [1, 2, 3]
    assert driver.prompt == asked


@pytest.mark.parametrize(
    ("reason", "limit", "msgid", "shows"),
    [
        ("too_long", 120.0, m.VOICE_TOO_LONG, "2"),
        ("too_large", 0.0, m.VOICE_TOO_LARGE, None),
        ("unplayable", 0.0, m.VOICE_UNPLAYABLE, None),
    ],
)
def test_a_refused_note_is_explained_and_nothing_is_lost(
    engine: Engine,
    catalogs: Mapping[str, Catalog],
    reason: str,
    limit: float,
    msgid: str,
    shows: str | None,
) -> None:
    driver = Driver(engine, catalogs, "en")
    driver.tap("report")
    driver.tap("neighbour")
    before = driver.state
    driver.send(VoiceRefused(reason, limit))
    assert driver.msgids()[0] == msgid
    if shows is not None:
        assert shows in driver.texts()[0]
    assert driver.state.answers == before.answers
    assert driver.state.prompt == before.prompt


def test_on_whatsapp_the_language_comes_first_and_the_note_waits(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    driver = Driver(engine, catalogs, "nl")
    driver.state = engine.new_state("nl", ask_language=True)
    assert driver.state.prompt == START_LANGUAGE
    spoken(driver, 11)
    assert driver.msgids()[0] == m.VOICE_THANKS
    assert driver.prompt == "language"
    assert driver.state.voices == (VoiceRef(11, 12),)
    driver.tap("tr")
    assert driver.language == "tr"
    assert driver.state.flow == VOICE_FLOW
    assert driver.prompt == "callback"
    assert driver.state.answers["contact_language"].choice == "tr"


def test_stopping_or_starting_again_drops_the_notes(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    driver = Driver(engine, catalogs, "nl")
    spoken(driver, 1)
    driver.type("stop")
    driver.tap("yes")
    assert driver.state.voices == ()
    spoken(driver, 2)
    driver.type("/start")
    driver.tap("yes")
    assert driver.state.voices == ()


def test_at_the_signal_limit_the_voice_report_does_not_start(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    driver = Driver(engine, catalogs, "nl")
    driver.at_signal_limit = True
    spoken(driver, 1)
    assert m.SIGNAL_LIMIT_NO_NUMBER in driver.msgids()  # no municipality number set
    assert driver.state.flow is None
    assert driver.state.voices == ()  # the shell drops the note's audio


def test_a_note_after_a_day_away_waits_under_the_welcome_back(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    driver = Driver(engine, catalogs, "nl")
    driver.tap("report")
    driver.send(VoiceIn(4, 3.0), after=timedelta(hours=25))
    assert driver.prompt == "resume"
    assert driver.state.voices == (VoiceRef(4, 3),)
    driver.tap("continue")
    assert driver.prompt == "role"
    assert driver.state.voices == (VoiceRef(4, 3),)


def test_a_voice_note_as_the_very_first_message_comes_with_the_safety_numbers(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    driver = Driver(engine, catalogs, "nl")
    driver.state = engine.new_state("nl")  # nothing on screen yet (Telegram's first message)
    spoken(driver, 1)
    assert driver.msgids()[:2] == [m.VOICE_START, m.SAFETY]
    assert driver.prompt == "callback"
