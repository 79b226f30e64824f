"""Dashboard logins in storage: accounts, sessions and their end, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.followup.retention import RetentionService
from bot.settings import RetentionPeriods
from storage import Store
from storage.models import StaffSession
from tests.support.builders import NOW


async def test_an_account_a_session_and_logging_out_everywhere(store: Store) -> None:
    async with store.unit_of_work() as uow:
        anna = await uow.logins.add_account(
            "anna", display_name="Anna", role="loket", password_hash="$argon2id$x", now=NOW
        )
        assert anna is not None
        assert anna.username == "anna"
        # A taken name is refused, and the transaction stays usable.
        again = await uow.logins.add_account(
            "anna", display_name="Other", role="admin", password_hash="$argon2id$y", now=NOW
        )
        assert again is None
        await uow.logins.open_session("t1", anna.id, "csrf1", NOW)
        await uow.logins.open_session("t2", anna.id, "csrf2", NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        account = await uow.logins.account("anna")
        assert account is not None
        assert (account.staff.id, account.password_hash) == (anna.id, "$argon2id$x")
        session = await uow.logins.session("t1")
        assert session is not None
        assert (session.staff.id, session.csrf) == (anna.id, "csrf1")
        assert await uow.logins.account("nobody") is None
        assert await uow.logins.session("t3") is None
        assert await uow.logins.close_sessions_of(anna.id) == 2
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.logins.session("t2") is None


async def test_the_retention_job_deletes_abandoned_sessions(store: Store) -> None:
    async with store.unit_of_work() as uow:
        anna = await uow.logins.add_account(
            "anna", display_name="Anna", role="loket", password_hash="h", now=NOW
        )
        assert anna is not None
        await uow.logins.open_session("old", anna.id, "c", NOW - timedelta(days=3))
        await uow.logins.open_session("today", anna.id, "c", NOW - timedelta(hours=2))
        await uow.commit()
    service = RetentionService(store, RetentionPeriods(), ZoneInfo("Europe/Amsterdam"))
    counts = await service.erase(NOW)
    assert counts["staff_sessions"] == 1
    async with store.unit_of_work() as uow:
        left = (await uow.session.execute(select(StaffSession.token_hash))).scalars().all()
    assert left == ["today"]
