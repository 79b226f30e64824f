"""Both flows, start to finish, in every language: by buttons and by typed labels."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from bench.interactions import PARTNER, TARGETS, Target, count
from core.dialog.engine import Engine
from core.dialog.events import PartnerFound, TextIn
from core.dialog.flows import REPORT_OTHER
from core.text.catalog import Catalog
from core.text.languages import LANGUAGES
from core.text.msgids import Msg
from core.text.render import render
from tests.support.driver import Driver
from tests.support.reports import REPORT, UNTIL_CONTACT

# (prompt expected on screen, choice to press): the shared scripted report.
OTHER_STEPS: list[tuple[str, str]] = REPORT
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
        "contact_language": "nl",
        "callback": "no",
        "checkin": "no",
        "person_reach": "via_me",
    }
    assert draft.multi == {"observations": ("often_alone", "not_seen")}
    assert draft.area == "axel"
    assert draft.postcode is None
    assert draft.note is None
    assert draft.reporter_phone is None
    assert draft.reporter_name is None
    assert draft.urgent  # not seen for days
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
    d.tap("danger")  # flagged on the welcome: the emergency guidance comes first
    assert d.prompt == "danger_info"
    assert "112" in " ".join(d.texts())
    d.tap("continue")
    d.tap("neighbour")
    d.tap("65_74")
    d.type("8, 3")  # typed multi-select: not seen for days + recent loss
    d.type("４５３１ ab")  # full-width digits
    d.tap("other")
    assert d.prompt == "language_other"
    d.type("Tamazight")
    d.tap("no")  # no contact: the municipality needs another way to the person
    d.tap("details")
    d.type("Mevr. Jansen, Markt 1, 06-12345678")
    d.tap("yes_agrees")
    assert d.prompt == "summary"
    d.type("Ze zit vaak alleen op het bankje.")  # the note, offered at the summary
    assert d.prompt == "summary"
    summary = " ".join(d.texts())
    assert "4531 AB" in summary
    assert "Tamazight" in summary
    assert "Ze zit vaak alleen op het bankje." in summary
    d.tap("send")
    [draft] = d.drafts
    assert draft.urgent
    assert draft.codes["danger"] == "yes"
    assert draft.codes["contact_language"] == "other"
    assert draft.language_other == "Tamazight"
    assert draft.multi["observations"] == ("recent_loss", "not_seen")
    assert draft.postcode == "4531 AB"
    assert draft.person_contact == "Mevr. Jansen, Markt 1, 06-12345678"
    assert draft.note == "Ze zit vaak alleen op het bankje."
    assert draft.reporter_name is None
    assert draft.codes["checkin"] == "no"


@pytest.mark.parametrize("language", LANGUAGES)
def test_call_me_takes_name_and_number_in_one_answer(
    engine: Engine, catalogs: Mapping[str, Catalog], language: str
) -> None:
    d = Driver(engine, catalogs, language)
    for prompt, choice in UNTIL_CONTACT:
        assert d.prompt == prompt
        d.tap(choice)
    d.tap("yes")
    assert d.prompt == "reporter_phone"
    d.type("Fatma Yılmaz +31 6 1234 5678")
    assert d.prompt == "summary"
    assert "Fatma Yılmaz" in " ".join(d.texts())
    d.tap("send")
    [draft] = d.drafts
    assert draft.reporter_name == "Fatma Yılmaz"
    assert draft.reporter_phone == "+31612345678"
    assert draft.codes["callback"] == "yes"
    assert draft.codes["checkin"] == "yes"  # the check-in comes with the contact answer
    assert "person_reach" not in draft.codes  # the municipality asks the reporter


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_express_targets_are_met(engine: Engine, target: Target) -> None:
    """bench.interactions' scripts, counted as it counts them: within the targets."""
    assert count(engine, target.events, partner=target.partner) <= target.target


def test_a_partner_fills_in_role_and_place_and_the_summary_shows_them(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    d = Driver(engine, catalogs, "nl")
    d.send(TextIn(f"/start p_{PARTNER.code}"))
    # What the shell sends back after the link's /start: nothing to show, the state changes.
    d.state = engine.advance(d.state, PartnerFound(PARTNER.code, "shop", "axel"), d.now).state
    d.tap("report")
    assert d.prompt == "age_group"  # role and place are known
    for choice in ("unknown", "often_alone", "done", "unknown", "here"):
        d.tap(choice)
    summary = "\n".join(d.texts())
    assert "Axel" in summary
    assert render(Msg(REPORT_OTHER.step("role").choices[0].label), catalogs["nl"], "nl") in summary
    d.tap("change")
    assert {"role", "place"} <= set(d.choice_ids())  # and can be changed
