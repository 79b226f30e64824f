"""How fast one sender may write: at most ``limit`` messages in any minute.

Counted in memory, per process, on purpose. A minute's count is cheap to lose: a restart
forgets at most a minute, and with several instances each counts its own share, which still
bounds the load. Counting in the database would cost a write for every message, the very
load this limit is there to cap. What must hold longer (signals per day, wrong codes) is
counted in the database (``storage.limits``).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

WINDOW = timedelta(minutes=1)
# Senders quiet for a minute are forgotten once this many are remembered.
SWEEP_FROM = 1024


class Pace(Enum):
    OK = "ok"  # handle the message
    WARN = "warn"  # over the limit: drop it, and say once a minute to slow down
    DROP = "drop"  # over the limit, already warned: drop it silently


@dataclass
class _Sender:
    handled: list[datetime] = field(default_factory=list)
    warned_at: datetime | None = None


class MessagePace:
    """Decides per message whether a sender is within ``limit`` messages per minute. Only
    handled messages count, so a sender who keeps flooding is heard again a minute after
    the last message that was handled."""

    def __init__(self, limit: int, window: timedelta = WINDOW) -> None:
        self._limit = limit
        self._window = window
        self._senders: dict[Hashable, _Sender] = {}
        self._sweep_from = SWEEP_FROM

    def check(self, sender: Hashable, now: datetime) -> Pace:
        """Count a message of ``sender`` at ``now`` and say what to do with it."""
        if len(self._senders) >= self._sweep_from:
            self._sweep(now)
        entry = self._senders.setdefault(sender, _Sender())
        start = now - self._window
        entry.handled = [at for at in entry.handled if at > start]
        if len(entry.handled) < self._limit:
            entry.handled.append(now)
            return Pace.OK
        if entry.warned_at is not None and entry.warned_at > start:
            return Pace.DROP
        entry.warned_at = now
        return Pace.WARN

    def _sweep(self, now: datetime) -> None:
        start = now - self._window
        quiet = [
            sender
            for sender, entry in self._senders.items()
            if all(at <= start for at in entry.handled)
            and (entry.warned_at is None or entry.warned_at <= start)
        ]
        for sender in quiet:
            del self._senders[sender]
        # Sweeping again only after as many new senders keeps the cost per message constant.
        self._sweep_from = max(SWEEP_FROM, 2 * len(self._senders))
