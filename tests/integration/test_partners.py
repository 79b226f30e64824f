"""Partner deep links (``/start p_<code>``) from the reporter's first message to the loket
card, on real databases (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest

from bot.i18n import ContextCatalog, load_catalogs
from bot.outbox.worker import OutboxWorker
from bot.reporting.service import ConversationService
from core.dialog.engine import Engine
from core.dialog.events import Pick, TextIn
from core.dialog.matching import LabelIndex
from core.dialog.model import Place
from core.text.catalog import Catalog
from storage import Store, StoredSignal
from tests.fakes.messenger import RecordingMessenger
from tests.support.reports import REPORT

Catalogs = Mapping[str, Catalog]
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PLACES = (Place("axel", "Axel"),)
JUMBO = ("jumbo-terneuzen", "Jumbo Terneuzen")
BIDI_ISOLATES = "\u2066\u2067\u2068\u2069"


@pytest.fixture(scope="module")
def catalogs() -> dict[str, ContextCatalog]:
    return load_catalogs()


def service(store: Store, catalogs: Catalogs) -> ConversationService:
    return ConversationService(store, Engine(LabelIndex(catalogs), PLACES), catalogs)


async def add_partner(store: Store, code: str, name: str) -> None:
    async with store.unit_of_work() as uow:
        await uow.partners.add(code, name, T0)
        await uow.commit()


class Reporter:
    """One reporter in the ``test`` channel, with a clock and unique message ids."""

    def __init__(self, svc: ConversationService, user: str = "u1") -> None:
        self.svc, self.user, self.now, self.sent = svc, user, T0, 0

    async def send(self, event: TextIn | Pick) -> list[str]:
        self.now += timedelta(seconds=2)
        self.sent += 1
        replies = await self.svc.handle(
            "test", self.user, event, self.now, message_id=f"{self.user}-{self.sent}"
        )
        return [r.text for r in replies]

    async def report(self, start: str | None) -> str:
        """Optionally type ``start``, then tap through a report; the reference it got."""
        if start is not None:
            await self.send(TextIn(start))
        texts: list[str] = []
        for prompt, choice in REPORT:
            texts = await self.send(Pick(prompt, choice))
        [reference] = {
            word.strip(BIDI_ISOLATES + ".,")
            for text in texts
            for word in text.split()
            if "SP-" in word
        }
        return reference


async def stored(store: Store, reference: str) -> StoredSignal:
    async with store.unit_of_work() as uow:
        signal = await uow.signals.get_by_reference(reference)
    assert signal is not None
    return signal


async def loket_cards(store: Store, catalogs: Catalogs) -> list[str]:
    """The group cards the outbox worker composes (in Dutch, for the loket)."""
    loket = RecordingMessenger()
    await OutboxWorker(store, loket, catalogs, PLACES).drain(T0 + timedelta(hours=1))
    return [message.text for message in loket.messages if message.target == "loket"]


def partner_lines(card: str) -> list[str]:
    plain = "".join(ch for ch in card if ch not in BIDI_ISOLATES)
    return [line.strip() for line in plain.splitlines() if line.strip().startswith("Via partner")]


async def test_a_known_partner_link_is_stored_and_named_on_the_loket_card(
    store: Store, catalogs: Catalogs
) -> None:
    await add_partner(store, *JUMBO)
    reference = await Reporter(service(store, catalogs)).report("/start p_jumbo-terneuzen")
    signal = await stored(store, reference)
    assert signal.draft.partner == "jumbo-terneuzen"

    [card] = await loket_cards(store, catalogs)
    assert reference in card
    # The loket reads the partner's name, not the code from the link.
    assert partner_lines(card) == ["Via partner: Jumbo Terneuzen"]
    assert "jumbo-terneuzen" not in card


async def test_an_unknown_partner_code_is_not_stored(store: Store, catalogs: Catalogs) -> None:
    await add_partner(store, *JUMBO)
    reference = await Reporter(service(store, catalogs)).report("/start p_nope")
    signal = await stored(store, reference)
    assert signal.draft.partner is None

    [card] = await loket_cards(store, catalogs)
    assert reference in card
    assert partner_lines(card) == []
    assert "nope" not in card


async def test_a_later_start_without_a_code_keeps_the_partner(
    store: Store, catalogs: Catalogs
) -> None:
    await add_partner(store, *JUMBO)
    reporter = Reporter(service(store, catalogs))
    await reporter.send(TextIn("/start p_jumbo-terneuzen"))
    # Starting again before answering anything: a fresh welcome, same partner.
    first = await reporter.report("/start")
    # A second report in the same conversation, started with a plain /start.
    second = await reporter.report("/start")
    # Restarting halfway (confirming that the answers go) keeps it too.
    await reporter.send(TextIn("/start"))
    await reporter.send(Pick("welcome", "report"))
    await reporter.send(Pick("danger", "no"))
    await reporter.send(TextIn("/start"))
    await reporter.send(Pick("confirm_restart", "yes"))
    third = await reporter.report(None)

    assert len({first, second, third}) == 3
    for reference in (first, second, third):
        assert (await stored(store, reference)).draft.partner == "jumbo-terneuzen"
    cards = await loket_cards(store, catalogs)
    assert [partner_lines(card) for card in cards] == [["Via partner: Jumbo Terneuzen"]] * 3


async def test_a_new_partner_link_replaces_the_earlier_one(
    store: Store, catalogs: Catalogs
) -> None:
    await add_partner(store, *JUMBO)
    await add_partner(store, "bibliotheek-axel", "Bibliotheek Axel")
    reporter = Reporter(service(store, catalogs))
    await reporter.send(TextIn("/start p_jumbo-terneuzen"))
    reference = await reporter.report("/start p_bibliotheek-axel")
    assert (await stored(store, reference)).draft.partner == "bibliotheek-axel"
    [card] = await loket_cards(store, catalogs)
    assert partner_lines(card) == ["Via partner: Bibliotheek Axel"]
