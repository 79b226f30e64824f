"""Schema migrations (Alembic): the revisions in ``versions/``, applied by ``upgrade``.

``signaalpunt db upgrade`` and every start (``SIGNAALPUNT_MIGRATE_ON_START``) call
``upgrade``; the readiness check asks ``status``. The Alembic configuration is built here
rather than read from an ini file, so the service needs nothing beside this package;
``alembic.ini`` at the repository root is for developers writing a new revision.

Revisions read and write with plain SQL (``sa.table``/``sa.column``), never the ORM models:
a migration must do the same thing however the models change later.

May import: the rest of ``storage`` (the engine, the keyring, the tables to compare) and
alembic. Revisions import nothing of the project but what they froze.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from ..crypto import Keyring
from ..database import OutdatedSchema
from ..models import Base

MIGRATIONS = Path(__file__).resolve().parent
BASELINE = "0001_baseline"

# Every instance that starts migrates under this PostgreSQL advisory lock (an arbitrary
# fixed number, "SgnlPunt" in ASCII), so instances starting together migrate once.
LOCK_KEY = int.from_bytes(b"SgnlPunt", "big")

# The columns of every table as ``metadata.create_all`` made them before migrations existed
# (models of commit 2d6ab2c): an unversioned database with exactly these is at 0001_baseline.
# tests/integration/test_migrations_schema.py checks that the baseline revision creates them.
BASELINE_COLUMNS: dict[str, frozenset[str]] = {
    name: frozenset(columns.split())
    for name, columns in {
        "reporters": "id channel channel_user_id language created_at last_inbound_at",
        "conversations": "reporter_id state updated_at",
        "signals": "id reference kind status urgent language channel reporter_id partner "
        "assignee_id claimed_at status_at referred_to outcome submitted_at created_at danger "
        "role age_group awareness person_reach callback checkin reach contact_language "
        "observations help_wanted postcode area person_contact note reporter_name "
        "reporter_phone",
        "signal_events": "id signal_id at actor action detail note",
        "checkins": "key signal_id kind due_at claimed_at",
        "outbox": "id kind signal_id target payload delivered_ref status attempts "
        "next_attempt_at last_error created_at sent_at",
        "inbound_messages": "channel message_id processed_at",
        "inbox": "id channel message_id sender payload received_at",
        "reference_counters": "year last",
        "staff": "id telegram_user_id display_name role created_at revoked_at",
        "staff_invites": "id code_hash role created_at expires_at used_at used_by",
        "partners": "id code name created_at",
        "audit_log": "id at actor action signal_id outcome",
        "chat_keyboards": "channel chat_id message_id",
    }.items()
}


def make_config(connection: Connection | None = None, keyring: Keyring | None = None) -> Config:
    """Alembic's configuration for this package; ``env.py`` migrates on ``connection``,
    and the data migrations encrypt with ``keyring``."""
    config = Config()
    # Values go through configparser interpolation: a "%" in the path must be doubled.
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.attributes["connection"] = connection
    config.attributes["keyring"] = keyring
    return config


@cache  # the revisions are read once: they are part of the code, not of the database
def head() -> str:
    """The revision this version of the code needs."""
    found = ScriptDirectory.from_config(make_config()).get_current_head()
    if found is None:  # pragma: no cover - the package ships its revisions
        raise RuntimeError(f"no migrations found in {MIGRATIONS / 'versions'}")
    return found


async def upgrade(engine: AsyncEngine, keyring: Keyring) -> None:
    """Migrate the database to the head revision, encrypting older personal data with
    ``keyring``. Several instances may call this at once: one migrates, the others wait
    and then find nothing to do."""
    async with engine.connect() as connection:
        await connection.run_sync(_upgrade, keyring)


async def status(engine: AsyncEngine) -> tuple[str | None, str]:
    """(the database's revision, or None when it has none; the head revision)."""
    async with engine.connect() as connection:
        current = await connection.run_sync(_current)
    return current, head()


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection, keyring: Keyring) -> None:
    with exclusive(connection):
        config = make_config(connection, keyring)
        _refuse_unknown(connection, config)
        _adopt(connection, config)
        command.upgrade(config, "head")


