"""Partner organisations (a supermarket, a library) and their deep links."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from urllib.parse import quote

from core.text.sanitize import clean_text

MAX_CODE = 24
MAX_NAME = 120  # the partners.name column
# What a code can look like (``partner_code`` makes them; a deep link carries one): a value
# that does not is no partner, without asking the database.
CODE_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
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


def partner_name(raw: str) -> str:
    """The name as stored: cleaned like typed text, on one line, single spaces ("" when
    nothing is left). Longer than ``MAX_NAME`` is the caller's to refuse."""
    return " ".join(clean_text(raw).split())


def whatsapp_link(display_number: str, code: str) -> str:
    """A wa.me link that opens a chat with the number, the partner's /start typed in."""
    return f"https://wa.me/{display_number}?text={quote('/start ' + start_payload(code), safe='')}"


def web_chat_link(public_base: str, code: str) -> str:
    """The web chat, with the partner attributed (``public_base`` without a final /)."""
    return f"{public_base}/chat?partner={quote(code, safe='')}"


def public_base(public_url: str | None, http_host: str, http_port: int) -> str:
    """Where the web pages are reached: the configured public URL, else the HTTP server's
    own address (an all-interfaces address reads as this machine)."""
    if public_url:
        return public_url.rstrip("/")
    host = "127.0.0.1" if http_host in {"", "0.0.0.0", "::"} else http_host
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{http_port}"
