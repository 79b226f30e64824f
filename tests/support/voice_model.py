"""The Whisper model the voice tests and ``bench.transcription`` run: the pinned PyPI model
that ``make test`` assembles (docs/voice-model.md), or another directory named by
SIGNAALPUNT_TEST_WHISPER_MODEL.

The Makefile sets that variable, so under ``make test`` a missing model fails the tests; run
by hand without it (``pytest`` alone), they are skipped, with the command that installs it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.voice.config import check_model_directory

ROOT = Path(__file__).resolve().parents[2]
MODEL_ENV = "SIGNAALPUNT_TEST_WHISPER_MODEL"
DEFAULT_MODEL = ROOT / ".venv" / "models" / "faster-whisper-base"


def model_directory() -> Path | None:
    """The model directory, or None when there is none (and none was asked for)."""
    named = os.environ.get(MODEL_ENV)
    try:
        return check_model_directory(Path(named) if named else DEFAULT_MODEL)
    except ValueError:
        if named:
            raise
        return None


def require_model() -> Path:
    """The model directory for a test: fails when SIGNAALPUNT_TEST_WHISPER_MODEL names no
    model, skips when nothing was named and the default is not installed."""
    try:
        directory = model_directory()
    except ValueError as error:
        pytest.fail(f"{MODEL_ENV}: {error}", pytrace=False)
    if directory is None:
        pytest.skip(f"no Whisper model at {DEFAULT_MODEL}: `make whisper-model` installs it")
    return directory
