"""Shared pieces of the repositories: the session holder and dialect-specific INSERTs."""

from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy import CursorResult, Delete, Update, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from .crypto import Keyring

UpsertInsert: TypeAlias = postgresql.Insert | sqlite.Insert


def insert_for(dialect_name: str, table: Any) -> UpsertInsert:
    """Return an INSERT supporting ``on_conflict_do_nothing`` / ``on_conflict_do_update``."""
    if dialect_name == "postgresql":
        return postgresql.insert(table)
    if dialect_name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"unsupported database dialect: {dialect_name}")


# Keys of PostgreSQL advisory locks that serialise one kind of claim across instances.
OUTBOX_CLAIM_LOCK = 0x53500001
INBOX_CLAIM_LOCK = 0x53500002
VOICE_CLAIM_LOCK = 0x53500003


class SessionRepository:
    """Base of all repositories: works in the unit of work's session and never commits."""

    def __init__(self, session: AsyncSession, dialect_name: str, keyring: Keyring) -> None:
        self._session = session
        self._dialect = dialect_name
        self._keys = keyring

    async def _serialise(self, lock: int) -> None:
        """On PostgreSQL, wait for ``lock`` until the transaction ends: claims made under it
        run one after the other, each seeing the last one's leases (its next statement's
        snapshot is taken after the wait). SQLite has one writer at a time anyway."""
        if self._dialect == "postgresql":
            await self._session.execute(select(func.pg_advisory_xact_lock(lock)))

    async def _changed_rows(self, statement: Update | Delete) -> int:
        """Run an UPDATE or DELETE; how many rows it changed."""
        result = await self._session.execute(statement.execution_options(synchronize_session=False))
        assert isinstance(result, CursorResult)
        return int(result.rowcount)
