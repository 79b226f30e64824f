"""Privacy: personal data encrypted, ids hashed, limits, retention, leases, audit triggers.

Personal fields are encrypted, chat and message ids kept as keyed hashes; the tables of the
limits and the retention job are added, leases for the outbox and the inbox, and triggers
that make the access history append-only.

Besides the schema this migrates the data: what older versions stored in the clear is
encrypted with the running service's keys (``config.attributes["keyring"]``) exactly as
the repositories store it today: each value sealed for its column (``table.column``) and
its row's key, each id hashed with the prefix the code looks it up by. A database with
nothing to encrypt (a new one) migrates without keys.

Revision ID: 0002_privacy
Revises: 0001_baseline
Create Date: 2026-12-01
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from storage.crypto import Keyring, KeyringError

revision: str = "0002_privacy"
down_revision: str | Sequence[str] | None = "0001_baseline"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# UTCDateTime as it is stored.
TIMESTAMP = sa.DateTime(timezone=True)
# Outbox rows to the loket group keep where they landed as it is: their cards are edited.
LOKET_TARGET = "loket"
SIGNAL_PERSONAL = ("postcode", "person_contact", "note", "reporter_name", "reporter_phone")

# One row to rewrite: the values that find it, and its new values.
Change = tuple[dict[str, Any], dict[str, Any]]


def upgrade() -> None:
    _new_tables()
    _reporters()
    _conversations()
    _signals()
    _signal_events()
    _outbox()
    _inbound_messages()
    _inbox()
    _chat_keyboards()
    _append_only_audit_log()


def downgrade() -> None:
    # Going back would write every personal field out in the clear again.
    raise NotImplementedError(
        "0002_privacy is not reversible: restore the backup made before upgrading"
    )


def _keyring() -> Keyring:
    config = op.get_context().config
    keyring = None if config is None else config.attributes.get("keyring")
    if not isinstance(keyring, Keyring):
        raise KeyringError(
            "the database holds personal data from before encryption, and migrating it "
            "needs the encryption keys: run `signaalpunt db upgrade`, which reads them from "
            "the settings"
        )
    return keyring


def _rows(query: sa.Select[Any]) -> Sequence[sa.Row[Any]]:
    # Read at once, then rewritten: a municipality's data fits in memory many times over.
    return op.get_bind().execute(query).all()


def _rewrite(table: sa.TableClause, changes: list[Change]) -> None:
    """UPDATE every changed row (one executemany). The bind names are prefixed: a key
    column may also be a changed one (a hashed id)."""
    if not changes:
        return
    where, values = changes[0]
    statement = (
        sa.update(table)
        .where(*(table.c[name] == sa.bindparam(f"old_{name}") for name in where))
        .values({name: sa.bindparam(f"new_{name}") for name in values})
    )
    op.get_bind().execute(
        statement,
        [
            {
                **{f"old_{name}": value for name, value in old.items()},
                **{f"new_{name}": value for name, value in new.items()},
            }
            for old, new in changes
        ],
    )


def _json_text(stored: str) -> str:
    """A JSON value as the repositories write it now (non-ASCII kept as it is)."""
    return json.dumps(json.loads(stored), ensure_ascii=False)


def _new_tables() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporter_key", sa.String(length=64), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
    )
    op.create_index("ix_submissions_reporter_key_at", "submissions", ["reporter_key", "at"])
    op.create_table(
        "access_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_attempts")),
    )
    op.create_index(
        "ix_access_attempts_kind_subject_at", "access_attempts", ["kind", "subject", "at"]
    )
    op.create_table(
        "retention_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_runs")),
    )


def _reporters() -> None:
    """The chat id (a phone number on WhatsApp) encrypted; found by its keyed hash, which
    replaces it in the unique constraint and is the token's row key."""
    with op.batch_alter_table("reporters") as batch:
        batch.add_column(sa.Column("user_key", sa.String(length=64), nullable=True))
        batch.alter_column(
            "channel_user_id",
            existing_type=sa.String(length=128),
            type_=sa.Text(),
            existing_nullable=False,
        )
    reporters = sa.table(
        "reporters",
        sa.column("id", sa.Integer()),
        sa.column("channel", sa.String()),
        sa.column("channel_user_id", sa.Text()),
        sa.column("user_key", sa.String()),
    )
    changes: list[Change] = []
    for row in _rows(sa.select(reporters.c.id, reporters.c.channel, reporters.c.channel_user_id)):
        keys = _keyring()
        key = keys.index(f"reporter:{row.channel}:{row.channel_user_id}")
        token = keys.seal(row.channel_user_id, "reporters.channel_user_id", key)
        changes.append(({"id": row.id}, {"user_key": key, "channel_user_id": token}))
    _rewrite(reporters, changes)
    with op.batch_alter_table("reporters") as batch:
        batch.alter_column("user_key", existing_type=sa.String(length=64), nullable=False)
        # The same name (the naming convention names it after the first column).
        batch.drop_constraint("uq_reporters_channel", type_="unique")
        batch.create_unique_constraint("uq_reporters_channel", ["channel", "user_key"])


