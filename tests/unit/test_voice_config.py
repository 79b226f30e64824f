"""The voice settings: the transcript is on only with a model directory, and a model name
that faster-whisper would download is refused (bot/voice/config.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.voice.audio import AudioLimits
from bot.voice.config import VoiceSettings
from bot.voice.results import TranscriptFailed
from bot.voice.transcriber import NoTranscriber, WhisperTranscriber

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def settings(**values: Any) -> VoiceSettings:
    return VoiceSettings(_env_file=None, **values)  # type: ignore[call-arg]


def model_directory(root: Path, *files: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name in files:
        (root / name).write_bytes(b"")
    return root


COMPLETE = ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt")


async def test_without_a_model_there_is_no_transcript_but_no_error() -> None:
    transcriber = settings().transcriber()
    assert isinstance(transcriber, NoTranscriber)
    assert not await transcriber.start()
    assert await transcriber.transcribe(b"OggS", "nl", NOW) == TranscriptFailed("disabled")
    await transcriber.aclose()


def test_an_empty_setting_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNAALPUNT_WHISPER_MODEL", " ")
    assert settings().whisper_model is None


@pytest.mark.parametrize(
    "name", ["base", "tiny", "large-v3", "Systran/faster-whisper-base", "openai/whisper-small"]
)
def test_a_model_name_is_refused_nothing_is_downloaded(
    name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValidationError, match="downloads nothing at run time"):
        settings(whisper_model=name)


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no directory"):
        settings(whisper_model=tmp_path / "gone")


def test_a_file_is_not_a_model_directory(tmp_path: Path) -> None:
    file = tmp_path / "model.bin"
    file.write_bytes(b"")
    with pytest.raises(ValidationError, match="not a directory"):
        settings(whisper_model=file)


def test_without_tokenizer_json_faster_whisper_would_download_one(tmp_path: Path) -> None:
    directory = model_directory(tmp_path / "m", "model.bin", "config.json", "vocabulary.txt")
    with pytest.raises(ValidationError, match=r"lacks tokenizer\.json"):
        settings(whisper_model=directory)


def test_without_a_vocabulary_the_model_cannot_load(tmp_path: Path) -> None:
    directory = model_directory(tmp_path / "m", "model.bin", "config.json", "tokenizer.json")
    with pytest.raises(ValidationError, match="vocabulary"):
        settings(whisper_model=directory)


async def test_a_model_directory_turns_the_transcript_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = model_directory(tmp_path / "whisper", *COMPLETE)
    monkeypatch.setenv("SIGNAALPUNT_WHISPER_MODEL", str(directory))
    monkeypatch.setenv("SIGNAALPUNT_WHISPER_BEAM_SIZE", "2")
    monkeypatch.setenv("SIGNAALPUNT_VOICE_MAX_SECONDS", "90")
    configured = settings()
    assert configured.whisper_model == directory.resolve()
    transcriber = configured.transcriber()
    assert isinstance(transcriber, WhisperTranscriber)
    assert transcriber.options.model_dir == directory.resolve()
    assert transcriber.options.beam_size == 2
    assert transcriber.options.threads >= 1
    assert transcriber.audio_limits.max_seconds == 90
    await transcriber.aclose()  # never started: nothing to stop


def test_the_default_bounds_are_the_issues() -> None:
    assert settings().audio_limits() == AudioLimits(
        max_bytes=2 * 1024 * 1024, max_seconds=120.0, max_notes_per_report=3
    )
    limits = settings().audio_limits()
    assert limits.may_attach(2)
    assert not limits.may_attach(3)
