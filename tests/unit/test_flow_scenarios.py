"""Both flows, start to finish, in every language: by buttons and by typed labels."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from conversations.engine import Engine
from conversations.matching import Catalog
from conversations.text import LANGUAGES
from tests.driver import Driver

# (prompt expected on screen, choice to press). None = type the text instead.
OTHER_STEPS: list[tuple[str, str]] = [
    ("welcome", "report"),
    ("danger", "no"),
    ("role", "shop"),
    ("age_group", "75_plus"),
    ("observations", "often_alone"),
    ("observations", "recent_loss"),
    ("observations", "done"),
    ("awareness", "no"),
    ("place", "area:axel"),
    ("person_reach", "via_me"),
    ("note", "skip"),
    ("callback", "no"),
    ("checkin", "yes"),
    ("summary", "send"),
]
SELF_STEPS: list[tuple[str, str]] = [
    ("welcome", "self"),
    ("danger", "no"),
    ("help_wanted", "someone_to_talk"),
    ("help_wanted", "activities"),
    ("help_wanted", "done"),
    ("place", "unknown"),
    ("reach", "here"),
    ("contact_language", "tr"),
    ("summary", "send"),
]


def run(driver: Driver, steps: list[tuple[str, str]], *, typed: bool) -> None:
    for prompt, choice in steps:
        assert driver.prompt == prompt, (prompt, driver.texts())
        if typed:
            driver.type_label(choice)
        else:
            driver.tap(choice)


@pytest.mark.parametrize("typed", [False, True], ids=["buttons", "typed-labels"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_report_about_someone_else(
    engine: Engine, catalogs: Mapping[str, Catalog], language: str, typed: bool
) -> None:
    driver = Driver(engine, catalogs, language)
    run(driver, OTHER_STEPS, typed=typed)
    [draft] = driver.drafts
    assert draft.kind == "other"
    assert draft.language == language
    assert draft.codes == {
        "danger": "no",
        "role": "shop",
        "age_group": "75_plus",
        "awareness": "no",
        "person_reach": "via_me",
        "callback": "no",
        "checkin": "yes",
    }
    assert draft.multi == {"observations": ("often_alone", "recent_loss")}
    assert draft.area == "axel"
    assert draft.postcode is None
    assert draft.note is None
    assert draft.reporter_phone is None
    assert draft.reporter_name is None
    assert not draft.urgent
    assert "SP-2026-0001" in " ".join(driver.texts())
    assert driver.state.flow is None  # ready for a next report


@pytest.mark.parametrize("typed", [False, True], ids=["buttons", "typed-labels"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_report_about_myself(
    engine: Engine, catalogs: Mapping[str, Catalog], language: str, typed: bool
) -> None:
    driver = Driver(engine, catalogs, language)
    run(driver, SELF_STEPS, typed=typed)
    [draft] = driver.drafts
    assert draft.kind == "self"
    assert draft.codes == {"danger": "no", "reach": "here", "contact_language": "tr"}
    assert draft.multi == {"help_wanted": ("someone_to_talk", "activities")}
    assert draft.area is None
    assert draft.postcode is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_full_report_with_every_detail(
    engine: Engine, catalogs: Mapping[str, Catalog], language: str
) -> None:
    d = Driver(engine, catalogs, language)
    d.tap("report")
    d.tap("yes")  # danger: the emergency guidance comes first
    assert d.prompt == "danger_info"
    assert "112" in " ".join(d.texts())
    d.tap("continue")
    d.tap("neighbour")
    d.tap("65_74")
    d.type("8, 3")  # typed multi-select: not seen for days + recent loss
    d.tap("yes_agrees")
    d.type("４５３１ ab")  # full-width digits
    d.tap("details")
    d.type("Mevr. Jansen, Markt 1, 06-12345678")
    d.type("Ze zit vaak alleen op het bankje.")
    d.tap("yes")
    d.type("Fatma Yılmaz")
    d.type("+31 6 1234 5678")
    d.tap("no")
    assert d.prompt == "summary"
    summary = " ".join(d.texts())
    assert "4531 AB" in summary
    assert "Fatma Yılmaz" in summary
    d.tap("send")
    [draft] = d.drafts
    assert draft.urgent
    assert draft.multi["observations"] == ("recent_loss", "not_seen")
    assert draft.postcode == "4531 AB"
    assert draft.person_contact == "Mevr. Jansen, Markt 1, 06-12345678"
    assert draft.note == "Ze zit vaak alleen op het bankje."
    assert draft.reporter_name == "Fatma Yılmaz"
    assert draft.reporter_phone == "+31612345678"


def test_shortest_and_typical_report_interaction_counts(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    shortest = Driver(engine, catalogs, "nl")
    for choice in ["report", "no", "other", "unknown"]:
        shortest.tap(choice)
    shortest.type("1")  # one observation typed as a number finishes the question? no: toggles
    shortest.tap("done")
    for choice in ["unknown", "unknown", "unknown", "skip", "no", "no", "send"]:
        shortest.tap(choice)
    assert len(shortest.drafts) == 1
    assert shortest.interactions == 13

    typed = Driver(engine, catalogs, "nl")
    for text in ["1", "2", "1", "5", "1, 8", "4", "4531", "3", "3", "2", "2", "1"]:
        typed.type(text)
    assert len(typed.drafts) == 1
    assert typed.interactions == 12