def _conversations() -> None:
    """The draft (JSON) encrypted, bound to the reporter id."""
    with op.batch_alter_table("conversations") as batch:
        batch.alter_column(
            "state",
            existing_type=sa.JSON(),
            type_=sa.Text(),
            existing_nullable=False,
            postgresql_using="state::text",
        )
    conversations = sa.table(
        "conversations", sa.column("reporter_id", sa.Integer()), sa.column("state", sa.Text())
    )
    changes: list[Change] = []
    for row in _rows(sa.select(conversations)):
        token = _keyring().seal(_json_text(row.state), "conversations.state", str(row.reporter_id))
        changes.append(({"reporter_id": row.reporter_id}, {"state": token}))
    _rewrite(conversations, changes)


def _signals() -> None:
    """The personal fields encrypted, bound to the reference; the postcode's four digits
    kept apart for the figures; when erasures happened."""
    with op.batch_alter_table("signals") as batch:
        batch.add_column(sa.Column("postcode4", sa.String(length=4), nullable=True))
        batch.add_column(sa.Column("person_erased_at", TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("reporter_erased_at", TIMESTAMP, nullable=True))
        batch.alter_column(
            "postcode",
            existing_type=sa.String(length=8),
            type_=sa.Text(),
            existing_nullable=True,
        )
    signals = sa.table(
        "signals",
        sa.column("id", sa.Integer()),
        sa.column("reference", sa.String()),
        sa.column("postcode4", sa.String()),
        *(sa.column(name, sa.Text()) for name in SIGNAL_PERSONAL),
    )
    changes: list[Change] = []
    query = sa.select(signals.c.id, signals.c.reference, *(signals.c[n] for n in SIGNAL_PERSONAL))
    for row in _rows(query):
        personal: dict[str, str | None] = {name: row._mapping[name] for name in SIGNAL_PERSONAL}
        if all(value is None for value in personal.values()):
            continue
        keys = _keyring()
        new: dict[str, Any] = {
            name: None if value is None else keys.seal(value, f"signals.{name}", row.reference)
            for name, value in personal.items()
        }
        postcode = personal["postcode"]
        new["postcode4"] = postcode[:4] if postcode else None
        changes.append(({"id": row.id}, new))
    _rewrite(signals, changes)


def _signal_events() -> None:
    """A relayed question or answer encrypted, bound to the event id."""
    events = sa.table("signal_events", sa.column("id", sa.Integer()), sa.column("note", sa.Text()))
    changes: list[Change] = []
    for row in _rows(sa.select(events).where(events.c.note.is_not(None))):
        token = _keyring().seal(row.note, "signal_events.note", str(row.id))
        changes.append(({"id": row.id}, {"note": token}))
    _rewrite(events, changes)


def _outbox() -> None:
    """A lease column; where a message to anyone but the loket group landed (it names
    their chat) kept as a keyed hash."""
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("leased_until", TIMESTAMP, nullable=True))
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.Integer()),
        sa.column("target", sa.String()),
        sa.column("delivered_ref", sa.String()),
    )
    query = sa.select(outbox.c.id, outbox.c.delivered_ref).where(
        outbox.c.delivered_ref.is_not(None), outbox.c.target != LOKET_TARGET
    )
    changes: list[Change] = [
        ({"id": row.id}, {"delivered_ref": _keyring().index(f"landed:{row.delivered_ref}")})
        for row in _rows(query)
    ]
    _rewrite(outbox, changes)


