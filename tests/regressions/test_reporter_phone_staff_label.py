"""The reporter's phone reached the loket as "Telefoonnummer": its staff label was dropped."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from bot.i18n import load_catalogs
from bot.rendering import render_texts
from core.dialog.draft import SignalDraft
from core.lifecycle.staff_texts import loket_notification
from core.text.catalog import Catalog

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_loket_reads_the_reporters_name_and_phone_as_the_reporters() -> None:
    catalogs: Mapping[str, Catalog] = load_catalogs()
    draft = SignalDraft(
        kind="other",
        language="tr",
        urgent=False,
        submitted_at=T0,
        codes={"danger": "no", "callback": "yes", "checkin": "no"},
        reporter_name="Fatma",
        reporter_phone="+31612345678",
    )
    text = render_texts(loket_notification("SP-2026-0007", draft, T0, ()), catalogs["nl"], "nl")
    assert "Naam melder: \u2068Fatma\u2069" in text
    assert "Telefoon melder: \u206606 12345678\u2069" in text
