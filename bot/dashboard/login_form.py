"""The login form's token, against login CSRF (a page elsewhere posting our login form, so
that a staff member's browser ends up logged in as the attacker and types details into an
account the attacker reads later).

Before a login there is no session to hold a form token, so the form carries a signed
double-submit token: the login page sets a random cookie (this path only, SameSite=Strict)
and puts its HMAC in the form; a POST counts only when both are there and match. Another
site can neither read the cookie nor compute the HMAC (the key stays on the server), and a
cookie planted from elsewhere does not come with a form that matches it.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from bot.web.security import same_token
from storage.crypto import Keyring

COOKIE = "signaalpunt_login_form"
PATH = "/loket/login"
MAX_AGE = 12 * 3600  # a login page left open over a working day still works


class LoginForms:
    def __init__(self, keyring: Keyring, *, secure: bool) -> None:
        self._keyring = keyring
        self._secure = secure

    def token_for(self, cookie: str) -> str:
        return self._keyring.index(f"login-form:{cookie}")

    @staticmethod
    def cookie_of(request: Request) -> str | None:
        cookie = request.cookies.get(COOKIE)
        return cookie if cookie and len(cookie) <= 128 else None

    def valid(self, request: Request, sent: str | None) -> bool:
        cookie = self.cookie_of(request)
        return cookie is not None and same_token(sent, self.token_for(cookie))

    def set_cookie(self, response: Response, cookie: str) -> None:
        response.set_cookie(
            COOKIE,
            cookie,
            max_age=MAX_AGE,
            path=PATH,
            httponly=True,
            samesite="strict",
            secure=self._secure,
        )

    @staticmethod
    def clear_cookie(response: Response) -> None:
        response.delete_cookie(COOKIE, path=PATH, httponly=True, samesite="strict")
