"""Dashboard logins: staff accounts with a username and password hash, and their sessions.

Only hashes are stored: the password as an Argon2id hash (made by the shell), the session
token as its SHA-256, so a copy of the database logs nobody in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.exc import IntegrityError

from ._base import SessionRepository
from .models import Staff, StaffSession
from .records import StaffRecord
from .staff import staff_record, staff_records
from .types import Bound, as_utc, reveal


@dataclass(frozen=True)
class LoginAccount:
    staff: StaffRecord
    password_hash: str


@dataclass(frozen=True)
class SessionRecord:
    staff: StaffRecord
    csrf: str
    created_at: datetime
    last_seen_at: datetime


class LoginRepository(SessionRepository):
    by_mail = False  # set by the unit of work when mail is configured (``staff_records``)

    async def add_account(
        self, username: str, *, display_name: str, role: str, password_hash: str, now: datetime
    ) -> StaffRecord | None:
        """A new staff account that logs in to the dashboard; None when the username is
        taken. Runs in a savepoint, so a taken name leaves the transaction usable."""
        row = Staff(
            username=username,
            display_name=display_name,
            role=role,
            password_hash=password_hash,
            created_at=as_utc(now),
        )
        try:
            async with self._session.begin_nested():
                self._session.add(row)
                await self._session.flush()
        except IntegrityError:
            return None
        return staff_record(row)

    async def account(self, username: str) -> LoginAccount | None:
        query = select(Staff).where(Staff.username == username, Staff.password_hash.is_not(None))
        row = (
            await self._session.execute(query.execution_options(populate_existing=True))
        ).scalar_one_or_none()
        if row is None or row.password_hash is None:
            return None
        [record] = await staff_records(self._session, [row], by_mail=self.by_mail)
        return LoginAccount(record, row.password_hash)

    async def set_password(self, staff_id: int, password_hash: str) -> bool:
        result = await self._session.execute(
            update(Staff)
            .where(Staff.id == staff_id, Staff.username.is_not(None))
            .values(password_hash=password_hash)
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def open_session(
        self,
        token_hash: str,
        staff_id: int,
        csrf: str,
        now: datetime,
        *,
        id_token_hint: str | None = None,
    ) -> None:
        now = as_utc(now)
        self._session.add(
            StaffSession(
                token_hash=token_hash,
                staff_id=staff_id,
                csrf=csrf,
                created_at=now,
                last_seen_at=now,
                id_token_hint=Bound(id_token_hint, token_hash) if id_token_hint else None,
            )
        )
        await self._session.flush()

    async def id_token_hint(self, token_hash: str) -> str | None:
        """The ID token a signed-on session keeps for its logout (None: a password login)."""
        query = select(StaffSession.id_token_hint).where(StaffSession.token_hash == token_hash)
        value = (await self._session.execute(query)).scalar_one_or_none()
        return reveal(value, token_hash)

    async def session(self, token_hash: str) -> SessionRecord | None:
        query = (
            select(StaffSession, Staff)
            .join(Staff, Staff.id == StaffSession.staff_id)
            .where(StaffSession.token_hash == token_hash)
            .execution_options(populate_existing=True)
        )
        found = (await self._session.execute(query)).first()
        if found is None:
            return None
        session, staff = found
        [record] = await staff_records(self._session, [staff], by_mail=self.by_mail)
        return SessionRecord(record, session.csrf, session.created_at, session.last_seen_at)

    async def touch(self, token_hash: str, now: datetime) -> None:
        await self._session.execute(
            update(StaffSession)
            .where(StaffSession.token_hash == token_hash)
            .values(last_seen_at=as_utc(now))
            .execution_options(synchronize_session=False)
        )

    async def close_session(self, token_hash: str) -> None:
        await self._session.execute(
            delete(StaffSession)
            .where(StaffSession.token_hash == token_hash)
            .execution_options(synchronize_session=False)
        )

    async def close_sessions_of(self, staff_id: int) -> int:
        """Log a staff member out everywhere (a new password, a revoked account)."""
        result = await self._session.execute(
            delete(StaffSession)
            .where(StaffSession.staff_id == staff_id)
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount

    async def close_idle(self, *, seen_before: datetime, created_before: datetime) -> int:
        """Delete sessions idle since ``seen_before`` or older than ``created_before``."""
        result = await self._session.execute(
            delete(StaffSession)
            .where(
                (StaffSession.last_seen_at < as_utc(seen_before))
                | (StaffSession.created_at < as_utc(created_before))
            )
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount
