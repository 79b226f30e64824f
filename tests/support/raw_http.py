"""HTTP requests written by hand, for what ordinary clients will not send: a chunked body
that never ends, a length header with no body behind it, header bytes that are no text."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable, Mapping

ANSWER_TIMEOUT = 10.0  # seconds; only reached when the server never answers (a failure)


async def post(
    port: int,
    path: str,
    body: bytes | Iterable[bytes] = b"",
    headers: Mapping[str, str | bytes] | None = None,
    *,
    chunked: bool = False,
    finish: bool = True,
    length: int | None = None,
) -> int:
    """POST to ``127.0.0.1:port`` and return the status the server answers with.

    ``chunked``: send ``body`` (an iterable of chunks) with chunked transfer encoding and
    no length; ``finish=False`` leaves out the last chunk, so the body never ends.
    ``length``: declare this Content-Length and send no body at all.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = [b"POST " + path.encode() + b" HTTP/1.1", b"Host: 127.0.0.1"]
        head.append(b"Content-Type: application/json")
        for name, value in (headers or {}).items():
            raw = value if isinstance(value, bytes) else value.encode("latin-1")
            head.append(name.encode("latin-1") + b": " + raw)
        if chunked:
            head.append(b"Transfer-Encoding: chunked")
            sent = _send_chunks(writer, body, finish=finish)
        else:
            assert isinstance(body, bytes)
            head.append(b"Content-Length: %d" % (len(body) if length is None else length))
            sent = _send(writer, body if length is None else b"")
        writer.write(b"\r\n".join(head) + b"\r\n\r\n")
        # Read while sending: a server that answers early must not wait for the rest.
        sending = asyncio.create_task(sent)
        try:
            async with asyncio.timeout(ANSWER_TIMEOUT):
                line = await reader.readline()
        finally:
            sending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sending
        assert line.startswith(b"HTTP/1."), line
        return int(line.split()[1])
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


async def _send(writer: asyncio.StreamWriter, body: bytes) -> None:
    writer.write(body)
    with contextlib.suppress(ConnectionError):  # answered and closed before the end
        await writer.drain()


async def _send_chunks(
    writer: asyncio.StreamWriter, chunks: bytes | Iterable[bytes], *, finish: bool
) -> None:
    parts = [chunks] if isinstance(chunks, bytes) else chunks
    try:
        for chunk in parts:
            writer.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            await writer.drain()
        if finish:
            writer.write(b"0\r\n\r\n")
            await writer.drain()
    except ConnectionError:
        return  # the server answered and closed the connection while we were sending
