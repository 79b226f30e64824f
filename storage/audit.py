"""The access history (``audit_log``): who looked at or acted on what, and with what
outcome; every attempt, refused ones too."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from core.lifecycle.parties import Actor, as_text

from ._base import SessionRepository
from .models import AUDIT_ACTION_WIDTH, AuditEntry
from .types import as_utc

# What an attempted action is recorded as when its id cannot be kept as sent: a forged id
# (a form field of any length, up to 64 bytes of Telegram callback data) longer than the
# column, or with a NUL, a control character or a lone surrogate. PostgreSQL refuses such a
# value and with it the whole step (a 503); SQLite would keep it all.
UNKNOWN_ACTION = "unknown"


def storable_action(action: str) -> str:
    """The action as the access history can keep it: as sent, or ``unknown``."""
    if len(action) > AUDIT_ACTION_WIDTH or not action.isprintable():
        return UNKNOWN_ACTION
    return action


class AuditRepository(SessionRepository):
    async def record(
        self,
        *,
        at: datetime,
        actor: Actor,
        action: str,
        outcome: str,
        signal_id: int | None = None,
    ) -> None:
        self._session.add(
            AuditEntry(
                at=as_utc(at),
                actor=as_text(actor),
                action=storable_action(action),
                outcome=outcome,
                signal_id=signal_id,
            )
        )
        await self._session.flush()

    async def of_signal(self, signal_id: int) -> list[tuple[datetime, str, str, str]]:
        """(at, actor, action, outcome) of one signal, oldest first: who looked at or
        acted on it."""
        query = select(AuditEntry).where(AuditEntry.signal_id == signal_id).order_by(AuditEntry.id)
        rows = (await self._session.execute(query)).scalars().all()
        return [(r.at, r.actor, r.action, r.outcome) for r in rows]

    async def entries(self, signal_id: int | None = None) -> list[tuple[str, str, str]]:
        """(actor, action, outcome) in order, for one signal or for all."""
        query = select(AuditEntry).order_by(AuditEntry.id)
        if signal_id is not None:
            query = query.where(AuditEntry.signal_id == signal_id)
        rows = (await self._session.execute(query)).scalars().all()
        return [(r.actor, r.action, r.outcome) for r in rows]
