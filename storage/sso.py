"""What single sign-on keeps: the identities of staff members at the identity provider (the
"sso" account book) and the sign-ons under way.

An identity is ``issuer#subject`` (OpenID Connect: a subject is unique only within its
issuer). The provider is the source of the role and the display name, written at every
sign-in; a staff member it no longer gives a mapped group is deactivated (and active again
when it does), while a revocation by an administrator is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from ._base import SessionRepository
from .models import SsoLogin, Staff, StaffSession, StaffSsoAccount
from .records import StaffRecord
from .staff import staff_record
from .types import as_utc

DISPLAY_NAME = 64  # the staff table's width


@dataclass(frozen=True)
class SsoSignIn:
    """``outcome``: "new" (made now), "updated", "reactivated" (the provider's group is
    back), or "revoked" (an administrator revoked them: no session)."""

    staff: StaffRecord
    outcome: str


@dataclass(frozen=True)
class PendingSsoLogin:
    state: str
    nonce: str
    code_verifier: str
    browser_hash: str
    return_to: str
    expires_at: datetime


class SsoAccountRepository(SessionRepository):
    """The sign-on account book (``storage.staff.AccountBook``)."""

    async def _row(self, account: str) -> StaffSsoAccount | None:
        query = select(StaffSsoAccount).where(StaffSsoAccount.account == account)
        return (
            await self._session.execute(query.execution_options(populate_existing=True))
        ).scalar_one_or_none()

    async def staff_of(self, account: str) -> int | None:
        row = await self._row(account)
        return row.staff_id if row is not None else None

    async def link(self, account: str, staff_id: int, now: datetime) -> None:
        await self._session.execute(
            delete(StaffSsoAccount)
            .where(StaffSsoAccount.staff_id == staff_id)
            .execution_options(synchronize_session=False)
        )
        self._session.add(
            StaffSsoAccount(
                staff_id=staff_id, account=account, linked_at=as_utc(now), revoked_by_provider=False
            )
        )
        await self._session.flush()

    async def sign_in(
        self, account: str, *, display_name: str, role: str, now: datetime
    ) -> SsoSignIn:
        """The staff member of ``account`` with the provider's name and role: made at the
        first sign-in, brought up to date at every later one."""
        name = display_name[:DISPLAY_NAME]
        row = await self._row(account)
        if row is None:
            staff = Staff(display_name=name, role=role, created_at=as_utc(now))
            self._session.add(staff)
            await self._session.flush()
            await self.link(account, staff.id, now)
            return SsoSignIn(staff_record(staff, frozenset({"web"})), "new")
        staff_row = await self._session.get(Staff, row.staff_id, populate_existing=True)
        assert staff_row is not None  # the account's row goes with the staff row (cascade)
        outcome = "updated"
        if staff_row.revoked_at is not None:
            if not row.revoked_by_provider:
                return SsoSignIn(staff_record(staff_row, frozenset({"web"})), "revoked")
            staff_row.revoked_at, row.revoked_by_provider = None, False
            outcome = "reactivated"
        staff_row.display_name, staff_row.role = name, role
        await self._session.flush()
        return SsoSignIn(staff_record(staff_row, frozenset({"web"})), outcome)

    async def revoke_by_provider(self, account: str, now: datetime) -> StaffRecord | None:
        """Deactivate the staff member of ``account`` (the provider gives them no mapped
        group any more) and end their sessions; the record when they were active."""
        row = await self._row(account)
        if row is None:
            return None
        staff_row = await self._session.get(Staff, row.staff_id, populate_existing=True)
        if staff_row is None or staff_row.revoked_at is not None:
            return None
        staff_row.revoked_at, row.revoked_by_provider = as_utc(now), True
        await self._session.execute(
            delete(StaffSession)
            .where(StaffSession.staff_id == staff_row.id)
            .execution_options(synchronize_session=False)
        )
        await self._session.flush()
        return staff_record(staff_row, frozenset({"web"}))


class SsoLoginRepository(SessionRepository):
    """The sign-ons under way, for every instance: a state is taken at most once."""

    async def put(self, login: PendingSsoLogin, now: datetime) -> None:
        await self._session.execute(
            delete(SsoLogin)
            .where(SsoLogin.expires_at <= as_utc(now))
            .execution_options(synchronize_session=False)
        )
        self._session.add(
            SsoLogin(
                state=login.state,
                nonce=login.nonce,
                code_verifier=login.code_verifier,
                browser_hash=login.browser_hash,
                return_to=login.return_to[:512],
                expires_at=as_utc(login.expires_at),
            )
        )
        await self._session.flush()

    async def take(self, state: str) -> PendingSsoLogin | None:
        """The login of ``state``, deleted in the same statement: of two callbacks with
        one state (on any instances), one gets it."""
        if not state or len(state) > 128:
            return None
        statement = (
            delete(SsoLogin)
            .where(SsoLogin.state == state)
            .returning(
                SsoLogin.state,
                SsoLogin.nonce,
                SsoLogin.code_verifier,
                SsoLogin.browser_hash,
                SsoLogin.return_to,
                SsoLogin.expires_at,
            )
            .execution_options(synchronize_session=False)
        )
        found = (await self._session.execute(statement)).first()
        if found is None:
            return None
        return PendingSsoLogin(*found[:5], as_utc(found[5]))

    async def purge(self, now: datetime) -> int:
        result = await self._session.execute(
            delete(SsoLogin)
            .where(SsoLogin.expires_at <= as_utc(now))
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)
