"""The languages residents write in, and how a language is named.

Staff read Dutch; residents pick any of ``LANGUAGES``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from babel import Locale

LANGUAGES: tuple[str, ...] = ("nl", "en", "tr", "ar", "pl", "uk")
DEFAULT_LANGUAGE = "nl"
STAFF_LANGUAGE = "nl"
RTL_LANGUAGES: frozenset[str] = frozenset({"ar"})


@dataclass(frozen=True)
class LanguageName:
    """A language named in the reader's language (``in_itself``: named in itself)."""

    code: str
    in_itself: bool = False


@functools.cache  # Babel looks the name up in its locale data each time
def language_name(code: str, reader: str) -> str:
    """``code``'s language named in ``reader``'s, capitalised as a name on its own (Babel
    writes "polski" and "українська" in lower case, as inside a sentence)."""
    name = Locale.parse(code).get_display_name(reader) or code
    return name[:1].upper() + name[1:]


def language_from_tag(tag: object) -> str | None:
    """A supported language from a client's language tag ("ar-SA" -> "ar"), else None."""
    if not isinstance(tag, str):
        return None
    primary = tag.strip().replace("_", "-").split("-", 1)[0].casefold()
    return primary if primary in LANGUAGES else None
