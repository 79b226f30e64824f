"""The municipality's own look on every page: its name, logo, telephone number, privacy
statement and colours (``SIGNAALPUNT_MUNICIPALITY_*``, ``SIGNAALPUNT_BRAND_COLOUR*``,
``SIGNAALPUNT_THEME_CSS``).

The colours are CSS custom properties (``--signaalpunt-color-primary`` and the others in
``static/site.css``): ``/brand/theme.css`` sets the two brand colours from the settings and
then carries the municipality's own stylesheet, where its NL Design System tokens can set
any of them (``--signaalpunt-color-primary: var(--terneuzen-color-blue-700)``). Both files
are served from here, like the logo: a page still loads nothing from elsewhere.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

from bot.settings import Settings

PREFIX = "/brand"
_LOGO_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
}
# An SVG can hold a script: opened on its own, it runs none and reaches nothing.
_LOGO_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@dataclass(frozen=True)
class _Asset:
    body: bytes
    media_type: str

    @property
    def version(self) -> str:
        return hashlib.sha256(self.body).hexdigest()[:12]


@dataclass(frozen=True)
class Brand:
    """What the templates show of the municipality (``brand`` in every template)."""

    name: str | None
    phone: str | None  # as the municipality writes it: "14 0115"
    privacy_url: str | None
    theme: _Asset
    logo: _Asset | None = None

    @property
    def phone_link(self) -> str | None:
        """``tel:140115``: the digits (and a leading +) of the number."""
        if self.phone is None:
            return None
        return "tel:" + ("+" if self.phone.startswith("+") else "") + re.sub(r"\D", "", self.phone)

    @property
    def theme_url(self) -> str:
        return f"{PREFIX}/theme.css?v={self.theme.version}"

    @property
    def logo_url(self) -> str | None:
        return f"{PREFIX}/logo?v={self.logo.version}" if self.logo else None

    def router(self) -> APIRouter:
        routes = APIRouter()
        cached = {"Cache-Control": "public, max-age=31536000, immutable"}
        nosniff = {"X-Content-Type-Options": "nosniff"}

        @routes.get(PREFIX + "/theme.css", include_in_schema=False)
        async def theme() -> Response:
            return Response(self.theme.body, media_type=self.theme.media_type, headers=cached)

        @routes.get(PREFIX + "/logo", include_in_schema=False)
        async def logo() -> Response:
            if self.logo is None:
                return Response("Not found", status_code=404, media_type="text/plain")
            headers = cached | nosniff | {"Content-Security-Policy": _LOGO_POLICY}
            return Response(self.logo.body, media_type=self.logo.media_type, headers=headers)

        return routes


def theme_css(settings: Settings) -> str:
    """The brand colours as custom properties, then the municipality's stylesheet."""
    lines = [
        "/* The municipality's colours: SIGNAALPUNT_BRAND_COLOUR and _DARK. */",
        ":root {",
        f"  --signaalpunt-color-primary: {settings.brand_colour};",
        f"  --signaalpunt-color-primary-dark: {settings.darker_brand_colour()};",
        "}",
    ]
    if settings.theme_css is not None:
        lines += ["/* SIGNAALPUNT_THEME_CSS */", settings.theme_css.read_text(encoding="utf-8")]
    return "\n".join(lines) + "\n"


def _logo(path: Path | None) -> _Asset | None:
    if path is None:
        return None
    return _Asset(path.read_bytes(), _LOGO_TYPES[path.suffix.lower()])


def brand_from(settings: Settings) -> Brand:
    return Brand(
        name=settings.municipality_name,
        phone=settings.municipality_phone,
        privacy_url=settings.municipality_privacy_url,
        theme=_Asset(theme_css(settings).encode(), "text/css; charset=utf-8"),
        logo=_logo(settings.municipality_logo),
    )
