"""The web side assembled: static files, the login, the dashboard pages, the residents'
chat, and the error pages, as one channel of the service (``bot.serve.Channel``).

Page modules are imported here, inside ``web_channel``: each exposes
``router(web: WebContext) -> APIRouter``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from core.text.msgids import N_

from ..app import App
from ..http import FailurePage
from ..serve import Channel
from .auth import (
    FORM_EXPIRED,
    NOT_ALLOWED,
    Forbidden,
    FormExpired,
    LoginRequired,
    StaffAuth,
    login_redirect,
)
from .auth import router as auth_router
from .chat import chat_parts
from .context import WebContext
from .flash import Flash
from .static import StaticFiles
from .templating import Pages

__all__ = ["WebContext", "web_channel", "web_context"]

NOT_FOUND = N_("This page does not exist (any more).")
BROKEN = N_(
    "Something went wrong on our side. Nothing you entered before this page is lost; "
    "please try again in a moment."
)
WEB_PREFIXES = ("/loket", "/chat")


def web_context(app: App, clock: Callable[[], datetime]) -> WebContext:
    pages = Pages(app.catalogs, StaticFiles())
    flash = Flash(app.store.keyring, secure=app.settings.web_secure_cookies)
    return WebContext(app, clock, pages, StaffAuth(app, clock), flash)


def _home() -> APIRouter:
    routes = APIRouter()

    @routes.get("/", include_in_schema=False)
    async def root() -> Response:
        return RedirectResponse("/chat", status_code=303)

    @routes.get("/loket", include_in_schema=False)
    async def loket() -> Response:
        return RedirectResponse("/loket/", status_code=303)

    return routes


def _page_routers(web: WebContext) -> list[APIRouter]:
    from . import intake, monitoring, partners, signals

    return [
        signals.router(web),
        intake.router(web),
        partners.router(web),
        monitoring.router(web),
    ]


def _error_page(web: WebContext, request: Request, status: int, message: str) -> Response:
    if not request.url.path.startswith(WEB_PREFIXES):
        return PlainTextResponse(str(status), status_code=status)
    return web.pages.render(request, "error.html", status_code=status, message=message)


def error_handlers(web: WebContext) -> dict[Any, Callable[..., Any]]:
    async def login_required(request: Request, error: Exception) -> Response:
        assert isinstance(error, LoginRequired)
        return login_redirect(error.next_path)

    async def forbidden(request: Request, error: Exception) -> Response:
        return _error_page(web, request, 403, NOT_ALLOWED)

    async def expired(request: Request, error: Exception) -> Response:
        return _error_page(web, request, 403, FORM_EXPIRED)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        if error.status_code == 404:
            return _error_page(web, request, 404, NOT_FOUND)
        if not request.url.path.startswith(WEB_PREFIXES):
            return PlainTextResponse(str(error.detail), status_code=error.status_code)
        return _error_page(web, request, error.status_code, BROKEN)

    return {
        LoginRequired: login_required,
        Forbidden: forbidden,
        FormExpired: expired,
        HTTPException: http_error,
    }


def failure_page(web: WebContext) -> FailurePage:
    """What a request that failed gets (logged once, in ``bot.http.Failures``): on the web
    pages a friendly page (nothing entered before it is lost), elsewhere the status."""

    async def page(request: Request, error: Exception, status: int) -> Response:
        return _error_page(web, request, status, BROKEN)

    return page


def web_channel(app: App, clock: Callable[[], datetime], base_url: str) -> Channel:
    """The web chat and the dashboard. ``base_url`` is where they are reached (printed)."""
    web = web_context(app, clock)
    static = web.pages.static
    chat_routes, chat_messenger = chat_parts(web)
    routers = (static.router(), _home(), auth_router(web), *_page_routers(web), chat_routes)
    return Channel(
        name="web",
        messenger=chat_messenger,
        routers=routers,
        errors=error_handlers(web),
        failure_page=failure_page(web),
        where=f"web chat on {base_url}/chat, loket dashboard on {base_url}/loket/",
    )
