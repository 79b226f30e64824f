"""One conversation step's statements on real databases (SQLite and PostgreSQL): the reporter
found or made, locked and heard from in one upsert; a channel's own read in
the step's transaction (``handle_step(read_along=...)``); SQLite writes queued in-process."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.channels.telegram.keyboards import KeyboardStore
from bot.i18n import load_catalogs
from bot.reporting.service import ConversationService
from core.dialog.engine import Engine
from core.dialog.events import Pick, TextIn
from core.dialog.matching import LabelIndex
from core.dialog.model import Place
from storage import Store
from storage.models import Reporter
from storage.uow import UnitOfWork

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def service(store: Store) -> ConversationService:
    catalogs = load_catalogs()
    return ConversationService(
        store, Engine(LabelIndex(catalogs), (Place("axel", "Axel"),)), catalogs
    )


async def test_arrived_makes_the_reporter_once_and_moves_last_inbound_forward(
    store: Store,
) -> None:
    async with store.unit_of_work() as uow:
        made = await uow.reporters.arrived("telegram", "42", language="uk", now=T0)
        again = await uow.reporters.arrived("telegram", "42", language="nl", now=T0 + timedelta(1))
        late = await uow.reporters.arrived("telegram", "42", language="nl", now=T0)
        other = await uow.reporters.arrived("telegram", "43", language="nl", now=T0)
        await uow.commit()
    assert made.id == again.id == late.id != other.id
    assert (made.language, again.language, late.language) == ("uk", "uk", "uk")
    assert made.last_inbound_at == T0
    assert again.last_inbound_at == late.last_inbound_at == T0 + timedelta(1)
    async with store.unit_of_work() as uow:
        found = await uow.reporters.find("telegram", "42")
        count = len((await uow.session.execute(select(Reporter.id))).all())
    assert found == late
    assert count == 2


async def test_a_channels_read_along_runs_in_the_steps_transaction(store: Store) -> None:
    svc = service(store)
    seen: list[tuple[bool, str | None]] = []

    async def read_along(uow: UnitOfWork) -> None:
        # The reporter the step just made is visible: it is the step's own transaction.
        made = await uow.reporters.find("telegram", "42") is not None
        seen.append((made, await uow.keyboards.get("telegram", "42")))

    first = await svc.handle_step("telegram", "42", TextIn("/start"), T0, read_along=read_along)
    assert first.replies
    assert not first.failed
    async with store.unit_of_work() as uow:
        await uow.keyboards.set("telegram", "42", "1001")
        await uow.keyboards.set("telegram", "43", "2002")  # another chat's
        await uow.commit()
    typed = await svc.handle_step(
        "telegram", "42", TextIn("hallo"), T0 + timedelta(seconds=2), read_along=read_along
    )
    tapped = await svc.handle_step(
        "telegram", "42", Pick("welcome", "report"), T0 + timedelta(seconds=4)
    )
    assert typed.replies
    assert seen == [(True, None), (True, "1001")]  # not asked for the tap
    assert tapped.replies[-1].prompt == "role"


async def test_a_long_read_does_not_hold_up_a_step(store: Store) -> None:
    svc = service(store)
    await svc.handle("telegram", "42", TextIn("/start"), T0, message_id="m0")
    async with store.unit_of_work() as reading:
        # A read left open (as the monitoring page's): on SQLite it takes no write turn.
        assert await reading.reporters.find("telegram", "42") is not None
        async with asyncio.timeout(30):
            replies = await svc.handle(
                "telegram", "42", Pick("welcome", "report"), T0, message_id="m1"
            )
        assert replies[-1].prompt == "role"
        assert await reading.reporters.find("telegram", "42") is not None


async def test_a_polling_batchs_live_buttons_are_written_together(store: Store) -> None:
    async with store.unit_of_work() as uow:
        await uow.keyboards.set("telegram", "42", "1001")
        await uow.keyboards.set("telegram", "43", "2002")
        await uow.commit()
    async with store.unit_of_work() as uow:
        # A new chat, a chat's newer question, and a chat left without live buttons.
        await uow.keyboards.set_many("telegram", {"44": "3003", "42": "1005", "43": None})
        await uow.keyboards.set_many("telegram", {})
        await uow.commit()
    async with store.unit_of_work() as uow:
        live = [await uow.keyboards.get("telegram", chat) for chat in ("42", "43", "44")]
        elsewhere = await uow.keyboards.get("whatsapp", "42")
    assert live == ["1005", None, "3003"]
    assert elsewhere is None


async def test_a_batch_being_written_is_still_answered_from_memory(store: Store) -> None:
    """While the live-buttons batch waits to be written (here behind another writer of the
    same record), a step must not read the older record from the database."""
    keyboards = KeyboardStore(store)
    keyboards.remember("42", "1005")
    async with store.unit_of_work() as rival:
        await rival.keyboards.set("telegram", "42", "1001")  # holds the writer's turn / row
        flushing = asyncio.create_task(keyboards.flush())
        await asyncio.sleep(0)  # one turn of the loop: the flush takes its batch and waits
        assert not flushing.done()
        assert (keyboards.known("42"), keyboards.latest("42")) == (True, "1005")
        keyboards.remember("43", None)  # handled meanwhile: for the next batch
        await rival.commit()
    await flushing
    assert (keyboards.known("42"), keyboards.known("43")) == (False, True)
    async with store.unit_of_work() as uow:
        assert await uow.keyboards.get("telegram", "42") == "1005"
