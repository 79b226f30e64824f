"""Reading a settings class from the environment the way ``signaalpunt`` does at start,
and the one-line problems it would print."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from bot.cli.main import _problem


def settings_problems(
    settings: type[BaseModel], monkeypatch: pytest.MonkeyPatch, **env: str
) -> list[str]:
    """``env`` by field name (``smtp_url``); every other field of ``settings`` unset."""
    for name in settings.model_fields:
        monkeypatch.delenv(f"SIGNAALPUNT_{name.upper()}", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(f"SIGNAALPUNT_{name.upper()}", value)
    try:
        settings()
    except ValidationError as error:
        return [_problem(e) for e in error.errors()]
    return []
