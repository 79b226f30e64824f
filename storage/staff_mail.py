"""What the mail channel keeps: the work address each staff member chose to be notified
at (``staff_email_accounts``), encrypted at rest and found by its keyed hash. The only
place with staff e-mail addresses; everything else names a staff member by staff id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from ._base import SessionRepository
from .models import StaffEmailAccount
from .types import Bound, as_utc, reveal


def row_key(staff_id: int) -> str:
    return f"staff:{staff_id}"


class EmailAccountRepository(SessionRepository):
    """Which address is which staff member's (an account book, ``storage.staff.AccountBook``:
    the account is the address)."""

    def _key(self, address: str) -> str:
        # Addresses compare without regard to case: one mailbox is one staff member's.
        return self._keys.index(f"staff-mail:{address.strip().lower()}")

    async def staff_of(self, account: str) -> int | None:
        """The staff member whose address this is."""
        query = select(StaffEmailAccount.staff_id).where(
            StaffEmailAccount.address_key == self._key(account)
        )
        return (await self._session.execute(query)).scalar_one_or_none()

    async def address_of(self, staff_id: int) -> str | None:
        """The address the staff member chose, opened; None when they chose none."""
        row = await self._session.get(StaffEmailAccount, staff_id, populate_existing=True)
        return reveal(row.address, row_key(staff_id)) if row is not None else None

    async def link(self, account: str, staff_id: int, now: datetime) -> None:
        """This address is now the staff member's (replacing the one they had). The caller
        checked that no other staff member has it (``staff_of``)."""
        address = account.strip()
        await self.remove(staff_id)
        self._session.add(
            StaffEmailAccount(
                staff_id=staff_id,
                address_key=self._key(address),
                address=Bound(address, row_key(staff_id)),
                linked_at=as_utc(now),
            )
        )
        await self._session.flush()

    async def remove(self, staff_id: int) -> bool:
        """The staff member no longer wants mail; True when they had an address."""
        changed = await self._changed_rows(
            delete(StaffEmailAccount).where(StaffEmailAccount.staff_id == staff_id)
        )
        return changed > 0
