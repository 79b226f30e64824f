"""Storage layer: SQLAlchemy 2 async ORM on SQLite (aiosqlite) and PostgreSQL (asyncpg).

Holds the tables (``models``), one repository per concept (signals, the outbox, staff,
partners, the access history, erasure, the limits' counters, Telegram's records, the
monitoring queries, ...), the unit of work that puts them in one transaction (``uow``),
encrypted columns and key rotation, and the Alembic migrations. Repositories hand out plain
records (``records``), never ORM objects.

May import: ``core`` (the values it stores and the rules its queries apply), sqlalchemy,
alembic and cryptography. Never the shell (``bot``).
"""

from .database import create_schema, make_engine
from .records import (
    OutboxItem,
    PartnerRecord,
    ReporterRecord,
    SignalEventRecord,
    StaffRecord,
    StoredSignal,
)
from .signals import format_reference
from .types import UTCDateTime, as_utc
from .uow import Store, UnitOfWork

__all__ = [
    "OutboxItem",
    "PartnerRecord",
    "ReporterRecord",
    "SignalEventRecord",
    "StaffRecord",
    "Store",
    "StoredSignal",
    "UTCDateTime",
    "UnitOfWork",
    "as_utc",
    "create_schema",
    "format_reference",
    "make_engine",
]
