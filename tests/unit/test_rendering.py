"""Rendering: bidi isolation, dates in Europe/Amsterdam, plurals, inert user text."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import pytest

from core.dialog import messages as m
from core.dialog.engine import Engine
from core.text.catalog import Catalog
from core.text.msgids import Msg, Token, UserText, When, msg
from core.text.render import FSI, LRI, PDI, format_when, render
from tests.support.driver import Driver


def test_arabic_done_message_isolates_the_reference(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    d = Driver(engine, catalogs, "ar")
    for choice in ["report", "shop", "unknown", "often_alone", "gloomy_confused", "done"]:
        d.tap(choice)
    d.type("٤٥٣١ AB")
    for choice in ["ar", "yes"]:
        d.tap(choice)
    d.type("فاطمة ٠٦١٢٣٤٥٦٧٨")
    summary = " ".join(d.texts())
    assert "\u060c " in summary  # the answers of a multiple choice joined the Arabic way
    assert f"{LRI}4531 AB{PDI}" in summary
    assert f"{LRI}06 12345678{PDI}" in summary
    assert f"{FSI}فاطمة{PDI}" in summary
    d.tap("send")
    assert f"{LRI}SP-2026-0001{PDI}" in d.texts()[0]


@pytest.mark.parametrize(
    ("moment", "expected_hour"),
    [
        (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), "01:30"),  # before the DST change: CET
        (datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "03:30"),  # after: CEST
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "02:30"),  # CEST
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "02:30"),  # CET again
    ],
)
def test_dates_are_rendered_in_amsterdam(moment: datetime, expected_hour: str) -> None:
    assert expected_hour in format_when(When(moment), "nl")


def test_dates_follow_the_locale() -> None:
    moment = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert "november" in format_when(When(moment), "nl")
    assert "Kasım" in format_when(When(moment), "tr")
    assert "листопада" in format_when(When(moment), "uk")


def test_arabic_plural_forms(catalogs: Mapping[str, Catalog]) -> None:
    # 0, 1, 2, 3, 100, 11 pick Arabic's six forms (zero, one, two, few, many, other).
    texts = {
        n: render(
            Msg(m.SELECTED, {"count": n}, plural=m.SELECTED_PLURAL, count=n), catalogs["ar"], "ar"
        )
        for n in (0, 1, 2, 3, 11, 100)
    }
    assert all(texts.values())  # every one of the six forms exists and formats
    forms = {text.replace(str(n), "#") for n, text in texts.items()}
    assert len(forms) >= 4  # Arabic really uses different forms


def test_user_text_is_never_a_template(catalogs: Mapping[str, Catalog]) -> None:
    text = render(
        msg(m.SUMMARY_LINE, label="x", value=UserText("%(reference)s {name} %s")),
        catalogs["nl"],
        "nl",
    )
    assert "%(reference)s {name} %s" in text


def test_tokens_are_isolated(catalogs: Mapping[str, Catalog]) -> None:
    text = render(msg(m.DONE_OTHER, reference=Token("SP-2026-0042")), catalogs["ar"], "ar")
    assert f"{LRI}SP-2026-0042{PDI}" in text
