"""One conversation step's statements on real databases (SQLite and PostgreSQL): the reporter
found or made, locked and heard from in one upsert; the state and the chat's live buttons read
together; ``handle_step`` telling the channel what it needs; SQLite writes queued in-process."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.i18n import load_catalogs
from bot.reporting.service import ConversationService
from core.dialog.engine import Engine
from core.dialog.events import Pick, TextIn
from core.dialog.matching import LabelIndex
from core.dialog.model import Place
from storage import Store
from storage.models import Reporter

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


async def test_state_and_keyboard_are_read_together(store: Store) -> None:
    async with store.unit_of_work() as uow:
        reporter = await uow.reporters.arrived("telegram", "42", language="nl", now=T0)
        assert await uow.conversations.load_with_keyboard(reporter.id, "telegram", "42") == (
            None,
            None,
        )
        await uow.conversations.save(reporter.id, {"prompt": "danger"}, T0)
        await uow.keyboards.set("telegram", "42", "1001")
        await uow.keyboards.set("telegram", "43", "2002")  # another chat's
        await uow.commit()
    async with store.unit_of_work() as uow:
        both = await uow.conversations.load_with_keyboard(reporter.id, "telegram", "42")
        state_only = await uow.conversations.load_with_keyboard(reporter.id, "telegram", None)
    assert both == ({"prompt": "danger"}, "1001")
    assert state_only == ({"prompt": "danger"}, None)


async def test_handle_step_reads_the_chats_buttons_in_its_transaction(store: Store) -> None:
    svc = service(store)
    first = await svc.handle_step("telegram", "42", TextIn("/start"), T0, keyboard_of="42")
    assert first.replies
    assert (first.failed, first.keyboard) == (False, None)
    async with store.unit_of_work() as uow:
        await uow.keyboards.set("telegram", "42", "1001")
        await uow.commit()
    typed = await svc.handle_step(
        "telegram", "42", TextIn("hallo"), T0 + timedelta(seconds=2), keyboard_of="42"
    )
    tapped = await svc.handle_step(
        "telegram", "42", Pick("welcome", "report"), T0 + timedelta(seconds=4)
    )
    assert typed.keyboard == "1001"
    assert tapped.keyboard is None  # not asked for: a tap names its own message
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
