"""Regression: a burst of chat steps on SQLite failed with "database is locked".

A Telegram polling batch of up to 100 updates made as many concurrent write transactions on
one SQLite file. Each writer waited inside SQLite (busy_timeout, 5 s), polling unordered, and
some gave up: ``sqlite3.OperationalError: database is locked`` on the inbound dedupe insert.
The step rolled back and the reporter got "saving failed" (after a tap: its buttons taken off,
and the update acknowledged, so never redelivered). Now SQLite write transactions queue
in-process, first come first served, and every step of the burst is stored.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.i18n import load_catalogs
from bot.reporting.service import ConversationService
from core.dialog.engine import Engine
from core.dialog.events import Pick, TextIn
from core.dialog.matching import LabelIndex
from core.dialog.model import Place
from storage import Store, create_schema, make_engine
from tests.support.keys import TEST_KEYRING

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
REPORTERS = 300
# Enough steps that the burst lasts longer than SQLite's busy_timeout (5 s) did.
TAPS = [("welcome", "report"), ("danger", "no"), ("role", "shop"), ("age_group", "75_plus")]


async def test_a_burst_of_steps_on_sqlite_queues_instead_of_failing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'signaalpunt.sqlite3'}")
    await create_schema(engine)
    catalogs = load_catalogs()
    store = Store(engine, TEST_KEYRING)
    service = ConversationService(
        store, Engine(LabelIndex(catalogs), (Place("axel", "Axel"),)), catalogs
    )

    async def reporter(number: int) -> str:
        user = f"u{number}"
        replies = await service.handle(
            "telegram", user, TextIn("/start"), T0, message_id=f"{user}-0"
        )
        for step, (prompt, choice) in enumerate(TAPS, start=1):
            replies = await service.handle(
                "telegram",
                user,
                Pick(prompt, choice),
                T0 + timedelta(seconds=2 * step),
                message_id=f"{user}-{step}",
            )
        return replies[-1].prompt or ""

    try:
        asked = await asyncio.gather(*(reporter(n) for n in range(REPORTERS)))
        failed = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert failed == []
        assert asked == ["observations"] * REPORTERS  # every reporter was asked the next question
        async with store.unit_of_work() as uow:
            for number in (0, REPORTERS // 2, REPORTERS - 1):
                reporter_row = await uow.reporters.find("telegram", f"u{number}")
                assert reporter_row is not None
                state = await uow.conversations.load(reporter_row.id)
                assert state is not None
                assert state["prompt"] == "observations"
    finally:
        await engine.dispose()
