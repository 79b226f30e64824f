"""Every kind of bad input is answered with a hint and loses nothing already entered."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from core.dialog import messages as m
from core.dialog.engine import Engine
from core.dialog.state import Answer
from core.text.catalog import Catalog
from tests.support.driver import Driver

HOSTILE = {
    "empty": "",
    "whitespace": "   \t \n  ",
    "long": "x" * 5000,
    "controls": "\x07\x1b[31mred\x1b[0m",
    "nul": "ab\x00cd",
    "lone-surrogate": "hi \ud800 there",
    "bidi-overrides": "\u202e\u2066evil\u2069\u202c",
    "combining-marks": "a" + "\u0301" * 500,
    "emoji-only": "😀😀🎉",
    "out-of-range": "99",
    "label-other-language": "Komşu",  # Turkish "neighbour" while the reporter speaks Dutch
    "brace-template": "{name}",
    "percent-template": "%(x)s %s %d",
}


def at_role(engine: Engine, catalogs: Mapping[str, Catalog]) -> Driver:
    d = Driver(engine, catalogs, "nl")
    d.tap("report")
    assert d.prompt == "role"
    return d


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_choice_step_never_loses_answers(
    engine: Engine, catalogs: Mapping[str, Catalog], text: str
) -> None:
    d = at_role(engine, catalogs)
    d.type(text)
    if text == "Komşu":  # a label in another supported language is understood
        assert d.state.answers["role"].choice == "neighbour"
        return
    assert d.prompt == "role"
    assert d.state.answers["danger"].choice == "no"
    hint = d.msgids()[0]
    assert hint in {m.EMPTY, m.NOT_UNDERSTOOD, m.OUT_OF_RANGE}
    rendered = " ".join(d.texts())
    assert "{name}" not in rendered
    assert "%(x)s" not in rendered


def at_summary(engine: Engine, catalogs: Mapping[str, Catalog]) -> Driver:
    """At the summary, where a note is typed."""
    d = at_role(engine, catalogs)
    d.tap("family")
    d.tap("unknown")
    d.type("2")
    d.tap("done")
    d.tap("unknown")
    d.tap("unknown")
    d.tap("here")
    assert d.prompt == "summary"
    return d


def at_text(engine: Engine, catalogs: Mapping[str, Catalog]) -> Driver:
    """At a free-text question: the person's details (no contact with the reporter)."""
    d = at_role(engine, catalogs)
    for choice in ("family", "unknown", "often_alone", "done", "unknown", "unknown", "no"):
        d.tap(choice)
    d.tap("details")
    assert d.prompt == "person_contact"
    return d


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("", m.EMPTY),
        ("  \n ", m.EMPTY),
        ("\x00\x01\x02", m.EMPTY),
        ("\u202e\u2066", m.EMPTY),
        ("😀😀🎉", m.NO_SUBSTANCE),
        ("!!!???", m.NO_SUBSTANCE),
        ("x" * 5000, m.TOO_LONG),
    ],
)
def test_free_text_refusals(
    engine: Engine, catalogs: Mapping[str, Catalog], text: str, hint: str
) -> None:
    d = at_summary(engine, catalogs)
    before = dict(d.state.answers)
    d.type(text)
    assert d.prompt == "summary"
    assert d.msgids()[0] == hint
    assert d.state.answers == before


def test_too_long_says_by_how_much_with_plural(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    d = at_summary(engine, catalogs)
    d.type("y" * 1001)
    assert "1" in d.texts()[0]
    d.type("y" * 5000)
    assert "4000" in d.texts()[0]


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("{name} komt %(x)s nooit buiten", "{name} komt %(x)s nooit buiten"),
        ("ab\x00cd", "abcd"),
        ("\u202eevil\u202c text", "evil text"),
        ("a" + "\u0301" * 500, "á" + "\u0301" * 3),
        ("Kom 😀 langs", "Kom 😀 langs"),
        ("hi \ud800 there", "hi there"),
    ],
)
def test_free_text_is_cleaned_and_kept_inert(
    engine: Engine, catalogs: Mapping[str, Catalog], text: str, stored: str
) -> None:
    d = at_summary(engine, catalogs)
    d.type(text)
    assert d.prompt == "summary"
    assert d.state.answers["note"].value == stored
    assert stored in " ".join(d.texts())  # the summary echoes it literally


@pytest.mark.parametrize("text", ["12345", "0123 AB", "1234 SA", "AB 1234", "1234 ABC", "هولندا"])
def test_invalid_postcodes(engine: Engine, catalogs: Mapping[str, Catalog], text: str) -> None:
    d = at_role(engine, catalogs)
    for choice in ["family", "unknown"]:
        d.tap(choice)
    d.type("1")
    d.tap("done")
    assert d.prompt == "place"
    d.type(text)
    assert d.prompt == "place"
    assert "4531 AB" in d.texts()[0]


@pytest.mark.parametrize("text", ["06-1234567a", "0800-FLOWERS", "06 123", "+31 6 abc", "😀"])
def test_invalid_phone_numbers(engine: Engine, catalogs: Mapping[str, Catalog], text: str) -> None:
    d = Driver(engine, catalogs, "en")
    d.tap("self")
    d.tap("no")
    d.tap("someone_to_talk")
    d.tap("done")
    d.tap("unknown")
    d.tap("phone")
    assert d.prompt == "self_phone"
    d.type(f"Fatma {text}")
    assert d.prompt == "self_phone"
    assert "self_name" not in d.state.answers  # nothing kept of a refused answer


@pytest.mark.parametrize(
    ("text", "name", "phone"),
    [
        ("Fatma 06 12345678", "Fatma", "+31612345678"),
        ("0612345678", None, "+31612345678"),
        ("Ali ٠٦١٢٣٤٥٦٧٨", "Ali", "+31612345678"),
        ("Piet de Vries, +32 470 12 34 56", "Piet de Vries", "+32470123456"),
    ],
)
def test_a_name_typed_with_the_phone_number_answers_the_name(
    engine: Engine, catalogs: Mapping[str, Catalog], text: str, name: str | None, phone: str
) -> None:
    d = Driver(engine, catalogs, "en")
    for choice in ("self", "no", "someone_to_talk", "done", "unknown", "phone"):
        d.tap(choice)
    d.type(text)
    assert d.state.answers["self_phone"].value == phone
    assert d.state.answers.get("self_name", Answer()).value == name
    assert d.prompt == "contact_language"


def test_multi_select_needs_one(engine: Engine, catalogs: Mapping[str, Catalog]) -> None:
    d = at_role(engine, catalogs)
    d.tap("family")
    d.tap("unknown")
    d.tap("done")
    assert d.prompt == "observations"
    d.type("1, 99")
    assert d.msgids()[0] == m.OUT_OF_RANGE
    assert d.prompt == "observations"


def test_exclusive_choice_clears_others(engine: Engine, catalogs: Mapping[str, Catalog]) -> None:
    d = Driver(engine, catalogs, "en")
    d.tap("self")
    d.tap("no")
    d.tap("someone_to_talk")
    d.tap("grief")
    d.tap("unknown")
    assert d.state.selection == ("unknown",)
    d.tap("practical")
    assert d.state.selection == ("practical",)
