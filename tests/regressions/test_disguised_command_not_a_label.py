"""Regression: a command in disguise was read as the label of a choice, because labels are
compared with letters only and a label may be matched by its beginning. "👋 /start" (or
"/st\u200dart", "⁄start") in the "welcome back" question chose "Start over" and deleted the
draft without asking; "🙂/help" ticked "Help with grief". Text that is a slash and a word
is now never a label: it gets a hint, and nothing is lost."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import pytest

from bot.i18n import load_catalogs
from core.dialog import messages as m
from core.dialog.engine import Engine
from core.dialog.events import Reopen
from core.dialog.matching import LabelIndex
from core.text.catalog import Catalog
from tests.support.driver import Driver
from tests.unit.test_bad_input import at_role


@pytest.fixture(scope="module")
def catalogs() -> Mapping[str, Catalog]:
    return load_catalogs()


@pytest.fixture(scope="module")
def engine(catalogs: Mapping[str, Catalog]) -> Engine:
    return Engine(LabelIndex(catalogs))


@pytest.mark.parametrize("text", ["👋 /start", "/st\u200dart", "⁄start", "🙂 / start", "//start"])
def test_a_disguised_start_keeps_the_draft_when_welcomed_back(
    engine: Engine, catalogs: Mapping[str, Catalog], text: str
) -> None:
    d = at_role(engine, catalogs)
    d.send(Reopen(), after=timedelta(hours=30))
    assert d.state.dialog == "resume"
    d.type(text)
    assert d.state.dialog == "resume"
    assert d.state.answers["danger"].choice == "no"
    assert d.msgids()[0] == m.NOT_UNDERSTOOD


def test_a_disguised_help_ticks_nothing(engine: Engine, catalogs: Mapping[str, Catalog]) -> None:
    d = Driver(engine, catalogs, "en")
    d.tap("self")
    d.tap("no")
    assert d.prompt == "help_wanted"
    d.type("🙂/help")
    assert "grief" not in d.state.selection
    d.type("Help with grief")  # the label itself still works, and so does its beginning
    assert d.state.selection == ("grief",)
