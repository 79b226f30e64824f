"""The web chat's transcript (who said what, which buttons are live) and the browser's
language preference."""

from __future__ import annotations

from bot.channels.webchat.chat import accepted_language
from bot.channels.webchat.inputs import (
    Answered,
    Command,
    Language,
    LoketButton,
    Pressed,
    Typed,
    input_of,
)
from bot.channels.webchat.transcript import BOT, LOKET, MAX_ENTRIES, ME, Choice, Entry, Transcript
from bot.rendering import RenderedChoice, RenderedReply


def ask(prompt: str, *choices: tuple[str, str, bool], multi: bool = False) -> RenderedReply:
    shown = tuple(RenderedChoice(i, label, selected) for i, label, selected in choices)
    return RenderedReply(f"Question {prompt}?", prompt, shown, multi, "nl")


OBSERVATIONS = [
    ("alone", "Often alone", False),
    ("sad", "Seems sad", False),
    ("done", "Done", False),
]


def test_the_browsers_preferred_supported_language_is_the_hint() -> None:
    assert accepted_language("ar-SA,ar;q=0.9,en;q=0.8") == "ar"
    assert accepted_language("de-DE,de;q=0.9,tr;q=0.5,en;q=0.7") == "en"
    assert accepted_language("fr, uk;q=0.2") == "uk"
    assert accepted_language("en;q=0, pl;q=0.1") == "pl"
    assert accepted_language("fr, de") is None
    assert accepted_language("nl;q=abc") is None
    assert accepted_language(None) is None


def test_only_the_newest_bot_question_is_live() -> None:
    transcript = Transcript().said(None, [ask("welcome", ("report", "Report", False))])
    transcript = transcript.picked("welcome", "report", [ask("danger", ("no", "No", False))])
    first, me, second = transcript.entries
    assert (first.who, me.who, second.who) == (BOT, ME, BOT)
    assert me.text == "Report"
    assert not transcript.live(first)
    assert transcript.live(second)
    assert transcript.latest() == second


def test_a_toggle_redraws_the_question_in_place_and_done_says_what_was_chosen() -> None:
    transcript = Transcript().said(None, [ask("observations", *OBSERVATIONS, multi=True)])
    marked = [("alone", "Often alone", True), *OBSERVATIONS[1:]]
    toggled = transcript.picked("observations", "alone", [ask("observations", *marked, multi=True)])
    assert len(toggled.entries) == 1
    assert toggled.entries[0].n == transcript.entries[0].n
    assert toggled.entries[0].choices[0].selected
    moved = toggled.picked("observations", "done", [ask("awareness", ("no", "No", False))])
    assert [e.text for e in moved.entries if e.who == ME] == ["Often alone"]


def test_a_stale_button_shows_its_label_and_an_unknown_one_nothing() -> None:
    transcript = Transcript().said(None, [ask("welcome", ("report", "Report", False))])
    transcript = transcript.picked("welcome", "report", [ask("danger", ("no", "No", False))])
    stale = transcript.picked("welcome", "report", [ask("danger", ("no", "No", False))])
    assert [e.text for e in stale.entries if e.who == ME] == ["Report", "Report"]
    forged = transcript.picked("-", "-", [ask("danger", ("no", "No", False))])
    assert [e.text for e in forged.entries if e.who == ME] == ["Report"]


def test_a_loket_button_is_live_until_used_and_a_question_until_answered() -> None:
    checkin = Entry(0, LOKET, "Contact?", "nl", choices=(Choice("k|1|yes", "Yes"),), reference="R")
    question = Entry(0, LOKET, "Alone?", "nl", reference="R", question=True)
    transcript = Transcript().from_loket(checkin).from_loket(question)
    assert transcript.live(transcript.entries[0])
    assert transcript.open_question("R") == transcript.entries[1]
    thanks = RenderedReply("Thanks", None, (), False, "nl")
    used = transcript.used_button("k|1|yes", thanks)
    assert not used.live(used.entries[0])
    assert [e.text for e in used.entries if e.who == ME] == ["Yes"]
    answered = used.answered("R", "Yes, alone", thanks)
    assert answered.open_question("R") is None
    assert answered.entries[-2].text == "Yes, alone"


def test_only_the_last_entries_are_kept_and_numbers_go_on() -> None:
    transcript = Transcript()
    for number in range(MAX_ENTRIES):
        transcript = transcript.said(f"message {number}", [ask(f"q{number}")])
    assert len(transcript.entries) == MAX_ENTRIES
    assert transcript.entries[-1].n == 2 * MAX_ENTRIES
    again = Transcript.from_json(transcript.to_json())
    assert again == transcript
    assert again.said("one more", []).entries[-1].n == 2 * MAX_ENTRIES + 1


def test_a_damaged_transcript_reads_as_what_can_be_read() -> None:
    data = {"entries": [{"who": "me", "text": "hi", "n": 3}, "junk", {"choices": [[1]]}]}
    transcript = Transcript.from_json(data, "tr")
    assert transcript.language == "tr"
    assert [e.text for e in transcript.entries] == ["hi", ""]
    assert transcript.next_n == 4


def test_a_form_asks_one_thing_and_unknown_or_empty_ones_nothing() -> None:
    assert input_of({"prompt": "danger", "choice": "no", "text": ""}) == Pressed("danger", "no")
    assert input_of({"choice": "no"}) == Pressed("-", "no")
    assert input_of({"data": "k|1|yes"}) == LoketButton("k|1|yes")
    assert input_of({"question": "SP-2026-0001", "answer": "ja"}) == Answered("SP-2026-0001", "ja")
    assert input_of({"question": "SP-2026-0001", "answer": "  "}) is None
    assert input_of({"command": "verwijder"}) == Command("verwijder")
    assert input_of({"command": "sudo"}) is None
    assert input_of({"language": "ar"}) == Language("ar")
    assert input_of({"language": "xx"}) is None
    assert input_of({"text": "hallo"}) == Typed("hallo")
    assert input_of({"nonce": "abc"}) is None


def test_one_answer_box_answers_the_newest_question_or_the_one_chosen() -> None:
    question = Entry(0, LOKET, "Alone?", "nl", reference="SP-1", question=True)
    asked = Transcript().from_loket(question)
    assert asked.answering() == asked.entries[0]  # the newest message: the box answers it
    later = asked.said("hallo", [ask("welcome", ("report", "Report", False))])
    assert later.answering() is None  # the box answers the conversation again
    chosen = later.answering("SP-1")  # "Answer this question" under the older one
    assert chosen is not None
    assert chosen.reference == "SP-1"
    assert later.answering("SP-9") is None  # no such open question
    answered = later.answered("SP-1", "Ja", RenderedReply("Thanks", None, (), False, "nl"))
    assert answered.answering("SP-1") is None


def test_multiple_answers_are_joined_the_language_s_way() -> None:
    choices = [("a", "واحد", True), ("b", "اثنان", True), ("done", "تم", False)]
    shown = RenderedReply(
        "?", "observations", tuple(RenderedChoice(*c) for c in choices), True, "ar"
    )
    transcript = Transcript().said(None, [shown])
    done = transcript.picked("observations", "done", [ask("place")])
    assert [e.text for e in done.entries if e.who == ME] == ["واحد\u060c اثنان"]
