"""Rendering pages: Jinja2 templates (autoescaped) with the texts of one language.

Every text in a template is a msgid in ``_()``; Babel extracts them with the Python code
(``babel.cfg``). Pages are never cached and carry the security headers of ``security``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from babel.dates import format_datetime
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.text.catalog import Catalog
from core.text.languages import RTL_LANGUAGES, STAFF_LANGUAGE, LanguageName
from core.text.msgids import Msg, When
from core.text.render import AMSTERDAM, DATE_LOCALES, format_when, render, render_label

from .security import page_headers
from .static import StaticFiles

TEMPLATES = Path(__file__).resolve().parent / "templates"


class Pages:
    """The templates and the catalogs; ``render`` gives a finished page."""

    def __init__(
        self,
        catalogs: Mapping[str, Catalog],
        static: StaticFiles,
        filters: Mapping[str, Callable[..., Any]] | None = None,
        globals: Mapping[str, Any] | None = None,
    ) -> None:
        self._catalogs = catalogs
        self.static = static
        # What every template sees besides its own context (the municipality: ``brand``).
        self._globals = dict(globals or {})
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,  # a misspelt variable is an error in the tests
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._env.filters.update(filters or {})
        self._env.globals.update(self._globals)  # macros imported by a template see them too

    @property
    def globals(self) -> Mapping[str, Any]:
        return self._globals

    def texts(self, language: str) -> dict[str, Any]:
        """What every template may use to write text in ``language``."""
        catalog = self._catalogs.get(language) or self._catalogs[STAFF_LANGUAGE]

        def text(message: Msg | LanguageName | str) -> str:
            if isinstance(message, Msg):
                return render(message, catalog, language)
            return render_label(message, catalog, language)

        def when(moment: datetime | None) -> str:
            return format_when(When(moment), language) if moment is not None else ""

        def when_short(moment: datetime | None) -> str:
            """ "7 dec. 2026 14:03": for lists and lines where the long form is too long."""
            if moment is None:
                return ""
            local = moment.astimezone(AMSTERDAM)
            return format_datetime(
                local, "d MMM y HH:mm", locale=DATE_LOCALES.get(language, language)
            )

        return {
            "_": catalog.gettext,
            "ngettext": catalog.ngettext,
            "pgettext": catalog.pgettext,
            "language": language,
            "dir": "rtl" if language in RTL_LANGUAGES else "ltr",
            "text": text,
            "when": when,
            "when_short": when_short,
            "static": self.static.url,
        }

    def render(
        self,
        request: Request,
        name: str,
        *,
        language: str = STAFF_LANGUAGE,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        template = self._env.get_template(name)
        html = template.render(request=request, **self._globals, **self.texts(language), **context)
        response = HTMLResponse(html, status_code=status_code)
        response.headers.update(page_headers())
        if headers:
            response.headers.update(headers)
        return response
