"""The bounds of a voice note, checked before anything else touches it.

A voice note is hostile input parsed by C code, so: the size is checked before any parsing;
only the demuxers voice notes use are allowed (FFmpeg's ``format_whitelist``, which also
keeps playlist formats from opening other files); the length is checked first from the
header and then by counting decoded samples, stopping as soon as the limit is passed (a
header can lie, and a 2 MB note at a few kbit/s holds over an hour). Whatever goes wrong is
an ``AudioRefused``, never an exception.

Decoding a 2-minute Opus note takes about 0.1 s of CPU: the shell calls ``probe_in_thread``,
and the transcription worker decodes in its own process.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import av
import av.container

from .results import AudioRefused, RefusalReason, VoiceNote

log = logging.getLogger(__name__)

# FFmpeg demuxer name -> (our short name, the MIME type to store and serve).
_CONTAINERS: dict[str, tuple[str, str]] = {
    "ogg": ("ogg", "audio/ogg"),  # Telegram voice, WhatsApp voice
    "matroska,webm": ("webm", "audio/webm"),  # Chrome's and Firefox's MediaRecorder
    "mov,mp4,m4a,3gp,3g2,mj2": ("mp4", "audio/mp4"),  # Safari, WhatsApp audio/mp4
    "mp3": ("mp3", "audio/mpeg"),  # WhatsApp audio/mpeg, Telegram audio
    "aac": ("aac", "audio/aac"),  # WhatsApp audio/aac (ADTS)
    "amr": ("amr", "audio/amr"),  # WhatsApp audio/amr
}
_FORMAT_WHITELIST = "ogg,matroska,mov,mp3,aac,amr"
_CODECS = frozenset({"opus", "aac", "mp3", "mp3float", "amrnb", "amrwb", "vorbis", "flac"})

# Shorter than this is a tap on the record button, not a message.
MIN_SECONDS = 0.2


@dataclass(frozen=True, slots=True)
class AudioLimits:
    """Issue 23: at most 2 minutes and 2 MB a note, a few notes a report."""

    max_bytes: int = 2 * 1024 * 1024
    max_seconds: float = 120.0
    max_notes_per_report: int = 3
    # A recorder stopped at the limit writes a little more (codec padding).
    grace_seconds: float = 0.5

    def may_attach(self, notes_already: int) -> bool:
        return notes_already < self.max_notes_per_report


@dataclass(frozen=True, slots=True)
class DecodedAudio:
    note: VoiceNote
    # Mono 32-bit float samples, little-endian, at ``sample_rate`` (what Whisper reads).
    pcm: bytes
    sample_rate: int


class _Refused(Exception):
    def __init__(self, reason: RefusalReason) -> None:
        super().__init__(reason)
        self.reason = reason


def probe(data: bytes, limits: AudioLimits | None = None) -> VoiceNote | AudioRefused:
    """The note's length and format, or why it is refused."""
    result = _read(data, limits or AudioLimits(), resample_to=None)
    return result if isinstance(result, AudioRefused) else result.note


async def probe_in_thread(
    data: bytes, limits: AudioLimits | None = None
) -> VoiceNote | AudioRefused:
    """``probe`` off the event loop (PyAV releases the GIL while it decodes)."""
    return await asyncio.to_thread(probe, data, limits)


def decode(
    data: bytes, limits: AudioLimits | None = None, sample_rate: int = 16_000
) -> DecodedAudio | AudioRefused:
    """The note as mono float samples at ``sample_rate``, within the same bounds."""
    return _read(data, limits or AudioLimits(), resample_to=sample_rate)


def _read(data: bytes, limits: AudioLimits, resample_to: int | None) -> DecodedAudio | AudioRefused:
    if not data:
        return AudioRefused("empty")
    if len(data) > limits.max_bytes:
        return AudioRefused("too_large")
    try:
        container = av.open(
            io.BytesIO(data), mode="r", container_options={"format_whitelist": _FORMAT_WHITELIST}
        )
    except av.error.ArgumentError:  # EINVAL: "Format not on whitelist"
        return AudioRefused("unsupported")
    except Exception as error:  # any failure to parse hostile bytes
        log.debug("voice note unreadable at open: %s", type(error).__name__)
        return AudioRefused("malformed")
    try:
        with container:
            return _read_open(container, data, limits, resample_to)
    except _Refused as refused:
        return AudioRefused(refused.reason)
    except Exception as error:  # a decoder's failure on hostile bytes
        log.debug("voice note unreadable: %s", type(error).__name__)
        return AudioRefused("malformed")


def _read_open(
    container: av.container.InputContainer,
    data: bytes,
    limits: AudioLimits,
    resample_to: int | None,
) -> DecodedAudio:
    kind = _CONTAINERS.get(container.format.name)
    if kind is None:
        raise _Refused("unsupported")
    if not container.streams.audio:
        raise _Refused("not_audio")
    stream = container.streams.audio[0]
    if stream.codec_context.name not in _CODECS:
        raise _Refused("unsupported")
    ceiling = limits.max_seconds + limits.grace_seconds
    # The header first: refusing a long note costs nothing then.
    if container.duration is not None and container.duration / av.time_base > ceiling:
        raise _Refused("too_long")
    resampler = (
        av.AudioResampler(format="flt", layout="mono", rate=resample_to) if resample_to else None
    )
    pcm = bytearray()
    seconds = 0.0
    for frame in _frames(container, stream):
        seconds += frame.samples / frame.sample_rate
        if seconds > ceiling:
            raise _Refused("too_long")
        if resampler is not None:
            for out in resampler.resample(frame):
                pcm += bytes(out.planes[0])[: out.samples * 4]
    if resampler is not None:
        for out in resampler.resample(None):
            pcm += bytes(out.planes[0])[: out.samples * 4]
    if seconds < MIN_SECONDS:
        raise _Refused("empty")
    short, mime = kind
    note = VoiceNote(
        size_bytes=len(data),
        duration_seconds=round(seconds, 3),
        container=short,
        codec=_codec_name(stream.codec_context.name),
        mime_type=mime,
    )
    return DecodedAudio(note, bytes(pcm), resample_to or 0)


def _frames(
    container: av.container.InputContainer, stream: av.AudioStream
) -> Iterator[av.AudioFrame]:
    for packet in container.demux(stream):
        yield from packet.decode()


def _codec_name(name: str) -> str:
    return "mp3" if name == "mp3float" else name


def as_ogg(data: bytes) -> bytes | None:
    """Opus in WebM (a browser's recording) as Opus in OGG, the packets copied as they are
    (no decoding, well under a millisecond a second): the one form Telegram plays as a
    voice message and every chat app sends. None when ``data`` is not Opus in WebM, or
    cannot be copied (the caller keeps the original)."""
    try:
        with av.open(
            io.BytesIO(data), mode="r", container_options={"format_whitelist": "matroska"}
        ) as source:
            if not source.streams.audio:
                return None
            stream = source.streams.audio[0]
            if stream.codec_context.name != "opus":
                return None
            buffer = io.BytesIO()
            with av.open(buffer, mode="w", format="ogg") as target:
                copied = target.add_stream_from_template(stream)
                for packet in source.demux(stream):
                    if packet.dts is None:  # the demuxer's end-of-stream marker
                        continue
                    packet.stream = copied
                    target.mux(packet)
            return buffer.getvalue()
    except Exception as error:  # hostile bytes: keep what was sent
        log.debug("voice note not copied to OGG: %s", type(error).__name__)
        return None
