"""The two modes that serve people: ``signaalpunt run`` and ``signaalpunt chat``.

``run_channels``: every configured channel side by side (the web chat and the loket
dashboard always), and the HTTP server with the health endpoints, until SIGTERM or SIGINT.
The staff side is Telegram's loket group and, with ``SIGNAALPUNT_SMTP_URL``, e-mail (the
loket's mailbox, staff who chose an address); the dashboard shows every signal either way.
Without Telegram, the group's chat messages are marked unreached (``NoStaffChat``).

``run_console``: the terminal chat, one reporter, with the staff messages printed below.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TextIO

from bot.app import App
from bot.channels.channel import Channel
from bot.channels.console.chat import converse
from bot.channels.console.messenger import ConsoleLoket
from bot.outbox.by_mail import CHANNEL as MAIL_CHANNEL
from bot.ports import Messenger
from bot.web.http import listening_socket

from .serving import NoStaffChat, RoutingMessenger, serving

log = logging.getLogger(__name__)


async def run_channels(app: App, clock: Callable[[], datetime]) -> None:
    settings = app.settings
    async with contextlib.AsyncExitStack() as stack:
        channels: list[Channel] = []
        staff: Messenger = NoStaffChat()
        if settings.telegram_token is not None:
            from bot.channels.telegram.channel import (
                telegram_parts,  # PTB only when Telegram is used
            )

            telegram = await stack.enter_async_context(telegram_parts(app, clock))
            channels.append(telegram.channel)
            staff = telegram.channel.messenger
        if settings.whatsapp_phone_id:
            from bot.channels.whatsapp.channel import (
                whatsapp_parts,  # pywa only when WhatsApp is used
            )

            whatsapp = await stack.enter_async_context(whatsapp_parts(app, clock))
            channels.append(whatsapp.channel)
        # The HTTP server in every mode, Telegram polling too: a container's probes need
        # /healthz and /readyz, and the web chat and dashboard are always there.
        host, port = settings.http_host, settings.http_port
        base = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        from .web import web_channel  # Jinja and the pages only when serving

        channels.append(web_channel(app, clock, base))
        try:
            sock = listening_socket(host, port)
        except OSError as error:  # a port in use is a setting to change, not a crash
            print(
                f"signaalpunt: cannot listen on {host}:{port} ({error.strerror}); "
                "set SIGNAALPUNT_HTTP_HOST and SIGNAALPUNT_HTTP_PORT",
                file=sys.stderr,
            )
            raise SystemExit(1) from None
        stack.callback(sock.close)
        service = await stack.enter_async_context(
            serving(app, clock, channels, staff, sock=sock, http=True)
        )

        def shut_down(signum: signal.Signals) -> None:
            if not service.stop.is_set():
                log.info("%s: shutting down after the work in progress", signum.name)
            service.stop.set()

        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, shut_down, signum)
        if settings.telegram_token is None:
            told = "by e-mail and " if app.mail is not None else ""
            print(
                f"Signaalpunt: no Telegram staff group; staff are told {told}in the dashboard.",
                flush=True,
            )
        for where in service.where:
            print(f"Signaalpunt: {where}", file=sys.stderr, flush=True)
        if service.http:
            print(f"Signaalpunt: HTTP on {base}", file=sys.stderr, flush=True)
            print(
                f"Signaalpunt: health on {base}/healthz and {base}/readyz",
                file=sys.stderr,
                flush=True,
            )
        await service.stop.wait()


async def run_console(
    app: App,
    user: str,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    clock: Callable[[], datetime],
    language: str | None = None,
) -> None:
    """Run the terminal chat until end of input."""
    console: Messenger = ConsoleLoket(stdout)
    if app.mail is not None:  # the staff's copies by e-mail go out as they do in `run`
        console = RoutingMessenger(console, {MAIL_CHANNEL: app.mail.messenger}, console)
    worker = app.outbox_worker(console)
    await worker.drain(clock())  # anything left from an earlier run goes out first
    scheduler = app.scheduler(clock)
    scheduler.start()
    try:
        await converse(
            app, user, worker, stdin=stdin, stdout=stdout, clock=clock, language=language
        )
    finally:
        await scheduler.stop()
