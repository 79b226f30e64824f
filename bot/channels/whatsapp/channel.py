"""Assembling the WhatsApp channel: client, messenger, webhook routes and inbox worker."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from bot.app import App
from bot.channels.channel import Channel
from core.text.catalog import Catalog
from core.text.languages import LANGUAGES

from . import texts
from .client import build_client, build_session
from .inbox import InboxWorker, run_inbox
from .media import WhatsAppMedia
from .messenger import CHANNEL, WhatsAppMessenger
from .render import ListTexts
from .updates import WhatsAppUpdates
from .webhook import PATH, whatsapp_router


@dataclass
class WhatsAppParts:
    messenger: WhatsAppMessenger
    updates: WhatsAppUpdates
    inbox: InboxWorker
    channel: Channel
    received: asyncio.Event


def list_texts(catalogs: Mapping[str, Catalog]) -> dict[str, ListTexts]:
    return {
        code: ListTexts(
            catalogs[code].gettext(texts.LIST_BUTTON),
            catalogs[code].gettext(texts.LIST_SECTION),
            catalogs[code].gettext(texts.TYPE_NUMBER),
            catalogs[code].gettext(texts.TYPE_NUMBERS),
        )
        for code in LANGUAGES
    }


@contextlib.asynccontextmanager
async def whatsapp_parts(
    app: App, clock: Callable[[], datetime], *, run_inbox_worker: bool = True
) -> AsyncIterator[WhatsAppParts]:
    settings = app.settings
    assert settings.whatsapp_phone_id is not None
    assert settings.whatsapp_token is not None
    assert settings.whatsapp_app_secret is not None
    assert settings.whatsapp_verify_token is not None
    session = build_session(settings.whatsapp_api_url)
    try:
        client = build_client(
            settings.whatsapp_phone_id,
            settings.whatsapp_token.get_secret_value(),
            settings.whatsapp_api_version,
            session,
        )
        templates = {
            "checkin": settings.whatsapp_checkin_template,
            "question": settings.whatsapp_question_template,
        }
        messenger = WhatsAppMessenger(client, list_texts(app.catalogs), templates, clock)
        media = WhatsAppMedia(
            session,
            settings.whatsapp_token.get_secret_value(),
            settings.whatsapp_api_version,
            app.voice_limits,
        )
        updates = WhatsAppUpdates(
            app.store, app.service, app.followup, messenger, app.catalogs, media
        )
        inbox = InboxWorker(app.store, updates, clock)
        received = asyncio.Event()
        router = whatsapp_router(
            updates,
            phone_id=settings.whatsapp_phone_id,
            app_secret=settings.whatsapp_app_secret.get_secret_value(),
            verify_token=settings.whatsapp_verify_token.get_secret_value(),
            clock=clock,
            on_received=received.set,
            on_queued=app.outbox_wake.set,
        )
        loops = (partial(run_inbox, inbox, received),) if run_inbox_worker else ()
        where = f"WhatsApp {settings.whatsapp_phone_id}: webhook on {PATH}"
        channel = Channel(CHANNEL, messenger, routers=(router,), loops=loops, where=where)
        yield WhatsAppParts(messenger, updates, inbox, channel, received)
    finally:
        await session.aclose()
