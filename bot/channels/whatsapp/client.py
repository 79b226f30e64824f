"""Building the WhatsApp Cloud API client: pywa's async client on an httpx session whose
transport sends every request to the configured Graph API host.

pywa fixes the session's base URL to graph.facebook.com; a transport that rewrites the
scheme, host and port (and keeps pywa's path) is the one place where that can be changed
without patching pywa. Tests point it at a fake server on 127.0.0.1.
"""

from __future__ import annotations

import httpx
from pywa_async.client import WhatsApp

PUBLIC_API = "https://graph.facebook.com"


class GraphApiTransport(httpx.AsyncBaseTransport):
    """Sends each request to ``base`` instead of graph.facebook.com (path prefix kept)."""

    def __init__(self, base: str, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._base = httpx.URL(base.rstrip("/"))
        self._inner = inner or httpx.AsyncHTTPTransport(retries=0)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        prefix = self._base.path.rstrip("/")
        request.url = request.url.copy_with(
            scheme=self._base.scheme,
            host=self._base.host,
            port=self._base.port,
            path=prefix + request.url.path,
        )
        # The Host header was set for graph.facebook.com; a proxy or fake must see its own.
        request.headers["Host"] = request.url.netloc.decode("ascii")
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def build_session(api_url: str = PUBLIC_API, *, timeout: float = 15.0) -> httpx.AsyncClient:
    """The HTTP session pywa uses. Close it when the channel stops."""
    transport = None if api_url.rstrip("/") == PUBLIC_API else GraphApiTransport(api_url)
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(timeout, connect=5.0),
        limits=httpx.Limits(max_connections=32),
    )


def build_client(
    phone_id: str, token: str, api_version: str, session: httpx.AsyncClient
) -> WhatsApp:
    """pywa's client, sending only: no webhook server, no callback registration."""
    return WhatsApp(
        phone_id=phone_id,
        token=token,
        session=session,
        api_version=api_version,
        server=None,
        validate_updates=False,
    )
