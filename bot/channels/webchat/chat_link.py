"""``/chat/open``: the link of a notice mail opens the resident's chat, once.

GET shows a button and changes nothing (a mail scanner that follows links uses up
nothing); pressing it (POST) uses the link and moves the chat to a new cookie in this
browser, a session cookie, gone when the browser closes. The chat's earlier cookie no
longer opens it: one browser at a time holds the chat. In the browser that already holds
the chat, the link opens it at once. A used, expired or forged link gets a friendly page.
The token never stays in the address bar longer than the page (``chat.js`` replaces it).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.app import App
from bot.web.http import form_fields, limited_body
from bot.web.templating import Pages
from core.text.languages import LANGUAGES
from storage.webchat import token_hash

from . import reach_texts
from .chat import COOKIE, PATH, SESSION_MARK, accepted_language
from .notice import OPEN_PATH

_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _token(value: str | None) -> str | None:
    if value is None or not 20 <= len(value) <= 64 or not set(value) <= _TOKEN_CHARS:
        return None
    return value


class ChatLinks:
    def __init__(self, app: App, clock: Callable[[], datetime], pages: Pages) -> None:
        self._app = app
        self._clock = clock
        self._pages = pages
        self._secure = app.settings.web_secure_cookies

    async def show(self, request: Request, token: str | None) -> Response:
        now = self._clock()
        checked = _token(token)
        hint = accepted_language(request.headers.get("accept-language")) or "nl"
        if checked is None:
            return self._gone(request, hint)
        async with self._app.store.unit_of_work() as uow:
            found = await uow.reporter_mail.find_link(token_hash(checked), now)
            mine = await uow.webchat.by_token(token_hash(request.cookies.get(COOKIE) or ""))
            if found.state == "open" and mine is not None and mine.user_id == found.user_id:
                # This browser holds the chat already: open it, and the link is used up.
                await uow.reporter_mail.use_link(token_hash(checked), now)
                await uow.commit()
                return RedirectResponse(PATH, status_code=303)
        if found.state != "open":
            if found.state == "used" and mine is not None and mine.user_id == found.user_id:
                return RedirectResponse(PATH, status_code=303)
            return self._gone(request, found.language or hint)
        return self._page(request, "chat/open.html", found.language or hint, token=checked)

    async def open(self, request: Request) -> Response:
        now = self._clock()
        body = await limited_body(request, 1024)
        form = dict(form_fields(body or b"", 4))
        checked = _token(form.get("t"))
        hint = accepted_language(request.headers.get("accept-language")) or "nl"
        if checked is None or request.headers.get("sec-fetch-site") == "cross-site":
            return self._gone(request, hint)
        fresh = secrets.token_urlsafe(32)
        async with self._app.store.unit_of_work() as uow:
            found = await uow.reporter_mail.use_link(token_hash(checked), now)
            if found.state != "open" or found.user_id is None:
                return self._gone(request, found.language or hint)
            if not await uow.reporter_mail.move_chat(found.user_id, token_hash(fresh), now):
                return self._gone(request, found.language or hint)
            await uow.commit()
        response = RedirectResponse(PATH, status_code=303)
        # A session cookie: on a shared computer the chat goes when the browser closes.
        for name, value in ((COOKIE, fresh), (SESSION_MARK, "1")):
            response.set_cookie(
                name, value, path=PATH, httponly=True, samesite="lax", secure=self._secure
            )
        return response

    def _gone(self, request: Request, language: str) -> Response:
        return self._page(request, "chat/link_gone.html", language, status_code=410)

    def _page(
        self, request: Request, name: str, language: str, status_code: int = 200, token: str = ""
    ) -> Response:
        response = self._pages.render(
            request,
            name,
            language=language if language in LANGUAGES else "nl",
            status_code=status_code,
            t=reach_texts,
            token=token,
        )
        response.headers["Cache-Control"] = "no-store"
        return response


def link_routes(links: ChatLinks) -> APIRouter:
    routes = APIRouter()

    @routes.get(OPEN_PATH, include_in_schema=False)
    async def show(request: Request, t: str | None = None) -> Response:
        return await links.show(request, t)

    @routes.post(OPEN_PATH, include_in_schema=False)
    async def open_chat(request: Request) -> Response:
        return await links.open(request)

    return routes
