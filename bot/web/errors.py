"""The error pages of the web side: under the paths of the pages (the residents' chat and
the loket dashboard) a friendly page that says nothing entered is lost; elsewhere (webhooks,
health) the bare status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import PlainTextResponse, Response
from starlette.exceptions import HTTPException

from core.text.msgids import P_

from .http import FailurePage
from .templating import Pages

# Residents (the web chat) and staff (the dashboard) both see them: resident texts.
NOT_FOUND = P_("error page", "This page does not exist (any more).")
BROKEN = P_(
    "error page",
    "Something went wrong on our side. Nothing you entered before this page is lost; "
    "please try again in a moment.",
)


class ErrorPages:
    """The error page of a request; ``prefixes`` are the paths that are pages."""

    def __init__(self, pages: Pages, prefixes: tuple[str, ...]) -> None:
        self._pages = pages
        self._prefixes = prefixes

    def is_page(self, request: Request) -> bool:
        return request.url.path.startswith(self._prefixes)

    def page(self, request: Request, status: int, message: str) -> Response:
        if not self.is_page(request):
            return PlainTextResponse(str(status), status_code=status)
        return self._pages.render(request, "error.html", status_code=status, message=message)

    def handlers(self) -> dict[Any, Callable[..., Any]]:
        async def http_error(request: Request, error: Exception) -> Response:
            assert isinstance(error, HTTPException)
            if error.status_code == 404:
                return self.page(request, 404, NOT_FOUND)
            if not self.is_page(request):
                return PlainTextResponse(str(error.detail), status_code=error.status_code)
            return self.page(request, error.status_code, BROKEN)

        return {HTTPException: http_error}

    def failure_page(self) -> FailurePage:
        """What a request that failed gets (logged once, in ``bot.web.http.Failures``): on
        the pages a friendly page (nothing entered before it is lost), elsewhere the status."""

        async def page(request: Request, error: Exception, status: int) -> Response:
            return self.page(request, status, BROKEN)

        return page
