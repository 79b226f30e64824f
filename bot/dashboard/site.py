"""The loket dashboard assembled: the login, the signal pages, the telephone intake, the
partners and monitoring, with what a missing login, a refusal and an expired form get.

Page modules are imported here, inside ``dashboard_parts``: each exposes
``router(web: DashboardContext) -> APIRouter``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.app import App
from bot.web.errors import ErrorPages
from bot.web.templating import Pages

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
from .context import DashboardContext
from .flash import Flash
from .live import router as live_router
from .live_feed import LiveFeed

PATH = "/loket"
SSO_TIMEOUT = 10.0  # seconds for each call to the identity provider
Loop = Callable[[asyncio.Event], Coroutine[Any, Any, None]]  # as bot.channels.channel's


@dataclass(frozen=True)
class DashboardParts:
    context: DashboardContext
    routers: tuple[APIRouter, ...]
    # Exception handlers of its pages (a missing login becomes a redirect).
    errors: dict[Any, Callable[..., Any]]
    # Run while the service does: the live feed; single sign-on's HTTP client, closed when
    # the service stops.
    loops: tuple[Loop, ...] = ()


def dashboard_context(app: App, clock: Callable[[], datetime], pages: Pages) -> DashboardContext:
    flash = Flash(app.store.keyring, secure=app.settings.web_secure_cookies)
    sign_on = None
    if app.settings.oidc_issuer is not None:
        from .sign_on import SignOn

        sign_on = SignOn(app, clock, httpx.AsyncClient(timeout=SSO_TIMEOUT))
    return DashboardContext(app, clock, pages, StaffAuth(app, clock), flash, sign_on)


def _sign_on(web: DashboardContext) -> tuple[list[APIRouter], tuple[Loop, ...]]:
    if web.sign_on is None:
        return [], ()
    from . import sign_on_routes

    http = web.sign_on.http

    async def close_client(stop: asyncio.Event) -> None:
        await stop.wait()
        await http.aclose()

    return [sign_on_routes.router(web, web.sign_on)], (close_client,)


def _home() -> APIRouter:
    routes = APIRouter()

    @routes.get(PATH, include_in_schema=False)
    async def loket() -> Response:
        return RedirectResponse(f"{PATH}/", status_code=303)

    return routes


def _page_routers(web: DashboardContext) -> list[APIRouter]:
    from . import intake, my_mail, partner_edit, partners, signal_routes, signals, voice
    from .monitoring import page as monitoring

    return [
        signals.router(web),
        signal_routes.router(web),
        voice.router(web),
        intake.router(web),
        partners.router(web),
        partner_edit.router(web),
        monitoring.router(web),
        my_mail.router(web),
    ]


def _error_handlers(errors: ErrorPages) -> dict[Any, Callable[..., Any]]:
    async def login_required(request: Request, error: Exception) -> Response:
        assert isinstance(error, LoginRequired)
        return login_redirect(error.next_path)

    async def forbidden(request: Request, error: Exception) -> Response:
        return errors.page(request, 403, NOT_ALLOWED)

    async def expired(request: Request, error: Exception) -> Response:
        return errors.page(request, 403, FORM_EXPIRED)

    return {LoginRequired: login_required, Forbidden: forbidden, FormExpired: expired}


def dashboard_parts(
    app: App, clock: Callable[[], datetime], pages: Pages, errors: ErrorPages
) -> DashboardParts:
    web = dashboard_context(app, clock, pages)
    sign_on_routers, sign_on_loops = _sign_on(web)
    feed = LiveFeed(app.store)
    routers = (
        _home(),
        auth_router(web),
        *sign_on_routers,
        *_page_routers(web),
        live_router(web, feed),
    )
    return DashboardParts(web, routers, _error_handlers(errors), (*sign_on_loops, feed.run))
