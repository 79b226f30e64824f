"""Regression: ``limited_body`` checked only the declared Content-Length. A body sent with
chunked transfer encoding declares none, so it was read whole into memory before its size
was looked at: anyone could post an endless body to the WhatsApp webhook (which must read
the body to check its signature). The body is now read as it arrives and refused as soon
as it passes the limit."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from fastapi import APIRouter, Request, Response

from bot.web.http import HttpServer, build_http_app, limited_body
from tests.support import raw_http

LIMIT = 10_000


@pytest.fixture
async def port() -> AsyncIterator[int]:
    router = APIRouter()

    @router.post("/hook")
    async def hook(request: Request) -> Response:
        body = await limited_body(request, LIMIT)
        if body is None:
            return Response(status_code=413)
        return Response(str(len(body)), status_code=200 if body == b"x" * len(body) else 400)

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    server = HttpServer(build_http_app(router), "127.0.0.1", 0, sock)
    serving = asyncio.create_task(server.serve())
    try:
        yield sock.getsockname()[1]
    finally:
        server.stop()
        await serving
        sock.close()


async def test_an_endless_chunked_body_is_refused_once_past_the_limit(port: int) -> None:
    endless = (b"x" * 1000 for _ in range(LIMIT))  # ten megabytes, and no last chunk
    assert await raw_http.post(port, "/hook", endless, chunked=True, finish=False) == 413


async def test_a_chunked_body_within_the_limit_is_read_whole(port: int) -> None:
    chunks = [b"x" * 999] * 10
    assert await raw_http.post(port, "/hook", chunks, chunked=True) == 200
    assert await raw_http.post(port, "/hook", [b"x" * (LIMIT + 1)], chunked=True) == 413


async def test_a_declared_length_is_still_checked_before_reading(port: int) -> None:
    assert await raw_http.post(port, "/hook", b"x" * LIMIT) == 200
    assert await raw_http.post(port, "/hook", length=LIMIT + 1) == 413
