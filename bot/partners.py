"""Partner organisations (a supermarket, a library) and their deep links."""

from __future__ import annotations

import unicodedata
from collections.abc import Container

MAX_CODE = 24
MAX_NAME = 120  # the partners.name column
# Letters that Unicode does not decompose into a Latin base letter.
_LATIN = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe"})


def partner_code(name: str, taken: Container[str]) -> str:
    """A readable code from the name ("Jumbo Terneuzen" -> "jumbo-terneuzen"), unique."""
    ascii_name = (
        unicodedata.normalize("NFKD", name.casefold().translate(_LATIN))
        .encode("ascii", "ignore")
        .decode()
    )
    words = "".join(ch if ch.isalnum() else " " for ch in ascii_name.casefold()).split()
    base = "-".join(words)[:MAX_CODE].strip("-") or "partner"
    code, number = base, 2
    while code in taken:
        suffix = f"-{number}"
        code = base[: MAX_CODE - len(suffix)].strip("-") + suffix
        number += 1
    return code


def start_payload(code: str) -> str:
    """What follows /start in the deep link; the engine reads ``p_<code>``."""
    return f"p_{code}"


def telegram_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={start_payload(code)}"
