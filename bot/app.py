"""The application: every service, built once from the settings (``bot.bootstrap.build``)
and handed to the channels, the dashboard and the command line as one value."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.followup.retention import RetentionService
from bot.followup.scheduler import FollowUpScheduler
from bot.followup.service import FollowUpService
from bot.i18n import ContextCatalog
from bot.outbox.by_mail import MailChannel
from bot.outbox.worker import OutboxWorker
from bot.ports import Messenger
from bot.reporting.service import ConversationService
from bot.reporting.transcripts import TranscriptSweep
from bot.settings import Settings
from bot.staff.accounts import StaffAccounts
from bot.staff.actions import SignalActions
from bot.voice.audio import AudioLimits
from bot.voice.transcriber import NoTranscriber, Transcriber
from core.dialog.areas import AreaMap
from core.dialog.engine import Engine
from core.dialog.model import Place
from storage.uow import Store


@dataclass
class App:
    settings: Settings
    database: AsyncEngine  # SQLAlchemy's: the connection pool (``store`` works through it)
    store: Store
    catalogs: dict[str, ContextCatalog]
    places: tuple[Place, ...]
    dialog: Engine  # the conversation engine (``core.dialog.engine``)
    service: ConversationService
    accounts: StaffAccounts
    actions: SignalActions
    followup: FollowUpService
    retention: RetentionService
    # Set when something was queued in the outbox, so the worker sends it at once.
    outbox_wake: asyncio.Event
    # Which neighbourhood a typed postcode lies in (lists and figures group by it).
    areas: AreaMap = field(default_factory=AreaMap)
    # Staff messages by e-mail (``SIGNAALPUNT_SMTP_URL``); None: mail is off.
    mail: MailChannel | None = None
    # The bounds of a voice note, and the transcriber (NoTranscriber without a model).
    voice_limits: AudioLimits = field(default_factory=AudioLimits)
    transcriber: Transcriber = field(default_factory=NoTranscriber)
    # Set when voice notes wait for their transcript, so the sweep makes them at once.
    transcripts_wake: asyncio.Event = field(default_factory=asyncio.Event)

    def outbox_worker(self, messenger: Messenger) -> OutboxWorker:
        return OutboxWorker(
            self.store,
            messenger,
            self.catalogs,
            self.places,
            self.settings.outbox_batch,
            mail=self.mail.composer if self.mail is not None else None,
        )

    def transcript_sweep(self, clock: Callable[[], datetime]) -> TranscriptSweep:
        return TranscriptSweep(self.store, self.transcriber, clock)

    def scheduler(self, clock: Callable[[], datetime]) -> FollowUpScheduler:
        return FollowUpScheduler(
            self.followup,
            clock,
            sweep_seconds=self.settings.sweep_seconds,
            digest_at=self.settings.digest_time,
            timezone=self.followup.hours.timezone,
            retention=self.retention,
            retention_at=self.settings.retention_time,
        )

    async def close(self) -> None:
        await self.transcriber.aclose()
        await self.database.dispose()
