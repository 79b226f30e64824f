"""The voice settings (prefix SIGNAALPUNT_), apart from bot/settings.py so the package moves
as a whole; the integration may fold them into ``Settings``.

``SIGNAALPUNT_WHISPER_MODEL`` turns the transcript on. It must name a faster-whisper model
*directory*: faster-whisper reads a bare name such as ``base`` or ``Systran/faster-whisper-base``
as a model to download, and a directory without ``tokenizer.json`` as a reason to download the
tokenizer. Signaalpunt downloads nothing at run time, so both are refused when the settings are
read, with a message that says what to do.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .audio import AudioLimits
from .guards import GuardLimits
from .transcriber import NoTranscriber, Transcriber, WhisperTranscriber, WorkerOptions

# What faster-whisper (CTranslate2) reads from a model directory.
REQUIRED_FILES = ("model.bin", "config.json", "tokenizer.json")
VOCABULARY_FILES = ("vocabulary.txt", "vocabulary.json")


class VoiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIGNAALPUNT_", env_file=".env", extra="ignore")

    # The bounds of a voice note (issue 23): checked before it is stored or transcribed.
    voice_max_bytes: int = Field(default=2 * 1024 * 1024, ge=64 * 1024, le=16 * 1024 * 1024)
    voice_max_seconds: float = Field(default=120.0, ge=5.0, le=600.0)
    voice_max_notes: int = Field(default=3, ge=1, le=20)

    # The offline transcript: off unless a model directory is set (docs/voice-model.md).
    whisper_model: Path | None = None
    # int8 is the fastest on a CPU, at almost no cost in accuracy (CTranslate2's figures).
    whisper_compute_type: Literal["int8", "int8_float32", "int16", "float32"] = "int8"
    # Threads for the worker; 0: the machine's cores, at most 4.
    whisper_threads: int = Field(default=0, ge=0, le=64)
    whisper_beam_size: int = Field(default=5, ge=1, le=10)
    # The worker runs at a lower priority, so the chat's own steps come first.
    whisper_nice: int = Field(default=10, ge=0, le=19)
    # The wall-clock limit: base + per second of audio (see bot/voice/guards.py).
    whisper_time_limit_seconds: float = Field(default=15.0, gt=0)
    whisper_time_per_audio_second: float = Field(default=0.5, ge=0)
    # Notes transcribing or waiting at once; more are answered "busy" (the audio is kept).
    whisper_max_pending: int = Field(default=8, ge=1)

    @field_validator("whisper_model", mode="before")
    @classmethod
    def _empty_is_off(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("whisper_model")
    @classmethod
    def _model_directory(cls, value: Path | None) -> Path | None:
        return None if value is None else check_model_directory(value)

    def audio_limits(self) -> AudioLimits:
        return AudioLimits(
            max_bytes=self.voice_max_bytes,
            max_seconds=self.voice_max_seconds,
            max_notes_per_report=self.voice_max_notes,
        )

    def guard_limits(self) -> GuardLimits:
        return GuardLimits(
            base_seconds=self.whisper_time_limit_seconds,
            seconds_per_audio_second=self.whisper_time_per_audio_second,
        )

    def transcriber(self) -> Transcriber:
        """The configured transcriber: ``WhisperTranscriber`` with a model, else one that
        answers ``TranscriptFailed("disabled")``."""
        if self.whisper_model is None:
            return NoTranscriber()
        options = WorkerOptions(
            model_dir=self.whisper_model,
            compute_type=self.whisper_compute_type,
            threads=self.whisper_threads or min(4, os.cpu_count() or 1),
            beam_size=self.whisper_beam_size,
            nice=self.whisper_nice,
        )
        return WhisperTranscriber(
            options,
            audio_limits=self.audio_limits(),
            guard_limits=self.guard_limits(),
            max_pending=self.whisper_max_pending,
        )


def check_model_directory(path: Path) -> Path:
    """The model directory, resolved, or a ValueError saying why it cannot be used."""
    name = str(path)
    if not path.exists():
        looks_like_a_name = not path.is_absolute() and len(path.parts) <= 2 and "." not in name
        if looks_like_a_name:
            raise ValueError(
                f"SIGNAALPUNT_WHISPER_MODEL={name!r} looks like a model name, which faster-whisper "
                "would download; Signaalpunt downloads nothing at run time. Set it to the "
                "directory of a faster-whisper (CTranslate2) model on this server "
                "(docs/voice-model.md)"
            )
        raise ValueError(f"SIGNAALPUNT_WHISPER_MODEL: no directory {name!r}")
    if not path.is_dir():
        raise ValueError(f"SIGNAALPUNT_WHISPER_MODEL: {name!r} is not a directory")
    missing = [file for file in REQUIRED_FILES if not (path / file).is_file()]
    if not any((path / file).is_file() for file in VOCABULARY_FILES):
        missing.append(" or ".join(VOCABULARY_FILES))
    if missing:
        raise ValueError(
            f"SIGNAALPUNT_WHISPER_MODEL: {name!r} is not a complete faster-whisper model "
            f"directory, it lacks {', '.join(missing)} (without tokenizer.json faster-whisper "
            "would download one)"
        )
    return path.resolve()
