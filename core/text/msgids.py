"""Channel-neutral texts: a msgid with parameters, rendered later by the shell.

The core never formats user text into a template; user text only ever travels as a
parameter value (``UserText``) so ``{name}`` or ``%(x)s`` typed by a reporter stays inert.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Union

from .languages import LanguageName

# The service's name: a proper noun in every language.
SERVICE_NAME = "Signaalpunt Eenzaamheid"

# Safety numbers are facts, not translations: translators cannot mistype them.
EMERGENCY_NUMBER = "112"
SUICIDE_LINE = "113"
SUICIDE_LINE_FREE = "0800-0113"
WORRYING_BEHAVIOUR_LINE = "0800-1205"


def N_(msgid: str) -> str:
    """Mark a staff text for extraction without translating it here: no context, Dutch
    only, in the ``staff`` domain (``locales/nl/LC_MESSAGES/staff.po``)."""
    return msgid


def Nn_(singular: str, plural: str) -> tuple[str, str]:
    """``N_`` for a singular/plural pair (``ngettext`` at render time)."""
    return singular, plural


class Text(str):
    """A msgid that carries its translator context (gettext's ``msgctxt``).

    It is the msgid everywhere a string is (equal to it, hashed as it); only the catalog
    looks at ``context`` (``bot.i18n.ContextCatalog`` translates it with ``pgettext``).
    """

    context: str

    def __new__(cls, context: str, msgid: str) -> Text:
        text = super().__new__(cls, msgid)
        text.context = context
        return text

    def __reduce__(self) -> tuple[type[Text], tuple[str, str]]:
        return Text, (self.context, str(self))


def P_(context: str, msgid: str) -> str:
    """Mark a resident text for extraction with its translator context: where it appears
    and what it means (see docs/glossary.md), so each language can choose its words. The
    ``signaalpunt`` domain, a catalog per language."""
    return Text(context, msgid)


def Pn_(context: str, singular: str, plural: str) -> tuple[str, str]:
    """``P_`` for a singular/plural pair."""
    return Text(context, singular), Text(context, plural)


def context_of(msgid: str) -> str | None:
    """The translator context of ``msgid`` (None for a staff text)."""
    return msgid.context if isinstance(msgid, Text) else None


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
