"""Outbox messages over Telegram: the loket group card, private details, admin alerts,
reminders, and check-ins and questions for reporters who use Telegram.

Staff messages name their recipient as a target (``loket``, ``staff:<id>``): the group is
where ``LoketChat`` says, a staff member's private chat is their Telegram account
(``StaffChats``, the channel's own records); a staff member without one cannot be reached
here, and the message is marked undeliverable."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from telegram import ForceReply, InlineKeyboardMarkup, InputFile, Message
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ExtBot

from bot.ports import Audio, DeliveryError, Outgoing
from core.lifecycle.parties import LoketGroup, StaffMember, parse_target
from storage.uow import Store

from .calls import edit_text, send_text
from .client import seconds
from .format import MAX_CAPTION, PARSE_MODE, split_text, staff_keyboard
from .loket_chat import LoketChat

CHANNEL = "telegram"
# What Telegram plays as a voice message (sendVoice: OGG/Opus, MP3, M4A); anything else
# is sent as a file.
VOICE_TYPES = frozenset({"audio/ogg", "audio/mpeg", "audio/mp4"})


def landed(chat_id: int, message_id: int) -> str:
    return f"{chat_id}:{message_id}"


def parse_landed(ref: str) -> tuple[int, int]:
    chat, _, message = ref.partition(":")
    return int(chat), int(message)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class StaffChats:
    """A staff member's private chat with the bot: their linked Telegram account."""

    def __init__(self, store: Store | None) -> None:
        self._store = store

    async def chat_of(self, staff_id: int) -> int | None:
        if self._store is None:
            return None
        async with self._store.unit_of_work() as uow:
            return await uow.telegram_accounts.account_of(staff_id)


class TelegramMessenger:
    def __init__(
        self,
        bot: ExtBot[int],
        loket: LoketChat | int,
        clock: Callable[[], datetime] = _utc_now,
        staff: StaffChats | None = None,
    ) -> None:
        self._bot = bot
        self._loket = loket if isinstance(loket, LoketChat) else LoketChat(loket)
        self._clock = clock
        self._staff = staff or StaffChats(None)

    async def _chat(self, message: Outgoing) -> int:
        """The chat a message goes to: a reporter's is their Telegram chat id as it is."""
        if message.channel == CHANNEL:
            return int(message.target)
        target = parse_target(message.target)
        if isinstance(target, LoketGroup):
            return self._loket.id
        if isinstance(target, StaffMember):
            chat = await self._staff.chat_of(target.staff_id)
            if chat is None:
                raise DeliveryError("the staff member has no Telegram account", unreachable=True)
            return chat
        raise DeliveryError(f"no such recipient: {message.target}", permanent=True)

    async def deliver(self, message: Outgoing) -> str:
        if message.channel not in (None, CHANNEL):
            raise DeliveryError(f"no {message.channel} channel is running", permanent=True)
        chat_id = await self._chat(message)
        try:
            try:
                return await self._deliver(chat_id, message)
            except ChatMigrated as moved:
                # The group became a supergroup: follow it, and send this message there now
                # (a card edit too: the old group's messages cannot be edited any more).
                await self._loket.moved(chat_id, moved.new_chat_id, self._clock())
                return await self._deliver(moved.new_chat_id, replace(message, edit=None))
        except ChatMigrated as error:  # moved again meanwhile: the outbox tries later
            raise DeliveryError(f"400 {error.message}") from error
        except RetryAfter as error:
            wait = seconds(error.retry_after)
            raise DeliveryError("429 too many requests", retry_after=wait) from error
        except Forbidden as error:  # removed from the group, or blocked by the staff member
            raise DeliveryError(f"403 {error.message}", permanent=True) from error
        except BadRequest as error:
            if message.edit is not None and "not modified" in error.message.lower():
                return message.edit  # the card already reads like this
            raise DeliveryError(f"400 {error.message}", permanent=True) from error
        except NetworkError as error:  # timeouts, 5xx, dropped connections: try again later
            raise DeliveryError(f"network: {error.message}") from error
        except TelegramError as error:
            raise DeliveryError(f"telegram: {error.message}") from error

    async def _deliver(self, chat_id: int, message: Outgoing) -> str:
        chunks = split_text(message.text)
        markup: InlineKeyboardMarkup | ForceReply | None = staff_keyboard(message.buttons)
        if markup is None and message.force_reply:
            markup = ForceReply()
        if message.edit is not None:
            edit_chat, edit_id = parse_landed(message.edit)
            await edit_text(
                self._bot, edit_chat, edit_id, chunks[0], markup=staff_keyboard(message.buttons)
            )
            return message.edit
        sent: int | None = None
        if message.audio is not None:
            sent = (await self._send_audio(chat_id, message.audio, message.protect)).message_id
            if not message.text.strip():
                return landed(chat_id, sent)
        for index, chunk in enumerate(chunks):
            last = index == len(chunks) - 1
            sent = await send_text(
                self._bot,
                chat_id,
                chunk,
                markup=markup if last else None,
                protect=message.protect,
            )
        assert sent is not None
        return landed(chat_id, sent)

    async def _send_audio(self, chat_id: int, audio: Audio, protect: bool) -> Message:
        caption = split_text(audio.caption, MAX_CAPTION)[0]
        upload = InputFile(audio.data, filename=audio.filename)
        if audio.mime_type in VOICE_TYPES:
            return await self._bot.send_voice(
                chat_id,
                upload,
                caption=caption,
                parse_mode=PARSE_MODE,
                duration=timedelta(seconds=max(1, round(audio.seconds))),
                protect_content=protect,
            )
        return await self._bot.send_document(
            chat_id, upload, caption=caption, parse_mode=PARSE_MODE, protect_content=protect
        )
