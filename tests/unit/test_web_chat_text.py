"""A chat line as the web page shows it: tokens whole and left-to-right, safety numbers
callable, typed text escaped and free to wrap."""

from __future__ import annotations

from bot.channels.webchat.line import chat_line
from core.text.render import isolate, isolate_token


def test_a_reference_is_one_unbreakable_left_to_right_token() -> None:
    html = chat_line(f"رقمه {isolate_token('SP-2026-0004')}.")
    assert '<bdi dir="ltr" class="token">SP-2026-0004</bdi>' in html


def test_safety_numbers_are_tel_links() -> None:
    html = chat_line(f"Bel {isolate_token('0800-0113')} (gratis) of {isolate_token('113')}.")
    assert '<a class="tel" href="tel:08000113">' in html
    assert '<a class="tel" href="tel:113">' in html


def test_other_numbers_are_no_links() -> None:
    assert "tel:" not in chat_line(f"Zoals {isolate_token('06 12345678')}.")


def test_typed_text_is_escaped_and_takes_its_own_direction() -> None:
    html = chat_line(f"Opmerking: {isolate('<b>hoi</b> & doei')}")
    assert "<bdi>&lt;b&gt;hoi&lt;/b&gt; &amp; doei</bdi>" in html
    assert "<b>" not in html


def test_markup_around_the_isolates_is_escaped_too() -> None:
    assert chat_line("<script>") == "&lt;script&gt;"
