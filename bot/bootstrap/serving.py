"""Running the service: the configured channels side by side, one HTTP server for their
webhooks, one outbox worker that routes each message to its channel, one scheduler.

A channel is a ``Channel``: the messenger for reporters on it, its HTTP routes and its
background loops. Staff messages go to the staff channel (Telegram's loket group; without
it they are marked unreached: staff read them in the dashboard), their copies by e-mail to
the mail channel when mail is configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from bot.app import App
from bot.channels.channel import Channel
from bot.outbox.by_mail import CHANNEL as MAIL_CHANNEL
from bot.outbox.worker import OutboxWorker, drain_until, run_worker
from bot.ports import DeliveryError, Messenger, Outgoing
from bot.web.health import CHECK_TIMEOUT, Check, health_router, migrations_check, write_check
from bot.web.http import HttpServer, build_http_app, listening_socket
from storage import migrations
from storage.probe import DatabaseProbe

SHUTDOWN_GRACE = 20.0  # seconds; then whatever still runs is cut off (and redone later)


class NoStaffChat:
    """The staff's chat when there is none (no Telegram): every message for it is marked
    unreached (counted, not retried, no alarm). Staff lose nothing: the dashboard shows
    every signal, and their copies by e-mail are rows of their own."""

    async def deliver(self, message: Outgoing) -> str:
        raise DeliveryError("no staff chat is configured (no Telegram)", unreachable=True)


class RoutingMessenger:
    """Staff messages to the staff channel; a reporter's to the channel they wrote on."""

    def __init__(
        self,
        staff: Messenger,
        reporters: Mapping[str, Messenger],
        others: Messenger | None = None,
    ) -> None:
        self._staff = staff
        self._reporters = reporters
        self._others = others  # any channel not named (the terminal takes them all)

    async def deliver(self, message: Outgoing) -> str:
        if message.channel is None:
            return await self._staff.deliver(message)
        messenger = self._reporters.get(message.channel, self._others)
        if messenger is None:
            raise DeliveryError(f"no {message.channel} channel is running", permanent=True)
        return await messenger.deliver(message)


@dataclass
class Service:
    worker: OutboxWorker
    where: list[str]
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    http: bool = False  # the HTTP server runs (channel routes and the health endpoints)


# How often the transcripts' sweep looks for waiting notes when nobody woke it (a note sent
# through another instance, or one put back after a passing failure).
TRANSCRIPT_SWEEP_SECONDS = 10.0


async def transcribing(app: App, clock: Callable[[], datetime], stop: asyncio.Event) -> None:
    """Load the transcript's model (in its worker process: the service does not wait for
    it), then make the transcripts of sent voice notes until ``stop``."""
    await app.transcriber.start()
    sweep = app.transcript_sweep(clock)
    await drain_until(
        sweep.drain, app.transcripts_wake, stop, TRANSCRIPT_SWEEP_SECONDS, "transcripts"
    )


def readiness_checks(probe: DatabaseProbe) -> list[Check]:
    """What ``/readyz`` checks, besides not shutting down: on the probe's own connections,
    so it never queues behind the chat steps for the service's pool."""
    return [write_check(probe), migrations_check(partial(migrations.status, probe.engine))]


@contextlib.asynccontextmanager
async def serving(
    app: App,
    clock: Callable[[], datetime],
    channels: Sequence[Channel],
    staff: Messenger,
    *,
    run_outbox: bool = True,
    run_scheduler: bool = True,
    run_transcripts: bool | None = None,
    sock: socket.socket | None = None,
    http: bool = False,
) -> AsyncIterator[Service]:
    """Start the channels' loops, the HTTP server (when a channel has routes, or ``http``),
    the outbox worker, the voice notes' transcripts (with the outbox, unless
    ``run_transcripts`` says otherwise) and the scheduler; leaving the block stops them
    gracefully: the running sweep, drain and requests finish first (anything cut off is
    uncommitted or already recorded, so it is redone or skipped on the next run)."""
    by_channel: dict[str, Messenger] = {c.name: c.messenger for c in channels}
    if app.mail is not None:
        by_channel[MAIL_CHANNEL] = app.mail.messenger
    messenger = RoutingMessenger(staff, by_channel)
    service = Service(app.outbox_worker(messenger), [c.where for c in channels if c.where])
    stop = service.stop
    tasks: list[asyncio.Task[None]] = []
    server: HttpServer | None = None
    probe: DatabaseProbe | None = None
    serving_http: asyncio.Task[None] | None = None
    if run_outbox:
        tasks.append(asyncio.create_task(run_worker(service.worker, clock, app.outbox_wake, stop)))
    if run_outbox if run_transcripts is None else run_transcripts:
        tasks.append(asyncio.create_task(transcribing(app, clock, stop)))
    routers = [router for channel in channels for router in channel.routers]
    if routers or http:
        settings = app.settings
        if sock is None:
            sock = listening_socket(settings.http_host, settings.http_port)
        # Health first: a channel's routes cannot shadow the probes.
        # Half the check's time: a write lock held elsewhere is "cannot take writes", not a
        # timed-out check.
        probe = DatabaseProbe(settings.database_url, CHECK_TIMEOUT / 2)
        health = health_router(readiness_checks(probe), stop)
        errors = {kind: handler for channel in channels for kind, handler in channel.errors.items()}
        pages = [c.failure_page for c in channels if c.failure_page is not None]
        web = build_http_app(
            health, *routers, errors=errors, failure_page=pages[0] if pages else None
        )
        server = HttpServer(
            web,
            settings.http_host,
            settings.http_port,
            sock,
            read_timeout=settings.http_read_timeout,
            forwarded_allow_ips=settings.forwarded_allow_ips,
        )
        serving_http = asyncio.create_task(server.serve())
        service.http = True
    for channel in channels:
        tasks.extend(asyncio.create_task(loop(stop)) for loop in channel.loops)
    scheduler = app.scheduler(clock) if run_scheduler else None
    if scheduler is not None:
        scheduler.start()
    try:
        yield service
    finally:
        if scheduler is not None:
            await scheduler.stop()
        # Already set by a signal (bot/bootstrap/run.py); from then on /readyz answers 503.
        stop.set()
        deadline = asyncio.get_running_loop().time() + SHUTDOWN_GRACE
        await _finish(tasks, deadline)
        # The HTTP server stops last: while the rest finishes, a load balancer sees "not
        # ready" and stops sending, and webhook calls still arriving are answered. Then
        # uvicorn closes the socket and lets the requests in flight finish.
        if server is not None and serving_http is not None:
            server.stop()
            await _finish([serving_http], deadline)
        if probe is not None:
            await probe.dispose()


async def _finish(tasks: Sequence[asyncio.Task[None]], deadline: float) -> None:
    """Wait for the tasks until ``deadline`` (loop time), then cancel what still runs."""
    if not tasks:
        return
    remaining = max(0.0, deadline - asyncio.get_running_loop().time())
    _, late = await asyncio.wait(tasks, timeout=remaining)
    for task in late:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
