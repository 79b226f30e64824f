"""The service set no read timeouts: 15 slowloris connections (a header byte now and then,
never the end of the headers) stayed open for a minute, and a few hundred would use up
every file descriptor. Without nginx in front (the systemd and SQLite set-up) nothing else
cuts them off. A request must now arrive whole within ``SIGNAALPUNT_HTTP_READ_TIMEOUT``."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import httpx
import pytest

from tests.support.web_harness import web_service

pytestmark = pytest.mark.e2e

READ_TIMEOUT = 1.0
BOUND = 15.0  # seconds in which every slow connection must have been closed


async def slow_client(port: int, how: str) -> None:
    """Send a request too slowly until the server closes the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        if how == "headers":  # slowloris: the headers never end
            writer.write(b"GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            trickle = [f"X-Slow-{n}: {n}\r\n".encode() for n in range(1000)]
        else:  # the headers, then a body that never comes
            writer.write(b"POST /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 900\r\n")
            writer.write(b"Content-Type: application/x-www-form-urlencoded\r\n\r\ntext=")
            trickle = [b"a"] * 1000
        for piece in trickle:
            await writer.drain()
            reading = asyncio.ensure_future(reader.read(65536))
            done, _ = await asyncio.wait([reading], timeout=0.2)  # the client's own pace
            if done:
                while await reading:  # whatever the server answered, until it closes
                    reading = asyncio.ensure_future(reader.read(65536))
                return
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reading
            writer.write(piece)
        raise AssertionError("the server kept a slow connection open")
    except ConnectionError:
        return  # closed under us while writing: closed all the same
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def test_fifteen_slow_connections_are_closed_in_bounded_time(tmp_path: Path) -> None:
    async with web_service(tmp_path, run_outbox=False, http_read_timeout=READ_TIMEOUT) as svc:
        port = httpx.URL(svc.base_url).port
        assert port is not None
        clients = [slow_client(port, "headers" if n % 2 else "body") for n in range(15)]
        async with asyncio.timeout(BOUND):
            await asyncio.gather(*clients)
        async with httpx.AsyncClient(base_url=svc.base_url) as http:  # still serving
            assert (await http.get("/healthz")).status_code == 200