def _inbound_messages() -> None:
    """Processed message ids as keyed hashes (a WhatsApp message id encodes the number)."""
    inbound = sa.table(
        "inbound_messages", sa.column("channel", sa.String()), sa.column("message_id", sa.String())
    )
    changes: list[Change] = [
        (
            {"channel": row.channel, "message_id": row.message_id},
            {"message_id": _keyring().index(f"message:{row.channel}:{row.message_id}")},
        )
        for row in _rows(sa.select(inbound))
    ]
    _rewrite(inbound, changes)


def _inbox() -> None:
    """Waiting messages: the id hashed, sender and payload encrypted (bound to channel and
    hashed id), the sender's keyed hash (one sender's messages in order) and a lease."""
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("sender_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("leased_until", TIMESTAMP, nullable=True))
        batch.alter_column(
            "sender",
            existing_type=sa.String(length=128),
            type_=sa.Text(),
            existing_nullable=False,
        )
        batch.alter_column(
            "payload",
            existing_type=sa.JSON(),
            type_=sa.Text(),
            existing_nullable=False,
            postgresql_using="payload::text",
        )
    inbox = sa.table(
        "inbox",
        sa.column("id", sa.Integer()),
        sa.column("channel", sa.String()),
        sa.column("message_id", sa.String()),
        sa.column("sender_key", sa.String()),
        sa.column("sender", sa.Text()),
        sa.column("payload", sa.Text()),
    )
    changes: list[Change] = []
    query = sa.select(
        inbox.c.id, inbox.c.channel, inbox.c.message_id, inbox.c.sender, inbox.c.payload
    )
    for row in _rows(query):
        keys = _keyring()
        key = keys.index(f"message:{row.channel}:{row.message_id}")
        bound_to = f"{row.channel}:{key}"
        new = {
            "message_id": key,
            "sender_key": keys.index(f"sender:{row.channel}:{row.sender}"),
            "sender": keys.seal(row.sender, "inbox.sender", bound_to),
            "payload": keys.seal(_json_text(row.payload), "inbox.payload", bound_to),
        }
        changes.append(({"id": row.id}, new))
    _rewrite(inbox, changes)
    with op.batch_alter_table("inbox") as batch:
        batch.alter_column("sender_key", existing_type=sa.String(length=64), nullable=False)
    op.create_index("ix_inbox_sender_key", "inbox", ["sender_key"])


def _chat_keyboards() -> None:
    """The chat id as a keyed hash (the chat is known whenever the row is needed)."""
    with op.batch_alter_table("chat_keyboards") as batch:
        batch.alter_column(
            "chat_id",
            new_column_name="chat_key",
            existing_type=sa.String(length=64),
            existing_nullable=False,
        )
    keyboards = sa.table(
        "chat_keyboards", sa.column("channel", sa.String()), sa.column("chat_key", sa.String())
    )
    changes: list[Change] = [
        (
            {"channel": row.channel, "chat_key": row.chat_key},
            {"chat_key": _keyring().index(f"chat:{row.chat_key}")},
        )
        for row in _rows(sa.select(keyboards))
    ]
    _rewrite(keyboards, changes)


def _append_only_audit_log() -> None:
    """UPDATE and DELETE on audit_log fail, whoever sends them. The same DDL as the
    models' (``create_all``, used by the tests), copied: a revision never changes. A later
    batch operation on audit_log rebuilds the table on SQLite and drops these triggers:
    such a revision must create them again."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'audit_log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
            "ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )
