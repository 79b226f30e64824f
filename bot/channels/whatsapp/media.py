"""WhatsApp voice notes in: the media's URL from the Graph API (``GET /<version>/<media id>``
with the token), then the file from that URL, with the token again (it expires after 5
minutes: a retry asks for a new one), read no further than the bounds allow and checked
against the hash Meta gives, then probed.

Everything that goes wrong is a refusal the reporter hears about ("send it again"), never
an exception: the inbox processes the next message either way.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import httpx

from bot.reporting.voice import ReceivedVoice, declared, received, refusal
from bot.voice.audio import AudioLimits
from core.dialog.events import VoiceRefused

from .client import PUBLIC_API

log = logging.getLogger(__name__)


class TooLarge(Exception):
    """More bytes came than a voice note may have."""


class WhatsAppMedia:
    def __init__(
        self, session: httpx.AsyncClient, token: str, api_version: str, limits: AudioLimits
    ) -> None:
        self._session = session
        self._headers = {"Authorization": f"Bearer {token}"}
        self._version = api_version
        self._limits = limits

    async def fetch(self, media_id: str) -> ReceivedVoice | VoiceRefused:
        """The note within the bounds, or why it is refused."""
        if not media_id.isascii() or not media_id.isdigit():
            return refusal(self._limits, "unplayable")
        try:
            described = await self._describe(media_id)
            if described is None:
                return refusal(self._limits, "unplayable")
            url, size, digest = described
            early = declared(self._limits, size, None)
            if early is not None:
                return early
            data = await self._download(url)
        except TooLarge:
            return refusal(self._limits, "too_large")
        except httpx.HTTPError as error:
            log.warning("a WhatsApp voice note could not be fetched: %s", type(error).__name__)
            return refusal(self._limits, "unplayable")
        if digest and hashlib.sha256(data).hexdigest() != digest.lower():
            log.warning("a WhatsApp voice note did not match its hash")
            return refusal(self._limits, "unplayable")
        return await received(self._limits, data)

    async def _describe(self, media_id: str) -> tuple[str, int | None, str] | None:
        """(url, size, sha256) of the media; None when Meta refuses (an unknown or expired
        id: media ids in webhooks last 7 days)."""
        response = await self._session.get(
            f"{PUBLIC_API}/v{self._version}/{media_id}", headers=self._headers
        )
        if response.status_code != 200:
            log.warning("WhatsApp media lookup answered %s", response.status_code)
            return None
        body: Any = response.json()
        url = body.get("url") if isinstance(body, dict) else None
        if not isinstance(url, str) or not url.startswith("https://"):
            return None
        size = body.get("file_size")
        declared_size = int(size) if isinstance(size, int | str) and str(size).isdigit() else None
        digest = body.get("sha256")
        return url, declared_size, digest if isinstance(digest, str) else ""

    async def _download(self, url: str) -> bytes:
        """The file, read no further than a note may be long."""
        data = bytearray()
        async with self._session.stream("GET", url, headers=self._headers) as response:
            if response.status_code != 200:
                raise httpx.HTTPStatusError(
                    f"media download answered {response.status_code}",
                    request=response.request,
                    response=response,
                )
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > self._limits.max_bytes:
                    raise TooLarge
        return bytes(data)
