"""The composition root: builds the ``App`` (every service) from settings, for every mode
of the command. Nothing is built at import."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.app import App
from bot.followup.office import office_hours
from bot.followup.retention import RetentionService
from bot.followup.service import FollowUpService
from bot.i18n import load_catalogs
from bot.reporting.service import ConversationService
from bot.settings import Settings
from bot.staff.accounts import StaffAccounts
from bot.staff.actions import SignalActions
from bot.voice.config import VoiceSettings
from core.dialog.engine import Engine
from core.dialog.matching import LabelIndex
from core.text.languages import STAFF_LANGUAGE
from storage.database import OutdatedSchema, make_engine
from storage.migrations import status, upgrade
from storage.uow import Store

from .keys import keyring_from_settings
from .mail import mail_channel


async def build_app(settings: Settings, voice: VoiceSettings | None = None) -> App:
    """Open the database (migrating it first, unless ``migrate_on_start`` is off: then
    it must already be at the head revision) and wire the services. ``voice``: the voice
    notes' bounds and the transcript's model (read from the environment when not given);
    the transcriber's worker starts with the service (``bot.bootstrap.serving``)."""
    voice = voice if voice is not None else VoiceSettings()
    keyring = keyring_from_settings(settings)
    database = make_engine(settings.database_url)
    try:
        if settings.migrate_on_start:
            await upgrade(database, keyring)
        else:
            current, head = await status(database)
            if current != head:
                raise OutdatedSchema(
                    f"the database is at revision {current or '(none)'}, this version needs "
                    f"{head}: run `signaalpunt db upgrade`"
                )
    except BaseException:
        await database.dispose()
        raise
    store = Store(database, keyring)
    catalogs = load_catalogs()
    mail = mail_channel(settings, store, catalogs[STAFF_LANGUAGE])
    places = settings.places()
    limits = voice.audio_limits()
    engine = Engine(
        LabelIndex(catalogs),
        places,
        municipality_phone=settings.municipality_phone,
        max_voice_notes=limits.max_notes_per_report,
    )
    wake = asyncio.Event()
    transcripts_wake = asyncio.Event()
    service = ConversationService(
        store,
        engine,
        catalogs,
        settings.default_language,
        on_signal=wake.set,
        max_signals_per_day=settings.max_signals_per_day,
        max_messages_per_minute=settings.max_messages_per_minute,
        transcribe_voice=voice.whisper_model is not None,
        on_voice=transcripts_wake.set,
    )
    accounts = StaffAccounts(
        store,
        max_failed_codes=settings.max_failed_codes,
        lockout=timedelta(minutes=settings.lockout_minutes),
    )
    actions = SignalActions(store, on_queued=wake.set)
    followup = FollowUpService(
        store,
        office_hours(settings),
        settings.followup_rules(),
        settings.digest_time,
        on_queued=wake.set,
    )
    retention = RetentionService(store, settings.retention_periods(), followup.hours.timezone)
    return App(
        settings=settings,
        database=database,
        store=store,
        catalogs=catalogs,
        places=places,
        dialog=engine,
        service=service,
        accounts=accounts,
        actions=actions,
        followup=followup,
        retention=retention,
        outbox_wake=wake,
        areas=settings.area_map(),
        mail=mail,
        voice_limits=limits,
        transcriber=voice.transcriber(),
        transcripts_wake=transcripts_wake,
    )
