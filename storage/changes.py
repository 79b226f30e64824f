"""The signals' change feed: which signals changed after a cursor (the id of a signal event:
every change to a signal is an event), read the same way by every instance on the one
database; and a wake-up when this process commits a signal event.

Ids are not committed in their order on PostgreSQL (a sequence hands an id out at the
insert; a transaction that took a lower id can commit after one that took a higher one), so
a reader keeps the ids it skipped as gaps for a while (``ChangeCursor``).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event, func, or_, select
from sqlalchemy.orm import Session

from ._base import SessionRepository
from .models import Signal, SignalEvent

CREATED = "created"
GAP_WAIT = 30.0  # seconds a skipped id is awaited before it counts as a rolled-back insert
MAX_GAPS = 1_000  # skipped ids awaited at most (a burst of rollbacks is no reason to grow)


@dataclass(frozen=True)
class SignalChange:
    """One change: the event's id and the signal's reference (nothing of its content)."""

    event_id: int
    reference: str
    created: bool  # the signal's first event: it is new


class ChangeRepository(SessionRepository):
    async def latest(self) -> int:
        """The id of the latest committed signal event (0 when there is none)."""
        found = await self._session.execute(select(func.max(SignalEvent.id)))
        return int(found.scalar_one() or 0)

    async def since(
        self, after: int, *, also: Collection[int] = (), limit: int = 500
    ) -> list[SignalChange]:
        """The changes after ``after`` and those among the ids ``also`` (awaited gaps), in
        id order, at most ``limit``."""
        wanted = SignalEvent.id > after
        if also:
            wanted = or_(wanted, SignalEvent.id.in_(sorted(also)))
        query = (
            select(SignalEvent.id, Signal.reference, SignalEvent.action)
            .join(Signal, Signal.id == SignalEvent.signal_id)
            .where(wanted)
            .order_by(SignalEvent.id)
            .limit(limit)
        )
        rows = (await self._session.execute(query)).all()
        return [SignalChange(int(i), str(ref), action == CREATED) for i, ref, action in rows]


class ChangeCursor:
    """Where a reader of the feed stands: the highest event id it has seen, and the lower
    ids it has not seen yet that may still be committed (awaited ``GAP_WAIT`` seconds;
    ``now`` is any monotonic clock in seconds)."""

    def __init__(self, position: int) -> None:
        self.position = position
        self._gaps: dict[int, float] = {}

    @property
    def gaps(self) -> tuple[int, ...]:
        return tuple(sorted(self._gaps))

    def take(self, changes: Iterable[SignalChange], now: float) -> list[SignalChange]:
        """Of ``changes`` (an answer of ``ChangeRepository.since``), those not seen before;
        moves the cursor past them."""
        fresh: list[SignalChange] = []
        for change in sorted(changes, key=lambda c: c.event_id):
            number = change.event_id
            if self._gaps.pop(number, None) is not None:
                fresh.append(change)
            elif number > self.position:
                skipped = range(max(self.position + 1, number - MAX_GAPS), number)
                self._gaps.update((missing, now) for missing in skipped)
                self.position = number
                fresh.append(change)
        for number, since in list(self._gaps.items()):
            if now - since >= GAP_WAIT:
                del self._gaps[number]
        while len(self._gaps) > MAX_GAPS:
            del self._gaps[min(self._gaps)]
        return fresh


# The engines whose commits of a signal event wake someone in this process.
_woken: weakref.WeakKeyDictionary[Engine, list[Callable[[], None]]] = weakref.WeakKeyDictionary()
_FLAG = "signal_event_flushed"


def on_signal_commit(engine: Engine, wake: Callable[[], None]) -> Callable[[], None]:
    """Call ``wake`` after each commit on ``engine`` (the sync engine behind an async one)
    that wrote a signal event; returns what undoes it."""
    _woken.setdefault(engine, []).append(wake)

    def undo() -> None:
        callbacks = _woken.get(engine, [])
        if wake in callbacks:
            callbacks.remove(wake)

    return undo


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, context: Any) -> None:
    if any(isinstance(row, SignalEvent) for row in session.new):
        session.info[_FLAG] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if not session.info.pop(_FLAG, False):
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    for wake in list(_woken.get(engine, ())):
        wake()


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous: Any) -> None:
    session.info.pop(_FLAG, None)
