"""A stranger pressing a forged staff button learned whether a signal id existed: an
existing id answered "only linked loket staff", a missing one "unknown signal". Both now
get the staff answer, and both attempts are in the access history."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.i18n import load_catalogs
from bot.staff.actions import SignalActions
from core.text.render import render
from storage import Store, create_schema, make_engine
from tests.support.builders import NOW, add_signal, telegram
from tests.support.keys import TEST_KEYRING

STRANGER = 6666


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    await create_schema(engine)
    try:
        yield Store(engine, TEST_KEYRING)
    finally:
        await engine.dispose()


async def test_existing_and_missing_signals_answer_alike(store: Store) -> None:
    signal = await add_signal(store)
    actions = SignalActions(store)
    existing = await actions.act("claim", signal.id, actor=telegram(STRANGER), now=NOW)
    missing = await actions.act("claim", signal.id + 1000, actor=telegram(STRANGER), now=NOW)
    assert existing is not None
    assert missing is not None
    nl = load_catalogs()["nl"]
    assert render(existing.text, nl, "nl") == render(missing.text, nl, "nl")
    assert existing.signal is None  # nothing about the signal goes back to the stranger
    async with store.unit_of_work() as uow:
        entries = await uow.audit.entries()
    assert [outcome for _, action, outcome in entries if action == "claim"] == [
        "refused:not_staff",
        "refused:not_staff",
    ]
