"""The loket's workplace: signals found by phone number or postcode, partners deactivated.

``search_keys`` holds a keyed hash (the index key, as for chat ids) of every phone number
and full postcode of a signal, so staff can search by them without anything being
decrypted; ``whose`` says which erasure takes the key with the value ("reporter": their
phone; "person": the person's phone numbers and postcode). ``partners.deactivated_at``
marks a partner that no longer takes part.

The keys of the signals already stored are made here from their encrypted values with the
running service's keys (``config.attributes["keyring"]``), as ``storage.signals`` makes
them for new ones; values already erased have none. A database without such values
migrates without keys.

Revision ID: 0008_workplace
Revises: 0007_staff_reach
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.lifecycle.search import search_values
from storage.crypto import Keyring, KeyringError

revision: str = "0008_workplace"
down_revision: str | Sequence[str] | None = "0007_staff_reach"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCHED = ("reporter_phone", "person_contact", "postcode")


def upgrade() -> None:
    op.create_table(
        "search_keys",
        sa.Column("signal_id", sa.Integer(), nullable=False),
        sa.Column("whose", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["signals.id"],
            name=op.f("fk_search_keys_signal_id_signals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("signal_id", "whose", "key", name=op.f("pk_search_keys")),
    )
    op.create_index("ix_search_keys_key", "search_keys", ["key"])
    op.add_column("partners", sa.Column("deactivated_at", sa.DateTime(timezone=True)))
    _keys_of_stored_signals()


def downgrade() -> None:
    with op.batch_alter_table("partners") as batch:
        batch.drop_column("deactivated_at")
    op.drop_index("ix_search_keys_key", table_name="search_keys")
    op.drop_table("search_keys")


def _keyring() -> Keyring:
    config = op.get_context().config
    keyring = None if config is None else config.attributes.get("keyring")
    if not isinstance(keyring, Keyring):
        raise KeyringError(
            "the signals' phone numbers and postcodes are made searchable with the "
            "encryption keys: run `signaalpunt db upgrade`, which reads them from the settings"
        )
    return keyring


def _keys_of_stored_signals() -> None:
    signals = sa.table(
        "signals",
        sa.column("id", sa.Integer()),
        sa.column("reference", sa.String()),
        *(sa.column(name, sa.Text()) for name in SEARCHED),
    )
    keys = sa.table(
        "search_keys",
        sa.column("signal_id", sa.Integer()),
        sa.column("whose", sa.String()),
        sa.column("key", sa.String()),
    )
    holding = sa.or_(*(signals.c[name].is_not(None) for name in SEARCHED))
    rows = op.get_bind().execute(sa.select(signals).where(holding)).all()
    if not rows:
        return
    keyring = _keyring()
    found = []
    for row in rows:

        def opened(name: str, row: sa.Row[object] = row) -> str | None:
            token = getattr(row, name)
            return keyring.open(token, f"signals.{name}", row.reference) if token else None

        values = search_values(*(opened(name) for name in SEARCHED))
        found += [
            {"signal_id": row.id, "whose": whose, "key": keyring.index(f"search:{value}")}
            for whose, value in values
        ]
    if found:
        op.bulk_insert(keys, found)
