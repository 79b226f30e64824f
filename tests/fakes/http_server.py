"""The HTTP server under the fakes of remote services (the Telegram Bot API, Meta's Graph
API): just enough HTTP/1.1, one request at a time per connection, and ``FakeHttpServer``,
which listens on loopback and hands each request to the fake's ``respond``.

Hand-written on purpose: a fake must behave like a remote server (real sockets, keep-alive,
abrupt disconnects) without pulling a web framework into the test dependencies.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

# Telegram receives these as JSON inside form fields; everything else stays a string.
JSON_FIELDS = frozenset({"reply_markup", "commands", "allowed_updates", "scope", "entities"})
INT_FIELDS = frozenset({"chat_id", "message_id", "offset", "limit", "timeout", "user_id"})
_INT = re.compile(r"-?\d+")
MAX_HEADER_LINES = 100


class HttpProtocolError(Exception):
    """The peer sent something that is not HTTP/1.1 we understand; the connection is dropped."""


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # names lower-cased
    body: bytes

    @property
    def keep_alive(self) -> bool:
        return self.headers.get("connection", "").lower() != "close"


async def read_request(reader: asyncio.StreamReader) -> HttpRequest | None:
    """The next request on the connection, or None when the client closed it between requests."""
    try:
        request_line = await reader.readline()
    except ConnectionError:
        return None
    if not request_line:
        return None
    parts = request_line.decode("latin-1").split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise HttpProtocolError(f"bad request line {request_line!r}")
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        line = await reader.readline()
        if line in (b"\r\n", b"\n"):
            break
        if not line:
            raise HttpProtocolError("connection closed inside the headers")
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    else:
        raise HttpProtocolError("too many header lines")
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise HttpProtocolError("chunked request bodies are not supported")
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    target = urlsplit(parts[1])
    return HttpRequest(parts[0].upper(), target.path, target.query, headers, body)


def encode_response(
    status: int,
    body: bytes,
    *,
    content_type: str = "application/json",
    keep_alive: bool = True,
) -> bytes:
    reason = HTTPStatus(status).phrase
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        "Server: fake\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n"
        "\r\n"
    )
    return head.encode("latin-1") + body


def json_response(status: int, payload: object, *, keep_alive: bool = True) -> bytes:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return encode_response(status, body, keep_alive=keep_alive)


def decode_params(request: HttpRequest) -> dict[str, object]:
    """Bot API parameters from the query string and the body, typed the way Telegram reads them."""
    raw: dict[str, object] = dict(parse_qsl(request.query, keep_blank_values=True))
    content_type = request.headers.get("content-type", "")
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == "application/json" and request.body:
        loaded = json.loads(request.body)
        if not isinstance(loaded, dict):
            raise ValueError("a JSON body must be an object")
        raw.update(loaded)
    elif media_type == "application/x-www-form-urlencoded":
        raw.update(parse_qsl(request.body.decode(), keep_blank_values=True))
    elif media_type == "multipart/form-data":
        raw.update(_multipart_fields(content_type, request.body))
    return {name: _typed(name, value) for name, value in raw.items()}


def _multipart_fields(content_type: str, body: bytes) -> dict[str, object]:
    # The email package parses multipart MIME already; it only needs the header in front.
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body
    )
    fields: dict[str, object] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(payload, bytes):
            continue
        # Uploaded files keep their bytes; plain fields are text, as in a form.
        fields[name] = payload if part.get_filename() else payload.decode()
    return fields


def _typed(name: str, value: object) -> object:
    if not isinstance(value, str):
        return value
    if name in JSON_FIELDS:
        return json.loads(value)
    if name in INT_FIELDS and _INT.fullmatch(value):
        return int(value)
    return value


class FakeHttpServer:
    """A remote service faked on loopback: ``async with`` starts it (``url`` is where it
    listens) and stops it, cutting open connections (long polls too). Each request goes to
    ``respond``: the response's bytes, or None to drop the connection without one.

    A bug in a fake reaches the client as a 500: it is recorded in ``crashes`` and fails the
    test when the block is left, so it is not mistaken for a bug of the service."""

    name = "HTTP server"

    def __init__(self) -> None:
        self.url = ""
        self.crashes: list[Exception] = []
        # A fresh Event per change rather than a Condition: the fakes' helpers for tests are
        # synchronous, and Condition.notify_all() needs its lock, which only a coroutine takes.
        self._changed = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._connections: dict[asyncio.Task[Any], asyncio.StreamWriter] = {}

    async def respond(self, request: HttpRequest) -> bytes | None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
        # An exception already leaving the block takes precedence.
        if self.crashes and exc is None:
            raise AssertionError(f"the fake {self.name} crashed") from self.crashes[0]

    async def aclose(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for task, writer in list(self._connections.items()):
            writer.transport.abort()
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections[task] = writer
        try:
            while (request := await read_request(reader)) is not None:
                response = await self.respond(request)
                if response is None:
                    writer.transport.abort()
                    break
                writer.write(response)
                await writer.drain()
                if not request.keep_alive:
                    break
        except (HttpProtocolError, asyncio.IncompleteReadError, ValueError, ConnectionError):
            pass
        except asyncio.CancelledError:
            # Only aclose() cancels. Ending normally matters: on Python 3.11 the stream
            # protocol calls task.exception() afterwards, which raises (and gets logged) for a
            # cancelled task.
            pass
        finally:
            del self._connections[task]
            writer.close()

    def _notify(self) -> None:
        """Something changed: wake whoever waits for it (``_wait``)."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait(self, predicate: Callable[[], bool], seconds: float) -> bool:
        """Whether ``predicate`` holds within ``seconds``, checked at every change."""
        try:
            async with asyncio.timeout(seconds):
                while not predicate():
                    await self._changed.wait()
        except TimeoutError:
            return predicate()
        return True
