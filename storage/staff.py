"""Staff accounts and their invite codes. A staff member is a person with a role; the ways
to reach them are their channels' records (``storage.telegram`` holds their Telegram
accounts), of which a record only says which there are (``StaffRecord.reach``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.lifecycle.parties import EMAIL, TELEGRAM, WEB_LOGIN

from ._base import SessionRepository
from .models import Staff, StaffEmailAccount, StaffInvite, StaffSsoAccount, StaffTelegramAccount
from .records import StaffRecord
from .types import as_utc


class AccountBook(Protocol):
    """A channel's record of which of its accounts is which staff member (``account``: the
    channel's own id of the account, as text). Telegram's is
    ``storage.telegram.TelegramAccountRepository``; issue 21 adds sign-on and e-mail."""

    async def staff_of(self, account: str) -> int | None: ...

    async def link(self, account: str, staff_id: int, now: datetime) -> None: ...


def staff_record(row: Staff, reach: frozenset[str] = frozenset()) -> StaffRecord:
    return StaffRecord(
        id=row.id,
        display_name=row.display_name,
        role=row.role,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        username=row.username,
        reach=reach | ({WEB_LOGIN} if row.username else set()),
    )


async def staff_records(
    session: AsyncSession, rows: Sequence[Staff], *, by_mail: bool = False
) -> list[StaffRecord]:
    """Records with the ways to reach them: one query for the lot. An address reaches
    them only ``by_mail`` (mail is configured): else nothing would deliver it, and their
    messages must fall back to the group as before."""
    if not rows:
        return []
    query = select(StaffTelegramAccount.staff_id).where(
        StaffTelegramAccount.staff_id.in_([row.id for row in rows])
    )
    on_telegram = set((await session.execute(query)).scalars())
    ids = [row.id for row in rows]
    chose_mail = select(StaffEmailAccount.staff_id).where(StaffEmailAccount.staff_id.in_(ids))
    on_mail = set((await session.execute(chose_mail)).scalars()) if by_mail else set()
    signed_on = set(
        (
            await session.execute(
                select(StaffSsoAccount.staff_id).where(StaffSsoAccount.staff_id.in_(ids))
            )
        ).scalars()
    )
    return [
        staff_record(
            row,
            (frozenset({TELEGRAM}) if row.id in on_telegram else frozenset())
            | (frozenset({EMAIL}) if row.id in on_mail else frozenset())
            | (frozenset({WEB_LOGIN}) if row.id in signed_on else frozenset()),
        )
        for row in rows
    ]


class StaffRepository(SessionRepository):
    by_mail = False  # set by the unit of work when mail is configured

    async def _records(self, rows: Sequence[Staff]) -> list[StaffRecord]:
        return await staff_records(self._session, rows, by_mail=self.by_mail)

    async def add_invite(
        self, code_hash: str, role: str, *, now: datetime, expires_at: datetime
    ) -> None:
        self._session.add(
            StaffInvite(
                code_hash=code_hash,
                role=role,
                created_at=as_utc(now),
                expires_at=as_utc(expires_at),
            )
        )
        await self._session.flush()

    async def redeem(
        self, code_hash: str, *, staff_id: int | None, display_name: str, now: datetime
    ) -> StaffRecord | None:
        """Use an invite once: a new staff member with the invite's role, or (``staff_id``,
        someone re-linking the account they had) that staff member with it, active again.
        The caller links the account the code was sent from.

        The conditional UPDATE makes the code single-use even when two people race for it.
        """
        now = as_utc(now)
        invite = (
            await self._session.execute(
                select(StaffInvite).where(StaffInvite.code_hash == code_hash)
            )
        ).scalar_one_or_none()
        if invite is None or invite.used_at is not None or as_utc(invite.expires_at) <= now:
            return None
        taken = await self._session.execute(
            update(StaffInvite)
            .where(StaffInvite.id == invite.id, StaffInvite.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        assert isinstance(taken, CursorResult)
        if taken.rowcount != 1:
            return None
        row = await self._session.get(Staff, staff_id) if staff_id is not None else None
        if row is None:
            row = Staff(display_name=display_name, role=invite.role, created_at=now)
            self._session.add(row)
        else:
            row.display_name, row.role, row.revoked_at = display_name, invite.role, None
        await self._session.flush()
        await self._session.execute(
            update(StaffInvite)
            .where(StaffInvite.id == invite.id)
            .values(used_by=row.id)
            .execution_options(synchronize_session=False)
        )
        return staff_record(row)

    async def get(self, staff_id: int) -> StaffRecord | None:
        row = await self._session.get(Staff, staff_id, populate_existing=True)
        return (await self._records([row]))[0] if row is not None else None

    async def all(self) -> list[StaffRecord]:
        rows = (await self._session.execute(select(Staff).order_by(Staff.id))).scalars().all()
        return await self._records(rows)

    async def active_with_role(self, role: str) -> list[StaffRecord]:
        query = select(Staff).where(Staff.role == role, Staff.revoked_at.is_(None))
        rows = (await self._session.execute(query.order_by(Staff.id))).scalars().all()
        return await self._records(rows)

    async def revoke(self, staff_id: int, now: datetime) -> bool:
        result = await self._session.execute(
            update(Staff)
            .where(Staff.id == staff_id, Staff.revoked_at.is_(None))
            .values(revoked_at=as_utc(now))
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1
