"""Messages between staff and a reporter through the bot: never a phone number.

The bot relays questions so an anonymous reporter stays anonymous; a phone number in
either direction would undo that, so staff questions with one are refused and numbers in
a reporter's answer are blanked out before staff read it.
"""

from __future__ import annotations

import re

from core.text.sanitize import clean_text

MAX_RELAY_LENGTH = 700
# A number as people write one: "+31…", "0031…" or "0…" and at least nine digits in all
# (Dutch numbers have ten), maybe with separators. Dates have eight digits; a reference
# ("SP-2026-0001") starts after a hyphen, so neither looks like one.
_PHONE = re.compile(r"(?<![\w+\-])(?:\+\d|[0\u0660\u06f0])(?:[ \t\-./()]{0,3}\d){8,}")
REDACTED = "[…]"


def contains_phone_number(text: str) -> bool:
    """True when ``text`` holds something that looks like a phone number."""
    return _PHONE.search(text) is not None


def relay_text(text: str) -> str:
    """Typed text made safe to store and pass on: cleaned, numbers blanked, capped.

    Blanking before capping, so a number cut in half cannot slip through."""
    blanked = _PHONE.sub(REDACTED, clean_text(text)).strip()
    return blanked[:MAX_RELAY_LENGTH].rstrip()


_REFERENCE = re.compile(r"\b[A-Z]{2}-\d{4}-\d{4,}\b")


def find_reference(text: str) -> str | None:
    """The signal reference (``SP-2026-0001``) in a message the bot sent, if any (the
    invisible characters that keep it on one line and isolate it are passed over)."""
    match = _REFERENCE.search(clean_text(text))
    return match.group(0) if match else None
