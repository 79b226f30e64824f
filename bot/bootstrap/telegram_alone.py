"""Telegram on its own, with the service around it (the outbox worker, the scheduler, the
HTTP server in webhook mode): what the Telegram tests and benchmarks run."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime

from telegram.ext import ExtBot

from bot.app import App
from bot.channels.telegram.channel import telegram_parts
from bot.channels.telegram.updates import TelegramUpdates
from bot.outbox.worker import OutboxWorker

from .serving import serving


@dataclass
class TelegramService:
    bot: ExtBot[int]
    updates: TelegramUpdates
    worker: OutboxWorker
    where: str
    stop: asyncio.Event


@contextlib.asynccontextmanager
async def serve_telegram(
    app: App,
    clock: Callable[[], datetime],
    *,
    run_outbox: bool = True,
    run_scheduler: bool = True,
    run_transcripts: bool | None = None,
    sock: socket.socket | None = None,
    bot: ExtBot[int] | None = None,
) -> AsyncIterator[TelegramService]:
    """Telegram alone, staff and reporters, until the block is left."""
    async with (
        telegram_parts(app, clock, bot) as parts,
        serving(
            app,
            clock,
            [parts.channel],
            parts.channel.messenger,
            run_outbox=run_outbox,
            run_scheduler=run_scheduler,
            run_transcripts=run_transcripts,
            sock=sock,
        ) as service,
    ):
        yield TelegramService(
            parts.bot, parts.updates, service.worker, parts.channel.where, service.stop
        )
