"""Found by the Arabic review (review-ar.md 19 and 44). "11 answers chosen" read "11 جواب"
(the form 100 takes) and 100 read "100 جوابًا" (the form for 11 to 99): that one entry had
its last two forms swapped against the catalog's Plural-Forms header (100-102 are index 4,
11-99 index 5). And times showed on the 12-hour clock with ص/م ("9:05 ص"), which readers
here (many Moroccan-Dutch) easily misread."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime

from core.dialog import messages as m
from core.text.catalog import Catalog
from core.text.msgids import Msg, When
from core.text.render import format_when, render


def chosen(catalogs: Mapping[str, Catalog], count: int) -> str:
    return render(
        Msg(m.SELECTED, {"count": count}, plural=m.SELECTED_PLURAL, count=count),
        catalogs["ar"],
        "ar",
    )


def test_eleven_to_ninety_nine_take_the_accusative_and_a_hundred_does_not(
    catalogs: Mapping[str, Catalog],
) -> None:
    assert "11 إجابةً" in chosen(catalogs, 11)
    assert "99 إجابةً" in chosen(catalogs, 99)
    hundred = chosen(catalogs, 100)
    assert "100 إجابة" in hundred
    assert "إجابةً" not in hundred
    assert "إجابات" in chosen(catalogs, 3)


def test_arabic_times_are_on_the_24_hour_clock() -> None:
    morning = format_when(When(datetime(2026, 11, 23, 8, 5, tzinfo=UTC)), "ar")
    evening = format_when(When(datetime(2026, 11, 23, 17, 5, tzinfo=UTC)), "ar")
    assert "09:05" in morning
    assert "18:05" in evening
    # The 12-hour clock marks the time with ص (morning) or م (evening) after its digits.
    marked = re.compile(r"\d\W*[صم]")
    assert marked.search(morning) is None
    assert marked.search(evening) is None
    assert marked.search("9:05\u2069 ص") is not None
