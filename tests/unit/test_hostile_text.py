"""The sanitiser, language tags and button payloads under hostile input (hypothesis)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.buttons import (
    MAX_BYTES,
    MAX_ID,
    CheckinButton,
    ReporterButton,
    StaffButton,
    checkin_data,
    parse,
    reporter_data,
    staff_data,
)
from core.text.languages import LANGUAGES, language_from_tag
from core.text.sanitize import MAX_COMBINING_MARKS, clean_text

JOINERS = "\u200c\u200d"
# Characters that make sanitising hard: marks of every combining class, invisible format
# characters, white space of all kinds, composition exclusions that NFC expands (U+0958,
# U+FB2C), Hangul jamo that NFC composes, emoji parts, tags and variation selectors.
TRICKY = (
    "\n\r\t \u3000\u00a0\u2028\u0085\x00\x1b"
    "\u0301\u0300\u0323\u0345\u20dd\u0489\ufe0f\u034f\U000e0100\u064b\u0651"
    "\u200b\u200c\u200d\u2060\u00ad\ufeff\u202e\u2066\u2069\u061c\U000e0041\ufff9\u206a"
    "\u0958\u0915\u093c\ufb2c\u0344\u0f73\u1100\u1161\u11a8"
    "aé😀🏳\U0001f3fb<&>*_`\ud800\udfff"
)
texts = st.text(alphabet=st.one_of(st.characters(), st.sampled_from(TRICKY)), max_size=60)


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in {"Mn", "Me"}


@given(texts)
def test_the_sanitiser_is_idempotent(raw: str) -> None:
    once = clean_text(raw)
    assert clean_text(once) == once


@given(texts)
def test_sanitised_text_has_no_controls_and_no_invisible_characters(raw: str) -> None:
    once = clean_text(raw)
    once.encode("utf-8")  # storable: no lone surrogates
    for ch in once:
        category = unicodedata.category(ch)
        assert ch == "\n" or category not in {"Cc", "Cs", "Cn", "Co"}, repr(ch)
        # Direction controls, zero-width spaces, tags...: only the joiners stay.
        assert category != "Cf" or ch in JOINERS, repr(ch)
    assert "\r" not in once
    assert "\n\n\n" not in once
    assert once == once.strip()


@given(texts)
def test_joiners_only_join_and_marks_never_pile_up(raw: str) -> None:
    once = clean_text(raw)
    run = 0
    for index, ch in enumerate(once):
        run = run + 1 if _is_mark(ch) else 0
        assert run <= MAX_COMBINING_MARKS
        if ch in JOINERS:
            before, after = once[index - 1 : index], once[index + 1 : index + 2]
            for neighbour in (before, after):
                assert neighbour.strip()  # there, and no white space
                assert neighbour not in JOINERS
            assert not _is_mark(after)


@given(texts)
def test_sanitised_text_is_bounded_by_the_input(raw: str) -> None:
    # NFC expands a code point into at most three (UAX #15); nothing else adds any.
    assert len(clean_text(raw)) <= 3 * len(raw)


def test_a_long_text_stays_within_bounds_and_keeps_its_words() -> None:
    raw = ("Mevrouw \u202ewoont\u202c alleen " + "\u0301" * 50 + "\u200b") * 2000
    once = clean_text(raw)
    assert len(once) < len(raw)
    assert once.startswith("Mevrouw woont alleen")


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("👩\u200d⚕️", "👩\u200d⚕️"),  # an emoji sequence keeps its joiner
        ("می\u200cخواهم", "می\u200cخواهم"),  # a non-joiner between two letters
        ("\u200dhoi\u200d", "hoi"),
        ("a\u200d\u200d\u200db", "a\u200db"),
        ("a \u200d b", "a b"),
    ],
)
def test_joiners_between_visible_characters_are_kept(text: str, kept: str) -> None:
    assert clean_text(text) == kept


# -- language tags from chat apps ------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        (None, None),
        ("", None),
        ("pt-br", None),
        ("ar-SA", "ar"),
        ("AR", "ar"),
        ("tr-TR", "tr"),
        ("uk_UA", "uk"),
        (" nl ", "nl"),
        ("x" * 300, None),
        ("../../etc", None),
        ("\x00", None),
        ("nl\x00", None),
        ("ａｒ", None),  # full-width: no client sends it, so nothing to guess from
        ("en-GB-oxendict", "en"),
        (7, None),
        (["nl"], None),
    ],
)
def test_language_tags(tag: object, language: str | None) -> None:
    assert language_from_tag(tag) == language


@given(st.one_of(st.none(), st.integers(), st.text(), st.text().map(lambda t: t + "-SA")))
def test_any_language_tag_gives_a_supported_language_or_none(tag: object) -> None:
    assert language_from_tag(tag) in (*LANGUAGES, None)


# -- button payloads -------------------------------------------------------------------------


@given(st.one_of(st.none(), st.text(), st.binary().map(lambda b: b.decode("latin-1"))))
def test_any_payload_parses_to_one_of_ours_or_none(data: str | None) -> None:
    button = parse(data)
    if data is None or len(data.encode()) > MAX_BYTES:
        assert button is None
    # Whatever it read, it reads the same from the payload we would have made for it.
    elif isinstance(button, ReporterButton):
        assert parse(reporter_data(button.prompt, button.choice)) == button
    elif isinstance(button, StaffButton):
        assert 0 <= button.signal_id <= MAX_ID
        assert parse(staff_data(button.action, button.signal_id, button.option)) == button
    elif isinstance(button, CheckinButton):
        assert 0 <= button.signal_id <= MAX_ID
        assert parse(checkin_data(button.signal_id, button.answer)) == button


@pytest.mark.parametrize(
    "data",
    [
        "",
        "r|",
        "r||x",
        "s|claim|-1",
        "s|claim|١",  # an Arabic-Indic one is a digit, but not an id
        "s|claim|1e3",
        "s|claim|2147483648",  # beyond a database id
        "k|99999999999999999999|yes",
        "k|²|yes",
        "k|1|",
        "x|a|b",
        "r|role|" + "x" * (MAX_BYTES - 6),
        "r|role|" + "é" * 29,  # under 64 characters, over 64 bytes
    ],
)
def test_forged_payloads_are_refused(data: str) -> None:
    assert parse(data) is None
