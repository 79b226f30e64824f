"""Shared pieces of the repositories: the session holder and dialect-specific INSERTs."""

from __future__ import annotations

from typing import Any, TypeAlias

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


class SessionRepository:
    """Base of all repositories: works in the unit of work's session and never commits."""

    def __init__(self, session: AsyncSession, dialect_name: str, keyring: Keyring) -> None:
        self._session = session
        self._dialect = dialect_name
        self._keys = keyring
