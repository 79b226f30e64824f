"""What the terminal prints: staff messages as the loket group would see them, check-ins
and questions as the reporter would, and a reply with its numbered choices."""

from __future__ import annotations

from typing import TextIO

from bot.ports import Outgoing
from bot.rendering import RenderedReply

LOKET_BANNER = "=" * 20


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
        self._out.write(f"\n{LOKET_BANNER} {title} {LOKET_BANNER}\n")
        if message.audio is not None:  # a terminal cannot play it: what it is, and its size
            audio = message.audio
            self._out.write(f"[{audio.caption} {audio.mime_type}, {len(audio.data)} bytes]\n")
        self._out.write(f"{message.text}\n")
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
