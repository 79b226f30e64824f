"""Hostile typed input over the engine: markup, look-alike and emoji-prefixed commands,
zero-width characters, at every kind of step.

What is decided here: a command is recognised only when the text, once sanitised and
NFKC-normalised, is that command ("／start" is /start; invisible format characters the
sanitiser drops do not count). Anything else that looks like a command ("/stаrt" with a
Cyrillic а, "👋 /start", "⁄start", "/st\u200dart") is ordinary input: never a command,
never the label of a choice, answered with a hint (or kept as the text of a free-text
answer), and no answer given before is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.dialog.commands import parse_command
from core.dialog.engine import Engine
from core.dialog.events import Event, Outcome, Pick, Reopen, Submitted, TextIn, Unreadable
from core.dialog.flows import FLOWS
from core.dialog.model import Kind
from core.dialog.state import ConversationState
from core.text.catalog import Catalog
from core.text.languages import LANGUAGES
from core.text.sanitize import clean_text
from tests.support.driver import Driver
from tests.unit.test_bad_input import HOSTILE, at_role, at_summary, at_text
from tests.unit.test_engine_properties import CHOICE_IDS, STEP_IDS, replay

COMMANDS = ["/start", "/stop", "/taal", "/help", "/privacy", "/status", "/language", "/begin"]
COMMANDS += ["/cancel", "/hulp", "/durum", "/dil", "/lang", "/stoppen"]
COMMANDS += ["/verwijder", "/delete", "/sil", "/erase"]
STOP_WORDS = [
    "stop",
    "stoppen",
    "dur",
    "durdur",
    "توقف",
    "إيقاف",
    "стоп",
    "скасувати",
    "zatrzymaj",
    "zakończ",
]
# Letters and the Cyrillic or Greek letters that look the same (and back).
LOOKALIKES = dict(zip("aeopcsiluhv", "аеорсѕіӏυһν", strict=True))
LOOKALIKES |= {"с": "c", "о": "o", "п": "n", "т": "t"}
FAKE_SLASHES = ["⁄", "∕", "⧸", "\\", "╱"]
EMOJI = ["👋 ", "🙂", "🙏🏽 ", "❤️ ", "👍", "🇳🇱 "]
JOINERS = ["\u200d", "\u200c"]
MARKUP = [
    "<b>vet</b>",
    "&amp; &lt;script&gt;",
    "<script>alert(1)</script>",
    "*vet* _schuin_ [link](http://x.example) ~weg~ `code` ```blok```",
    "<a href='javascript:alert(1)'>klik</a>",
    "\\*niet vet\\*",
    "</b></i><pre>",
]


@st.composite
def disguised(draw: st.DrawFn) -> tuple[str, bool]:
    """A command or stop word in disguise, and whether it was a stop word."""
    base = draw(st.sampled_from(COMMANDS + STOP_WORDS))
    ways = draw(st.sets(st.sampled_from(["emoji", "lookalike", "slash", "joiner"]), min_size=1))
    text = base
    if "lookalike" in ways:
        at = [i for i, ch in enumerate(text) if ch in LOOKALIKES]
        if at:
            i = draw(st.sampled_from(at))
            text = text[:i] + LOOKALIKES[text[i]] + text[i + 1 :]
    if "joiner" in ways:
        between = [i for i in range(1, len(text)) if text[i - 1].isalpha() and text[i].isalpha()]
        i = draw(st.sampled_from(between))
        text = text[:i] + draw(st.sampled_from(JOINERS)) + text[i:]
    if "slash" in ways and text.startswith("/"):
        text = draw(st.sampled_from(FAKE_SLASHES)) + text[1:]
    if "emoji" in ways:
        text = draw(st.sampled_from(EMOJI)) + text
    assume(text != base)
    return text, base in STOP_WORDS


# -- where a reporter can be when the disguise arrives ------------------------------------

Reach = Callable[[Engine, Mapping[str, Catalog]], Driver]


def _observations(engine: Engine, catalogs: Mapping[str, Catalog]) -> Driver:
    d = at_role(engine, catalogs)
    d.tap("family")
    d.tap("unknown")
    d.tap("often_alone")
    return d


def _help_wanted(engine: Engine, catalogs: Mapping[str, Catalog]) -> Driver:
    d = Driver(engine, catalogs, "en")
    d.tap("self")
    d.tap("no")
    return d


def _place(engine: Engine, catalogs: Mapping[str, Catalog]) -> Driver:
    d = _observations(engine, catalogs)
    d.tap("done")
    d.tap("unknown")
    return d


def _miss_three_times(d: Driver) -> None:
    for _ in range(3):
        d.type("???")


def _then(reach: Reach, step: Callable[[Driver], object]) -> Reach:
    def reached(engine: Engine, catalogs: Mapping[str, Catalog]) -> Driver:
        d = reach(engine, catalogs)
        step(d)
        return d

    return reached


PLACES: dict[str, Reach] = {
    "welcome": lambda engine, catalogs: Driver(engine, catalogs, "nl"),
    "choice": at_role,
    "multi": _observations,
    "help_wanted": _help_wanted,
    "place": _place,
    "text": at_text,
    "summary": at_summary,
    "edit": _then(at_summary, lambda d: d.tap("change")),
    "resume": _then(at_role, lambda d: d.send(Reopen(), after=timedelta(hours=30))),
    "trouble": _then(at_role, _miss_three_times),
    "confirm_stop": _then(at_role, lambda d: d.type("stop")),
    "language": _then(at_role, lambda d: d.type("/taal")),
}


def assert_ordinary(before: ConversationState, text: str, stop_word: bool, out: Outcome) -> None:
    """``text`` was taken as ordinary input: nothing lost, no command, no label."""
    after = out.state
    assert out.effects == ()
    assert (after.flow, after.language, after.partner) == (
        before.flow,
        before.language,
        before.partner,
    )
    current = FLOWS[before.flow].step(before.prompt) if before.flow and not before.dialog else None
    typed = current is not None and current.kind in {Kind.TEXT, Kind.PHONE}
    for step_id, answer in before.answers.items():
        if not (typed and step_id == before.prompt):
            assert after.answers.get(step_id) == answer, step_id
    if typed and before.prompt in after.answers and after.answers != before.answers:
        assert after.answers[before.prompt].value == clean_text(text)  # kept as typed
        return
    assert after.prompt == before.prompt
    assert after.selection == before.selection
    # A hint; the question again, or the way out after repeated misses. A stop word read
    # as the label "Stop" asks to confirm, as the word itself would.
    allowed = {before.dialog, "trouble"} | ({"confirm_stop"} if stop_word else set())
    assert after.dialog in allowed


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(disguise=disguised())
@pytest.mark.parametrize("place", PLACES)
def test_a_disguised_command_is_ordinary_input_everywhere(
    engine: Engine, catalogs: Mapping[str, Catalog], place: str, disguise: tuple[str, bool]
) -> None:
    text, stop_word = disguise
    assert parse_command(text) is None
    d = PLACES[place](engine, catalogs)
    before = d.state
    outcome = engine.advance(before, TextIn(text), d.now + timedelta(seconds=3))
    assert_ordinary(before, text, stop_word, outcome)


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("／start", "/start"),
        ("／ｓｔａｒｔ", "/start"),
        ("/ＴＡＡＬ", "/taal"),
        ("/ſtart", "/start"),  # the long s is an s under NFKC
        ("ＳＴＯＰ", "stop"),
        ("\u200b/start", "/start"),  # zero-width space: dropped by the sanitiser
        ("/st\u00adart", "/start"),  # soft hyphen
        ("/he\u2060lp", "/help"),  # word joiner
        ("\u202e/stop\u202c", "/stop"),  # a direction override around it
        ("  /privacy\n", "/privacy"),
    ],
)
@pytest.mark.parametrize("place", ["choice", "summary", "resume"])
def test_the_same_command_after_normalisation_is_that_command(
    engine: Engine, catalogs: Mapping[str, Catalog], variant: str, canonical: str, place: str
) -> None:
    assert parse_command(variant) == parse_command(canonical) is not None
    d = PLACES[place](engine, catalogs)
    now = d.now + timedelta(seconds=3)
    assert engine.advance(d.state, TextIn(variant), now) == engine.advance(
        d.state, TextIn(canonical), now
    )


@pytest.mark.parametrize("text", MARKUP)
def test_markup_is_kept_literally_as_a_free_text_answer(
    engine: Engine, catalogs: Mapping[str, Catalog], text: str
) -> None:
    d = at_summary(engine, catalogs)
    d.type(text)  # the note, typed at the summary
    assert d.state.answers["note"].value == text
    assert f"\u2068{text}\u2069" in "\n".join(d.texts())  # isolated, otherwise untouched


# -- random sequences with hostile text ------------------------------------------------------

HOSTILE_TEXTS = [
    *HOSTILE.values(),
    *MARKUP,
    "/stаrt",
    "/tааl",
    "／start",
    "👋 /start",
    "🙂/stop",
    "/st\u200bart",
    "/st\u200dart",
    "\u200d\u200d\u200d",
    "a" + "\u20dd" * 200,
    "😀" + "\U000e0100" * 200,
    "\U000e0068\U000e0069",
    "/start p_../../etc",
    "/start p_" + "x" * 300,
]
texts = st.one_of(
    st.sampled_from(HOSTILE_TEXTS),
    disguised().map(lambda pair: pair[0]),
    st.text(max_size=40),
)
events: st.SearchStrategy[Event] = st.one_of(
    texts.map(TextIn),
    st.builds(Pick, st.sampled_from(STEP_IDS), st.sampled_from(CHOICE_IDS)),
    st.builds(Pick, st.text(max_size=70), st.text(max_size=70)),
    st.builds(Submitted, st.sampled_from(["SP-2026-0001", "", "<b>x</b>"])),
    st.sampled_from([Reopen(), Unreadable("media"), Unreadable("edited"), Unreadable("?")]),
)
gaps = st.sampled_from([timedelta(seconds=2), timedelta(hours=1), timedelta(hours=30)])


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    language=st.sampled_from(LANGUAGES),
    ask_language=st.booleans(),
    steps=st.lists(st.tuples(events, gaps), max_size=30),
)
def test_hostile_sequences_never_raise_and_end_valid(
    engine: Engine,
    catalogs: Mapping[str, Catalog],
    language: str,
    ask_language: bool,
    steps: list[tuple[Event, timedelta]],
) -> None:
    replay(engine, catalogs, engine.new_state(language, ask_language=ask_language), steps)
