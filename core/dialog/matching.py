"""Understanding typed answers: option numbers and labels typed in any supported language."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.text.catalog import Catalog
from core.text.languages import LANGUAGES, LanguageName, language_name
from core.text.msgids import Msg, Token, context_of, msg
from core.text.sanitize import ascii_digits, clean_text, fold

from . import messages as m
from .commands import looks_like_command
from .events import ReplyChoice

MIN_PREFIX = 2
_NUMBER = re.compile(r"\s*(\d{1,6})\s*[.)]?\s*")
# Separators: comma and semicolon, also the Arabic ones (what an Arabic keyboard types).
_NUMBER_LIST = re.compile(r"\s*\d{1,6}(\s*[,;،؛]\s*\d{1,6}|\s+\d{1,6})+\s*")


@dataclass(frozen=True)
class Miss:
    """Input that did not answer the question, with the hint to show."""

    hint: Msg


class LabelIndex:
    """Folded labels of every choice in every language, computed once per label."""

    def __init__(self, catalogs: Mapping[str, Catalog]) -> None:
        self._catalogs = catalogs
        self._cache: dict[tuple[str, str], frozenset[str]] = {}

    def _keys(self, label: Msg | LanguageName | str, language: str) -> frozenset[str]:
        if isinstance(label, str):
            return frozenset({fold(label)})
        # The context is part of the key: the same English words may be translated apart.
        context = context_of(label.msgid) if isinstance(label, Msg) else None
        cache_key = (language, f"{context}\x04{label!r}")
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        if isinstance(label, LanguageName):
            names = {language_name(label.code, label.code), language_name(label.code, language)}
        else:
            catalog = self._catalogs.get(language)
            names = {catalog.gettext(label.msgid) if catalog else label.msgid}
        keys = frozenset(k for k in (fold(n) for n in names) if k)
        self._cache[cache_key] = keys
        return keys

    def number(self, text: str, count: int) -> int | Miss | None:
        """The 1-based option a bare number points at; None when ``text`` is no number."""
        match = _NUMBER.fullmatch(ascii_digits(text))
        if match is None:
            return None
        value = int(match.group(1))
        if 1 <= value <= count:
            return value
        return Miss(msg(m.OUT_OF_RANGE, number=Token(str(value)), max=Token(str(count))))

    def by_label(self, text: str, choices: Sequence[ReplyChoice], language: str) -> str | None:
        """The choice whose label ``text`` is, preferring the reporter's language."""
        key = fold(text)
        if not key or looks_like_command(text):
            return None
        languages = (language, *[code for code in LANGUAGES if code != language])
        for lang in languages:
            found = {c.id for c in choices if key in self._keys(c.label, lang)}
            if found:
                return found.pop() if len(found) == 1 else None
        if len(key) < MIN_PREFIX:
            return None
        # "yes" for "Yes, you may call me": a unique beginning of a label is enough.
        for lang in languages:
            found = {
                c.id for c in choices if any(k.startswith(key) for k in self._keys(c.label, lang))
            }
            if found:
                return found.pop() if len(found) == 1 else None
        return None

    def pick(self, text: str, choices: Sequence[ReplyChoice], language: str) -> str | Miss:
        """Read typed text as one of ``choices`` (by number or label), or say why not."""
        cleaned = clean_text(text)
        if not cleaned:
            return Miss(msg(m.EMPTY))
        number = self.number(cleaned, len(choices))
        if isinstance(number, int):
            return choices[number - 1].id
        if isinstance(number, Miss):
            return number
        found = self.by_label(cleaned, choices, language)
        return found if found is not None else Miss(msg(m.NOT_UNDERSTOOD))

    def numbers(self, text: str, choices: Sequence[ReplyChoice]) -> list[str] | Miss | None:
        """Several options typed at once ("1, 3"); None when ``text`` is not such a list."""
        digits = ascii_digits(clean_text(text))
        if not _NUMBER_LIST.fullmatch(digits):
            return None
        picked: list[str] = []
        for part in re.split(r"[\s,;،؛]+", digits.strip()):
            number = self.number(part, len(choices))
            if isinstance(number, Miss) or number is None:
                return number
            picked.append(choices[number - 1].id)
        return picked
