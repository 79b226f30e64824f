"""Typing "١، ٣" at a multi-select step (what an Arabic keyboard types for "1, 3") was not
understood: the matcher read Arabic-Indic digits, but split a list only at "," and ";",
not at the Arabic comma "،" or semicolon "؛"."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from bot.i18n import load_catalogs
from core.dialog.engine import Engine
from core.dialog.matching import LabelIndex
from core.dialog.model import Place
from core.text.catalog import Catalog
from tests.support.driver import Driver

PLACES = (Place("centrum", "Terneuzen-Centrum"), Place("axel", "Axel"))

TO_OBSERVATIONS = [
    ("welcome", "report"),
    ("role", "shop"),
    ("age_group", "25_64"),
]


@pytest.fixture(scope="module")
def catalogs() -> Mapping[str, Catalog]:
    return load_catalogs()


@pytest.fixture(scope="module")
def engine(catalogs: Mapping[str, Catalog]) -> Engine:
    return Engine(LabelIndex(catalogs), PLACES)


def at_observations(engine: Engine, catalogs: Mapping[str, Catalog], language: str) -> Driver:
    driver = Driver(engine, catalogs, language)
    for prompt, choice in TO_OBSERVATIONS:
        assert driver.prompt == prompt
        driver.tap(choice)
    assert driver.prompt == "observations"
    return driver


@pytest.mark.parametrize(
    "typed",
    [
        "١، ٣",  # Arabic-Indic digits, Arabic comma
        "١،٣",
        "١ ، ٣",
        "١؛ ٣",  # Arabic semicolon
        "۱، ۳",  # Eastern Arabic-Indic (Persian/Urdu keyboards)
        "1، 3",
        "١, ٣",
    ],
)
@pytest.mark.parametrize("language", ["ar", "nl"])
def test_arabic_digits_and_separators_select_options_one_and_three(
    engine: Engine, catalogs: Mapping[str, Catalog], language: str, typed: str
) -> None:
    driver = at_observations(engine, catalogs, language)
    first, _, third = driver.choice_ids()[:3]
    driver.type(typed)
    assert driver.prompt == "place", driver.texts()
    answer = driver.state.answers["observations"]
    assert answer.choices == (first, third)
    assert (first, third) == ("often_alone", "recent_loss")


def test_an_out_of_range_number_in_an_arabic_list_is_not_taken_for_a_choice(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    driver = at_observations(engine, catalogs, "ar")
    driver.type("١، ٩٩")
    assert driver.prompt == "observations"
    assert "observations" not in driver.state.answers
    assert driver.state.selection == ()
