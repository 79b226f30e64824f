"""Render texts for one reader: translate, fill parameters, isolate bidi-sensitive parts."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time

from .catalog import Catalog
from .languages import LanguageName, language_name
from .msgids import Many, Msg, Param, Token, UserText, When

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# First-strong isolate / pop directional isolate: the content keeps its own direction
# without reordering the sentence around it (Unicode UAX #9).
FSI = "\u2068"
PDI = "\u2069"


# Left-to-right isolate: a token (reference, number, postcode, command) is left-to-right
# whatever surrounds it, so "/start" never shows as "start/" in Arabic, and a page can tell
# it from typed text (FSI) and keep it on one line (bot/channels/webchat/line.py).
LRI = "\u2066"
# How a language joins the answers of a multiple choice ("a, b"; Arabic "a، b").
LIST_SEPARATORS = {"ar": "\u060c "}


def isolate(value: str) -> str:
    return f"{FSI}{value}{PDI}"


def isolate_token(value: str) -> str:
    return f"{LRI}{value}{PDI}"


def list_separator(language: str) -> str:
    return LIST_SEPARATORS.get(language, ", ")


# The locale whose dates a language's readers here expect: English readers in the
# Netherlands write the day first (23 November 2026, 09:00), not Babel's en_US.
DATE_LOCALES = {"en": "en_GB"}
# The clock readers here expect where Babel's short time differs: Arabic readers in the
# Netherlands (many Moroccan-Dutch) read the 24-hour clock, not Babel's "9:05 ص" (review-ar 44).
TIME_FORMATS = {"ar": "HH:mm"}


def format_when(value: When, language: str) -> str:
    """A date and time in Europe/Amsterdam, formatted by Babel for ``language``."""
    local = value.value.astimezone(AMSTERDAM)
    locale = DATE_LOCALES.get(language, language)
    date = format_date(local, format="long", locale=locale)
    time = format_time(local, format=TIME_FORMATS.get(language, "short"), locale=locale)
    combine = str(Locale.parse(locale).datetime_formats["medium"])
    return combine.replace("{1}", date).replace("{0}", time)


def _param(value: Param, catalog: Catalog, language: str) -> str | int:
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return value
    if isinstance(value, Msg):
        return render(value, catalog, language)
    if isinstance(value, UserText):
        return isolate(value.value)
    if isinstance(value, Token):
        return isolate_token(value.value)
    if isinstance(value, When):
        return isolate(format_when(value, language))
    if isinstance(value, LanguageName):
        return language_name(value.code, value.code if value.in_itself else language)
    separator = list_separator(language)
    return separator.join(str(_param(item, catalog, language)) for item in value.items)


def render(message: Msg, catalog: Catalog, language: str) -> str:
    """The text of ``message`` in ``language``; user text is never used as a template."""
    if message.plural is not None and message.count is not None:
        template = catalog.ngettext(message.msgid, message.plural, message.count)
    else:
        template = catalog.gettext(message.msgid)
    if not message.params:
        return template
    values = {key: _param(value, catalog, language) for key, value in message.params.items()}
    return template % values


def render_label(label: Msg | LanguageName | str, catalog: Catalog, language: str) -> str:
    """The text of a choice label."""
    return str(_param(label, catalog, language))


__all__ = [
    "AMSTERDAM",
    "Many",
    "format_when",
    "isolate",
    "isolate_token",
    "list_separator",
    "render",
    "render_label",
]
