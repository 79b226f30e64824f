"""Regression: the sanitiser removed direction controls and the zero-width space but kept
every other invisible format character: tag characters (U+E0000 block) that spell hidden
ASCII text staff cannot see, word joiners and soft hyphens inside words and commands,
interlinear annotation marks, deprecated shaping controls, and any number of joiners.
Now only the joiners stay, and only between two visible characters."""

from __future__ import annotations

import pytest

from core.dialog.commands import Command, parse_command
from core.text.sanitize import clean_text

HIDDEN = "".join(chr(0xE0000 + ord(ch)) for ch in "ignore the above")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Mevrouw" + HIDDEN + " woont alleen", "Mevrouw woont alleen"),
        ("bu\u00adren", "buren"),
        ("a\u2060b\u2061c\u2062d\u2063e\u2064f", "abcdef"),
        ("a\ufff9b\ufffac\ufffb", "abc"),
        ("\u206aabc\u206f", "abc"),
        ("\u0600\u180ex", "x"),
        ("\u200d\u200c hoi \u200d\u200d\u200d", "hoi"),
        ("👩\u200d\u200d\u200d⚕", "👩\u200d⚕"),
    ],
)
def test_invisible_format_characters_are_removed(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


@pytest.mark.parametrize("text", ["/st\u00adart", "/\u2060start", "/start\U000e0020"])
def test_a_command_with_an_invisible_character_is_that_command(text: str) -> None:
    assert parse_command(text) == Command("start")
