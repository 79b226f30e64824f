"""Reporters, conversation state, timestamps and inbound dedup, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError, StatementError

from storage import Store, make_engine
from storage.models import Conversation, Reporter, Signal
from storage.types import Bound
from tests.support.builders import NOW, add_signal, make_draft
from tests.support.keys import TEST_KEYRING

CEST = timezone(timedelta(hours=2))


async def test_aware_timestamps_come_back_as_utc(store: Store) -> None:
    submitted = datetime(2026, 6, 1, 14, 15, 16, 123456, tzinfo=CEST)
    async with store.unit_of_work() as uow:
        stored = await uow.signals.add(
            make_draft(submitted_at=submitted), reporter_id=None, channel="web", now=submitted
        )
        await uow.commit()
    async with store.unit_of_work() as uow:
        loaded = await uow.signals.get(stored.id)
    assert loaded is not None
    for value in (loaded.created_at, loaded.draft.submitted_at, stored.created_at):
        assert value == submitted
        assert value.tzinfo is UTC
        assert value.hour == 12


async def test_naive_datetimes_are_refused(store: Store) -> None:
    naive = datetime(2026, 1, 1, 12, 0)
    async with store.unit_of_work() as uow:
        with pytest.raises(ValueError, match="naive"):
            await uow.reporters.get_or_create("telegram", "1", language="nl", now=naive)
        with pytest.raises(ValueError, match="naive"):
            await uow.signals.add(make_draft(), reporter_id=None, channel="web", now=naive)
        with pytest.raises(ValueError, match="naive"):
            await uow.signals.add(
                make_draft(submitted_at=naive), reporter_id=None, channel="web", now=NOW
            )
    # The column type itself refuses them too, for code that bypasses the repositories.
    async with store.engine.begin() as connection:
        with pytest.raises(StatementError) as raised:
            await connection.execute(
                insert(Reporter).values(
                    channel="web",
                    user_key="k",
                    channel_user_id=Bound("x", "k"),
                    language="nl",
                    created_at=naive,
                )
            )
    assert isinstance(raised.value.orig, ValueError)


async def test_reporter_get_or_create_is_idempotent(store: Store) -> None:
    async with store.unit_of_work() as uow:
        first = await uow.reporters.get_or_create("telegram", "42", language="tr", now=NOW)
        again = await uow.reporters.get_or_create("telegram", "42", language="pl", now=NOW)
        other_channel = await uow.reporters.get_or_create("whatsapp", "42", language="nl", now=NOW)
        await uow.commit()
    assert again == first
    assert first.language == "tr"  # the language only counts on creation
    assert other_channel.id != first.id
    async with store.unit_of_work() as uow:
        await uow.reporters.set_language(first.id, "uk")
        await uow.commit()
    async with store.unit_of_work() as uow:
        reloaded = await uow.reporters.get_or_create("telegram", "42", language="nl", now=NOW)
        assert await uow.reporters.get(first.id) == reloaded
    assert (reloaded.id, reloaded.language) == (first.id, "uk")


async def test_reporter_channel_user_is_unique(store: Store) -> None:
    row = {
        "channel": "telegram",
        "user_key": "k7",
        "channel_user_id": Bound("7", "k7"),
        "language": "nl",
        "created_at": NOW,
    }
    async with store.engine.begin() as connection:
        await connection.execute(insert(Reporter).values(**row))
    with pytest.raises(IntegrityError):
        async with store.engine.begin() as connection:
            await connection.execute(insert(Reporter).values(**row))


async def test_conversation_state_survives_a_restart(store: Store, database_url: str) -> None:
    state = {"language": "ar", "flow": "other", "answers": {"role": {"choice": "family"}}}
    async with store.unit_of_work() as uow:
        reporter = await uow.reporters.get_or_create("telegram", "1", language="ar", now=NOW)
        assert await uow.conversations.load(reporter.id) is None
        await uow.conversations.save(reporter.id, state, NOW)
        await uow.commit()

    restarted_engine = make_engine(database_url)
    try:
        restarted = Store(restarted_engine, TEST_KEYRING)
        async with restarted.unit_of_work() as uow:
            assert await uow.conversations.load(reporter.id) == state
            await uow.conversations.save(reporter.id, {"language": "nl"}, NOW)
            await uow.commit()
        async with restarted.unit_of_work() as uow:
            assert await uow.conversations.load(reporter.id) == {"language": "nl"}
            await uow.conversations.delete(reporter.id)
            await uow.commit()
    finally:
        await restarted_engine.dispose()

    async with store.unit_of_work() as uow:
        assert await uow.conversations.load(reporter.id) is None


async def test_uncommitted_conversation_is_rolled_back(store: Store) -> None:
    async with store.unit_of_work() as uow:
        reporter = await uow.reporters.get_or_create("telegram", "1", language="nl", now=NOW)
        await uow.commit()
        await uow.conversations.save(reporter.id, {"prompt": "role"}, NOW)
    async with store.unit_of_work() as uow:
        assert await uow.conversations.load(reporter.id) is None
        await uow.conversations.save(reporter.id, {"prompt": "role"}, NOW)
        await uow.rollback()
        assert await uow.conversations.load(reporter.id) is None


async def test_deleting_a_reporter_cascades_and_detaches_signals(store: Store) -> None:
    async with store.unit_of_work() as uow:
        reporter = await uow.reporters.get_or_create("telegram", "1", language="nl", now=NOW)
        await uow.conversations.save(reporter.id, {"prompt": "welcome"}, NOW)
        await uow.commit()
    signal = await add_signal(store, reporter_id=reporter.id)
    async with store.engine.begin() as connection:
        await connection.execute(delete(Reporter).where(Reporter.id == reporter.id))
        assert (await connection.execute(select(Conversation))).all() == []
        owner = await connection.scalar(select(Signal.reporter_id).where(Signal.id == signal.id))
    assert owner is None


async def test_foreign_keys_are_enforced(store: Store) -> None:
    async with store.unit_of_work() as uow:
        with pytest.raises(IntegrityError):
            await uow.signals.add(make_draft(), reporter_id=987654, channel="web", now=NOW)


async def test_inbound_record_deduplicates_without_breaking_the_transaction(
    store: Store,
) -> None:
    async with store.unit_of_work() as uow:
        assert await uow.inbound.record("telegram", "update-1", NOW) is True
        assert await uow.inbound.record("telegram", "update-1", NOW) is False
        assert await uow.inbound.record("whatsapp", "update-1", NOW) is True
        # The transaction is still usable after the conflict.
        reporter = await uow.reporters.get_or_create("telegram", "1", language="nl", now=NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.inbound.record("telegram", "update-1", NOW) is False
        assert await uow.inbound.record("telegram", "update-2", NOW) is True
        assert await uow.reporters.get(reporter.id) == reporter
        await uow.commit()
