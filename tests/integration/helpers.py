"""Builders shared by the storage tests."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.ports import DeliveryError, Outgoing
from conversations.signal import SignalDraft
from storage import Store, StoredSignal

NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
# A report about someone else, by button presses: (prompt, choice), with place "axel".
REPORT = [
    ("welcome", "report"),
    ("danger", "no"),
    ("role", "shop"),
    ("age_group", "75_plus"),
    ("observations", "not_seen"),
    ("observations", "done"),
    ("awareness", "no"),
    ("place", "area:axel"),
    ("person_reach", "via_me"),
    ("note", "skip"),
    ("callback", "no"),
    ("checkin", "no"),
    ("summary", "send"),
]


def make_draft(**changes: object) -> SignalDraft:
    fields: dict[str, object] = {
        "kind": "other",
        "language": "en",
        "urgent": False,
        "submitted_at": NOW,
        "codes": {"role": "neighbour", "age_group": "75plus", "danger": "no"},
        "multi": {"observations": ("withdrawn", "no_visitors"), "help_wanted": ()},
        "postcode": "1012AB",
        "area": "Centrum",
        "person_contact": "Mrs. Jansen, 2nd floor",
        "note": "She has not been outside for weeks.",
    }
    fields.update(changes)
    return SignalDraft(**fields)  # type: ignore[arg-type]


async def add_signal(
    store: Store, *, now: datetime = NOW, reporter_id: int | None = None, commit: bool = True
) -> StoredSignal:
    async with store.unit_of_work() as uow:
        stored = await uow.signals.add(
            make_draft(submitted_at=now), reporter_id=reporter_id, channel="telegram", now=now
        )
        if commit:
            await uow.commit()
    return stored


class RecordingLoket:
    """A messenger that records what it was given, and can fail on demand."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.messages: list[Outgoing] = []
        self.failures: list[DeliveryError | OSError] = []

    async def deliver(self, message: Outgoing) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((message.reference or "", message.text))
        self.messages.append(message)
        return f"{message.target}:{len(self.messages)}"
