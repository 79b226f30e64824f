"""The terminal chat: a reporter types, the bot answers; the loket side prints below.

Choices are numbered and can be picked by number or by typed label. Every step is
committed before the reply is printed, so killing the process loses nothing.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from core.dialog.events import Reopen, TextIn

from .app import App
from .outbox import OutboxWorker
from .ports import Outgoing
from .rendering import RenderedReply

Clock = Callable[[], datetime]
LOKET_BANNER = "=" * 20


def utc_now() -> datetime:
    return datetime.now(UTC)


class ConsoleLoket:
    """Prints outbox messages to the terminal: staff messages as the loket group would see
    them, check-ins and questions as the reporter would."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._count = 0

    async def deliver(self, message: Outgoing) -> str:
        self._count += 1
        reader = "LOKET" if message.channel is None else "BOT -> REPORTER"
        title = f"{reader} {message.reference or ''}".strip()
        self._out.write(f"\n{LOKET_BANNER} {title} {LOKET_BANNER}\n{message.text}\n")
        if message.buttons:
            self._out.write(" ".join(f"[{b.label}]" for b in message.buttons) + "\n")
        self._out.write(f"{LOKET_BANNER * 2}\n\n")
        self._out.flush()
        return f"console:{self._count}"


def format_reply(reply: RenderedReply) -> str:
    lines = [reply.text]
    for number, choice in enumerate(reply.choices, start=1):
        mark = "[x] " if choice.selected else ("[ ] " if reply.multi else "")
        lines.append(f"  {number}. {mark}{choice.label}")
    return "\n".join(lines)


async def _read_line(stream: TextIO) -> str | None:
    line = await asyncio.to_thread(stream.readline)
    return None if line == "" else line.rstrip("\n")


async def chat(
    app: App,
    user: str,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    clock: Clock = utc_now,
    language: str | None = None,
) -> None:
    """Run the terminal chat until end of input."""
    worker = app.outbox_worker(ConsoleLoket(stdout))
    await worker.drain(clock())  # anything left from an earlier run goes out first
    scheduler = app.scheduler(clock)
    scheduler.start()
    try:
        await _converse(app, user, worker, stdin, stdout, clock, language)
    finally:
        await scheduler.stop()


async def _converse(
    app: App,
    user: str,
    worker: OutboxWorker,
    stdin: TextIO,
    stdout: TextIO,
    clock: Clock,
    language: str | None,
) -> None:
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
