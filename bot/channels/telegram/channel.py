"""The Telegram channel assembled: the bot (menus set, the webhook registered in webhook
mode), the update loop (polling or webhook) and the messenger for the loket group, staff and
Telegram reporters. ``bot.bootstrap.run`` serves it alone or next to the other channels."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from telegram.ext import ExtBot

from bot.app import App
from bot.channels.channel import Channel

from .client import build_bot
from .loket_chat import LoketChat
from .menu import set_command_menus
from .messenger import CHANNEL, StaffChats, TelegramMessenger
from .polling import poll
from .updates import ALLOWED_UPDATES, KeyboardStore, TelegramUpdates
from .voice import TelegramVoice
from .webhook import PATH, telegram_router


@dataclass
class TelegramParts:
    bot: ExtBot[int]
    updates: TelegramUpdates
    channel: Channel


@contextlib.asynccontextmanager
async def telegram_parts(
    app: App, clock: Callable[[], datetime], bot: ExtBot[int] | None = None
) -> AsyncIterator[TelegramParts]:
    """The bot (started: menus set, webhook registered in webhook mode) and its channel."""
    settings = app.settings
    assert settings.telegram_token is not None
    assert settings.loket_chat_id is not None
    if bot is None:
        bot = build_bot(
            settings.telegram_token.get_secret_value(),
            settings.telegram_api_url,
            instances=settings.telegram_instances,
            file_url=settings.telegram_file_url,
        )
    loket_chat = LoketChat(settings.loket_chat_id, app.store)
    await loket_chat.load()  # a move recorded earlier (by any instance) is followed at once
    async with bot:
        await set_command_menus(bot, app.catalogs)
        updates = TelegramUpdates(
            bot,
            app.service,
            app.accounts,
            app.actions,
            KeyboardStore(app.store),
            app.catalogs,
            loket_chat,
            clock,
            app.followup,
            TelegramVoice(bot, app.voice_limits),
            answers_in_place=settings.telegram_answers_in_place,
        )
        messenger = TelegramMessenger(bot, loket_chat, clock, StaffChats(app.store))
        if settings.telegram_mode == "webhook":
            assert settings.telegram_webhook_secret is not None
            secret = settings.telegram_webhook_secret.get_secret_value()
            await bot.set_webhook(
                str(settings.telegram_webhook_url),
                secret_token=secret,
                allowed_updates=list(ALLOWED_UPDATES),
            )
            where = f"Telegram @{bot.username}: webhook on {PATH}"
            channel = Channel(
                CHANNEL, messenger, routers=(telegram_router(bot, updates, secret),), where=where
            )
        else:
            where = f"Telegram @{bot.username}: long polling"
            channel = Channel(CHANNEL, messenger, loops=(partial(poll, bot, updates),), where=where)
        yield TelegramParts(bot, updates, channel)
