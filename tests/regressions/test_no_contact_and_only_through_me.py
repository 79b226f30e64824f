"""A report "only through me" with "no contact" was accepted: a signal nobody can follow
up, which the loket could only mark "Niet op te volgen" (issue 20). It is now explained,
with a choice: a message here (without a name), a call, or sending it as it is."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from core.dialog.engine import Engine
from core.text.catalog import Catalog
from tests.support.driver import Driver
from tests.support.reports import UNTIL_CONTACT


def at_no_contact(engine: Engine, catalogs: Mapping[str, Catalog], reach: str) -> Driver:
    d = Driver(engine, catalogs, "nl")
    for _, choice in UNTIL_CONTACT:
        d.tap(choice)
    d.tap("no")
    d.tap(reach)
    return d


@pytest.mark.parametrize("reach", ["via_me", "unknown"])
def test_nobody_to_reach_is_explained_with_a_choice(
    engine: Engine, catalogs: Mapping[str, Catalog], reach: str
) -> None:
    d = at_no_contact(engine, catalogs, reach)
    assert d.prompt == "no_followup"
    assert d.choice_ids() == ["here", "call", "send"]


def test_message_me_here_keeps_the_reporter_without_a_name(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    d = at_no_contact(engine, catalogs, "via_me")
    d.tap("here")
    assert d.prompt == "summary"
    d.tap("send")
    [draft] = d.drafts
    assert draft.codes["callback"] == "here"
    assert draft.codes["checkin"] == "yes"
    assert "person_reach" not in draft.codes
    assert draft.reporter_name is None


def test_call_me_asks_for_the_number(engine: Engine, catalogs: Mapping[str, Catalog]) -> None:
    d = at_no_contact(engine, catalogs, "unknown")
    d.tap("call")
    assert d.prompt == "reporter_phone"
    d.type("06 12345678")
    d.tap("send")
    assert d.drafts[0].codes["callback"] == "yes"


def test_the_person_s_details_need_no_such_question(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    d = at_no_contact(engine, catalogs, "details")
    d.type("Mevrouw Jansen, Markt 1")
    d.tap("unknown")  # does the person know
    assert d.prompt == "summary"
