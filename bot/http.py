"""The HTTP side of the service: one FastAPI app that channels add their routes to, served
by uvicorn on the configured address."""

from __future__ import annotations

import socket

import uvicorn
from fastapi import APIRouter, FastAPI, Request


async def limited_body(request: Request, limit: int) -> bytes | None:
    """The raw body, or None when it is (or says it is) larger than ``limit`` bytes: a
    webhook caller gets 413 before a large body is read into memory."""
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > limit:
        return None
    body = await request.body()
    return body if len(body) <= limit else None


def build_http_app(*routers: APIRouter) -> FastAPI:
    # No interactive API docs: nothing here is a public API, and less surface is safer.
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    for router in routers:
        app.include_router(router)
    return app


class HttpServer:
    """uvicorn in our event loop. ``stop`` lets requests in flight finish first."""

    def __init__(
        self, app: FastAPI, host: str, port: int, sock: socket.socket | None = None
    ) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
        self._server = uvicorn.Server(config)
        self._sock = sock

    async def serve(self) -> None:
        """Serve until stopped. ``sock``: an already bound socket (tests bind port 0)."""
        await self._server.serve(sockets=[self._sock] if self._sock is not None else None)

    def stop(self) -> None:
        self._server.should_exit = True
