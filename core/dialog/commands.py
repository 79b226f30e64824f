"""Commands a reporter can type at any step: /start, stop, /taal, /help, /privacy, /status,
/verwijder."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from core.text.sanitize import clean_text

_NAMES = {
    "start": "start",
    "begin": "start",
    "stop": "stop",
    "stoppen": "stop",
    "cancel": "stop",
    "taal": "language",
    "language": "language",
    "lang": "language",
    "dil": "language",
    "help": "help",
    "hulp": "help",
    "privacy": "privacy",
    "status": "status",
    "durum": "status",
    # Erasing one's own details is a right: it must be findable in one's own language.
    "verwijder": "erase",
    "verwijderen": "erase",
    "delete": "erase",
    "erase": "erase",
    "sil": "erase",
    "حذف": "erase",
    "usun": "erase",
    "usuń": "erase",
    "видалити": "erase",
}
# A whole message that is one of these words also stops (reporters do not type slashes),
# including each language's stop button label, which people type back as they read it.
_STOP_WORDS = frozenset(
    {
        "stop",
        "stoppen",
        "dur",
        "durdur",
        "توقف",
        "إيقاف",
        "стоп",
        "скасувати",
        "zatrzymaj",
        "zakończ",
    }
)
_PARTNER = re.compile(r"p_([a-z0-9][a-z0-9-]{0,31})")
# The slash and what passes for one once NFKC has mapped the full-width forms.
_SLASHES = frozenset("/\\\u2044\u2215\u29f8\u27cb\u2571")


@dataclass(frozen=True)
class Command:
    name: str  # start | stop | language | help | privacy | status | erase
    partner: str | None = None


def parse_command(text: str) -> Command | None:
    """Recognise a command in typed text; None when the text is an ordinary answer."""
    cleaned = unicodedata.normalize("NFKC", clean_text(text)).strip()
    if not cleaned:
        return None
    if cleaned.casefold() in _STOP_WORDS:
        return Command("stop")
    if not cleaned.startswith("/"):
        return None
    head, _, rest = cleaned[1:].partition(" ")
    name = _NAMES.get(head.split("@", 1)[0].casefold())
    if name is None:
        return None
    partner = None
    if name == "start":
        match = _PARTNER.fullmatch(rest.strip())
        partner = match.group(1) if match else None
    return Command(name, partner)


def looks_like_command(text: str) -> bool:
    """True when ``text`` is a slash and a word once only letters, digits and slashes are
    kept ("👋 /start", "/st\u200dart", "⁄stop"): a command attempt, mistyped or disguised,
    which must not be read as the label of a choice."""
    kept = "".join(
        ch
        for ch in unicodedata.normalize("NFKC", text)
        if ch in _SLASHES or unicodedata.category(ch)[0] in {"L", "N"}
    )
    word = kept.lstrip("".join(_SLASHES))
    return word != kept and word[:1].isalpha()
