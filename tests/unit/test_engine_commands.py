"""Commands at any step, editing from the summary, cancel, restart and resume."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from core.dialog import messages as m
from core.dialog.engine import Engine
from core.dialog.events import Pick, SetLanguage, TextIn
from core.dialog.state import ConversationState
from core.text.catalog import Catalog
from tests.support.driver import Driver


def to_summary(d: Driver) -> None:
    for choice in ["report", "neighbour", "75_plus"]:
        d.tap(choice)
    d.type("1,2")
    d.type("4531")
    d.tap("unknown")
    d.tap("here")
    assert d.prompt == "summary"


def test_edit_an_answer_returns_to_the_summary(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    d = Driver(engine, catalogs, "en")
    to_summary(d)
    d.tap("change")
    assert d.prompt == "edit"
    d.tap("age_group")
    assert d.prompt == "age_group"
    d.tap("65_74")
    assert d.prompt == "summary"
    assert d.state.answers["age_group"].choice == "65_74"
    assert d.state.answers["role"].choice == "neighbour"  # nothing else lost


def test_editing_into_a_follow_up_question_asks_it_before_the_summary(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    d = Driver(engine, catalogs, "en")
    to_summary(d)
    d.tap("change")
    d.tap("callback")
    d.tap("yes")
    assert d.prompt == "reporter_phone"
    d.type("Piet 0612345678")
    assert d.prompt == "summary"
    assert d.state.answers["reporter_name"].value == "Piet"
    d.tap("change")
    d.tap("callback")
    d.tap("no")  # no contact after all: name and phone are dropped, the person asked about
    assert d.prompt == "person_reach"
    d.tap("via_me")
    assert d.prompt == "no_followup"  # nobody could follow it up: said, with a choice
    d.tap("send")
    assert d.prompt == "summary"
    assert "reporter_name" not in d.state.answers
    d.tap("send")
    assert d.drafts[0].reporter_name is None
    assert d.drafts[0].reporter_phone is None


def test_edit_multi_select_starts_from_the_earlier_selection(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    d = Driver(engine, catalogs, "en")
    to_summary(d)
    d.tap("change")
    d.tap("observations")
    assert d.state.selection == ("often_alone", "says_lonely")
    d.tap("says_lonely")
    d.tap("done")
    assert d.state.answers["observations"].choices == ("often_alone",)
    assert d.prompt == "summary"


def test_edit_back_and_cancel(engine: Engine, catalogs: Mapping[str, Catalog]) -> None:
    d = Driver(engine, catalogs, "en")
    to_summary(d)
    d.tap("change")
    d.tap("back")
    assert d.prompt == "summary"
    d.tap("cancel")
    assert d.prompt == "confirm_stop"
    d.tap("no")
    assert d.prompt == "summary"
    d.tap("cancel")
    d.tap("yes")
    assert m.STOPPED in d.msgids()
    assert d.state.answers == {}
    assert d.state.flow is None
    assert d.drafts == []


def test_stop_word_at_any_step_asks_first(engine: Engine, catalogs: Mapping[str, Catalog]) -> None:
    d = Driver(engine, catalogs, "nl")
    d.tap("report")
    d.tap("shop")
    d.type("stop")
    assert d.prompt == "confirm_stop"
    d.tap("no")
    assert d.prompt == "age_group"
    assert d.state.answers["role"].choice == "shop"


def test_restart_with_a_draft_confirms(engine: Engine, catalogs: Mapping[str, Catalog]) -> None:
    d = Driver(engine, catalogs, "nl")
    d.tap("report")
    d.tap("shop")
    d.type("/start")
    assert d.prompt == "confirm_restart"
    d.tap("no")
    assert d.prompt == "age_group"
    assert "role" in d.state.answers
    d.type("/start")
    d.tap("yes")
    assert d.prompt == "welcome"
    assert d.state.answers == {}


def test_language_switch_keeps_answers(engine: Engine, catalogs: Mapping[str, Catalog]) -> None:
    d = Driver(engine, catalogs, "nl")
    d.tap("report")
    d.tap("shop")
    outcome = d.type("/taal")
    assert d.prompt == "language"
    outcome = d.tap("ar")
    assert SetLanguage("ar") in outcome.effects
    assert d.state.language == "ar"
    assert d.prompt == "age_group"
    assert d.state.answers["role"].choice == "shop"
    assert d.msgids()[0] == m.LANGUAGE_SET


def test_help_and_privacy_reask_the_current_step(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    d = Driver(engine, catalogs, "tr")
    d.tap("report")
    d.type("/help")
    assert d.msgids()[0] == m.HELP
    assert d.prompt == "role"
    d.type("/privacy")
    assert d.msgids()[0] == m.PRIVACY
    assert d.prompt == "role"


def test_privacy_from_the_welcome_menu(engine: Engine, catalogs: Mapping[str, Catalog]) -> None:
    d = Driver(engine, catalogs, "pl")
    d.tap("privacy")
    assert m.PRIVACY in d.msgids()
    assert d.prompt == "welcome"


def test_stale_button_is_answered_and_the_step_asked_again(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    d = Driver(engine, catalogs, "nl")
    d.tap("report")
    d.tap("shop")
    before = d.state.answers
    d.send(Pick("role", "neighbour"))  # the old keyboard
    assert d.msgids()[0] == m.STALE
    assert d.prompt == "age_group"
    assert d.state.answers == before


def test_forged_choice_is_refused(engine: Engine, catalogs: Mapping[str, Catalog]) -> None:
    d = Driver(engine, catalogs, "nl")
    d.tap("report")
    before = d.state.answers
    d.send(Pick("role", "../../etc/passwd"))
    assert d.prompt == "role"
    assert d.state.answers == before


def test_three_misses_offer_help_or_stop(engine: Engine, catalogs: Mapping[str, Catalog]) -> None:
    d = Driver(engine, catalogs, "en")
    d.tap("report")
    d.type("banana")
    d.type("banana")
    assert d.prompt == "role"
    d.type("banana")
    assert d.prompt == "trouble"
    d.tap("help")
    assert d.msgids()[0] == m.HELP
    assert d.prompt == "role"
    for _ in range(3):
        d.type("?")
    d.tap("stop")
    assert d.prompt == "confirm_stop"


def test_idle_draft_is_offered_to_resume(engine: Engine, catalogs: Mapping[str, Catalog]) -> None:
    d = Driver(engine, catalogs, "nl")
    d.tap("report")
    d.tap("shop")
    d.send(TextIn("3"), after=timedelta(hours=25))
    assert d.prompt == "resume"
    assert "age_group" not in d.state.answers  # the "3" was not taken as an answer
    d.tap("continue")
    assert d.prompt == "age_group"
    d.send(TextIn("hallo"), after=timedelta(days=3))
    d.tap("restart")
    assert d.prompt == "welcome"
    assert d.state.answers == {}


def test_short_pause_does_not_ask_to_resume(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    d = Driver(engine, catalogs, "nl")
    d.tap("report")
    d.send(Pick("role", "shop"), after=timedelta(hours=23))
    assert d.prompt == "age_group"


def test_state_survives_json_round_trip_mid_flow(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    d = Driver(engine, catalogs, "uk")
    to_summary(d)
    restored = ConversationState.from_json(d.state.to_json())
    assert restored == d.state


def test_first_message_shows_the_welcome_with_the_safety_lines(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    state = engine.new_state("ar")
    from tests.support.driver import T0

    outcome = engine.advance(state, TextIn("مرحبا"), T0)
    assert outcome.state.prompt == "welcome"
    assert m.SAFETY in [t.msgid for r in outcome.replies for t in r.texts]


def test_the_welcome_names_every_other_language_in_itself_and_switches_at_once(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    d = Driver(engine, catalogs, "nl")  # a guess: a Turkish elder with a +31 number
    labels = [d.label(c) for c in d.choice_ids()]
    assert {"Türkçe", "Polski", "Українська", "العربية", "English"} <= set(labels)
    assert "Nederlands" not in labels  # the language already on screen
    outcome = d.tap("tr")
    assert SetLanguage("tr") in outcome.effects
    assert d.prompt == "welcome"
    assert "Nederlands" in [d.label(c) for c in d.choice_ids()]


def test_a_new_report_is_one_button_after_sending_or_stopping(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    d = Driver(engine, catalogs, "en")
    to_summary(d)
    d.tap("send")
    assert d.choice_ids() == ["new"]
    d.tap("new")
    assert d.prompt == "welcome"
    d.tap("report")
    d.type("stop")
    d.tap("yes")
    assert d.choice_ids() == ["new"]
