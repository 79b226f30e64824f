"""Loading the gettext catalogs (compiled .mo when present, else the .po itself)."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from core.text.languages import LANGUAGES
from core.text.msgids import context_of

DOMAIN = "signaalpunt"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


class ContextCatalog(Translations):
    """A catalog whose ``gettext`` honours the msgid's translator context (``P_``): the
    same English words may be translated differently where they mean different things."""

    def gettext(self, message: str) -> str:
        context = context_of(message)
        if context is None:
            return super().gettext(message)
        return str(self.pgettext(context, message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        context = context_of(singular)
        if context is None:
            return super().ngettext(singular, plural, n)
        return str(self.npgettext(context, singular, plural, n))

    def pgettext(self, context: str, message: str) -> str:
        return str(super().pgettext(context, message))


def load_catalog(language: str, locales_dir: Path = LOCALES_DIR) -> ContextCatalog:
    folder = locales_dir / language / "LC_MESSAGES"
    mo = folder / f"{DOMAIN}.mo"
    po = folder / f"{DOMAIN}.po"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return ContextCatalog(handle, domain=DOMAIN)
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return ContextCatalog(buffer, domain=DOMAIN)


def load_catalogs(locales_dir: Path = LOCALES_DIR) -> dict[str, ContextCatalog]:
    """Every supported language's catalog, keyed by language code."""
    return {language: load_catalog(language, locales_dir) for language in LANGUAGES}
