"""The HTTP side of the service: one FastAPI app that channels add their routes to, served
by uvicorn on the configured address."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import uvicorn
from fastapi import APIRouter, FastAPI, Request


async def limited_body(request: Request, limit: int) -> bytes | None:
    """The raw body, or None when it is (or says it is) larger than ``limit`` bytes: a
    webhook caller gets 413 before a large body is read into memory."""
    declared = request.headers.get("content-length")
    if declared is not None and not (declared.isascii() and declared.isdigit()):
        return None
    if declared is not None and int(declared) > limit:
        return None
    # Read as it arrives: a chunked body declares no length, and one that never ends must
    # not be buffered until it does.
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def build_http_app(
    *routers: APIRouter, errors: Mapping[Any, Callable[..., Any]] | None = None
) -> FastAPI:
    # No interactive API docs: nothing here is a public API, and less surface is safer.
    app = FastAPI(
        docs_url=None, redoc_url=None, openapi_url=None, exception_handlers=dict(errors or {})
    )
    for router in routers:
        app.include_router(router)
    return app


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The service owns SIGTERM and SIGINT (bot/run.py). uvicorn's own handlers would
        # close the listening socket at the signal, before /readyz could answer "shutting
        # down" and before the running sweep and drains have finished.
        yield


class HttpServer:
    """uvicorn in our event loop. ``stop`` lets requests in flight finish first."""

    def __init__(
        self, app: FastAPI, host: str, port: int, sock: socket.socket | None = None
    ) -> None:
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            # No logging config of its own: uvicorn's records go through our handler and
            # formatter (bot/logs.py), as JSON in production.
            log_config=None,
            log_level="warning",
            # An access log would show query strings (Meta's verify token in one).
            access_log=False,
        )
        self._server = _Server(config)
        self._sock = sock

    async def serve(self) -> None:
        """Serve until stopped. ``sock``: an already bound socket (tests bind port 0)."""
        await self._server.serve(sockets=[self._sock] if self._sock is not None else None)

    def stop(self) -> None:
        self._server.should_exit = True


def listening_socket(host: str, port: int) -> socket.socket:
    """Bind and listen before the server starts: a caller told the address can connect
    at once (the connection waits in the backlog until uvicorn accepts it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock
