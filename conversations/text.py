"""Channel-neutral texts: a msgid with parameters, rendered later by the shell.

The core never formats user text into a template; user text only ever travels as a
parameter value (``UserText``) so ``{name}`` or ``%(x)s`` typed by a reporter stays inert.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Union

LANGUAGES: tuple[str, ...] = ("nl", "en", "tr", "ar", "pl", "uk")
DEFAULT_LANGUAGE = "nl"
STAFF_LANGUAGE = "nl"
RTL_LANGUAGES: frozenset[str] = frozenset({"ar"})

# Safety numbers are facts, not translations: translators cannot mistype them.
EMERGENCY_NUMBER = "112"
SUICIDE_LINE = "113"
SUICIDE_LINE_FREE = "0800-0113"
WORRYING_BEHAVIOUR_LINE = "0800-1205"


def N_(msgid: str) -> str:
    """Mark a string for extraction into the catalog without translating it here."""
    return msgid


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for extraction (``ngettext`` at render time)."""
    return singular, plural


@dataclass(frozen=True)
class UserText:
    """Text a person typed; shown isolated so its direction cannot scramble ours."""

    value: str


@dataclass(frozen=True)
class Token:
    """A left-to-right token (reference, postcode, phone, number) isolated for RTL."""

    value: str


@dataclass(frozen=True)
class When:
    """A moment rendered as a date and time in Europe/Amsterdam, in the user's locale."""

    value: datetime


@dataclass(frozen=True)
class LanguageName:
    """A language named in the reader's language (``in_itself``: named in itself)."""

    code: str
    in_itself: bool = False


@dataclass(frozen=True)
class Many:
    """Several values shown as one list ("a, b, c")."""

    items: tuple[Param, ...]


Param = Union[str, int, "Msg", UserText, Token, When, LanguageName, Many]


@dataclass(frozen=True)
class Msg:
    """A translatable text: msgid (and plural msgid with ``count``) plus parameters."""

    msgid: str
    params: Mapping[str, Param] = field(default_factory=dict)
    plural: str | None = None
    count: int | None = None


def msg(msgid: str, /, **params: Param) -> Msg:
    """Shorthand for a singular text with parameters."""
    return Msg(msgid, dict(params))


def safety_params() -> dict[str, Param]:
    """The safety numbers as isolated tokens, for every text that names them."""
    return {
        "emergency": Token(EMERGENCY_NUMBER),
        "suicide": Token(SUICIDE_LINE),
        "suicide_free": Token(SUICIDE_LINE_FREE),
        "worry": Token(WORRYING_BEHAVIOUR_LINE),
    }


def language_from_tag(tag: object) -> str | None:
    """A supported language from a client's language tag ("ar-SA" -> "ar"), else None."""
    if not isinstance(tag, str):
        return None
    primary = tag.strip().replace("_", "-").split("-", 1)[0].casefold()
    return primary if primary in LANGUAGES else None
