"""A language's translations, as the core and the shell use them (``bot.i18n`` loads them)."""

from __future__ import annotations

from typing import Protocol


class Catalog(Protocol):
    """A language's translations. ``gettext`` honours a msgid's translator context
    (``core.text.msgids.P_``); ``pgettext`` names one (the web pages' templates)."""

    def gettext(self, message: str, /) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...

    def pgettext(self, context: str, message: str, /) -> str: ...
