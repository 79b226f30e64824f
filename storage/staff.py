"""Staff accounts and their invite codes, partners, the access history, chat keyboards."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, delete, select, update

from ._base import SessionRepository, insert_for
from .models import AuditEntry, ChatKeyboard, Partner, Staff, StaffInvite
from .records import PartnerRecord, StaffRecord
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


def _partner(row: Partner) -> PartnerRecord:
    return PartnerRecord(row.id, row.code, row.name, row.role, row.area, row.postcode)


class PartnerRepository(SessionRepository):
    async def add(
        self,
        code: str,
        name: str,
        now: datetime,
        *,
        role: str | None = None,
        area: str | None = None,
        postcode: str | None = None,
    ) -> PartnerRecord:
        row = Partner(
            code=code, name=name, created_at=as_utc(now), role=role, area=area, postcode=postcode
        )
        self._session.add(row)
        await self._session.flush()
        return _partner(row)

    async def by_code(self, code: str) -> PartnerRecord | None:
        query = select(Partner).where(Partner.code == code)
        row = (await self._session.execute(query)).scalar_one_or_none()
        return _partner(row) if row is not None else None

    async def all(self) -> list[PartnerRecord]:
        rows = (await self._session.execute(select(Partner).order_by(Partner.name))).scalars()
        return [_partner(r) for r in rows.all()]


class AuditRepository(SessionRepository):
    async def record(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        outcome: str,
        signal_id: int | None = None,
    ) -> None:
        self._session.add(
            AuditEntry(
                at=as_utc(at), actor=actor, action=action, outcome=outcome, signal_id=signal_id
            )
        )
        await self._session.flush()

    async def of_signal(self, signal_id: int) -> list[tuple[datetime, str, str, str]]:
        """(at, actor, action, outcome) of one signal, oldest first: who looked at or
        acted on it."""
        query = select(AuditEntry).where(AuditEntry.signal_id == signal_id).order_by(AuditEntry.id)
        rows = (await self._session.execute(query)).scalars().all()
        return [(r.at, r.actor, r.action, r.outcome) for r in rows]

    async def entries(self, signal_id: int | None = None) -> list[tuple[str, str, str]]:
        """(actor, action, outcome) in order, for one signal or for all."""
        query = select(AuditEntry).order_by(AuditEntry.id)
        if signal_id is not None:
            query = query.where(AuditEntry.signal_id == signal_id)
        rows = (await self._session.execute(query)).scalars().all()
        return [(r.actor, r.action, r.outcome) for r in rows]


class KeyboardRepository(SessionRepository):
    def _chat_key(self, chat_id: str) -> str:
        return self._keys.index(f"chat:{chat_id}")

    async def get(self, channel: str, chat_id: str) -> str | None:
        query = select(ChatKeyboard.message_id).where(
            ChatKeyboard.channel == channel, ChatKeyboard.chat_key == self._chat_key(chat_id)
        )
        return (await self._session.execute(query)).scalar_one_or_none()

    async def set(self, channel: str, chat_id: str, message_id: str | None) -> None:
        if message_id is None:
            await self._session.execute(
                delete(ChatKeyboard)
                .where(
                    ChatKeyboard.channel == channel,
                    ChatKeyboard.chat_key == self._chat_key(chat_id),
                )
                .execution_options(synchronize_session=False)
            )
            return
        statement = insert_for(self._dialect, ChatKeyboard).values(
            channel=channel, chat_key=self._chat_key(chat_id), message_id=message_id
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=["channel", "chat_key"],
                set_={"message_id": statement.excluded.message_id},
            )
        )
