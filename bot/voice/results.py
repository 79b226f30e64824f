"""What the voice package answers: values, never exceptions (a voice note is user input)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

# Why a voice note was refused before any transcription (the reporter is told kindly; what
# was already entered is kept).
RefusalReason = Literal[
    "empty",  # no bytes, or no sound in them
    "too_large",  # more bytes than AudioLimits.max_bytes
    "too_long",  # longer than AudioLimits.max_seconds
    "not_audio",  # no audio stream (a photo, a video without sound, a document)
    "unsupported",  # a container or codec outside the ones voice notes use
    "malformed",  # the demuxer or decoder could not read it
]

# Why there is no transcript (the card says so; the audio is still there).
FailureReason = Literal[
    "disabled",  # no model configured (SIGNAALPUNT_WHISPER_MODEL unset)
    "audio_refused",  # see AudioRefused: detail holds its RefusalReason
    "unsupported_language",  # a language the model does not know
    "no_speech",  # the model heard nothing to write down
    "timeout",  # the wall-clock limit passed: the worker was stopped and restarted
    "repetition",  # the output looped (a known Whisper failure in Arabic and Ukrainian)
    "too_long_output",  # more text than the audio's length can hold
    "busy",  # too many notes waiting already
    "worker_crashed",  # the worker process died; it is restarted
    "model_unavailable",  # the model could not be loaded
    "error",  # the model failed on this note (the worker carries on)
]


@dataclass(frozen=True, slots=True)
class VoiceNote:
    """A voice note that passed the bounds."""

    size_bytes: int
    duration_seconds: float
    container: str  # "ogg", "webm", "mp4", "mp3", "amr"
    codec: str  # "opus", "aac", ...
    mime_type: str  # what to store and to serve to a player


@dataclass(frozen=True, slots=True)
class AudioRefused:
    reason: RefusalReason


@dataclass(frozen=True, slots=True)
class Transcript:
    """An automatic transcript: staff see it labelled "automatische transcriptie, kan
    fouten bevatten"."""

    text: str
    language: str  # the language it was forced to (the reporter's)
    audio_seconds: float
    work_seconds: float  # wall time in the worker, decoding included
    model: str  # the model directory's name, for the record
    made_at: datetime


@dataclass(frozen=True, slots=True)
class TranscriptFailed:
    reason: FailureReason
    # For logs and tests, never shown to a resident: a RefusalReason, or an exception's type.
    detail: str = ""


TranscriptResult = Transcript | TranscriptFailed
