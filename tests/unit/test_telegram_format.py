"""Telegram's limits: 64-byte button payloads, 4096-unit messages, HTML escaping."""

from __future__ import annotations

import html

from hypothesis import given
from hypothesis import strategies as st

from bot.buttons import MAX_BYTES, ReporterButton, StaffButton, parse, reporter_data, staff_data
from bot.channels.telegram.format import MAX_TEXT, split_text
from bot.settings import Settings
from bot.staff.partners import partner_code, start_payload
from core.dialog.asking import choices_for
from core.dialog.dialogs import DIALOGS, WELCOME
from core.dialog.flows import FLOWS
from core.dialog.state import ConversationState
from core.text.languages import language_from_tag

LONG_PLACES = (
    "Terneuzen-Centrum,Sas van Gent,Hoek,"
    "Overslag en de Buurtschappen langs het Kanaal van Gent naar Terneuzen (westzijde)"
)


def test_every_button_payload_fits_in_64_bytes() -> None:
    places = Settings(neighbourhoods=LONG_PLACES).places()
    state = ConversationState(language="nl")
    payloads = []
    for flow in FLOWS.values():
        for step in flow.steps:
            payloads += [reporter_data(step.id, c.id) for c in choices_for(step, state, places)]
    for dialog in (WELCOME, *DIALOGS.values()):
        payloads += [reporter_data(dialog.id, c.id) for c in dialog.choices]
    assert payloads
    assert max(len(p.encode()) for p in payloads) <= MAX_BYTES
    assert len(staff_data("release", 2**62).encode()) <= MAX_BYTES


def test_payloads_round_trip_and_forgeries_are_refused() -> None:
    assert parse(reporter_data("place", "area:axel")) == ReporterButton("place", "area:axel")
    assert parse(staff_data("claim", 12)) == StaffButton("claim", 12)
    for forged in (None, "", "x|y|z", "s|claim|12; DROP", "s|claim|-1", "r|only", "s||1", "r" * 65):
        assert parse(forged) is None


@given(st.text(min_size=1, max_size=9000))
def test_split_text_respects_the_limit_and_keeps_everything(text: str) -> None:
    chunks = split_text(text, limit=500)
    assert all(len(c.encode("utf-16-le")) // 2 <= 500 for c in chunks)
    joined = "".join(html.unescape(c) for c in chunks)
    assert "".join(joined.split()) == "".join(text.split())


def test_split_text_prefers_paragraphs_and_escapes_markup() -> None:
    text = ("<b>Jansen & zn</b> " * 100 + "\n\n") * 5
    chunks = split_text(text)
    assert len(chunks) > 1
    assert all(len(c) <= MAX_TEXT for c in chunks)
    assert "<b>" not in "".join(chunks)
    assert "&lt;b&gt;Jansen &amp; zn" in chunks[0]


def test_language_tags_from_telegram() -> None:
    assert language_from_tag("ar-SA") == "ar"
    assert language_from_tag("pt-br") is None
    assert language_from_tag("") is None
    assert language_from_tag(None) is None
    assert language_from_tag("UK") == "uk"
    assert language_from_tag("\x00garbage") is None


def test_partner_codes_are_readable_unique_and_fit_a_deep_link() -> None:
    assert partner_code("Jumbo Terneuzen", set()) == "jumbo-terneuzen"
    assert partner_code("Jumbo Terneuzen", {"jumbo-terneuzen"}) == "jumbo-terneuzen-2"
    assert partner_code("Bibliotheek Zeeuws-Vlaanderen, Axel", set()) == "bibliotheek-zeeuws-vlaan"
    assert partner_code("Çarşı Market Ünal", set()) == "carsi-market-unal"
    assert partner_code("!!!", set()) == "partner"
    payload = start_payload(partner_code("x" * 200, set()))
    assert len(payload) <= 64
