"""The web side assembled: static files, the residents' chat and the loket dashboard on one
HTTP server, with their error pages, as the "web" channel of the service
(``bot.channels.channel.Channel``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from bot.app import App
from bot.channels.channel import Channel
from bot.channels.webchat.channel import webchat_parts
from bot.channels.webchat.chat import PATH as CHAT_PATH
from bot.channels.webchat.line import chat_line
from bot.dashboard.site import PATH as DASHBOARD_PATH
from bot.dashboard.site import dashboard_parts
from bot.web.brand import brand_from
from bot.web.errors import ErrorPages
from bot.web.static import StaticFiles
from bot.web.templating import Pages


def web_pages(app: App) -> Pages:
    """The templates of the chat and the dashboard, with the chat's line filter and the
    municipality's look."""
    return Pages(
        app.catalogs,
        StaticFiles(),
        filters={"chat_line": chat_line},
        globals={"brand": brand_from(app.settings)},
    )


def _home() -> APIRouter:
    routes = APIRouter()

    @routes.get("/", include_in_schema=False)
    async def root() -> Response:
        return RedirectResponse(CHAT_PATH, status_code=303)

    return routes


def web_channel(app: App, clock: Callable[[], datetime], base_url: str) -> Channel:
    """The web chat and the dashboard. ``base_url`` is where they are reached (printed)."""
    pages = web_pages(app)
    errors = ErrorPages(pages, (DASHBOARD_PATH, CHAT_PATH))
    chat = webchat_parts(app, clock, pages)
    dashboard = dashboard_parts(app, clock, pages, errors)
    brand = pages.globals["brand"]
    routers = (
        pages.static.router(),
        brand.router(),
        _home(),
        *dashboard.routers,
        *chat.channel.routers,
    )
    return Channel(
        name=chat.channel.name,
        messenger=chat.messenger,
        routers=routers,
        loops=(*chat.channel.loops, *dashboard.loops),
        errors={**errors.handlers(), **dashboard.errors},
        failure_page=errors.failure_page(),
        where=f"web chat on {base_url}{CHAT_PATH}, loket dashboard on {base_url}{DASHBOARD_PATH}/",
    )
