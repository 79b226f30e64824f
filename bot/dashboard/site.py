"""The loket dashboard assembled: the login, the signal pages, the telephone intake, the
partners and monitoring, with what a missing login, a refusal and an expired form get.

Page modules are imported here, inside ``dashboard_parts``: each exposes
``router(web: DashboardContext) -> APIRouter``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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

PATH = "/loket"


@dataclass(frozen=True)
class DashboardParts:
    context: DashboardContext
    routers: tuple[APIRouter, ...]
    # Exception handlers of its pages (a missing login becomes a redirect).
    errors: dict[Any, Callable[..., Any]]


def dashboard_context(app: App, clock: Callable[[], datetime], pages: Pages) -> DashboardContext:
    flash = Flash(app.store.keyring, secure=app.settings.web_secure_cookies)
    return DashboardContext(app, clock, pages, StaffAuth(app, clock), flash)


def _home() -> APIRouter:
    routes = APIRouter()

    @routes.get(PATH, include_in_schema=False)
    async def loket() -> Response:
        return RedirectResponse(f"{PATH}/", status_code=303)

    return routes


def _page_routers(web: DashboardContext) -> list[APIRouter]:
    from . import intake, partner_edit, partners, signal_routes, signals, voice
    from .monitoring import page as monitoring

    return [
        signals.router(web),
        signal_routes.router(web),
        voice.router(web),
        intake.router(web),
        partners.router(web),
        partner_edit.router(web),
        monitoring.router(web),
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
    routers = (_home(), auth_router(web), *_page_routers(web))
    return DashboardParts(web, routers, _error_handlers(errors))
