"""Plain, immutable values handed out by the repositories (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.dialog.draft import SignalDraft
from core.lifecycle.parties import Target, reached_by_message


@dataclass(frozen=True)
class ReporterRecord:
    id: int
    channel: str
    channel_user_id: str
    language: str
    last_inbound_at: datetime | None = None


@dataclass(frozen=True)
class StoredSignal:
    id: int
    reference: str
    status: str
    channel: str
    created_at: datetime
    draft: SignalDraft
    assignee_id: int | None = None
    claimed_at: datetime | None = None
    status_at: datetime | None = None
    reporter_id: int | None = None
    referred_to: str | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class SignalEventRecord:
    at: datetime
    actor: str
    action: str
    note: str | None
    detail: str | None = None
    id: int = field(default=0, compare=False)


@dataclass(frozen=True)
class OutboxItem:
    id: int
    kind: str
    signal_id: int | None
    target: Target
    attempts: int
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InboxItem:
    id: int
    message_id: str
    sender: str
    payload: dict[str, Any]
    received_at: datetime


@dataclass(frozen=True)
class StaffRecord:
    id: int
    display_name: str
    role: str
    created_at: datetime
    revoked_at: datetime | None
    username: str | None = None  # set for a dashboard login
    # The ways to reach them (``core.lifecycle.parties``: "telegram", "web"): which of
    # their channels hold an account of theirs. Never the accounts themselves.
    reach: frozenset[str] = frozenset()

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def messageable(self) -> bool:
        """Active, with a way a message can reach them (not only a dashboard login)."""
        return self.active and reached_by_message(self.reach)


@dataclass(frozen=True)
class PartnerRecord:
    id: int
    code: str
    name: str
    role: str | None = None
    area: str | None = None
    postcode: str | None = None
    deactivated_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.deactivated_at is None
