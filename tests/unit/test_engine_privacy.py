"""The reporter's own erasure (/verwijder) and the daily signal limit, in the engine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.dialog import messages as m
from core.dialog.asking import command_params
from core.dialog.commands import parse_command
from core.dialog.engine import Engine
from core.dialog.events import CheckSignalLimit, EraseReporter, Event, Pick, Refused, Reopen, TextIn
from core.text.catalog import Catalog
from core.text.languages import LANGUAGES
from core.text.msgids import Msg
from core.text.render import render
from tests.support.driver import T0, Driver
from tests.unit.test_engine_commands import to_summary
from tests.unit.test_engine_properties import assert_valid, events, gaps

ERASE_COMMANDS = ["/verwijder", "/verwijderen", "/delete", "/erase", "/sil", "/حذف", "/usuń"]
ERASE_COMMANDS += ["/usun", "/видалити", "/VERWIJDER", "/verwijder@SignaalpuntBot"]


@pytest.mark.parametrize("text", ERASE_COMMANDS)
def test_erase_commands_in_every_language(text: str) -> None:
    command = parse_command(text)
    assert command is not None
    assert command.name == "erase"


def test_erase_asks_first_and_no_returns_with_nothing_lost(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    d = Driver(engine, catalogs, "en")
    d.tap("report")
    d.tap("shop")
    before = d.state.answers
    outcome = d.type("/verwijder")
    assert outcome.effects == ()
    assert d.prompt == "confirm_erase"
    # It says what goes and what stays, before anything is deleted.
    assert "contact details" in d.texts()[0]
    assert "stay with the municipality" in d.texts()[0]
    outcome = d.tap("no")
    assert outcome.effects == ()
    assert d.prompt == "age_group"
    assert d.state.answers == before


def test_erase_yes_asks_the_shell_to_erase_and_starts_afresh(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    d = Driver(engine, catalogs, "tr")
    d.type("/start p_jumbo-axel")
    to_summary(d)
    before = d.state
    d.type("/sil")
    outcome = d.tap("yes")
    assert outcome.effects == (EraseReporter(),)
    assert d.msgids() == [m.ERASED]
    assert d.last.choices == ()  # nothing a channel would remember of an erased reporter
    # Nothing of the reporter in the state the engine hands back, not even the partner.
    assert before.partner == "jumbo-axel"
    assert (d.state.flow, d.state.answers, d.state.partner) == (None, {}, None)
    assert d.state.language == "tr"
    assert d.drafts == []


@pytest.mark.parametrize("where", ["welcome", "summary", "resume", "language", "trouble"])
def test_erase_works_at_every_step_and_dialog(
    engine: Engine, catalogs: Mapping[str, Catalog], where: str
) -> None:
    d = Driver(engine, catalogs, "nl")
    if where == "trouble":  # at a question with buttons (typed text at the summary is a note)
        d.tap("report")
    elif where != "welcome":
        to_summary(d)
    if where == "resume":
        d.send(Reopen(), after=timedelta(hours=30))
    elif where == "language":
        d.type("/taal")
    elif where == "trouble":
        for _ in range(3):
            d.type("banaan")
    assert d.prompt == where
    d.type("/verwijder")
    assert d.prompt == "confirm_erase"
    assert d.tap("yes").effects == (EraseReporter(),)


def test_erase_as_the_very_first_message_is_not_put_off(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    state = engine.new_state("ar", ask_language=True)
    asked = engine.advance(state, TextIn("/verwijder"), T0)
    assert [r.prompt for r in asked.replies] == ["confirm_erase"]
    kept = engine.advance(asked.state, TextIn("2"), T0 + timedelta(seconds=3))
    assert kept.effects == ()
    assert kept.state.prompt == "welcome"
    erased = engine.advance(asked.state, TextIn("1"), T0 + timedelta(seconds=3))
    assert erased.effects == (EraseReporter(),)


@pytest.mark.parametrize("language", LANGUAGES)
def test_help_and_privacy_name_the_erase_command(
    catalogs: Mapping[str, Catalog], language: str
) -> None:
    for text in (m.HELP, m.PRIVACY):
        shown = render(Msg(text, command_params()), catalogs[language], language)
        assert "\u2066/verwijder\u2069" in shown  # left-to-right, never "verwijder/"
    assert ("verwijder", m.COMMAND_ERASE) in m.COMMAND_MENU


# -- the daily signal limit ----------------------------------------------------------------


@pytest.mark.parametrize("choice", ["report", "self"])
def test_starting_a_report_asks_the_shell_about_the_limit(
    engine: Engine, catalogs: Mapping[str, Catalog], choice: str
) -> None:
    d = Driver(engine, catalogs, "nl")
    outcome = d.tap(choice)
    assert outcome.effects == (CheckSignalLimit(),)
    assert d.state.flow is not None


def test_at_the_limit_a_new_report_is_refused_before_anything_is_typed(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    d = Driver(engine, catalogs, "pl")
    d.at_signal_limit = True
    d.tap("report")
    # Without the municipality's number set, "call the municipality" names none.
    assert d.msgids()[0] == m.SIGNAL_LIMIT_NO_NUMBER
    assert m.SAFETY in d.msgids()  # the numbers to call instead, with the welcome
    assert d.prompt == "welcome"
    assert d.state.flow is None
    assert "112" in d.texts()[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_at_the_limit_the_municipalitys_number_is_given(
    engine: Engine, catalogs: Mapping[str, Catalog], language: str
) -> None:
    """Issue 22: "call the municipality" with the number to call, in every language."""
    numbered = replace(engine, municipality_phone="14 0115")
    d = Driver(numbered, catalogs, language)
    d.at_signal_limit = True
    d.tap("report")
    assert d.msgids()[0] == m.SIGNAL_LIMIT
    assert "14 0115" in d.texts()[0]
    assert "112" in d.texts()[0]


def test_at_the_limit_send_keeps_the_draft_at_the_summary(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    d = Driver(engine, catalogs, "en")
    to_summary(d)
    answers = d.state.answers
    d.at_signal_limit = True
    d.tap("send")
    assert d.drafts == []
    assert d.msgids()[:2] == [m.SIGNAL_LIMIT_NO_NUMBER, m.SIGNAL_LIMIT_KEPT]
    assert d.prompt == "summary"
    assert d.state.answers == answers
    # Nothing in it says anything about the person or about earlier signals.
    refusal = " ".join(d.texts()[:2])
    assert "Axel" not in refusal
    assert "SP-" not in refusal
    d.at_signal_limit = False
    d.tap("send")
    assert len(d.drafts) == 1
    assert d.references == ["SP-2026-0001"]


def test_refused_outside_a_report_changes_nothing(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    d = Driver(engine, catalogs, "uk")
    before = d.state
    outcome = engine.advance(before, Refused("limit"), d.now)
    assert outcome.state == before
    assert outcome.replies == ()


# -- random sequences with erasure and refusals ------------------------------------------------

privacy_events: st.SearchStrategy[Event] = st.one_of(
    events,
    st.sampled_from(ERASE_COMMANDS).map(TextIn),
    st.just(Pick("confirm_erase", "yes")),
    st.just(Pick("confirm_erase", "no")),
    st.just(Refused("limit")),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ask_language=st.booleans(),
    steps=st.lists(st.tuples(privacy_events, gaps), max_size=30),
)
def test_erasure_and_refusals_never_raise_and_end_valid(
    engine: Engine, ask_language: bool, steps: list[tuple[Event, timedelta]]
) -> None:
    state = engine.new_state("ar", ask_language=ask_language)
    now = T0
    for event, gap in steps:
        now += gap
        outcome = engine.advance(state, event, now)
        if EraseReporter() in outcome.effects:
            assert (outcome.state.answers, outcome.state.partner) == ({}, None)
        state = outcome.state
        assert_valid(state)
