"""A one-time message shown on the page a POST redirects to ("Picked up."), or a refusal
("This step no longer applies"), which the page shows as an error.

Kept in a short-lived cookie for the dashboard's path; the page that shows it deletes it.
The cookie is signed (an HMAC with a key derived from the index key): a cookie set by
anyone else (another site on a sibling domain, a script on the network path) shows nothing,
so the dashboard never shows text an attacker chose.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import Response

from bot.web.security import same_token
from storage.crypto import Keyring

COOKIE = "signaalpunt_flash"
MAX_LENGTH = 500
PATH = "/loket"
_ERROR, _NOTICE = "e", "n"


@dataclass(frozen=True)
class FlashMessage:
    text: str
    error: bool = False


class Flash:
    def __init__(self, keyring: Keyring, *, secure: bool) -> None:
        self._keyring = keyring
        self._secure = secure

    def _mac(self, value: str) -> str:
        return self._keyring.index(f"flash:{value}")[:32]

    def set(self, response: Response, text: str, *, error: bool = False) -> None:
        kind = _ERROR if error else _NOTICE
        value = quote(kind + text[:MAX_LENGTH])  # a cookie value is ASCII
        response.set_cookie(
            COOKIE,
            f"{value}.{self._mac(value)}",
            max_age=60,
            path=PATH,
            httponly=True,
            samesite="strict",
            secure=self._secure,
        )

    @staticmethod
    def take(request: Request, response: Response) -> None:
        if COOKIE in request.cookies:
            response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="strict")

    def of(self, request: Request) -> FlashMessage | None:
        """The message, or None when there is none or its signature is not ours."""
        value, _, mac = (request.cookies.get(COOKIE) or "").rpartition(".")
        if not value or not same_token(mac, self._mac(value)):
            return None
        text = unquote(value)
        return FlashMessage(text[1 : MAX_LENGTH + 1], error=text[:1] == _ERROR)
