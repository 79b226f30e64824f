"""A dashboard form posted with an `action` holding a NUL ("\\x00>") answered 503 on
PostgreSQL (found by the property test over every dashboard field, with the full suite): the
forged id went into the audit log, and PostgreSQL stores no NUL in text, failing the whole
step. An id that is not printable is now audited as "unknown", like one too long for the
column (test_forged_long_action.py)."""

from __future__ import annotations

import pytest

from bot.staff.actions import SignalActions
from storage import Store
from tests.support.builders import NOW, add_signal, enrol_staff

FORGED = ["\x00>", "claim\x00", "close\n", "\x1b[31m"]


@pytest.mark.parametrize("action", FORGED)
async def test_an_unprintable_action_is_refused_and_audited_as_unknown(
    store: Store, action: str
) -> None:
    signal = await add_signal(store)
    await enrol_staff(store, 4242, "Anna", "loket", NOW)
    result = await SignalActions(store).act(action, signal.id, telegram_user_id=4242, now=NOW)
    assert result is not None
    assert not result.done
    async with store.unit_of_work() as uow:
        entries = await uow.audit.entries()
    assert ("unknown", "refused:unknown_action") in [(a, o) for _, a, o in entries]
