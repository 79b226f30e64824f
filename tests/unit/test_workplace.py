"""The pure parts of the loket's workplace (issue 22): the postcode table, what a search
means, a signal in sections, small numbers hidden, the access history as sentences."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.dashboard.access_history import access_text, describe, fold
from core.dialog.areas import AreaTableError, parse_area_table
from core.dialog.model import Place
from core.lifecycle.search import PERSON, REPORTER, parse_search, search_values
from core.lifecycle.sections import phone_parts, signal_sections
from core.monitoring.disclosure import SECRET, SMALL, protect_list, protect_table, shown_time
from core.text.catalog import Catalog
from core.text.msgids import Msg
from core.text.render import render
from tests.support.builders import make_draft

PLACES = (Place("terneuzen-centrum", "Terneuzen-Centrum"), Place("axel", "Axel"))
T0 = datetime(2026, 12, 7, 13, 3, tzinfo=UTC)


def test_the_postcode_table_maps_ranges_and_single_postcodes_by_name_or_id() -> None:
    areas = parse_area_table(
        "# Terneuzen\n4530-4539 = Terneuzen-Centrum\n4571=axel, 4572 : Axel", PLACES
    )
    assert areas.area_of(None, "4531") == "terneuzen-centrum"
    assert areas.area_of(None, "4572") == "axel"
    assert areas.area_of("axel", "4531") == "axel"  # the neighbourhood chosen wins
    assert areas.area_of(None, "9999") is None
    assert areas.postcodes_of("axel") == ("4571", "4572")


@pytest.mark.parametrize(
    ("table", "named"),
    [
        ("4531", "is not like"),
        ("4539-4530=Axel", "backwards"),
        ("4531=Nergens", "'Nergens' is not a neighbourhood"),
        ("4531=Axel\n4530-4532=Terneuzen-Centrum", "4531 is already"),
    ],
)
def test_a_wrong_postcode_table_is_named(table: str, named: str) -> None:
    with pytest.raises(AreaTableError, match=named):
        parse_area_table(table, PLACES)


def test_a_search_is_read_as_a_reference_a_postcode_or_a_phone_number() -> None:
    assert parse_search("sp-2026-42").reference == "SP-2026-0042"
    assert parse_search("2026 0042").reference == "SP-2026-0042"
    four = parse_search("4531")
    assert (four.postcode4, four.values) == ("4531", ())
    full = parse_search("4531ab")
    assert (full.postcode4, full.values) == (None, ("postcode:4531AB",))
    phone = parse_search("06-12 34 56 78")
    assert phone.values == ("phone:+31612345678",)
    assert not parse_search("mevrouw jansen").understood


def test_a_signal_is_found_by_the_same_values_it_was_stored_with() -> None:
    values = search_values("+31612345678", "Mw. Jansen, tel 0115 123456 of 06 12345678", "4531 AB")
    assert values == (
        (REPORTER, "phone:+31612345678"),
        (PERSON, "phone:+31115123456"),
        (PERSON, "phone:+31612345678"),
        (PERSON, "postcode:4531AB"),
    )
    for typed in ("0612345678", "0115-123456", "4531 ab"):
        assert set(parse_search(typed).values) <= {value for _, value in values}
    assert search_values(None, None, "4531") == ()  # four digits are in the clear


@given(st.text(max_size=80))
def test_any_search_is_read_without_an_error(typed: str) -> None:
    query = parse_search(typed)
    assert len(query.text) <= 64


def test_the_details_come_in_sections_with_phone_numbers_to_call() -> None:
    draft = make_draft(
        postcode="4531 AB",
        area=None,
        reporter_phone="+31612345678",
        person_contact="Mevrouw Jansen, 0115 123456",
        codes={
            "role": "shop",
            "age_group": "75_plus",
            "callback": "yes",
            "person_reach": "details",
        },
        multi={"observations": ("often_alone",)},
    )
    areas = parse_area_table("4530-4539=Terneuzen-Centrum", PLACES)
    sections = {s.id: s for s in signal_sections(draft, PLACES, areas)}
    assert list(sections) == ["person", "seen", "reporter"]
    fields = {f.label.msgid: f for s in sections.values() for f in s.fields}
    assert fields["Reporter's phone"].phone == "+31612345678"
    assert fields["Contact details of the person"].text == "Mevrouw Jansen, 0115 123456"
    assert "observations" not in str(sections["reporter"])  # what was seen is apart
    place = fields["Postcode or neighbourhood"].value
    assert "Terneuzen-Centrum" in str(place)
    assert phone_parts("Mevrouw Jansen, 0115 123456") == (
        ("Mevrouw Jansen, ", None),
        ("0115 123456", "+31115123456"),
    )


def test_a_self_report_has_no_reporter_section() -> None:
    draft = make_draft(kind="self", codes={"reach": "phone"}, multi={"help_wanted": ("grief",)})
    assert [s.id for s in signal_sections(draft, PLACES)] == ["person", "seen"]


def test_a_voice_report_has_what_the_reporter_said_and_the_reporter(
    catalogs: Mapping[str, Catalog],
) -> None:
    draft = make_draft(
        kind="voice",
        language="tr",
        codes={"callback": "yes", "contact_language": "tr"},
        multi={},
        postcode=None,
        area=None,
        person_contact=None,
        note=None,
        reporter_phone="+31612345678",
        voice_notes=((7, None),),
    )
    seen, reporter = signal_sections(draft, PLACES)
    assert (seen.id, reporter.id) == ("seen", "reporter")
    assert render(Msg(seen.title), catalogs["nl"], "nl") == "Wat de melder zei"
    assert seen.fields == ()  # the page shows the notes there
    assert [f.phone for f in reporter.fields if f.phone] == ["+31612345678"]
    labels = [render(f.label, catalogs["nl"], "nl") for f in reporter.fields]
    assert any("taal" in label.lower() for label in labels)  # the call-back language


def test_playing_a_voice_message_is_a_sentence_in_the_access_history(
    catalogs: Mapping[str, Catalog],
) -> None:
    nl = catalogs["nl"]
    assert render(describe("Rita", "play", "voice:2"), nl, "nl") == (
        "Rita luisterde naar spraakbericht 2"
    )
    refused = render(describe("Bob", "play", "refused:not_allowed"), nl, "nl")
    assert refused == "Bob probeerde naar een spraakbericht te luisteren; dat werd geweigerd"
    sent = render(describe("Anna", "sent:voice_note", "ok"), nl, "nl")
    assert sent == "Anna kreeg een spraakbericht in een privébericht in Telegram"


def test_small_counts_are_hidden_and_a_total_gives_none_away() -> None:
    assert protect_list([12, 3, 0, 7], adds_up=False) == [12, SMALL, 0, 7]
    # One hidden count of a total: the smallest other one is hidden too.
    assert protect_list([12, 3, 0, 7], adds_up=True) == [12, SMALL, 0, SECRET]
    assert protect_list([2, 3, 9], adds_up=True) == [SMALL, SMALL, 9]
    assert shown_time("4,5 uur", 4) == SMALL
    assert shown_time("4,5 uur", 5) == "4,5 uur"
    assert shown_time("nog geen", 0) == "nog geen"


@given(st.lists(st.lists(st.integers(0, 12), min_size=3, max_size=3), min_size=1, max_size=6))
def test_no_hidden_count_follows_from_a_row_or_column_total(rows: list[list[int]]) -> None:
    shown = protect_table(rows)
    for r, row in enumerate(shown):
        for c, value in enumerate(row):
            if isinstance(value, int):
                assert value == rows[r][c]
                assert not 0 < value < 5
    every = [[(r, c) for c in range(3)] for r in range(len(rows))]
    every += [[(r, c) for r in range(len(rows))] for c in range(3)]
    for line in every:
        hidden = [cell for cell in line if isinstance(shown[cell[0]][cell[1]], str)]
        if len(hidden) == 1:
            # Only where nothing else in the line could be hidden with it: the rest is 0.
            assert all(rows[r][c] == 0 for r, c in line if (r, c) not in hidden)


def test_the_access_history_is_sentences_with_names_and_repeats_fold(
    catalogs: Mapping[str, Catalog],
) -> None:
    entries = [
        (T0, "staff:2", "view", "web_details"),
        (T0 + timedelta(minutes=5), "staff:2", "view", "web_details"),
        (T0 + timedelta(minutes=9), "staff:2", "view", "web_details"),
        (T0 + timedelta(minutes=10), "staff:3", "claim", "ok"),
        (T0 + timedelta(minutes=11), "telegram:99", "contact", "refused:not_staff"),
    ]
    runs = fold(entries)
    assert [(r.actor, r.times) for r in runs] == [
        ("staff:2", 3),
        ("staff:3", 1),
        ("telegram:99", 1),
    ]
    nl = catalogs["nl"]
    line = describe("Anna de Vries", "view", "web_details")
    assert render(line, nl, "nl") == "Anna de Vries bekeek de gegevens"
    from bot.dashboard.access_history import AccessLine

    folded = AccessLine(runs[0].at, runs[0].last, runs[0].times, line)
    text = render(access_text(folded, "7 dec. 2026 14:03", "7 dec. 2026 14:12"), nl, "nl")
    assert text == (
        "Anna de Vries bekeek de gegevens, 7 dec. 2026 14:03, en daarna nog 2 keer, "
        "tot 7 dec. 2026 14:12"
    )
    claimed = render(describe("Bram", "claim", "ok"), nl, "nl")
    assert claimed == "Bram koos „Oppakken”"
    refused = render(describe("iemand", "contact", "refused:not_staff"), nl, "nl")
    assert "geweigerd" in refused


def test_the_card_of_a_telephone_report_says_the_reporter_called(
    catalogs: Mapping[str, Catalog],
) -> None:
    from core.lifecycle import staff_texts as n
    from core.lifecycle.staff_texts import loket_card, staff_details

    draft = make_draft(language="nl")
    for lines in (
        loket_card("SP-2026-0001", draft, T0, PLACES, status="new", channel="phone"),
        staff_details("SP-2026-0001", draft, T0, PLACES, status="new", channel="phone"),
    ):
        msgids = [line.msgid for line in lines]
        assert n.REPORTER_CALLED in msgids
        assert n.REPORTER_LANGUAGE not in msgids
    written = loket_card("SP-2026-0001", draft, T0, PLACES, status="new", channel="web")
    assert n.REPORTER_LANGUAGE in [line.msgid for line in written]
    card = loket_card("SP-1", draft, T0, PLACES, status="new", channel="phone")
    assert any("belde het loket" in render(line, catalogs["nl"], "nl") for line in card)


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("brand_colour", "#ffcc00", "too light"),
        ("brand_colour", "blue", "a colour like"),
        ("municipality_phone", "bel ons", "SIGNAALPUNT_MUNICIPALITY_PHONE"),
        ("municipality_privacy_url", "javascript:alert(1)", "privacy statement"),
        ("municipality_logo", "/nowhere/logo.svg", "there is no file"),
        ("municipality_logo", "/etc/hostname", "must be a"),
        ("postcode_areas", "4531=Nergens", "SIGNAALPUNT_POSTCODE_AREAS"),
    ],
)
def test_the_municipalitys_settings_are_checked(name: str, value: str, named: str) -> None:
    from pydantic import ValidationError

    from bot.settings import Settings

    values: dict[str, Any] = {name: value}
    with pytest.raises(ValidationError, match=named):
        Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_the_municipalitys_settings_are_read() -> None:
    from bot.settings import Settings
    from bot.web.brand import brand_from

    values: dict[str, Any] = {
        "municipality_name": "  Gemeente   Terneuzen ",
        "municipality_phone": "14 0115",
        "brand_colour": "#00689E",
        "theme_css": "",
    }
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
    brand = brand_from(settings)
    assert (brand.name, brand.phone_link, brand.logo_url) == (
        "Gemeente Terneuzen",
        "tel:140115",
        None,
    )
    css = brand.theme.body.decode()
    assert "--signaalpunt-color-primary: #00689e;" in css
    assert "--signaalpunt-color-primary-dark: #00456" in css  # a third darker
