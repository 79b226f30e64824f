"""Builders shared by the storage tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.outbox.kinds import when_stored
from bot.staff.accounts import StaffAccounts
from core.dialog.draft import SignalDraft
from core.lifecycle.parties import Account, StaffMember, as_text
from storage import Store, StoredSignal
from storage.models import CheckInClaim, OutboxMessage

NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


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
        await uow.outbox.enqueue_many(when_stored(stored), now)  # as the service does
        if commit:
            await uow.commit()
    return stored


# -- follow-up helpers (appended for the follow-up and lifecycle tests) ----------------


async def add_draft_signal(
    store: Store, draft: SignalDraft, *, now: datetime, reporter_id: int | None = None
) -> StoredSignal:
    """Store ``draft`` as a signal received at ``now`` (committed), with what the service
    queues for a stored signal."""
    async with store.unit_of_work() as uow:
        stored = await uow.signals.add(draft, reporter_id=reporter_id, channel="telegram", now=now)
        await uow.outbox.enqueue_many(when_stored(stored), now)  # as the service does
        await uow.commit()
    return stored


def telegram(user_id: int) -> Account:
    """A Telegram user as the services know them (``bot.channels.telegram.staff.account``)."""
    return Account("telegram", str(user_id))


def staff(staff_id: int) -> str:
    """A staff member's outbox target (and actor) as stored: ``staff:<id>``."""
    return as_text(StaffMember(staff_id))


async def staff_of(store: Store, telegram_user_id: int) -> str:
    """The outbox target (and actor) of the staff member linked from this Telegram user."""
    async with store.unit_of_work() as uow:
        staff_id = await uow.telegram_accounts.staff_of(str(telegram_user_id))
    assert staff_id is not None
    return staff(staff_id)


async def enrol_staff(
    store: Store, telegram_user_id: int, name: str, role: str, now: datetime
) -> int:
    """Link a staff member through an invite code; returns their staff id."""
    accounts = StaffAccounts(store)
    code = await accounts.create_invite(role, now)
    assert await accounts.link(code, account=telegram(telegram_user_id), name=name, now=now)
    async with store.unit_of_work() as uow:
        staff_id = await uow.telegram_accounts.staff_of(str(telegram_user_id))
    assert staff_id is not None
    return staff_id


@dataclass(frozen=True)
class OutboxRow:
    id: int
    kind: str
    signal_id: int | None
    target: str
    status: str
    payload: dict[str, Any]


async def outbox_rows(store: Store, kind: str | None = None) -> list[OutboxRow]:
    """Every outbox row (of ``kind``), in insertion order."""
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    async with store.engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    return [
        OutboxRow(r.id, r.kind, r.signal_id, r.target, r.status, dict(r.payload or {}))
        for r in rows
    ]


async def checkin_keys(store: Store) -> list[tuple[str, int | None, str]]:
    """(key, signal id, kind) of every claimed check-in and digest, by key."""
    query = select(CheckInClaim.key, CheckInClaim.signal_id, CheckInClaim.kind).order_by(
        CheckInClaim.key
    )
    async with store.engine.connect() as connection:
        return [(r.key, r.signal_id, r.kind) for r in (await connection.execute(query)).all()]
