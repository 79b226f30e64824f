"""Staff accounts and their invite codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, select, update

from ._base import SessionRepository
from .models import Staff, StaffInvite
from .records import StaffRecord
from .types import as_utc


def staff_record(row: Staff) -> StaffRecord:
    return StaffRecord(
        id=row.id,
        display_name=row.display_name,
        role=row.role,
        telegram_user_id=row.telegram_user_id,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        username=row.username,
    )


class StaffRepository(SessionRepository):
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
        self, code_hash: str, *, telegram_user_id: int, display_name: str, now: datetime
    ) -> StaffRecord | None:
        """Use an invite once: link (or re-link) this Telegram user with the invite's role.

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
        row = (
            await self._session.execute(
                select(Staff).where(Staff.telegram_user_id == telegram_user_id)
            )
        ).scalar_one_or_none()
        if row is None:
            row = Staff(
                telegram_user_id=telegram_user_id,
                display_name=display_name,
                role=invite.role,
                created_at=now,
            )
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

    async def by_telegram_user(self, telegram_user_id: int) -> StaffRecord | None:
        query = select(Staff).where(Staff.telegram_user_id == telegram_user_id)
        row = (
            await self._session.execute(query.execution_options(populate_existing=True))
        ).scalar_one_or_none()
        return staff_record(row) if row is not None else None

    async def get(self, staff_id: int) -> StaffRecord | None:
        row = await self._session.get(Staff, staff_id, populate_existing=True)
        return staff_record(row) if row is not None else None

    async def all(self) -> list[StaffRecord]:
        rows = (await self._session.execute(select(Staff).order_by(Staff.id))).scalars().all()
        return [staff_record(row) for row in rows]

    async def active_with_role(self, role: str) -> list[StaffRecord]:
        query = select(Staff).where(Staff.role == role, Staff.revoked_at.is_(None))
        rows = (await self._session.execute(query.order_by(Staff.id))).scalars().all()
        return [staff_record(row) for row in rows]

    async def revoke(self, staff_id: int, now: datetime) -> bool:
        result = await self._session.execute(
            update(Staff)
            .where(Staff.id == staff_id, Staff.revoked_at.is_(None))
            .values(revoked_at=as_utc(now))
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1
