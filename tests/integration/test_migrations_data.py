"""The Alembic migrations and an old deployment's data, on SQLite and PostgreSQL: a database of
the last version before migrations (with personal data in the clear) keeps every value, now
encrypted; without the encryption keys it is refused and left as it was."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from core.lifecycle.parties import Reporter
from storage import Store
from storage.crypto import KeyringError
from storage.migrations import BASELINE, head, status, upgrade
from tests.support.keys import TEST_KEYRING
from tests.support.migrations import (
    CHAT_ID,
    CLEAR,
    INBOX_ID,
    INBOX_PAYLOAD,
    LOKET_REF,
    NOW,
    PERSONAL,
    PHONE,
    PROCESSED_ID,
    QUESTION,
    REFERENCE,
    REPORTER_REF,
    STATE,
    assert_append_only,
    dump,
    migrate_to,
    schema_differences,
    seed_old_data,
)
from tests.support.old_schema import OLD


@pytest.mark.parametrize("made_by", ["create_all", "baseline revision"])
async def test_old_personal_data_is_kept_and_encrypted(engine: AsyncEngine, made_by: str) -> None:
    if made_by == "create_all":  # as every deployment before migrations: no alembic_version
        async with engine.begin() as connection:
            await connection.run_sync(OLD.create_all)
    else:
        await migrate_to(engine, BASELINE, keyring=None)
    await seed_old_data(engine)
    before = await dump(engine)
    assert [value for value in CLEAR if value not in before] == [], before
    expected_before = (None if made_by == "create_all" else BASELINE, head())
    assert await status(engine) == expected_before

    await upgrade(engine, TEST_KEYRING)

    assert await status(engine) == (head(), head())
    assert await schema_differences(engine) == []
    stored = await dump(engine)
    leaked = [value for value in CLEAR if value in stored]
    assert leaked == [], stored
    assert LOKET_REF in stored  # the loket card's place stays readable, for later edits
    async with engine.connect() as connection:
        postcode4 = await connection.scalar(sa.text("SELECT postcode4 FROM signals"))
    assert postcode4 == "4531"

    store = Store(engine, TEST_KEYRING)
    async with store.unit_of_work() as uow:
        reporter = await uow.reporters.find("whatsapp", PHONE)
        assert reporter is not None
        assert (reporter.id, reporter.channel_user_id, reporter.language) == (1, PHONE, "nl")
        assert reporter.last_inbound_at == NOW
        other = await uow.reporters.find("telegram", CHAT_ID)
        assert other is not None
        assert other.id == 2
        assert await uow.conversations.load(2) == STATE
        signal = await uow.signals.get_by_reference(REFERENCE)
        assert signal is not None
        draft = signal.draft
        assert {name: getattr(draft, name) for name in PERSONAL} == PERSONAL
        assert (draft.area, draft.role, draft.multi) == (
            "axel",
            "neighbour",
            {"observations": ("not_seen",)},
        )
        assert signal.reporter_id == 1
        [event] = await uow.signals.events(signal.id)
        assert (event.action, event.note) == ("question", QUESTION)
        [item] = await uow.inbox.waiting("whatsapp", 10)
        assert (item.sender, item.payload, item.received_at) == (PHONE, INBOX_PAYLOAD, NOW)
        assert not await uow.inbound.record("whatsapp", PROCESSED_ID, NOW)  # seen before
        assert await uow.inbound.record("whatsapp", INBOX_ID, NOW)  # not processed yet
        assert await uow.keyboards.get("telegram", CHAT_ID) == "99"
        assert await uow.outbox.delivered_ref(signal.id, "loket_card") == LOKET_REF
        landed = await uow.outbox.landed(REPORTER_REF)
        assert landed is not None
        assert landed.target == Reporter(1)
        assert [entry[1] for entry in await uow.audit.entries(signal.id)] == ["view"]
    await assert_append_only(engine)


async def test_without_the_keys_old_data_is_refused_and_nothing_changes(
    engine: AsyncEngine,
) -> None:
    await migrate_to(engine, BASELINE, keyring=None)
    await seed_old_data(engine)
    before = await dump(engine)
    with pytest.raises(KeyringError, match="needs the encryption keys"):
        await migrate_to(engine, "head", keyring=None)
    # One transaction: on SQLite too, the tables made before the failure are gone.
    assert await status(engine) == (BASELINE, head())
    assert await dump(engine) == before
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda c: sa.inspect(c).get_table_names())
    assert "submissions" not in names
