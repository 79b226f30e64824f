"""Relayed messages (no phone numbers, no direction tricks) and the reporter-facing
follow-up texts (only received / picked up / closed, never the care that followed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.followup import texts as ft
from core.followup.relay import (
    MAX_RELAY_LENGTH,
    REDACTED,
    contains_phone_number,
    find_reference,
    relay_text,
)
from core.lifecycle import table as lc
from core.text.msgids import Msg, Token, When

# --- contains_phone_number ------------------------------------------------------------------
# The pattern: "+<digit>" or "0" and at least nine digits in all, with at most three
# separators (space, tab, - . / ( )) between any two digits, not right after a letter,
# digit, "+" or "-". So "bel 0115 123 456" counts; dates (eight digits) and references
# ("SP-2026-0001", after a hyphen) do not.


@pytest.mark.parametrize(
    "text",
    [
        "06-12345678",
        "+31 6 1234 5678",
        "0031612345678",
        "bel 0115 123 456",
        "(0115) 123456",
        "06 - 12 34 56 78",
        "mijn nummer is 0612345678, bel maar",
        "٠٦١٢٣٤٥٦٧٨",  # Arabic-Indic digits: re's \d is Unicode-aware
    ],
)
def test_phone_numbers_are_found(text: str) -> None:
    assert contains_phone_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "postcode 4531 AB",
        "2 keer per week",
        "75+",
        "1234567",  # seven digits: below the threshold
        "12345678",  # eight digits and no leading 0 or +: not how a number is written
        "om 10:30 uur",
        "huisnummer 12, 3 hoog",
        "",
    ],
)
def test_ordinary_numbers_are_not_phone_numbers(text: str) -> None:
    assert not contains_phone_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "SP-2026-0001",
        "23-11-2026",
        "23/11/2026",
        "23.11.2026",
        "Over SP-2026-0042: sinds 23-11-2026 niet gezien",
    ],
)
def test_dates_and_references_are_not_phone_numbers(text: str) -> None:
    assert not contains_phone_number(text)


def test_a_reference_in_a_relayed_answer_survives() -> None:
    assert relay_text("Het gaat over SP-2026-0001") == "Het gaat over SP-2026-0001"


# --- relay_text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bel me op 06-12345678 graag", f"bel me op {REDACTED} graag"),
        ("+31 6 1234 5678", REDACTED),
        ("0031612345678", REDACTED),
        ("bel 0115 123 456 of 06-12345678", f"bel {REDACTED} of {REDACTED}"),
        ("postcode 4531 AB, 75+", "postcode 4531 AB, 75+"),
    ],
)
def test_relay_text_blanks_phone_numbers(text: str, expected: str) -> None:
    assert relay_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ab\u202ecd", "abcd"),  # right-to-left override
        ("\u2066ab\u2069 \u2068cd\u2069", "ab cd"),  # isolates
        ("a\u200fb\u200ec\ufeffd\u200be\u061cf", "abcdef"),  # marks, BOM, zero width
        ("a\x00b\x07c\x1bd", "abcd"),  # NUL and other controls
        ("  a\t\tb  \r\n\r\n\r\n\r\nc  ", "a b\n\nc"),  # spaces and blank lines folded
    ],
)
def test_relay_text_strips_controls_and_direction_tricks(text: str, expected: str) -> None:
    assert relay_text(text) == expected


def test_relay_text_is_capped() -> None:
    assert relay_text("a" * (MAX_RELAY_LENGTH + 300)) == "a" * MAX_RELAY_LENGTH
    assert relay_text("a" * MAX_RELAY_LENGTH) == "a" * MAX_RELAY_LENGTH


def test_relay_text_blanks_before_capping() -> None:
    # The cap applies to the typed text; a number inside it is still blanked, shortening it.
    text = "a" * (MAX_RELAY_LENGTH - 20) + " 06-12345678 " + "b" * 50
    assert relay_text(text) == "a" * (MAX_RELAY_LENGTH - 20) + f" {REDACTED} " + "b" * 15


def test_relay_text_cleans_before_capping() -> None:
    # Removed characters do not count towards the cap.
    text = "\u202e" * 50 + "a" * MAX_RELAY_LENGTH
    assert relay_text(text) == "a" * MAX_RELAY_LENGTH


_relay_alphabet = st.sampled_from(
    [*"0123456789 +-./()\t\n\r\x00ab\u202e\u2066\u2069\u0301\u00a0", "[…]"]
)
_relay_inputs = st.one_of(
    st.text(max_size=300),
    st.lists(_relay_alphabet, max_size=150).map("".join),
)


@settings(max_examples=200, deadline=None)
@given(_relay_inputs)
def test_relay_text_is_idempotent(text: str) -> None:
    once = relay_text(text)
    assert relay_text(once) == once
    assert len(once) <= MAX_RELAY_LENGTH
    assert not contains_phone_number(once)


@pytest.mark.parametrize("gap", [" ", "\n"])
def test_relay_text_is_idempotent_when_the_cap_lands_on_whitespace(gap: str) -> None:
    once = relay_text("a" * (MAX_RELAY_LENGTH - 1) + gap + "b")
    assert relay_text(once) == once


# --- find_reference ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SP-2026-0001", "SP-2026-0001"),
        ("\u2068SP-2026-0001\u2069", "SP-2026-0001"),  # isolated for right-to-left text
        ("De loket heeft een vraag over \u2068SP-2026-0042\u2069. Antwoord hier.", "SP-2026-0042"),
        ("SP-2026-12345", "SP-2026-12345"),  # more than four digits in a busy year
        ("eerst SP-2026-0001, dan SP-2026-0002", "SP-2026-0001"),
        ("Bedankt voor je melding.", None),
        ("", None),
        ("sp-2026-0001", None),
        ("XSP-2026-0001", None),
        ("SP-2026-001", None),
        ("SP-26-0001", None),
    ],
)
def test_find_reference(text: str, expected: str | None) -> None:
    assert find_reference(text) == expected


# --- reporter-facing follow-up texts ----------------------------------------------------------


def test_status_of_no_signals() -> None:
    assert ft.status_texts([]) == (Msg(ft.STATUS_NONE),)
    assert ft.STATUS_NONE == "You have not sent any reports through this chat yet."


_RECEIVED = "received"
_PICKED_UP = "the municipality is working on it"
_CLOSED = "finished"


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (lc.NEW, _RECEIVED),
        (lc.CLAIMED, _PICKED_UP),
        (lc.IN_CONTACT, _PICKED_UP),
        (lc.REFERRED, _PICKED_UP),
        (lc.REOPENED, _PICKED_UP),
        (lc.CLOSED, _CLOSED),
        (lc.CANNOT_FOLLOW_UP, _CLOSED),
        ("some_future_status", _RECEIVED),
    ],
)
def test_status_lines_reveal_only_received_picked_up_or_closed(status: str, label: str) -> None:
    at = datetime(2026, 11, 20, 15, tzinfo=UTC)
    header, line = ft.status_texts([("SP-2026-0001", at, status)])
    assert header == Msg(ft.STATUS_HEADER)
    assert line.msgid == ft.STATUS_LINE
    assert dict(line.params) == {
        "reference": Token("SP-2026-0001"),
        "date": When(at),
        "status": Msg(label),
    }


def test_status_labels_never_name_a_referral_or_outcome() -> None:
    assert set(ft.REPORTER_STATUS_LABELS.values()) == {_RECEIVED, _PICKED_UP, _CLOSED}
    secret = {
        *lc.REFERRALS.values(),
        *lc.OUTCOMES.values(),
        lc.STATUS_LABELS[lc.REFERRED],
        lc.STATUS_LABELS[lc.CANNOT_FOLLOW_UP],
        lc.STATUS_LABELS[lc.IN_CONTACT],
    }
    assert secret.isdisjoint(ft.REPORTER_STATUS_LABELS.values())


def test_status_lists_every_signal_in_order() -> None:
    at = datetime(2026, 11, 20, 15, tzinfo=UTC)
    signals = [("SP-2026-0002", at, lc.REFERRED), ("SP-2026-0001", at, lc.CLOSED)]
    texts = ft.status_texts(signals)
    assert len(texts) == 3
    assert [t.params["reference"] for t in texts[1:]] == [
        Token("SP-2026-0002"),
        Token("SP-2026-0001"),
    ]


def test_checkin_reply() -> None:
    reply = ft.checkin_reply("SP-2026-0001")
    assert reply.prompt == "checkin" == ft.CHECKIN_PROMPT
    assert [c.id for c in reply.choices] == ["yes", "no", "worried"]
    assert [c.label for c in reply.choices] == [
        Msg("Yes"),
        Msg("No"),
        Msg("I am still worried"),
    ]
    assert not any(c.selected for c in reply.choices)
    assert reply.texts == (Msg(ft.CHECKIN_QUESTION, {"reference": Token("SP-2026-0001")}),)
    assert not reply.accepts_text
    assert not reply.multi
