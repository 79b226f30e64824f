"""The safety text said "Call 113 or 0800-0113: free, anonymous, day and night" in every
language (issue 20). Only 0800-0113 is free; 113 costs a normal call. Every language now
names 0800-0113 as the free one, and 113 after it."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from core.dialog import messages as m
from core.dialog.flows import DANGER_INFO
from core.text.catalog import Catalog
from core.text.languages import LANGUAGES
from core.text.msgids import Msg, safety_params
from core.text.render import render

FREE = {
    "nl": "gratis",
    "en": "free",
    "tr": "ücretsiz",
    "ar": "مجان",
    "pl": "bezpłatnie",
    "uk": "безкоштовно",
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("msgid", [m.SAFETY, DANGER_INFO.prompt], ids=["welcome", "danger"])
def test_only_the_0800_number_is_called_free(
    catalogs: Mapping[str, Catalog], language: str, msgid: str
) -> None:
    text = render(Msg(msgid, safety_params()), catalogs[language], language)
    free_line, paid_line = "\u20660800-0113\u2069", "\u2066113\u2069"
    assert text.count(FREE[language]) == 1
    assert text.index(free_line) < text.index(FREE[language]) < text.index(paid_line)
