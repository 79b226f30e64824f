"""The pages' own CSS, JavaScript and images, served from ``bot/web/static``.

Only the files present at start are served (no path from the request reaches the file
system); each URL carries a hash of the content, so a new version is never hidden by a
cached old one, and browsers may keep a file for a year.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

STATIC = Path(__file__).resolve().parent / "static"
PREFIX = "/static"
_TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class _File:
    body: bytes
    media_type: str
    version: str


class StaticFiles:
    def __init__(self, folder: Path = STATIC) -> None:
        self._files: dict[str, _File] = {}
        for path in sorted(folder.iterdir()) if folder.is_dir() else ():
            if not path.is_file() or path.name.startswith("."):
                continue
            body = path.read_bytes()
            media = _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
            self._files[path.name] = _File(
                body,
                f"{media or 'application/octet-stream'}; charset=utf-8"
                if path.suffix in {".js", ".css", ".svg"}
                else media or "application/octet-stream",
                hashlib.sha256(body).hexdigest()[:12],
            )

    def url(self, name: str) -> str:
        """The URL of a static file; an unknown name is a mistake in a template."""
        return f"{PREFIX}/{name}?v={self._files[name].version}"

    def router(self) -> APIRouter:
        router = APIRouter()

        @router.get(PREFIX + "/{name}", include_in_schema=False)
        async def static_file(name: str) -> Response:
            found = self._files.get(name)
            if found is None:
                return Response("Not found", status_code=404, media_type="text/plain")
            return Response(
                found.body,
                media_type=found.media_type,
                headers={
                    "Cache-Control": "public, max-age=31536000, immutable",
                    "X-Content-Type-Options": "nosniff",
                },
            )

        return router
