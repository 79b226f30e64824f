"""A reporter's erasure and the abuse limits, through the conversation service, on SQLite
and PostgreSQL. What is left is read from the raw rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from bot.i18n import ContextCatalog, load_catalogs
from bot.rendering import RenderedReply
from bot.reporting.service import ConversationService
from core.dialog.engine import Engine
from core.dialog.events import Event, Pick, TextIn
from core.dialog.matching import LabelIndex
from core.dialog.model import Place
from core.text.catalog import Catalog
from storage import Store
from tests.support.reports import PHONE_WITH_NAME, REPORT, UNTIL_CONTACT

Catalogs = Mapping[str, Catalog]
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PLACES = (Place("axel", "Axel"),)
# The report of helpers.REPORT, but the reporter may be called: with a name and a phone.
CALL_ME: list[Event] = [Pick(p, c) for p, c in UNTIL_CONTACT]
CALL_ME += [Pick("callback", "yes"), TextIn(PHONE_WITH_NAME), Pick("summary", "send")]


@pytest.fixture(scope="module")
def catalogs() -> dict[str, ContextCatalog]:
    return load_catalogs()


@dataclass
class Chat:
    """One reporter talking to the service, each message two seconds after the last."""

    service: ConversationService
    user: str = "u1"
    now: datetime = T0
    sent: int = 0

    async def send(self, event: Event, *, after: timedelta = timedelta(seconds=2)) -> str:
        return "\n".join(r.text for r in await self.replies(event, after=after))

    async def replies(
        self, event: Event, *, after: timedelta = timedelta(seconds=2), message_id: str = ""
    ) -> list[RenderedReply]:
        self.now += after
        self.sent += 1
        key = message_id or f"{self.user}-{self.sent}"
        return await self.service.handle("test", self.user, event, self.now, message_id=key)

    async def report(self, events: list[Event] | None = None) -> str:
        await self.send(TextIn("/start"))
        done = ""
        for event in events or [Pick(p, c) for p, c in REPORT]:
            done = await self.send(event)
        return done


def service(store: Store, catalogs: Catalogs, **limits: Any) -> ConversationService:
    return ConversationService(store, Engine(LabelIndex(catalogs), PLACES), catalogs, **limits)


async def rows(store: Store, sql: str) -> list[tuple[Any, ...]]:
    async with store.engine.connect() as connection:
        return [tuple(row) for row in (await connection.execute(text(sql))).all()]


# -- erasure ---------------------------------------------------------------------------------


async def test_erasure_removes_the_reporter_and_keeps_the_signal(
    store: Store, catalogs: Catalogs
) -> None:
    chat = Chat(service(store, catalogs))
    assert "SP-2026-0001" in await chat.report(CALL_ME)
    filled = "SELECT reporter_name IS NULL, reporter_phone IS NULL, reporter_id FROM signals"
    assert [row[:2] for row in await rows(store, filled)] == [(False, False)]
    await chat.send(TextIn("/start"))
    await chat.send(Pick("welcome", "report"))  # an unfinished report too
    asked = await chat.send(TextIn("/verwijder"))
    assert "contactgegevens" in asked
    done = await chat.send(Pick("confirm_erase", "yes"))
    assert "Je gegevens zijn verwijderd" in done

    signal = await rows(
        store,
        "SELECT reference, reporter_name, reporter_phone, reporter_id, "
        "reporter_erased_at IS NOT NULL FROM signals",
    )
    assert signal == [("SP-2026-0001", None, None, None, True)]
    assert await rows(store, "SELECT count(*) FROM conversations") == [(0,)]
    assert await rows(store, "SELECT count(*) FROM reporters") == [(0,)]
    # The loket still has the signal for follow-up, and the submission still counts.
    assert await rows(store, "SELECT count(*) FROM outbox WHERE kind = 'loket_card'") == [(1,)]
    assert await rows(store, "SELECT count(*) FROM submissions") == [(1,)]
    async with store.unit_of_work() as uow:
        assert ("reporter:anonymous", "erase", "signals:1") in await uow.audit.entries()

    # The next message is from somebody new: a new reporter, a fresh conversation.
    again = await chat.send(TextIn("hallo"))
    assert "Signaalpunt" in again
    assert await rows(store, "SELECT count(*) FROM reporters") == [(1,)]
    assert "SP-2026-0001" not in await chat.send(TextIn("/status"))


async def test_no_keeps_everything_where_it_was(store: Store, catalogs: Catalogs) -> None:
    chat = Chat(service(store, catalogs))
    await chat.send(TextIn("/start"))
    await chat.send(Pick("welcome", "report"))
    await chat.send(Pick("danger", "no"))
    await chat.send(TextIn("/delete"))
    replies = await chat.replies(Pick("confirm_erase", "no"))
    assert replies[-1].prompt == "role"
    assert await rows(store, "SELECT count(*) FROM reporters") == [(1,)]
    async with store.unit_of_work() as uow:
        reporter = await uow.reporters.find("test", "u1")
        assert reporter is not None
        state = await uow.conversations.load(reporter.id)
    assert state is not None
    assert state["answers"] == {"danger": {"choice": "no"}}


# -- signals per day -------------------------------------------------------------------------


async def test_at_most_three_signals_a_day_then_a_warning_at_the_start(
    store: Store, catalogs: Catalogs
) -> None:
    chat = Chat(service(store, catalogs))
    sent_at = []
    for number in (1, 2, 3):
        assert f"SP-2026-000{number}" in await chat.report()
        sent_at.append(chat.now)
    await chat.send(TextIn("/start"))
    warned = await chat.replies(Pick("welcome", "report"))
    assert "al een paar meldingen gestuurd" in warned[0].text
    assert "112" in warned[0].text
    assert warned[-1].prompt == "welcome"  # no report started to type for nothing
    assert await rows(store, "SELECT count(*) FROM signals") == [(3,)]
    # A day after the first one was sent, there is room for one more.
    chat.now = sent_at[0] + timedelta(days=1)
    assert "SP-2026-0004" in await chat.report()
    assert await rows(store, "SELECT count(*) FROM submissions") == [(4,)]


async def test_at_the_limit_send_stores_nothing_and_keeps_the_draft(
    store: Store, catalogs: Catalogs
) -> None:
    chat = Chat(service(store, catalogs, max_signals_per_day=1))
    await chat.send(TextIn("/start"))
    for prompt, choice in REPORT[:-1]:
        await chat.send(Pick(prompt, choice))
    async with store.unit_of_work() as uow:  # meanwhile sent elsewhere (another instance)
        await uow.limits.record_submission(uow.reporters.user_key("test", "u1"), chat.now)
        await uow.commit()
    refused = await chat.replies(Pick("summary", "send"))
    assert "Je antwoorden blijven bewaard" in refused[0].text
    assert refused[-1].prompt == "summary"
    assert await rows(store, "SELECT count(*) FROM signals") == [(0,)]
    assert await rows(store, "SELECT count(*) FROM outbox") == [(0,)]
    # Tomorrow the same draft goes, after the question whether to continue it.
    resume = await chat.replies(Pick("summary", "send"), after=timedelta(hours=25))
    assert resume[-1].prompt == "resume"
    await chat.send(Pick("resume", "continue"))
    assert "SP-2026-0001" in await chat.send(Pick("summary", "send"))


# -- messages per minute ---------------------------------------------------------------------


async def test_a_flood_gets_one_slow_down_and_is_dropped_but_recorded(
    store: Store, catalogs: Catalogs
) -> None:
    chat = Chat(service(store, catalogs, max_messages_per_minute=5))
    await chat.send(TextIn("/start"))
    await chat.send(Pick("welcome", "report"))
    for _ in range(3):
        await chat.send(TextIn("/help"), after=timedelta(seconds=1))
    [slow] = await chat.replies(Pick("danger", "no"), after=timedelta(seconds=1), message_id="m6")
    assert "Wacht 1 minuut" in slow.text
    assert slow.prompt is None
    assert await chat.replies(Pick("danger", "no"), message_id="m7") == []
    # The dropped answer was not taken; redelivered later, it is known as processed.
    later = timedelta(minutes=1)
    assert await chat.replies(Pick("danger", "no"), after=later, message_id="m6") == []
    assert await chat.replies(Pick("danger", "no"), message_id="m7") == []
    replies = await chat.replies(Pick("danger", "no"), message_id="m8")
    assert replies[-1].prompt == "role"
    # All eight messages are recorded, the dropped ones included.
    assert await rows(store, "SELECT count(*) FROM inbound_messages") == [(8,)]
