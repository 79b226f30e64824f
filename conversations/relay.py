"""Messages between staff and a reporter through the bot: never a phone number.

The bot relays questions so an anonymous reporter stays anonymous; a phone number in
either direction would undo that, so staff questions with one are refused and numbers in
a reporter's answer are blanked out before staff read it.
"""

from __future__ import annotations

import re

from .sanitize import clean_text

MAX_RELAY_LENGTH = 700
# Eight or more digits, maybe with +/00 and separators: Dutch numbers have ten.
_PHONE = re.compile(r"(?:\+|\b00)?\d(?:[ \t\-./()]{0,2}\d){7,}")
REDACTED = "[…]"


def contains_phone_number(text: str) -> bool:
    """True when ``text`` holds something that looks like a phone number."""
    return _PHONE.search(text) is not None


def relay_text(text: str) -> str:
    """Typed text made safe to store and pass on: cleaned, capped, numbers blanked."""
    cleaned = clean_text(text).strip()[:MAX_RELAY_LENGTH]
    return _PHONE.sub(REDACTED, cleaned)


_REFERENCE = re.compile(r"\b[A-Z]{2}-\d{4}-\d{4,}\b")


def find_reference(text: str) -> str | None:
    """The signal reference (``SP-2026-0001``) in a message the bot sent, if any."""
    match = _REFERENCE.search(text)
    return match.group(0) if match else None
