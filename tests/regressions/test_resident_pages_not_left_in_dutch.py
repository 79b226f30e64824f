"""Regression: the error page and the keyboard link ("Terug naar het begin", "Naar de inhoud",
"Er ging bij ons iets mis …", "Deze pagina bestaat niet (meer).") showed Dutch to a Turkish,
Arabic, Polish, Ukrainian or English resident: their catalogs held the Dutch text as the
translation. A resident text in another language may equal the Dutch only where the Dutch
equals the source itself (a placeholder pattern, a name)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from core.text.languages import LANGUAGES

LOCALES = Path(__file__).resolve().parents[2] / "locales"


def resident_texts(language: str) -> dict[tuple[str | None, str], str]:
    with (LOCALES / language / "LC_MESSAGES" / "signaalpunt.po").open("rb") as po:
        catalog = read_po(po)
    texts: dict[tuple[str | None, str], str] = {}
    for message in catalog:
        if message.context is None or not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        text = message.string if isinstance(message.string, str) else (message.string or [""])[0]
        texts[(message.context, str(source))] = str(text or "")
    return texts


@pytest.mark.parametrize("language", [code for code in LANGUAGES if code != "nl"])
def test_no_resident_text_is_left_in_dutch(language: str) -> None:
    dutch = resident_texts("nl")
    left = [
        key
        for key, text in resident_texts(language).items()
        if text and text == dutch.get(key) and dutch.get(key) != key[1]
    ]
    assert left == []
