"""The frames between the service and the transcription worker (bot/voice/protocol.py)."""

from __future__ import annotations

import asyncio
import io

import pytest

from bot.voice import protocol


def test_a_message_round_trips_blocking() -> None:
    stream = io.BytesIO(protocol.message({"kind": "ready", "text": "جارتي"}) + protocol.frame(b""))
    assert protocol.parse(protocol.read_frame_blocking(stream, 1000) or b"") == {
        "kind": "ready",
        "text": "جارتي",
    }
    assert protocol.read_frame_blocking(stream, 1000) == b""
    assert protocol.read_frame_blocking(stream, 1000) is None  # a clean end


async def test_a_message_round_trips_async() -> None:
    reader = asyncio.StreamReader()
    reader.feed_data(protocol.message({"kind": "decoded", "seconds": 6.5}))
    reader.feed_eof()
    assert protocol.parse(await protocol.read_frame(reader, 1000)) == {
        "kind": "decoded",
        "seconds": 6.5,
    }
    with pytest.raises(asyncio.IncompleteReadError):
        await protocol.read_frame(reader, 1000)


def test_an_oversized_frame_is_refused_before_it_is_read() -> None:
    stream = io.BytesIO(protocol.frame(b"x" * 2000))
    with pytest.raises(protocol.ProtocolError):
        protocol.read_frame_blocking(stream, 1000)


async def test_an_oversized_frame_is_refused_async() -> None:
    reader = asyncio.StreamReader()
    reader.feed_data(b"\xff\xff\xff\xff")
    with pytest.raises(protocol.ProtocolError):
        await protocol.read_frame(reader, protocol.MESSAGE_LIMIT)


def test_a_stream_cut_inside_a_frame_is_an_error_not_an_end() -> None:
    with pytest.raises(protocol.ProtocolError):
        protocol.read_frame_blocking(io.BytesIO(protocol.frame(b"abcdef")[:-2]), 1000)
    with pytest.raises(protocol.ProtocolError):
        protocol.read_frame_blocking(io.BytesIO(b"\x00\x00"), 1000)


@pytest.mark.parametrize("payload", [b"\xff\xfe", b"[1, 2]", b"not json"])
def test_a_message_must_be_a_json_object(payload: bytes) -> None:
    with pytest.raises(protocol.ProtocolError):
        protocol.parse(payload)
