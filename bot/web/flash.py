"""A one-time message shown on the page a POST redirects to ("Picked up.").

Kept in a short-lived cookie for the dashboard's path; the page that shows it deletes it.
It is only ever shown to the browser that holds it, and escaped like all text.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import Response

COOKIE = "signaalpunt_flash"
MAX_LENGTH = 500


def set_flash(response: Response, text: str, *, path: str = "/loket", secure: bool) -> None:
    response.set_cookie(
        COOKIE,
        quote(text[:MAX_LENGTH]),  # a cookie value is ASCII
        max_age=60,
        path=path,
        httponly=True,
        samesite="strict",
        secure=secure,
    )


def take_flash(request: Request, response: Response, *, path: str = "/loket") -> None:
    if COOKIE in request.cookies:
        response.delete_cookie(COOKIE, path=path, httponly=True, samesite="strict")


def flash_of(request: Request) -> str | None:
    text = request.cookies.get(COOKIE)
    return unquote(text)[:MAX_LENGTH] if text else None
