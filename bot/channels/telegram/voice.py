"""Telegram voice notes in: the note's size and length as Telegram declares them, then
``getFile`` and the download from the file URL (``SIGNAALPUNT_TELEGRAM_FILE_URL``, the bot's
``base_file_url``; Telegram serves files up to 20 MB to bots, and a link for at least an
hour), then the probe.

Downloaded with the bot's own HTTP client from that URL only, not with PTB's
``File.download_*``: those read a ``file_path`` that names a file on this machine from the
disk (meant for a local Bot API server), and what a server answers is not ours to trust
that far. The URL holds the bot's token: it is never logged.
"""

from __future__ import annotations

import logging

from telegram import Audio, Message, Voice
from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot

from bot.reporting.voice import ReceivedVoice, declared, received, refusal
from bot.voice.audio import AudioLimits
from core.dialog.events import VoiceRefused

from .client import seconds

log = logging.getLogger(__name__)

DOWNLOAD_SECONDS = 30.0


def spoken(message: Message) -> Voice | Audio | None:
    """The voice note or audio file a message carries, if any."""
    return message.voice or message.audio


class TelegramVoice:
    def __init__(self, bot: ExtBot[int], limits: AudioLimits) -> None:
        self._bot = bot
        self._limits = limits
        self._file_url = bot.base_file_url.removesuffix(bot.token)

    async def fetch(self, media: Voice | Audio) -> ReceivedVoice | VoiceRefused:
        """The note within the bounds, or why it is refused (never raises for Telegram's
        or the note's sake: the reporter is told, and may send it again)."""
        length = seconds(media.duration) if media.duration is not None else None
        early = declared(self._limits, media.file_size, length)
        if early is not None:
            return early
        try:
            file = await self._bot.get_file(media.file_id)
            if file.file_size is not None and file.file_size > self._limits.max_bytes:
                return refusal(self._limits, "too_large")
            # PTB joins the file URL, the token and Telegram's path; a path it took for a
            # file on this machine is not joined, and not read.
            url = file.file_path or ""
            if not url.startswith(f"{self._file_url}{self._bot.token}/"):
                return refusal(self._limits, "unplayable")
            data = await self._bot.request.retrieve(url, read_timeout=DOWNLOAD_SECONDS)
        except BadRequest as error:  # "file is too big" (over Telegram's 20 MB), a bad id
            too_big = "too big" in error.message.lower()
            log.warning("a voice note could not be fetched from Telegram: %s", error.message)
            return refusal(self._limits, "too_large" if too_big else "unplayable")
        except TelegramError as error:  # the network, Telegram's side: asked to send again
            log.warning("a voice note could not be downloaded: %s", type(error).__name__)
            return refusal(self._limits, "unplayable")
        if len(data) > self._limits.max_bytes:
            return refusal(self._limits, "too_large")
        return await received(self._limits, data)
