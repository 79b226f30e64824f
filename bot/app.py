"""The composition root: builds every part from settings. Nothing is built at import."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from core.dialog.engine import Engine
from core.dialog.matching import LabelIndex
from core.dialog.model import Place
from storage.database import OutdatedSchema, make_engine
from storage.migrations import status, upgrade
from storage.uow import Store

from .followup import FollowUpService
from .i18n import ContextCatalog, load_catalogs
from .keys import keyring_from_settings
from .loket import LoketService
from .office import office_hours
from .outbox import OutboxWorker
from .ports import Messenger
from .retention import RetentionService
from .scheduler import FollowUpScheduler
from .service import ConversationService
from .settings import Settings


@dataclass
class App:
    settings: Settings
    db: AsyncEngine
    store: Store
    catalogs: dict[str, ContextCatalog]
    places: tuple[Place, ...]
    engine: Engine
    service: ConversationService
    loket: LoketService
    followup: FollowUpService
    retention: RetentionService
    # Set when something was queued in the outbox, so the worker sends it at once.
    outbox_wake: asyncio.Event

    def outbox_worker(self, messenger: Messenger) -> OutboxWorker:
        return OutboxWorker(
            self.store,
            messenger,
            self.catalogs,
            self.places,
            self.settings.outbox_batch,
        )

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
        await self.db.dispose()


async def build_app(settings: Settings) -> App:
    """Open the database (migrating it first, unless ``migrate_on_start`` is off: then
    it must already be at the head revision) and wire the services."""
    keyring = keyring_from_settings(settings)
    db = make_engine(settings.database_url)
    try:
        if settings.migrate_on_start:
            await upgrade(db, keyring)
        else:
            current, head = await status(db)
            if current != head:
                raise OutdatedSchema(
                    f"the database is at revision {current or '(none)'}, this version needs "
                    f"{head}: run `signaalpunt db upgrade`"
                )
    except BaseException:
        await db.dispose()
        raise
    store = Store(db, keyring)
    catalogs = load_catalogs()
    places = settings.places()
    engine = Engine(LabelIndex(catalogs), places)
    wake = asyncio.Event()
    service = ConversationService(
        store,
        engine,
        catalogs,
        settings.default_language,
        on_signal=wake.set,
        max_signals_per_day=settings.max_signals_per_day,
        max_messages_per_minute=settings.max_messages_per_minute,
    )
    loket = LoketService(
        store,
        on_queued=wake.set,
        max_failed_codes=settings.max_failed_codes,
        lockout=timedelta(minutes=settings.lockout_minutes),
    )
    followup = FollowUpService(
        store,
        office_hours(settings),
        settings.followup_rules(),
        settings.digest_time,
        on_queued=wake.set,
    )
    retention = RetentionService(store, settings.retention_periods(), followup.hours.timezone)
    return App(
        settings, db, store, catalogs, places, engine, service, loket, followup, retention, wake
    )
