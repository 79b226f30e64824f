"""Storage layer: SQLAlchemy 2 async ORM on SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

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
