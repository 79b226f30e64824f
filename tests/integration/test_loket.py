"""Loket staff on real databases: invite codes, picking signals up, refusals, the outbox."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import text

from bot.i18n import ContextCatalog, load_catalogs
from bot.outbox.worker import OutboxWorker
from bot.ports import DeliveryError
from bot.staff.accounts import StaffAccounts, hash_code
from bot.staff.actions import SignalActions
from core.dialog.model import Place
from core.text.msgids import Msg
from core.text.render import render
from storage import Store
from tests.fakes.messenger import RecordingMessenger
from tests.support.builders import NOW, add_signal, staff_of, telegram

CATALOGS: dict[str, ContextCatalog] = load_catalogs()
PLACES = (Place("centrum", "Centrum"),)
ANNA, BOB, EVE = 1001, 1002, 6666


def nl(message: Msg) -> str:
    return render(message, CATALOGS["nl"], "nl")


def worker(store: Store, loket: RecordingMessenger) -> OutboxWorker:
    return OutboxWorker(store, loket, CATALOGS, PLACES)


async def enrol(accounts: StaffAccounts, user: int, name: str, role: str = "loket") -> None:
    code = await accounts.create_invite(role, NOW)
    reply = await accounts.link(code, account=telegram(user), name=name, now=NOW)
    assert reply is not None
    assert "Welkom" in nl(reply)


async def test_invite_codes_are_hashed_single_use_and_expire(store: Store) -> None:
    accounts = StaffAccounts(store)
    code = await accounts.create_invite("regisseur", NOW)
    async with store.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT code_hash FROM staff_invites"))).all()
    assert [tuple(row) for row in rows] == [(hash_code(code),)]
    assert code not in str(rows)
    # Lower case and without dashes is the same code.
    typed = code.replace("-", "").lower()
    assert await accounts.link(typed, account=telegram(ANNA), name="Anna", now=NOW) is not None
    reused = await accounts.link(code, account=telegram(BOB), name="Bob", now=NOW)
    assert reused is not None
    assert "ongeldig" in nl(reused)
    late = await accounts.create_invite("loket", NOW)
    expired = await accounts.link(
        late, account=telegram(BOB), name="Bob", now=NOW + timedelta(hours=25)
    )
    assert expired is not None
    assert "ongeldig" in nl(expired)
    async with store.unit_of_work() as uow:
        staff = await uow.staff.all()
        assert [(s.display_name, s.role) for s in staff] == [("Anna", "regisseur")]
        outcomes = [o for _, action, o in await uow.audit.entries() if action == "link"]
        assert outcomes == ["ok", "refused:invalid_code", "refused:invalid_code"]


async def test_the_same_link_update_is_processed_once(store: Store) -> None:
    accounts = StaffAccounts(store)
    code = await accounts.create_invite("loket", NOW)
    first = await accounts.link(code, account=telegram(ANNA), name="Anna", now=NOW, update_key="u7")
    again = await accounts.link(code, account=telegram(ANNA), name="Anna", now=NOW, update_key="u7")
    assert first is not None
    assert again is None


async def test_claim_sends_details_privately_and_updates_the_card(store: Store) -> None:
    accounts, actions = StaffAccounts(store), SignalActions(store)
    await enrol(accounts, ANNA, "Anna")
    signal = await add_signal(store)
    recorder = RecordingMessenger()
    assert await worker(store, recorder).drain(NOW) == 1
    [card] = recorder.messages
    assert "Oppakken" in [b.label for b in card.buttons]
    assert "Mrs. Jansen" not in card.text
    assert "weeks" not in card.text

    result = await actions.act("claim", signal.id, actor=telegram(ANNA), now=NOW)
    assert result is not None
    assert result.done
    assert "privéchat" in nl(result.text) or "prive" in nl(result.text).lower()
    assert await worker(store, recorder).drain(NOW) == 2
    edit = next(m for m in recorder.messages if m.edit is not None)
    anna = await staff_of(store, ANNA)
    details = next(m for m in recorder.messages if m.target == anna)
    assert edit.edit == "loket:1"
    assert "Anna" in edit.text
    assert edit.buttons == ()
    assert details.protect
    assert "She has not been outside for weeks." in details.text
    assert {b.data for b in details.buttons} == {
        f"s|{action}|{signal.id}"
        for action in (
            "contact",
            "close",
            "cannot_follow_up",
            "needs_help",
            "ask_reporter",
            "release",
        )
    }
    async with store.unit_of_work() as uow:
        stored = await uow.signals.get(signal.id)
        assert stored is not None
        assert stored.status == "claimed"
        assert [e.action for e in await uow.signals.events(signal.id)] == ["created", "claim"]
        # The delivery of the details is in the access history, next to the claim.
        assert (anna, "sent:staff_details", "ok") in await uow.audit.entries(signal.id)


async def test_non_staff_and_revoked_staff_are_refused_and_recorded(store: Store) -> None:
    accounts, actions = StaffAccounts(store), SignalActions(store)
    await enrol(accounts, BOB, "Bob")
    signal = await add_signal(store)
    refused = await actions.act("claim", signal.id, actor=telegram(EVE), now=NOW)
    assert refused is not None
    assert not refused.done
    async with store.unit_of_work() as uow:
        [bob] = await uow.staff.all()
        assert await uow.staff.revoke(bob.id, NOW)
        await uow.commit()
    revoked = await actions.act("claim", signal.id, actor=telegram(BOB), now=NOW)
    assert revoked is not None
    assert not revoked.done
    forged = await actions.act("delete_everything", signal.id, actor=telegram(BOB), now=NOW)
    assert forged is not None
    assert not forged.done
    async with store.unit_of_work() as uow:
        stored = await uow.signals.get(signal.id)
        assert stored is not None
        assert stored.status == "new"
        entries = await uow.audit.entries(signal.id)
    assert (f"telegram:{EVE}", "claim", "refused:not_staff") in entries
    assert (f"telegram:{BOB}", "claim", "refused:not_staff") in entries
    # Not staff any more: refused as such before the action is even looked at.
    assert (f"telegram:{BOB}", "delete_everything", "refused:not_staff") in entries


async def test_two_staff_pressing_at_once_exactly_one_wins(store: Store) -> None:
    accounts, actions = StaffAccounts(store), SignalActions(store)
    await enrol(accounts, ANNA, "Anna")
    await enrol(accounts, BOB, "Bob")
    signal = await add_signal(store)
    results = await asyncio.gather(
        actions.act("claim", signal.id, actor=telegram(ANNA), now=NOW),
        actions.act("claim", signal.id, actor=telegram(BOB), now=NOW),
    )
    assert sorted(r.done for r in results if r is not None) == [False, True]
    loser = next(r for r in results if r is not None and not r.done)
    assert "al opgepakt door" in nl(loser.text)


async def test_released_signal_details_are_not_sent(store: Store) -> None:
    accounts, actions = StaffAccounts(store), SignalActions(store)
    await enrol(accounts, ANNA, "Anna")
    signal = await add_signal(store)
    await actions.act("claim", signal.id, actor=telegram(ANNA), now=NOW)
    await actions.act("release", signal.id, actor=telegram(ANNA), now=NOW)
    recorder = RecordingMessenger()
    await worker(store, recorder).drain(NOW)
    # Only the group saw anything (the card, then edits of that same card).
    assert {m.target for m in recorder.messages} == {"loket"}
    assert {m.edit for m in recorder.messages[1:]} <= {"loket:1"}
    latest = recorder.messages[-1]
    assert [b.data for b in latest.buttons] == [f"s|claim|{signal.id}"]
    assert "Nog niet opgepakt" in latest.text


async def test_dead_letter_is_reported_to_admins(store: Store) -> None:
    accounts = StaffAccounts(store)
    await enrol(accounts, ANNA, "Anna", role="admin")
    signal = await add_signal(store)
    recorder = RecordingMessenger()
    recorder.failures = [DeliveryError("403 bot was kicked from the group", permanent=True)]
    await worker(store, recorder).drain(NOW)
    await worker(store, recorder).drain(NOW)
    [alert] = recorder.messages
    assert alert.target == await staff_of(store, ANNA)
    assert signal.reference in alert.text
    assert "403" in alert.text
    async with store.unit_of_work() as uow:
        assert await uow.outbox.counts() == {"dead": 1, "sent": 1}
