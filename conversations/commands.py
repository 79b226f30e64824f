"""Commands a reporter can type at any step: /start, stop, /taal, /help, /privacy, /status."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .sanitize import clean_text

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
}
# A whole message that is one of these words also stops (reporters do not type slashes).
_STOP_WORDS = frozenset({"stop", "stoppen", "dur", "durdur", "توقف", "стоп", "zatrzymaj"})
_PARTNER = re.compile(r"p_([a-z0-9][a-z0-9-]{0,31})")


@dataclass(frozen=True)
class Command:
    name: str  # start | stop | language | help | privacy | status
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
