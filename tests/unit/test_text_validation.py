"""Postcodes, phone numbers and the sanitiser."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.dialog.commands import Command, parse_command
from core.dialog.validation import display_phone, parse_phone, parse_postcode
from core.text.sanitize import clean_text, fold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4531 AB", "4531 AB"),
        ("4531ab", "4531 AB"),
        (" 4531-ab ", "4531 AB"),
        ("4531", "4531"),
        ("４５３１ＡＢ", "4531 AB"),  # full-width
        ("٤٥٣١ AB", "4531 AB"),  # Arabic-Indic
        ("۴۵۳۱", "4531"),  # extended Arabic-Indic (Persian)
        ("0531 AB", None),
        ("4531 SS", None),
        ("453", None),
        ("45311", None),
        ("4531 A", None),
        ("", None),
    ],
)
def test_postcode(text: str, expected: str | None) -> None:
    assert parse_postcode(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0612345678", "+31612345678"),
        ("06-12345678", "+31612345678"),
        ("+31 6 1234 5678", "+31612345678"),
        ("0031612345678", "+31612345678"),
        ("٠٦١٢٣٤٥٦٧٨", "+31612345678"),
        ("0115 123456", "+31115123456"),
        ("+90 532 123 45 67", "+905321234567"),
        ("06-1234567a", None),
        ("0800-FLOWERS", None),
        ("12", None),
        ("", None),
    ],
)
def test_phone(text: str, expected: str | None) -> None:
    assert parse_phone(text) == expected


def test_phone_display() -> None:
    assert display_phone("+31612345678") == "06 12345678"
    assert display_phone("+905321234567").startswith("+90")


@given(st.text())
def test_clean_text_is_idempotent_and_safe(raw: str) -> None:
    once = clean_text(raw)
    assert clean_text(once) == once
    assert "\x00" not in once
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in once)
    assert not any(ch in once for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    once.encode("utf-8")  # always storable


def test_fold_ignores_case_accents_and_punctuation() -> None:
    assert fold("Türkçe!") == fold("turkce")
    assert fold("  Ja,  ") == "ja"


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("/start", Command("start")),
        ("/start p_jumbo-terneuzen", Command("start", "jumbo-terneuzen")),
        ("/start@SignaalpuntBot", Command("start")),
        ("/start p_../../x", Command("start")),
        ("stop", Command("stop")),
        ("STOP", Command("stop")),
        ("توقف", Command("stop")),
        ("/taal", Command("language")),
        ("/language", Command("language")),
        ("/help", Command("help")),
        ("/privacy", Command("privacy")),
        ("／ｓｔａｒｔ", Command("start")),  # full-width slash and letters
        ("stop maar niet", None),
        ("/unknown", None),
        ("hello", None),
    ],
)
def test_commands(text: str, command: Command | None) -> None:
    assert parse_command(text) == command
