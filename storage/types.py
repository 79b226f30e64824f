"""Column types shared by every table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeAlias

from sqlalchemy import DateTime, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from .crypto import Keyring, KeyringError


def as_utc(value: datetime) -> datetime:
    """Convert an aware datetime to UTC; refuse a naive one with ValueError."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime refused: {value!r}; pass an aware datetime")
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp that is always UTC in Python.

    Naive datetimes are refused when bound. SQLite drops the offset, so a naive value
    read back is taken to be UTC (we only ever store UTC).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UTCDateTime needs a datetime, got {type(value).__name__}")
        utc = as_utc(value)
        if dialect.name == "sqlite":
            # Stored without offset; read back as UTC by process_result_value.
            return utc.replace(tzinfo=None)
        return utc

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            value = datetime.fromisoformat(str(value))
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


@dataclass(frozen=True)
class Bound:
    """Personal text to store, and the key of the row it belongs to (see ``EncryptedText``)."""

    text: str
    row: str


@dataclass(frozen=True)
class Sealed:
    """An encrypted value as read from the database; ``open`` it with its row's key."""

    token: str
    context: str
    keyring: Keyring | None

    def open(self, row: str) -> str:
        if self.keyring is None:
            raise KeyringError("this database engine has no keyring attached")
        return self.keyring.open(self.token, self.context, row)


Secret: TypeAlias = Bound | Sealed


@dataclass(frozen=True)
class BoundBytes:
    """Personal bytes to store (a voice note's audio), and the key of their row."""

    data: bytes
    row: str


@dataclass(frozen=True)
class SealedBytes:
    """Encrypted bytes as read from the database; ``open`` them with their row's key."""

    token: str
    context: str
    keyring: Keyring | None

    def open(self, row: str) -> bytes:
        if self.keyring is None:
            raise KeyringError("this database engine has no keyring attached")
        return self.keyring.open_bytes(self.token, self.context, row)


SecretBytes: TypeAlias = BoundBytes | SealedBytes

_KEYRING_ATTRIBUTE = "signaalpunt_keyring"


def attach_keyring(dialect: Dialect, keyring: Keyring) -> None:
    """Give every ``EncryptedText`` column of an engine its keys. The keyring lives on the
    engine's dialect (the only object a column type is handed), not in a global: two
    engines with different keys can live in one process."""
    setattr(dialect, _KEYRING_ATTRIBUTE, keyring)


def keyring_of(dialect: Dialect) -> Keyring | None:
    found = getattr(dialect, _KEYRING_ATTRIBUTE, None)
    return found if isinstance(found, Keyring) else None


def _sealing_keyring(dialect: Dialect) -> Keyring:
    keyring = keyring_of(dialect)
    if keyring is None:
        raise KeyringError("this database engine has no keyring attached")
    return keyring


class EncryptedText(TypeDecorator[Secret]):
    """Personal text, stored as an AES-GCM token bound to ``context`` and the row.

    Bind a ``Bound(text, row_key)``; a read gives a ``Sealed`` that opens only with the same
    row key, so a token moved to another row or column is refused, not shown.
    """

    impl = Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: Secret | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, Sealed):  # unchanged, e.g. an ORM object flushed again
            return value.token
        if not isinstance(value, Bound):
            raise TypeError(f"{self.context}: store personal text as Bound(text, row)")
        return _sealing_keyring(dialect).seal(value.text, self.context, value.row)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> Secret | None:
        if value is None:
            return None
        return Sealed(str(value), self.context, keyring_of(dialect))


class EncryptedBytes(TypeDecorator[SecretBytes]):
    """``EncryptedText`` for bytes: the same AES-GCM token (so key rotation and the key
    checks treat both alike), bound to ``context`` and the row."""

    impl = Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: SecretBytes | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, SealedBytes):
            return value.token
        if not isinstance(value, BoundBytes):
            raise TypeError(f"{self.context}: store personal bytes as BoundBytes(data, row)")
        return _sealing_keyring(dialect).seal_bytes(value.data, self.context, value.row)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> SecretBytes | None:
        if value is None:
            return None
        return SealedBytes(str(value), self.context, keyring_of(dialect))


def reveal(value: Secret | None, row: str) -> str | None:
    """The plaintext of an encrypted column value (None stays None)."""
    if value is None:
        return None
    if isinstance(value, Bound):
        if value.row != row:
            raise KeyringError("a value was bound to another row")
        return value.text
    return value.open(row)


def bound(text: str | None, row: str) -> Bound | None:
    return None if text is None else Bound(text, row)
