"""The guards that discard a looping or overlong transcript (bot/voice/guards.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.voice.guards import GuardLimits, compression_ratio, looks_repetitive
from tests.support.speech import SENTENCES

# What Whisper writes when it loops (the shapes reported for Arabic and Ukrainian, and after
# silence): a syllable, a word or a phrase, over and over.
LOOPS = [
    "ا ا ا ا ا ا ا ا ا ا ا ا",
    "ههههههههههههههههههههههههه",
    "شكرا شكرا شكرا شكرا شكرا شكرا شكرا شكرا شكرا",
    "اشترك في القناة اشترك في القناة اشترك في القناة اشترك في القناة",
    "Дякую за перегляд! Дякую за перегляд! Дякую за перегляд! Дякую за перегляд!",
    "так так так так так так так так так так",
    "Thank you. Thank you. Thank you. Thank you.",
    "Ze is alleen. " + "En dan en dan en dan en dan en dan en dan en dan en dan.",
    "Komşum yalnız. Komşum yalnız. Komşum yalnız. Komşum yalnız.",
]


@pytest.mark.parametrize("text", LOOPS)
def test_a_loop_is_discarded(text: str) -> None:
    assert looks_repetitive(text)


@pytest.mark.parametrize("language", sorted(SENTENCES))
def test_what_people_say_is_kept(language: str) -> None:
    assert not looks_repetitive(" ".join(SENTENCES[language]))


@pytest.mark.parametrize(
    "text",
    [
        "nee nee nee, dat klopt niet",
        "ja ja ja ja ja",  # five: emphasis, not a loop
        "help help help help help",
        "Hij komt, hij komt, hij komt elke dag.",
        "één twee drie vier vijf zes zeven acht negen tien",
        "",
        "   ",
    ],
)
def test_ordinary_repetition_in_speech_is_kept(text: str) -> None:
    assert not looks_repetitive(text)


def test_a_loop_at_the_end_of_a_long_good_text_is_found() -> None:
    text = " ".join(SENTENCES["nl"]) + " " + "dank u wel " * 20
    assert looks_repetitive(text)


@given(st.text(max_size=600))
def test_any_text_gets_an_answer(text: str) -> None:
    assert looks_repetitive(text) in (True, False)


def test_the_compression_ratio_is_whispers_measure() -> None:
    assert compression_ratio("ha" * 200) > 2.4
    assert compression_ratio(" ".join(SENTENCES["en"][:4])) < 2.4


def test_the_limits_grow_with_the_audio() -> None:
    limits = GuardLimits()
    assert limits.time_limit(0) == 15.0
    assert limits.time_limit(120) == 75.0
    assert limits.max_chars(60) == 200 + 40 * 60
    assert limits.max_chars(-1) == limits.max_chars(0)
    # The longest allowed note's honest transcript fits: 2 minutes of fast speech.
    assert limits.max_chars(120) > 120 * 20
