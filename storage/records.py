"""Plain, immutable values handed out by the repositories (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from conversations.signal import SignalDraft


@dataclass(frozen=True)
class ReporterRecord:
    id: int
    channel: str
    channel_user_id: str
    language: str


@dataclass(frozen=True)
class StoredSignal:
    id: int
    reference: str
    status: str
    channel: str
    created_at: datetime
    draft: SignalDraft


@dataclass(frozen=True)
class SignalEventRecord:
    at: datetime
    actor: str
    action: str
    note: str | None


@dataclass(frozen=True)
class OutboxItem:
    id: int
    kind: str
    signal_id: int
    target: str
    attempts: int
