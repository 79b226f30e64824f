"""Loading the gettext catalogs (compiled .mo when present, else the .po itself).

Two domains: ``signaalpunt``, what residents read, in every language; ``staff``, what loket
staff read, in Dutch only (``STAFF_LANGUAGE``), whose catalog is the residents' Dutch one
with the staff texts added (staff read the residents' texts too: the summary, a relayed
question).
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from core.text.languages import LANGUAGES, STAFF_LANGUAGE
from core.text.msgids import context_of

DOMAIN = "signaalpunt"
STAFF_DOMAIN = "staff"
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


def _load_domain(language: str, domain: str, locales_dir: Path) -> ContextCatalog:
    folder = locales_dir / language / "LC_MESSAGES"
    mo = folder / f"{domain}.mo"
    po = folder / f"{domain}.po"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return ContextCatalog(handle, domain=domain)
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return ContextCatalog(buffer, domain=domain)


def load_catalog(language: str, locales_dir: Path = LOCALES_DIR) -> ContextCatalog:
    """The residents' catalog of ``language``; for staff's language, with staff's texts."""
    catalog = _load_domain(language, DOMAIN, locales_dir)
    if language == STAFF_LANGUAGE:
        catalog.merge(_load_domain(language, STAFF_DOMAIN, locales_dir))
    return catalog


def load_catalogs(locales_dir: Path = LOCALES_DIR) -> dict[str, ContextCatalog]:
    """Every supported language's catalog, keyed by language code."""
    return {language: load_catalog(language, locales_dir) for language in LANGUAGES}
