"""Single sign-on in storage, on SQLite and PostgreSQL: the "sso" account book (a staff
record made at the first sign-in, brought up to date at each, deactivated when the
provider's group is gone) and the pending logins, each taken once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from core.lifecycle.parties import WEB_LOGIN, Account
from storage import Store
from storage.sso import PendingSsoLogin
from tests.support.builders import NOW

ANNA = "https://login.example.test/tenant#anna"
OTHER_TENANT_ANNA = "https://login.example.test/other#anna"


async def test_the_first_sign_in_makes_the_staff_member_and_later_ones_update_them(
    store: Store,
) -> None:
    async with store.unit_of_work() as uow:
        first = await uow.sso_accounts.sign_in(
            ANNA, display_name="Anna de Vries", role="loket", now=NOW
        )
        await uow.commit()
    assert first.outcome == "new"
    assert (first.staff.display_name, first.staff.role, first.staff.active) == (
        "Anna de Vries",
        "loket",
        True,
    )
    async with store.unit_of_work() as uow:
        assert await uow.staff_of(Account("sso", ANNA)) == first.staff.id
        # A subject is someone only within its issuer.
        assert await uow.staff_of(Account("sso", OTHER_TENANT_ANNA)) is None
        later = await uow.sso_accounts.sign_in(
            ANNA, display_name="Anna Jansen-de Vries" + "x" * 80, role="regisseur", now=NOW
        )
        await uow.commit()
    assert later.outcome == "updated"
    assert later.staff.id == first.staff.id
    async with store.unit_of_work() as uow:
        staff = await uow.staff.get(first.staff.id)
    assert staff is not None
    assert staff.role == "regisseur"
    assert staff.display_name.startswith("Anna Jansen-de Vries")
    assert len(staff.display_name) == 64
    assert WEB_LOGIN in staff.reach


async def test_a_group_gone_deactivates_and_a_group_back_reactivates(store: Store) -> None:
    async with store.unit_of_work() as uow:
        anna = await uow.sso_accounts.sign_in(ANNA, display_name="Anna", role="loket", now=NOW)
        await uow.logins.open_session("t1", anna.staff.id, "c1", NOW, id_token_hint="ey.token")
        await uow.logins.open_session("t2", anna.staff.id, "c2", NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.logins.id_token_hint("t1") == "ey.token"
        assert await uow.logins.id_token_hint("t2") is None
        revoked = await uow.sso_accounts.revoke_by_provider(ANNA, NOW)
        assert revoked is not None
        assert revoked.id == anna.staff.id
        # Already inactive: nothing more to do.
        assert await uow.sso_accounts.revoke_by_provider(ANNA, NOW) is None
        assert await uow.sso_accounts.revoke_by_provider(OTHER_TENANT_ANNA, NOW) is None
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.logins.session("t1") is None
        assert await uow.logins.session("t2") is None
        staff = await uow.staff.get(anna.staff.id)
        assert staff is not None
        assert not staff.active
        back = await uow.sso_accounts.sign_in(ANNA, display_name="Anna", role="loket", now=NOW)
        await uow.commit()
    assert (back.outcome, back.staff.active) == ("reactivated", True)


async def test_a_revocation_by_an_administrator_stays(store: Store) -> None:
    async with store.unit_of_work() as uow:
        anna = await uow.sso_accounts.sign_in(ANNA, display_name="Anna", role="loket", now=NOW)
        assert await uow.staff.revoke(anna.staff.id, NOW)
        await uow.commit()
    async with store.unit_of_work() as uow:
        again = await uow.sso_accounts.sign_in(ANNA, display_name="Anna", role="admin", now=NOW)
        await uow.commit()
    assert again.outcome == "revoked"
    assert not again.staff.active
    assert again.staff.role == "loket"  # nothing taken from the provider for a revoked one


def login(state: str, expires_in: timedelta = timedelta(minutes=10)) -> PendingSsoLogin:
    return PendingSsoLogin(state, "nonce", "verifier", "b" * 64, "/loket/", NOW + expires_in)


async def test_a_pending_login_is_taken_once_even_by_two_at_once(store: Store) -> None:
    async with store.unit_of_work() as uow:
        await uow.sso_logins.put(login("s1"), NOW)
        await uow.commit()

    async def take() -> PendingSsoLogin | None:
        async with store.unit_of_work() as uow:
            found = await uow.sso_logins.take("s1")
            await uow.commit()
            return found

    results = await asyncio.gather(take(), take())
    taken = [found for found in results if found is not None]
    assert taken == [login("s1")]
    async with store.unit_of_work() as uow:
        assert await uow.sso_logins.take("s1") is None
        assert await uow.sso_logins.take("") is None
        assert await uow.sso_logins.take("x" * 500) is None


async def test_expired_pending_logins_are_cleared_as_new_ones_come(store: Store) -> None:
    async with store.unit_of_work() as uow:
        await uow.sso_logins.put(login("old", timedelta(minutes=1)), NOW)
        await uow.commit()
    later = NOW + timedelta(minutes=2)
    async with store.unit_of_work() as uow:
        await uow.sso_logins.put(login("new"), later)
        await uow.commit()
    async with store.unit_of_work() as uow:
        assert await uow.sso_logins.take("old") is None
        assert await uow.sso_logins.take("new") is not None
