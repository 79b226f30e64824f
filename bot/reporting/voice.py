"""Voice notes as the channels hand them to the conversation: within the bounds, or why not.

A channel checks what the chat app says about a note before downloading it (``declared``:
its size and length), downloads it, and lets ``received`` probe the bytes (the app's numbers
are checked by nobody). A note within the bounds goes to ``ConversationService`` as a
``ReceivedVoice``; the service stores its audio in the step's transaction and hands the
engine a ``VoiceIn``. Anything else is a ``VoiceRefused`` the reporter is told about.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.voice.audio import AudioLimits, as_ogg, probe_in_thread
from bot.voice.results import AudioRefused, VoiceNote
from core.dialog.events import VoiceRefused


@dataclass(frozen=True)
class ReceivedVoice:
    """A voice note within the bounds: its audio and what the probe found."""

    audio: bytes
    note: VoiceNote


def refusal(limits: AudioLimits, reason: str) -> VoiceRefused:
    """What the reporter is told: too long (with the limit), too large, or not playable."""
    if reason == "too_long":
        return VoiceRefused("too_long", limits.max_seconds)
    if reason == "too_large":
        return VoiceRefused("too_large")
    return VoiceRefused("unplayable")


def declared(limits: AudioLimits, size: int | None, seconds: float | None) -> VoiceRefused | None:
    """A refusal from what the chat app says of a note, before it is downloaded (None:
    download it and look)."""
    if size is not None and size > limits.max_bytes:
        return refusal(limits, "too_large")
    if seconds is not None and seconds > limits.max_seconds + limits.grace_seconds:
        return refusal(limits, "too_long")
    return None


async def received(limits: AudioLimits, audio: bytes) -> ReceivedVoice | VoiceRefused:
    """The downloaded note, probed within the bounds; Opus recorded in a browser (WebM) is
    kept as OGG, as the chat apps send it."""
    found = await probe_in_thread(audio, limits)
    if isinstance(found, AudioRefused):
        return refusal(limits, found.reason)
    if found.container == "webm":
        copied = as_ogg(audio)
        if copied is not None:
            again = await probe_in_thread(copied, limits)
            if isinstance(again, VoiceNote):
                return ReceivedVoice(copied, again)
    return ReceivedVoice(audio, found)
