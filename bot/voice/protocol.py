"""How the service and the transcription worker talk: length-prefixed frames over the
worker's stdin and stdout (a 4-byte big-endian length, then the bytes).

A request is two frames, a JSON header and the audio. The worker answers with JSON messages:
``ready`` or ``fatal`` once after start, then per request ``decoded`` (the audio's length,
which sets the time limit) and ``result``. Frame sizes are bounded on both sides, so a
confused or hostile peer cannot make the other allocate without limit.
"""

from __future__ import annotations

import asyncio
import json
import struct
from typing import Any, BinaryIO

_LENGTH = struct.Struct(">I")
# A JSON message: a transcript of a 2-minute note is a few kB; this is far above.
MESSAGE_LIMIT = 1024 * 1024


class ProtocolError(Exception):
    """The peer sent something that is not a frame of this protocol."""


def frame(payload: bytes) -> bytes:
    return _LENGTH.pack(len(payload)) + payload


def message(content: dict[str, Any]) -> bytes:
    return frame(json.dumps(content, ensure_ascii=False).encode("utf-8"))


def parse(payload: bytes) -> dict[str, Any]:
    try:
        content = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ProtocolError("not a JSON message") from error
    if not isinstance(content, dict):
        raise ProtocolError("not a JSON object")
    return content


async def read_frame(reader: asyncio.StreamReader, limit: int) -> bytes:
    """The next frame; ``asyncio.IncompleteReadError`` when the peer has gone."""
    (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
    if length > limit:
        raise ProtocolError(f"frame of {length} bytes, limit {limit}")
    return await reader.readexactly(length)


def read_frame_blocking(stream: BinaryIO, limit: int) -> bytes | None:
    """The next frame, or None at a clean end of the stream (the service closed it)."""
    head = _read_exactly(stream, _LENGTH.size)
    if head is None:
        return None
    (length,) = _LENGTH.unpack(head)
    if length > limit:
        raise ProtocolError(f"frame of {length} bytes, limit {limit}")
    body = _read_exactly(stream, length)
    if body is None:
        raise ProtocolError("stream ended inside a frame")
    return body


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = stream.read(size - len(chunks))
        if not chunk:
            if chunks:
                raise ProtocolError("stream ended inside a frame")
            return None
        chunks += chunk
    return bytes(chunks)
