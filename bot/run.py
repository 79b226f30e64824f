"""``signaalpunt run`` with chat channels configured: every configured channel side by
side until SIGTERM or SIGINT. The staff side is Telegram's loket group; without Telegram,
staff messages are printed to the terminal."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable
from datetime import datetime

from .app import App
from .console import ConsoleLoket
from .ports import Messenger
from .serve import Channel, serving


async def run_channels(app: App, clock: Callable[[], datetime]) -> None:
    settings = app.settings
    async with contextlib.AsyncExitStack() as stack:
        channels: list[Channel] = []
        staff: Messenger = ConsoleLoket(sys.stdout)
        if settings.telegram_token is not None:
            from .telegram.runner import telegram_parts  # PTB only when Telegram is used

            telegram = await stack.enter_async_context(telegram_parts(app, clock))
            channels.append(telegram.channel)
            staff = telegram.channel.messenger
        if settings.whatsapp_phone_id:
            from .whatsapp.channel import whatsapp_parts  # pywa only when WhatsApp is used

            whatsapp = await stack.enter_async_context(whatsapp_parts(app, clock))
            channels.append(whatsapp.channel)
        service = await stack.enter_async_context(serving(app, clock, channels, staff))
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, service.stop.set)
        if settings.telegram_token is None:
            print("Signaalpunt: no Telegram staff group; staff messages print here.", flush=True)
        for where in service.where:
            print(f"Signaalpunt: {where}", file=sys.stderr, flush=True)
        host, port = settings.http_host, settings.http_port
        if any(channel.routers for channel in channels):
            print(f"Signaalpunt: HTTP on http://{host}:{port}", file=sys.stderr, flush=True)
        await service.stop.wait()
