"""Running the Telegram channel: menus, the update loop (polling or webhook) and the outbox
worker. ``run_telegram`` runs it until SIGTERM or SIGINT; tests use ``telegram_channel``."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime

from telegram.ext import ExtBot

from ..app import App
from ..http import HttpServer, build_http_app
from ..outbox import OutboxWorker, run_worker
from .client import build_bot
from .menu import set_command_menus
from .messenger import TelegramMessenger
from .polling import poll
from .updates import ALLOWED_UPDATES, KeyboardStore, TelegramUpdates
from .webhook import PATH, telegram_router

SHUTDOWN_GRACE = 20.0  # seconds; then whatever still runs is cut off (and redone later)


@dataclass
class TelegramChannel:
    bot: ExtBot[int]
    updates: TelegramUpdates
    worker: OutboxWorker
    where: str
    stop: asyncio.Event = field(default_factory=asyncio.Event)


@contextlib.asynccontextmanager
async def telegram_channel(
    app: App,
    clock: Callable[[], datetime],
    *,
    run_outbox: bool = True,
    run_scheduler: bool = True,
    sock: socket.socket | None = None,
    bot: ExtBot[int] | None = None,
) -> AsyncIterator[TelegramChannel]:
    """Start the channel's tasks; leaving the block stops them (in-flight work is cancelled
    and, being uncommitted or already recorded, safely redone or skipped on the next run)."""
    settings = app.settings
    assert settings.telegram_token is not None
    assert settings.loket_chat_id is not None
    if bot is None:
        bot = build_bot(settings.telegram_token.get_secret_value(), settings.telegram_api_url)
    async with bot:
        await set_command_menus(bot, app.catalogs)
        updates = TelegramUpdates(
            bot,
            app.service,
            app.loket,
            KeyboardStore(app.store),
            app.catalogs,
            settings.loket_chat_id,
            clock,
            app.followup,
        )
        worker = app.outbox_worker(TelegramMessenger(bot, settings.loket_chat_id))
        channel = TelegramChannel(bot, updates, worker, "long polling")
        stop_callbacks: list[Callable[[], None]] = []
        tasks = []
        stop = channel.stop
        if run_outbox:
            tasks.append(asyncio.create_task(run_worker(worker, clock, app.outbox_wake, stop)))
        if settings.telegram_mode == "webhook":
            assert settings.telegram_webhook_secret is not None
            secret = settings.telegram_webhook_secret.get_secret_value()
            await bot.set_webhook(
                str(settings.telegram_webhook_url),
                secret_token=secret,
                allowed_updates=list(ALLOWED_UPDATES),
            )
            http = build_http_app(telegram_router(bot, updates, secret))
            host, port = settings.http_host, settings.http_port
            server = HttpServer(http, host, port, sock)
            stop_callbacks.append(server.stop)
            tasks.append(asyncio.create_task(server.serve()))
            channel.where = f"webhook on http://{host}:{port}{PATH}"
        else:
            tasks.append(asyncio.create_task(poll(bot, updates, channel.stop)))
        scheduler = app.scheduler(clock) if run_scheduler else None
        if scheduler is not None:
            scheduler.start()
        try:
            yield channel
        finally:
            # Graceful: the running sweep, drain, update batch and open requests finish first.
            if scheduler is not None:
                await scheduler.stop()
            channel.stop.set()
            for callback in stop_callbacks:
                callback()
            _, late = await asyncio.wait(tasks, timeout=SHUTDOWN_GRACE)
            for task in late:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task


async def run_telegram(app: App, clock: Callable[[], datetime]) -> None:
    async with telegram_channel(app, clock) as channel:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, channel.stop.set)
        print(
            f"Signaalpunt: Telegram bot @{channel.bot.username} running ({channel.where})",
            file=sys.stderr,
            flush=True,
        )
        await channel.stop.wait()
