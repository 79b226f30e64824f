"""The conversation service and outbox worker on real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest

from bot.i18n import ContextCatalog, load_catalogs
from bot.outbox.worker import MAX_ATTEMPTS, OutboxWorker
from bot.ports import DeliveryError
from bot.reporting.service import ConversationService
from core.dialog.engine import Engine
from core.dialog.events import Pick, TextIn
from core.dialog.matching import LabelIndex
from core.dialog.model import Place
from core.text.catalog import Catalog
from storage import Store
from tests.fakes.messenger import RecordingMessenger
from tests.support.reports import REPORT

Catalogs = Mapping[str, Catalog]
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PLACES = (Place("axel", "Axel"),)


@pytest.fixture(scope="module")
def catalogs() -> dict[str, ContextCatalog]:
    return load_catalogs()


def service(store: Store, catalogs: Catalogs) -> ConversationService:
    return ConversationService(store, Engine(LabelIndex(catalogs), PLACES), catalogs)


async def file_report(svc: ConversationService, user: str = "u1") -> str:
    now = T0
    await svc.handle("test", user, TextIn("/start"), now, message_id=f"{user}-0")
    texts: list[str] = []
    for number, (prompt, choice) in enumerate(REPORT, start=1):
        now += timedelta(seconds=2)
        replies = await svc.handle(
            "test", user, Pick(prompt, choice), now, message_id=f"{user}-{number}"
        )
        texts = [r.text for r in replies]
    return "\n".join(texts)


async def test_report_commits_signal_event_and_outbox_together(
    store: Store, catalogs: Catalogs
) -> None:
    done = await file_report(service(store, catalogs))
    assert "SP-2026-0001" in done
    async with store.unit_of_work() as uow:
        signal = await uow.signals.get_by_reference("SP-2026-0001")
        assert signal is not None
        assert signal.draft.urgent
        assert signal.draft.area == "axel"
        assert signal.draft.codes["role"] == "shop"
        assert [e.action for e in await uow.signals.events(signal.id)] == ["created"]
        assert await uow.outbox.pending_count() == 1


async def test_duplicate_message_ids_are_processed_once(store: Store, catalogs: Catalogs) -> None:
    svc = service(store, catalogs)
    await svc.handle("test", "u2", TextIn("/start"), T0, message_id="m0")
    first = await svc.handle("test", "u2", Pick("welcome", "report"), T0, message_id="m1")
    again = await svc.handle("test", "u2", Pick("welcome", "report"), T0, message_id="m1")
    assert first
    assert again == []
    await svc.handle("test", "u2", Pick("role", "shop"), T0, message_id="m2")
    await svc.handle("test", "u2", Pick("role", "shop"), T0, message_id="m2")
    async with store.unit_of_work() as uow:
        reporter = await uow.reporters.get_or_create("test", "u2", language="nl", now=T0)
        state = await uow.conversations.load(reporter.id)
    assert state is not None
    assert state["prompt"] == "age_group"


async def test_state_survives_a_new_service(store: Store, catalogs: Catalogs) -> None:
    await service(store, catalogs).handle("test", "u3", TextIn("/start"), T0)
    await service(store, catalogs).handle("test", "u3", Pick("welcome", "report"), T0)
    replies = await service(store, catalogs).handle("test", "u3", TextIn("2"), T0)
    assert replies[-1].prompt == "age_group"


async def test_outbox_delivers_in_dutch_once(store: Store, catalogs: Catalogs) -> None:
    await file_report(service(store, catalogs))
    loket = RecordingMessenger()
    worker = OutboxWorker(store, loket, catalogs, PLACES)
    assert await worker.drain(T0 + timedelta(minutes=1)) == 1
    assert await worker.drain(T0 + timedelta(minutes=2)) == 0
    [(reference, text)] = loket.sent
    assert reference == "SP-2026-0001"
    assert "SP-2026-0001" in text
    assert "Axel" in text
    # Staff read staff labels in Dutch, not the reporter's "Jij bent: ...".
    assert "Rol melder: Winkelmedewerker" in text
    assert "Jij bent" not in text
    assert "URGENT" in text.upper() or "SPOED" in text.upper()
    # The group card is minimal: how to reach the reporter is only in the private details.
    assert "Melder mag gebeld worden" not in text
    [card] = loket.messages
    assert card.target == "loket"
    assert [b.data for b in card.buttons] == ["s|claim|1"]


async def test_outbox_retries_with_backoff_then_delivers(store: Store, catalogs: Catalogs) -> None:
    await file_report(service(store, catalogs))
    loket = RecordingMessenger()
    loket.failures = [OSError("connection reset"), DeliveryError("502 bad gateway")]
    worker = OutboxWorker(store, loket, catalogs, PLACES)
    now = T0 + timedelta(minutes=1)
    assert await worker.drain(now) == 0
    assert await worker.drain(now) == 0  # not due yet: backoff
    assert await worker.drain(now + timedelta(seconds=6)) == 0  # second failure
    assert await worker.drain(now + timedelta(seconds=7)) == 0  # backoff doubled
    assert await worker.drain(now + timedelta(seconds=20)) == 1
    assert len(loket.sent) == 1


async def test_permanent_failure_goes_to_dead_letter(store: Store, catalogs: Catalogs) -> None:
    await file_report(service(store, catalogs))
    loket = RecordingMessenger()
    loket.failures = [DeliveryError("403 bot was removed", permanent=True)]
    worker = OutboxWorker(store, loket, catalogs, PLACES)
    assert await worker.drain(T0 + timedelta(minutes=1)) == 0
    assert await worker.drain(T0 + timedelta(days=1)) == 0
    async with store.unit_of_work() as uow:
        assert await uow.outbox.pending_count() == 0
    assert loket.sent == []


async def test_gives_up_after_max_attempts(store: Store, catalogs: Catalogs) -> None:
    await file_report(service(store, catalogs))
    loket = RecordingMessenger()
    loket.failures = [OSError("down")] * (MAX_ATTEMPTS + 5)
    worker = OutboxWorker(store, loket, catalogs, PLACES)
    now = T0
    for _ in range(MAX_ATTEMPTS + 2):
        now += timedelta(hours=1)
        await worker.drain(now)
    async with store.unit_of_work() as uow:
        assert await uow.outbox.pending_count() == 0
    assert len(loket.failures) == 5
