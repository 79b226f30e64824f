"""The Bot API client's aiohttp transport against real sockets on loopback: PTB's typed calls
work through it, an upload arrives as multipart with its bytes, and what goes wrong on the
network reaches our code as PTB's own errors (TimedOut, NetworkError), never as aiohttp's."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, TelegramError, TimedOut

from bot.channels.telegram.transport import AiohttpRequest
from tests.support.net import free_port

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
SENT = {"message_id": 7, "date": 1_700_000_000, "chat": {"id": 42, "type": "private"}}


@asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[str]:
    async def closing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handler(reader, writer)
        finally:
            writer.close()
            await writer.wait_closed()

    server = await asyncio.start_server(closing, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    return head, await reader.readexactly(length)


def answer(writer: asyncio.StreamWriter, result: object) -> None:
    body = json.dumps({"ok": True, "result": result}).encode()
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )


@asynccontextmanager
async def bot_at(url: str, **timeouts: float) -> AsyncIterator[Bot]:
    """A Bot over the transport, opened and shut as the composition root does (without
    ``Bot.initialize``, whose getMe these servers do not answer)."""
    request = AiohttpRequest(connection_pool_size=4, **timeouts)
    await request.initialize()
    try:
        yield Bot("1:x", base_url=f"{url}/bot", request=request, get_updates_request=request)
    finally:
        await request.shutdown()


async def test_a_typed_call_is_sent_as_json_and_its_answer_read() -> None:
    seen: list[tuple[bytes, bytes]] = []
    button = InlineKeyboardButton("Ja", callback_data="r|1|yes")

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for _ in range(2):
            seen.append(await read_request(reader))
            answer(writer, SENT | {"text": "Goedemiddag"})
            await writer.drain()

    async with serving(handler) as url, bot_at(url) as bot:
        message = await bot.send_message(42, "Goedemiddag", protect_content=True)
        await bot.send_message(42, "Kies", reply_markup=InlineKeyboardMarkup([[button]]))
    assert message.message_id == 7
    assert message.text == "Goedemiddag"
    head, body = seen[0]
    assert head.startswith(b"POST /bot1:x/sendMessage HTTP/1.1")
    assert b"content-type: application/json" in head.lower()
    # Parameters as JSON values, objects as objects (not as JSON inside a string).
    assert json.loads(body) == {"chat_id": 42, "text": "Goedemiddag", "protect_content": True}
    assert json.loads(seen[1][1])["reply_markup"] == {
        "inline_keyboard": [[{"text": "Ja", "callback_data": "r|1|yes"}]]
    }


async def test_an_upload_arrives_as_multipart_with_its_bytes() -> None:
    seen: list[tuple[bytes, bytes]] = []
    audio = bytes(range(256)) * 8

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await read_request(reader))
        answer(writer, SENT | {"voice": {"file_id": "v", "file_unique_id": "u", "duration": 2}})
        await writer.drain()

    async with serving(handler) as url, bot_at(url) as bot:
        await bot.send_voice(42, audio, filename="note.ogg", protect_content=True)
    head, body = seen[0]
    assert b"multipart/form-data; boundary=" in head
    assert audio in body
    assert b'name="chat_id"' in body
    assert b'filename="note.ogg"' in body


async def test_no_answer_within_the_read_timeout_is_ptbs_timed_out() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await reader.read()  # holds the connection open, answering nothing

    async with serving(silent) as url, bot_at(url, read_timeout=0.05) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(42, "hallo")


async def test_nobody_listening_is_ptbs_network_error() -> None:
    async with bot_at(f"http://127.0.0.1:{free_port()}") as bot:
        with pytest.raises(NetworkError) as raised:
            await bot.send_message(42, "hallo")
    assert "aiohttp" in str(raised.value)
    assert not isinstance(raised.value, TimedOut)


async def test_a_connection_dropped_mid_answer_is_ptbs_network_error() -> None:
    async def rude(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{")
        await writer.drain()

    async with serving(rude) as url, bot_at(url) as bot:
        with pytest.raises(NetworkError):
            await bot.send_message(42, "hallo")


async def test_a_shut_down_transport_opens_again_when_used() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            answer(writer, SENT | {"text": "x"})
            await writer.drain()

    async with serving(handler) as url:
        request = AiohttpRequest(connection_pool_size=2)
        await request.shutdown()  # never opened: nothing to close
        bot = Bot("1:x", base_url=f"{url}/bot", request=request, get_updates_request=request)
        await request.initialize()
        await bot.send_message(42, "x")
        await request.shutdown()
        try:
            assert (await bot.send_message(42, "x")).message_id == 7
        finally:
            await request.shutdown()


def test_answers_are_parsed_as_ptb_parses_them_even_when_broken() -> None:
    parse = AiohttpRequest.parse_json_payload
    assert parse(b'{"ok":true,"result":{"text":"\xc3\xa7ok g\xc3\xbczel"}}') == {
        "ok": True,
        "result": {"text": "çok güzel"},
    }
    # Bytes that are not UTF-8 are replaced, as PTB's own parsing does, not refused.
    assert parse(b'{"ok":true,"result":"a\xffb"}') == {"ok": True, "result": "a\ufffdb"}
    with pytest.raises(TelegramError, match="Invalid server response"):
        parse(b"<html>502 Bad Gateway</html>")
