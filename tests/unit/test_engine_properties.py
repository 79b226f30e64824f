"""Random event sequences never raise and always leave a valid, storable state."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.dialog.dialogs import DIALOGS, WELCOME
from core.dialog.engine import START, START_LANGUAGE, Engine
from core.dialog.events import Event, Pick, Reopen, Submitted, TextIn
from core.dialog.flows import FLOWS
from core.dialog.state import ConversationState
from core.text.catalog import Catalog
from core.text.languages import LANGUAGES
from core.text.render import render, render_label
from tests.support.driver import T0

STEP_IDS = sorted({s.id for f in FLOWS.values() for s in f.steps} | set(DIALOGS))
CHOICE_IDS = sorted(
    {c.id for f in FLOWS.values() for s in f.steps for c in s.choices}
    | {c.id for d in DIALOGS.values() for c in d.choices}
    | {"area:axel", "area:nowhere", "done", "back"}
)
texts = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "/start",
            "stop",
            "/taal",
            "/help",
            "/privacy",
            "1",
            "2",
            "3",
            "1, 2",
            "99",
            "4531 AB",
            "0612345678",
            "ja",
            "yes",
            "evet",
            "نعم",
            "tak",
            "так",
            "/start p_jumbo",
            "",
            "😀",
        ]
    ),
)
events: st.SearchStrategy[Event] = st.one_of(
    texts.map(TextIn),
    st.builds(Pick, st.sampled_from(STEP_IDS), st.sampled_from(CHOICE_IDS)),
    st.builds(Submitted, st.just("SP-2026-0001")),
    st.just(Reopen()),
)
gaps = st.sampled_from([timedelta(seconds=2), timedelta(hours=1), timedelta(hours=30)])


def assert_valid(state: ConversationState) -> None:
    assert state.language in LANGUAGES
    if state.flow is None:
        assert state.prompt in {START, START_LANGUAGE, WELCOME.id}
    else:
        flow = FLOWS[state.flow]
        flow.step(state.prompt)
        assert set(state.answers) <= {s.id for s in flow.steps}
    assert state.dialog is None or state.dialog in DIALOGS
    assert ConversationState.from_json(state.to_json()) == state


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    language=st.sampled_from(LANGUAGES),
    steps=st.lists(st.tuples(events, gaps), max_size=40),
)
def test_random_sequences_never_raise(
    engine: Engine,
    catalogs: Mapping[str, Catalog],
    language: str,
    steps: list[tuple[Event, timedelta]],
) -> None:
    replay(engine, catalogs, engine.new_state(language), steps)


def replay(
    engine: Engine,
    catalogs: Mapping[str, Catalog],
    state: ConversationState,
    steps: list[tuple[Event, timedelta]],
) -> ConversationState:
    """Advance through ``steps``: every state valid, every reply renders in the reporter's
    language."""
    now = T0
    for event, gap in steps:
        now += gap
        outcome = engine.advance(state, event, now)
        state = outcome.state
        assert_valid(state)
        catalog = catalogs[state.language]
        for reply in outcome.replies:
            for text in reply.texts:
                render(text, catalog, state.language)
            for choice in reply.choices:
                render_label(choice.label, catalog, state.language)
    return state
