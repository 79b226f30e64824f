"""Render texts for one reader: translate, fill parameters, isolate bidi-sensitive parts."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time

from .matching import Catalog
from .text import LanguageName, Many, Msg, Param, Token, UserText, When

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# First-strong isolate / pop directional isolate: the content keeps its own direction
# without reordering the sentence around it (Unicode UAX #9).
FSI = "\u2068"
PDI = "\u2069"


def isolate(value: str) -> str:
    return f"{FSI}{value}{PDI}"


def format_when(value: When, language: str) -> str:
    """A date and time in Europe/Amsterdam, formatted by Babel for ``language``."""
    local = value.value.astimezone(AMSTERDAM)
    date = format_date(local, format="long", locale=language)
    time = format_time(local, format="short", locale=language)
    combine = str(Locale.parse(language).datetime_formats["medium"])
    return combine.replace("{1}", date).replace("{0}", time)


def _param(value: Param, catalog: Catalog, language: str) -> str | int:
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return value
    if isinstance(value, Msg):
        return render(value, catalog, language)
    if isinstance(value, UserText | Token):
        return isolate(value.value)
    if isinstance(value, When):
        return isolate(format_when(value, language))
    if isinstance(value, LanguageName):
        reader = value.code if value.in_itself else language
        return Locale.parse(value.code).get_display_name(reader) or value.code
    return ", ".join(str(_param(item, catalog, language)) for item in value.items)


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


__all__ = ["AMSTERDAM", "Many", "format_when", "isolate", "render", "render_label"]
