"""The HTTP side of the service: one FastAPI app that channels add their routes to, served
by uvicorn on the configured address.

Whatever a route lets escape is answered here once and logged once (``Failures``): a
database that cannot take a write (locked, unreachable) is "try again" (503), anything else
a 500 page; a client that went away mid-request is not an error at all. Connections that
send a request too slowly are closed (``read_timeout_protocol``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger(__name__)

# Renders the answer to a request that failed: (request, error, HTTP status) -> response.
FailurePage = Callable[[Request, Exception, int], Awaitable[Response]]
RETRY_AFTER = "5"  # seconds, when the database could not take a write


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


class Failures:
    """ASGI middleware: an exception a route did not handle is logged once and answered
    with ``page`` (Starlette's own handler would log it a second time, through uvicorn)."""

    def __init__(self, app: ASGIApp, page: FailurePage | None = None) -> None:
        self._app = app
        self._page = page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, receive, sending)
        except ClientDisconnect:
            # The browser went away (a closed tab, a lost connection) before its request was
            # read: nobody is waiting for an answer, and nothing was done.
            log.info("a client disconnected before its request was read")
        except SQLAlchemyError as error:
            # The database could not take the write (SQLite locked by another process, a
            # PostgreSQL failover): the transaction rolled back, so trying again is right.
            log.warning("a request failed on the database: try again", exc_info=True)
            await self._answer(scope, receive, send, error, 503, started)
        except Exception as error:
            # The type and frames only (bot/logs.py): a message can quote what was typed.
            log.error("a request failed", exc_info=True)
            await self._answer(scope, receive, send, error, 500, started)

    async def _answer(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        error: Exception,
        status: int,
        started: bool,
    ) -> None:
        if started:  # half an answer went out already; the connection ends with it
            return
        request = Request(scope, receive)
        headers = {"Retry-After": RETRY_AFTER} if status == 503 else {}
        if self._page is not None:
            response = await self._page(request, error, status)
            response.headers.update(headers)
        else:
            response = PlainTextResponse(str(status), status_code=status, headers=headers)
        await response(scope, receive, send)


def form_fields(body: bytes, max_fields: int) -> list[tuple[str, str]]:
    """The fields of a URL-encoded form body (invalid UTF-8 replaced); none when it has
    more than ``max_fields`` fields (no form of ours has)."""
    try:
        return parse_qsl(
            body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=max_fields
        )
    except ValueError:
        return []


def build_http_app(
    *routers: APIRouter,
    errors: Mapping[Any, Callable[..., Any]] | None = None,
    failure_page: FailurePage | None = None,
) -> FastAPI:
    # No interactive API docs: nothing here is a public API, and less surface is safer.
    app = FastAPI(
        docs_url=None, redoc_url=None, openapi_url=None, exception_handlers=dict(errors or {})
    )
    app.add_middleware(Failures, page=failure_page)
    for router in routers:
        app.include_router(router)
    return app


def read_timeout_protocol(seconds: float) -> type[H11Protocol]:
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request (headers and body)
    takes longer than ``seconds`` to arrive. uvicorn itself only times out idle keep-alive
    connections: one that sends a header byte every few seconds (slowloris) would be kept
    forever, and a few hundred of them take every file descriptor."""

    class ReadTimeoutProtocol(H11Protocol):
        _reading: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._start_reading()

        def data_received(self, data: bytes) -> None:
            if self._reading is None and (self.cycle is None or self.cycle.response_complete):
                self._start_reading()  # the next request on a kept-alive connection begins
            super().data_received(data)
            if self.cycle is not None and not self.cycle.more_body:
                self._stop_reading()  # the whole request is in

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_reading()
            super().connection_lost(exc)

        def on_response_complete(self) -> None:
            self._stop_reading()
            super().on_response_complete()

        def _start_reading(self) -> None:
            self._stop_reading()
            self._reading = asyncio.get_running_loop().call_later(seconds, self._too_slow)

        def _stop_reading(self) -> None:
            if self._reading is not None:
                self._reading.cancel()
                self._reading = None

        def _too_slow(self) -> None:
            self._reading = None
            if not self.transport.is_closing():
                log.info("closed a connection that sent its request too slowly")
                self.transport.close()

    return ReadTimeoutProtocol


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The service owns SIGTERM and SIGINT (bot/bootstrap/run.py). uvicorn's own handlers would
        # close the listening socket at the signal, before /readyz could answer "shutting
        # down" and before the running sweep and drains have finished.
        yield


class HttpServer:
    """uvicorn in our event loop. ``stop`` lets requests in flight finish first."""

    def __init__(
        self,
        app: FastAPI,
        host: str,
        port: int,
        sock: socket.socket | None = None,
        *,
        read_timeout: float = 15.0,
        forwarded_allow_ips: str = "127.0.0.1",
    ) -> None:
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            http=read_timeout_protocol(read_timeout),
            # X-Forwarded-For is believed from these peers only (the reverse proxy), so the
            # per-client limits count the client the proxy saw, not the proxy.
            proxy_headers=True,
            forwarded_allow_ips=forwarded_allow_ips,
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


def client_of(request: Request) -> str:
    """Who is asking: the peer's address (behind a trusted proxy, the address it saw)."""
    return request.client.host if request.client is not None else "?"
