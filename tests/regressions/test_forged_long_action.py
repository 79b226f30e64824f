"""A dashboard form posted with an `action` longer than 32 characters answered 503 on
PostgreSQL (found by the property test over every dashboard field): the forged id went
verbatim into the audit log's 32-character column, which PostgreSQL refuses, failing the
whole step; SQLite kept the attacker's text. Telegram callback data (up to 64 bytes) could
do the same. A forged id too long for the column is now audited as "unknown", on both
databases (a shorter one is kept as sent: tests/integration/test_loket.py); so is one that
is not printable (a NUL failed the step the same way on PostgreSQL)."""

from __future__ import annotations

import pytest

from bot.staff.actions import SignalActions
from storage import Store
from tests.support.builders import NOW, add_signal, enrol_staff, telegram

FORGED = [
    "x" * 33,
    "9" * 400,
    "claim" + "\u00e9" * 59,
    "claim\x00",
    "\x01",
    "\ud800",
    "close\n",
    "\x1b[31m",
]


@pytest.mark.parametrize("action", FORGED)
async def test_forged_action_is_refused_and_audited_as_unknown(store: Store, action: str) -> None:
    signal = await add_signal(store)
    staff_user = 4242
    await enrol_staff(store, staff_user, "Anna", "loket", NOW)
    actions = SignalActions(store)
    result = await actions.act(action, signal.id, actor=telegram(staff_user), now=NOW)
    assert result is not None
    assert not result.done
    async with store.unit_of_work() as uow:
        entries = await uow.audit.entries()
        stored = await uow.signals.get(signal.id)
    assert ("unknown", "refused:unknown_action") in [(a, o) for _, a, o in entries]
    assert all(len(a) <= 32 for _, a, _ in entries)
    assert stored is not None
    assert stored.status == "new"
