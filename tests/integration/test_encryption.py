"""Personal fields at rest, on SQLite and PostgreSQL: the raw tables show no personal data,
a token moved to another row or column is refused, and rotation keeps everything readable."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from core.lifecycle.parties import Reporter, StaffMember
from storage import Store
from storage.crypto import Keyring, KeyringError
from storage.models import Partner
from storage.rotation import key_usage, reencrypt
from tests.support.builders import NOW, make_draft
from tests.support.keys import TEST_KEYRING

PERSONAL = {
    "chat id": "31612345678",
    "name": "Fatma Yılmaz",
    "phone": "+31687654321",
    "contact": "Mevrouw Jansen, tweede verdieping",
    "note": "Zij komt al weken niet meer buiten.",
    "postcode": "4531AB",
    "question": "Wanneer zag u haar het laatst?",
    "typed": "Buurvrouw Petra de Groot",
    "inbox": "Merhaba, komşum çok yalnız",
    # A WhatsApp message id: base64 around the sender's number (31612345678).
    "wamid": "wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQzQUVCM0Y4RDdBNEI2RkU2NUQ0OQA=",
}


async def fill(store: Store) -> tuple[int, int]:
    """Everything that holds personal data, stored once; returns (reporter, signal) ids."""
    draft = make_draft(
        reporter_name=PERSONAL["name"],
        reporter_phone=PERSONAL["phone"],
        person_contact=PERSONAL["contact"],
        note=PERSONAL["note"],
        postcode=PERSONAL["postcode"],
    )
    async with store.unit_of_work() as uow:
        reporter = await uow.reporters.get_or_create(
            "whatsapp", PERSONAL["chat id"], language="tr", now=NOW
        )
        signal = await uow.signals.add(draft, reporter_id=reporter.id, channel="whatsapp", now=NOW)
        await uow.signals.add_event(
            signal.id, at=NOW, actor=StaffMember(1), action="question", note=PERSONAL["question"]
        )
        await uow.conversations.save(
            reporter.id, {"answers": {"contact": {"value": PERSONAL["typed"]}}}, NOW
        )
        await uow.inbox.add(
            "whatsapp", PERSONAL["wamid"], PERSONAL["chat id"], {"text": PERSONAL["inbox"]}, NOW
        )
        await uow.inbound.record("whatsapp", PERSONAL["wamid"], NOW)
        await uow.outbox.enqueue("checkin", Reporter(reporter.id), NOW, signal_id=signal.id)
        [queued] = [i for i in await uow.outbox.claim_due(NOW) if i.kind == "checkin"]
        await uow.outbox.mark_sent(queued.id, NOW, PERSONAL["wamid"])
        await uow.keyboards.set("telegram", PERSONAL["chat id"], "77")
        await uow.commit()
    return reporter.id, signal.id


async def raw_dump(store: Store) -> str:
    """Every value of every table, as the database holds it."""
    async with store.engine.connect() as connection:
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        values: list[str] = []
        for table in tables:
            for row in (await connection.execute(text(f'SELECT * FROM "{table}"'))).all():
                values.extend(str(value) for value in row)
    return "\n".join(values)


async def test_the_raw_tables_reveal_no_personal_data(store: Store) -> None:
    await fill(store)
    dump = await raw_dump(store)
    for what, value in PERSONAL.items():
        assert value not in dump, what
    assert "4531" in dump  # the four postcode digits stay readable, for the figures
    assert "4531AB" not in dump.replace(" ", "")


async def test_everything_reads_back_with_the_keys(store: Store) -> None:
    reporter_id, signal_id = await fill(store)
    async with store.unit_of_work() as uow:
        reporter = await uow.reporters.find("whatsapp", PERSONAL["chat id"])
        signal = await uow.signals.get(signal_id)
        [_, question] = await uow.signals.events(signal_id)
        state = await uow.conversations.load(reporter_id)
        [waiting] = await uow.inbox.waiting("whatsapp", 10)
        keyboard = await uow.keyboards.get("telegram", PERSONAL["chat id"])
    assert reporter is not None
    assert reporter.channel_user_id == PERSONAL["chat id"]
    assert signal is not None
    assert (signal.draft.reporter_name, signal.draft.reporter_phone) == (
        PERSONAL["name"],
        PERSONAL["phone"],
    )
    assert (signal.draft.person_contact, signal.draft.note, signal.draft.postcode) == (
        PERSONAL["contact"],
        PERSONAL["note"],
        PERSONAL["postcode"],
    )
    assert question.note == PERSONAL["question"]
    assert state == {"answers": {"contact": {"value": PERSONAL["typed"]}}}
    assert (waiting.sender, waiting.payload) == (PERSONAL["chat id"], {"text": PERSONAL["inbox"]})
    assert keyboard == "77"
    async with store.unit_of_work() as uow:
        landed = await uow.outbox.landed(PERSONAL["wamid"])  # a status or reply finds it
        assert landed is not None
        assert landed.target == Reporter(reporter_id)
        assert not await uow.inbound.record("whatsapp", PERSONAL["wamid"], NOW)  # dedup holds


async def test_other_keys_open_nothing(store: Store) -> None:
    _, signal_id = await fill(store)
    stranger = Store(store.engine, Keyring.generate())
    async with stranger.unit_of_work() as uow:
        # Without the index key the reporter cannot even be found by their number.
        assert await uow.reporters.find("whatsapp", PERSONAL["chat id"]) is None
        with pytest.raises(KeyringError, match="not configured"):
            await uow.signals.get(signal_id)


async def swap(store: Store, statement: str) -> None:
    async with store.engine.begin() as connection:
        await connection.execute(text(statement))


async def test_a_token_moved_to_another_row_is_refused(store: Store) -> None:
    await fill(store)
    async with store.unit_of_work() as uow:
        other = await uow.signals.add(
            make_draft(note="Andere notitie"), reporter_id=None, channel="web", now=NOW
        )
        await uow.commit()
    await swap(
        store,
        "UPDATE signals SET note = (SELECT note FROM signals WHERE id <> "
        f"{other.id} ORDER BY id LIMIT 1) WHERE id = {other.id}",
    )
    async with store.unit_of_work() as uow:
        with pytest.raises(KeyringError, match="does not open for its row"):
            await uow.signals.get(other.id)


async def test_a_token_moved_to_another_column_is_refused(store: Store) -> None:
    _, signal_id = await fill(store)
    await swap(store, f"UPDATE signals SET person_contact = note WHERE id = {signal_id}")
    async with store.unit_of_work() as uow:
        with pytest.raises(KeyringError, match="does not open for its row"):
            await uow.signals.get(signal_id)


async def test_rotation_reencrypts_everything_and_can_be_repeated(store: Store) -> None:
    reporter_id, signal_id = await fill(store)
    rotated = TEST_KEYRING.with_new_key()
    after = Store(store.engine, rotated)
    assert await reencrypt(after, batch=1) == 1 + 1 + 5 + 1 + 2
    assert await reencrypt(after, batch=1) == 0  # nothing left: a resumed run is harmless
    usage = await key_usage(after)
    assert dict(usage) == {rotated.current: 10}
    # The old key is no longer needed for anything.
    current = rotated.current
    only_new = Keyring({current: rotated.keys[current]}, current, rotated.index_key)
    async with Store(store.engine, only_new).unit_of_work() as uow:
        signal = await uow.signals.get(signal_id)
        reporter = await uow.reporters.find("whatsapp", PERSONAL["chat id"])
        assert await uow.conversations.load(reporter_id) is not None
    assert signal is not None
    assert signal.draft.note == PERSONAL["note"]
    assert reporter is not None
    assert reporter.channel_user_id == PERSONAL["chat id"]


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log"])
async def test_the_access_history_is_append_only(store: Store, statement: str) -> None:
    _, signal_id = await fill(store)
    async with store.unit_of_work() as uow:
        await uow.audit.record(
            at=NOW, actor=StaffMember(1), action="view", signal_id=signal_id, outcome="ok"
        )
        await uow.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        await swap(store, statement)
    async with store.unit_of_work() as uow:
        assert await uow.audit.entries(signal_id) == [("staff:1", "view", "ok")]


async def test_a_failed_statement_does_not_show_its_parameters(store: Store) -> None:
    """Error messages end up in logs: the values bound to a statement stay out of them."""
    row = {"code": "dup", "name": PERSONAL["name"], "created_at": NOW}
    async with store.engine.begin() as connection:
        await connection.execute(insert(Partner).values(**row))
    with pytest.raises(IntegrityError) as raised:
        async with store.engine.begin() as connection:
            await connection.execute(insert(Partner).values(**row))
    assert PERSONAL["name"] not in str(raised.value)
    assert "hidden due to hide_parameters" in str(raised.value)
