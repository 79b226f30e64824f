"""The terminal chat: a reporter types, the bot answers; the loket side prints below
(``bot.bootstrap.run.run_console`` runs it with the outbox and the scheduler).

Choices are numbered and can be picked by number or by typed label. Every step is
committed before the reply is printed, so killing the process loses nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TextIO

from bot.app import App
from bot.outbox.worker import OutboxWorker
from bot.rendering import RenderedReply
from core.dialog.events import Reopen, TextIn

from .messenger import format_reply

Clock = Callable[[], datetime]


async def _read_line(stream: TextIO) -> str | None:
    line = await asyncio.to_thread(stream.readline)
    return None if line == "" else line.rstrip("\n")


async def converse(
    app: App,
    user: str,
    worker: OutboxWorker,
    *,
    stdin: TextIO,
    stdout: TextIO,
    clock: Clock,
    language: str | None,
) -> None:
    """Chat until end of input, delivering what the outbox holds after every step."""
    # Opening the chat is not an answer: a reporter coming back sees where they were.
    greeting = await app.service.handle("console", user, Reopen(), clock(), language_hint=language)
    _print(stdout, greeting)
    while True:
        stdout.write("> ")
        stdout.flush()
        line = await _read_line(stdin)
        if line is None:
            stdout.write("\n")
            return
        replies = await app.service.handle("console", user, TextIn(line), clock())
        _print(stdout, replies)
        await worker.drain(clock())


def _print(stdout: TextIO, replies: list[RenderedReply]) -> None:
    for reply in replies:
        stdout.write(format_reply(reply) + "\n\n")
    stdout.flush()
