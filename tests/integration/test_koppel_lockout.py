"""Guessing invite codes with /koppel: locked out after too many wrong codes, on SQLite and
PostgreSQL. Every attempt is in the access history."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from bot.i18n import ContextCatalog, load_catalogs
from bot.staff.accounts import StaffAccounts
from core.text.msgids import Msg
from core.text.render import render
from storage import Store
from tests.support.builders import NOW, telegram

CATALOGS: dict[str, ContextCatalog] = load_catalogs()
MALLORY, ANNA = 6666, 1001
MINUTE = timedelta(minutes=1)


def nl(message: Msg | None) -> str:
    assert message is not None
    return render(message, CATALOGS["nl"], "nl")


async def guess(accounts: StaffAccounts, code: str, at: timedelta, user: int = MALLORY) -> str:
    return nl(await accounts.link(code, account=telegram(user), name="M", now=NOW + at))


async def test_after_the_failed_codes_even_a_valid_code_is_refused_unread(store: Store) -> None:
    accounts = StaffAccounts(store, max_failed_codes=3, lockout=timedelta(minutes=60))
    code = await accounts.create_invite("admin", NOW)
    for minute in range(3):
        assert "ongeldig" in await guess(accounts, f"WRONG-CODE-{minute}", minute * MINUTE)
    locked = await guess(accounts, code, 3 * MINUTE)
    assert "Te veel verkeerde codes" in locked
    assert "60 minuten" in locked
    async with store.unit_of_work() as uow:
        assert await uow.staff.all() == []  # the valid code was not even looked at
        outcomes = [o for _, action, o in await uow.audit.entries() if action == "link"]
    assert outcomes == ["refused:invalid_code"] * 3 + ["refused:locked"]
    async with store.engine.connect() as connection:
        attempts = await connection.execute(
            text("SELECT kind, succeeded FROM access_attempts ORDER BY id")
        )
        recorded = [(kind, bool(ok)) for kind, ok in attempts.all()]
    assert recorded == [("koppel", False)] * 4
    # Somebody else is not locked out by Mallory's guessing.
    assert "Welkom" in await guess(accounts, code, 4 * MINUTE, user=ANNA)


async def test_guessing_on_keeps_the_lock_closed_then_it_opens(store: Store) -> None:
    accounts = StaffAccounts(store, max_failed_codes=2, lockout=timedelta(minutes=30))
    code = await accounts.create_invite("loket", NOW)
    await guess(accounts, "AAAA", 0 * MINUTE)
    await guess(accounts, "BBBB", 1 * MINUTE)
    assert "Te veel" in await guess(accounts, "CCCC", 10 * MINUTE)
    assert "Te veel" in await guess(accounts, "DDDD", 20 * MINUTE)
    # The first two failures are out of the window, the refused guesses are not.
    assert "Te veel" in await guess(accounts, code, 35 * MINUTE)
    # Half an hour without an attempt: the code is read again.
    assert "Welkom" in await guess(accounts, code, 66 * MINUTE)


async def test_a_success_clears_earlier_failures_and_usage_is_no_guess(store: Store) -> None:
    accounts = StaffAccounts(store, max_failed_codes=2)
    first = await accounts.create_invite("loket", NOW)
    await guess(accounts, "AAAA", 0 * MINUTE, user=ANNA)
    assert "Welkom" in await guess(accounts, first, 1 * MINUTE, user=ANNA)
    for minute in (2, 3, 4):
        assert "Stuur /koppel" in await guess(accounts, "  ", minute * MINUTE, user=ANNA)
    again = await accounts.create_invite("regisseur", NOW)
    await guess(accounts, "BBBB", 5 * MINUTE, user=ANNA)
    assert "Welkom" in await guess(accounts, again, 6 * MINUTE, user=ANNA)


async def test_the_lockout_message_is_in_dutch_with_a_plural(store: Store) -> None:
    accounts = StaffAccounts(store, max_failed_codes=1, lockout=timedelta(minutes=1))
    await guess(accounts, "AAAA", 0 * MINUTE)
    assert "Wacht 1 minuut " in await guess(accounts, "BBBB", timedelta(seconds=10))
