"""The Bot API client's HTTP transport: PTB's typed ``Bot`` over aiohttp instead of httpx.

Measured on this machine (docs/perf-plan.md, "Item 5"): one Bot API request cost 0.9-2.6 ms
of CPU through PTB's ``HTTPXRequest`` (rising with the requests in flight: httpcore scans its
pool on every request) and 0.08-0.15 ms through aiohttp, and a tap is two requests. PTB
documents ``BaseRequest`` as the place for another networking backend (ADR 0116); the typed
methods, the rate limiter and PTB's error mapping stay as they were.
"""

from __future__ import annotations

from typing import Final

import aiohttp
import orjson
from telegram._utils.types import JSONDict, ODVInput, UploadFileDict
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest"]

_JSON: Final = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """One aiohttp session per request object, made in the running loop when first needed
    (aiohttp refuses to be made outside one) and closed by ``shutdown``. Timeouts as PTB's:
    ``pool`` and ``connect`` bound getting a connection, ``read`` the wait for the answer,
    ``write`` (aiohttp has no write timeout) is part of an overall bound on the request."""

    def __init__(
        self,
        *,
        connection_pool_size: int,
        connect_timeout: float = 5.0,
        read_timeout: float = 5.0,
        write_timeout: float = 5.0,
        pool_timeout: float = 1.0,
        media_write_timeout: float = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._connect = connect_timeout
        self._read = read_timeout
        self._write = write_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """Telegram's answer parsed by orjson (PTB's documented place for another JSON
        library): 3-4 times faster than the standard library's on the updates a poll returns.
        What orjson refuses (invalid UTF-8) goes to PTB's own parsing, which replaces bad bytes
        and maps invalid JSON to TelegramError as before."""
        try:
            parsed: JSONDict = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return BaseRequest.parse_json_payload(payload)
        return parsed

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
                # Telegram answers JSON; a body is never decompressed or parsed for cookies.
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=True,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        await self.initialize()
        assert self._session is not None
        files = request_data.multipart_data if request_data else None
        data, headers = _body(request_data, files)
        timeout = aiohttp.ClientTimeout(
            total=_sum(
                _given(pool_timeout, self._pool),
                _given(connect_timeout, self._connect),
                _given(write_timeout, self._media_write if files else self._write),
                _given(read_timeout, self._read),
            ),
            connect=_sum(_given(pool_timeout, self._pool), _given(connect_timeout, self._connect)),
            sock_connect=_given(connect_timeout, self._connect),
            sock_read=_given(read_timeout, self._read),
        )
        try:
            async with self._session.request(
                method, url, timeout=timeout, data=data, headers=headers
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error


def _body(
    request_data: RequestData | None, files: UploadFileDict | None
) -> tuple[bytes | aiohttp.FormData | None, dict[str, str] | None]:
    if request_data is None:
        return None, None
    if not files:
        # A JSON body (the Bot API takes one for every call without an upload) with the
        # parameters as JSON values: orjson writes it in microseconds, where PTB's form
        # percent-encoded each character of a 4 KB question in Python.
        return orjson.dumps(request_data.parameters), _JSON
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form, None


def _given(value: object, default: float) -> float | None:
    """PTB passes DEFAULT_NONE for "the request's default" and None for "no limit"."""
    if isinstance(value, int | float):
        return float(value)
    return None if value is None else default


def _sum(*parts: float | None) -> float | None:
    return None if any(part is None for part in parts) else sum(p for p in parts if p is not None)