def _refuse_unknown(connection: Connection, config: Config) -> None:
    """A revision we do not have was applied by a newer version (the code was rolled back
    after its migration): name it instead of failing inside Alembic."""
    current = _current(connection)
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    if current is not None and current not in known:
        raise OutdatedSchema(
            f"the database is at revision {current}, which this version does not know: a "
            "newer version of Signaalpunt migrated it; run that version (or restore the "
            "backup made before its upgrade)"
        )


@contextmanager
def exclusive(connection: Connection) -> Iterator[None]:
    """One transaction around a whole migration run, held by one process at a time.

    Everything happens in it (adopting, every revision, the version row), so a failure
    leaves the database as it was, and an instance that waited for the lock sees the
    finished result.
    """
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch operation copies a table, drops the original and renames the copy. With
        # foreign keys enforced, the drop runs the ON DELETE actions: dropping ``signals``
        # would delete every event and outbox row, dropping ``reporters`` every draft.
        # SQLite ignores this pragma inside a transaction, so it comes first;
        # ``foreign_key_check`` below proves the result.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        # The driver begins a transaction only before INSERT/UPDATE/DELETE, which would
        # leave the DDL outside it; IMMEDIATE also takes the write lock now, so a second
        # process waits here (busy_timeout) instead of migrating alongside.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        # A transaction-level lock: released by the commit or rollback, also when the
        # process dies, so it can never be left behind.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    try:
        yield
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise OutdatedSchema(
                    f"migrating would break {len(broken)} foreign key reference(s), "
                    f"first in table {broken[0][0]}; nothing was changed"
                )
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def _adopt(connection: Connection, config: Config) -> None:
    """Give a database made by ``create_all`` (before migrations existed, or by the test
    fixtures' ``create_schema``) the revision its columns are at."""
    inspector = inspect(connection)
    tables = set(inspector.get_table_names())
    if "alembic_version" in tables:
        return
    ours = tables & (set(BASELINE_COLUMNS) | set(Base.metadata.tables))
    if not ours:
        return  # an empty database: the revisions create everything
    present = {name: frozenset(c["name"] for c in inspector.get_columns(name)) for name in ours}
    current = {name: frozenset(t.columns.keys()) for name, t in Base.metadata.tables.items()}
    if present == BASELINE_COLUMNS:
        command.stamp(config, BASELINE)
    elif present == current:
        command.stamp(config, "head")
    else:
        raise OutdatedSchema(
            "the database has Signaalpunt tables but no migration history, and they match "
            f"no known version ({_closest(present, BASELINE_COLUMNS, current)}); restore "
            "the backup it was made from, or start with a new database"
        )


def _closest(present: dict[str, frozenset[str]], *candidates: dict[str, frozenset[str]]) -> str:
    """What differs from the nearest candidate schema, for the error message."""

    def differences(candidate: dict[str, frozenset[str]]) -> dict[str, list[str]]:
        found = {
            "missing tables": sorted(set(candidate) - set(present)),
            "unexpected tables": sorted(set(present) - set(candidate)),
            "missing columns": [],
            "unexpected columns": [],
        }
        for table in sorted(set(candidate) & set(present)):
            found["missing columns"] += [f"{table}.{c}" for c in candidate[table] - present[table]]
            found["unexpected columns"] += [
                f"{table}.{c}" for c in present[table] - candidate[table]
            ]
        return found

    nearest = min(
        (differences(c) for c in candidates), key=lambda d: sum(len(v) for v in d.values())
    )
    return "; ".join(
        f"{label}: " + ", ".join(sorted(names)[:5]) + (", ..." if len(names) > 5 else "")
        for label, names in nearest.items()
        if names
    )
