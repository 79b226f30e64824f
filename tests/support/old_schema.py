"""The schema of the last version before migrations, frozen, for the migration tests
(tests/integration/test_migrations_*.py): the deployments to upgrade have exactly these
tables, with personal data in the clear."""

from __future__ import annotations

import sqlalchemy as sa

from storage.models import NAMING_CONVENTION
from storage.types import UTCDateTime

# The schema as the last version before migrations made it with ``create_all`` (the models
# of commit 2d6ab2c), frozen here: it is what every existing deployment has.
OLD_CODES = (
    "danger",
    "role",
    "age_group",
    "awareness",
    "person_reach",
    "callback",
    "checkin",
    "reach",
    "contact_language",
)
OLD = sa.MetaData(naming_convention=NAMING_CONVENTION)
sa.Table(
    "reporters",
    OLD,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("channel_user_id", sa.String(128), nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("last_inbound_at", UTCDateTime(), nullable=True),
    sa.UniqueConstraint("channel", "channel_user_id"),
)
sa.Table(
    "conversations",
    OLD,
    sa.Column("reporter_id", sa.ForeignKey("reporters.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("state", sa.JSON, nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)
sa.Table(
    "signals",
    OLD,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("reference", sa.String(20), nullable=False, unique=True),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("urgent", sa.Boolean, nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("reporter_id", sa.ForeignKey("reporters.id", ondelete="SET NULL"), nullable=True),
    sa.Column("partner", sa.String(64)),
    sa.Column("assignee_id", sa.ForeignKey("staff.id", ondelete="SET NULL"), nullable=True),
    sa.Column("claimed_at", UTCDateTime(), nullable=True),
    sa.Column("status_at", UTCDateTime(), nullable=False),
    sa.Column("referred_to", sa.String(32)),
    sa.Column("outcome", sa.String(32)),
    sa.Column("submitted_at", UTCDateTime(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    *(sa.Column(name, sa.String(32)) for name in OLD_CODES),
    sa.Column("observations", sa.JSON, nullable=False),
    sa.Column("help_wanted", sa.JSON, nullable=False),
    sa.Column("postcode", sa.String(8)),
    sa.Column("area", sa.String(64)),
    sa.Column("person_contact", sa.Text),
    sa.Column("note", sa.Text),
    sa.Column("reporter_name", sa.Text),
    sa.Column("reporter_phone", sa.Text),
    sa.Index("ix_signals_status", "status"),
    sa.Index("ix_signals_created_at", "created_at"),
    sa.Index("ix_signals_area", "area"),
)
sa.Table(
    "signal_events",
    OLD,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("signal_id", sa.ForeignKey("signals.id", ondelete="CASCADE"), nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("detail", sa.String(32)),
    sa.Column("note", sa.Text),
    sa.Index("ix_signal_events_signal_id", "signal_id"),
)
sa.Table(
    "checkins",
    OLD,
    sa.Column("key", sa.String(96), primary_key=True),
    sa.Column("signal_id", sa.ForeignKey("signals.id", ondelete="CASCADE"), nullable=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("due_at", UTCDateTime(), nullable=False),
    sa.Column("claimed_at", UTCDateTime(), nullable=False),
    sa.Index("ix_checkins_signal_id", "signal_id"),
)
sa.Table(
    "outbox",
    OLD,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("signal_id", sa.ForeignKey("signals.id", ondelete="CASCADE"), nullable=True),
    sa.Column("target", sa.String(32), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("delivered_ref", sa.String(64)),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("sent_at", UTCDateTime()),
    sa.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    sa.Index("ix_outbox_delivered_ref", "delivered_ref"),
)
sa.Table(
    "inbound_messages",
    OLD,
    sa.Column("channel", sa.String(20), primary_key=True),
    sa.Column("message_id", sa.String(128), primary_key=True),
    sa.Column("processed_at", UTCDateTime(), nullable=False),
)
sa.Table(
    "inbox",
    OLD,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("message_id", sa.String(128), nullable=False),
    sa.Column("sender", sa.String(128), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("received_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("channel", "message_id"),
)
sa.Table(
    "reference_counters",
    OLD,
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last", sa.Integer, nullable=False),
)
sa.Table(
    "staff",
    OLD,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("telegram_user_id", sa.BigInteger, unique=True),
    sa.Column("display_name", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
)
sa.Table(
    "staff_invites",
    OLD,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),
    sa.Column("used_at", UTCDateTime(), nullable=True),
    sa.Column("used_by", sa.ForeignKey("staff.id", ondelete="SET NULL"), nullable=True),
)
sa.Table(
    "partners",
    OLD,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(32), nullable=False, unique=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)
sa.Table(
    "audit_log",
    OLD,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("signal_id", sa.ForeignKey("signals.id", ondelete="SET NULL"), nullable=True),
    sa.Column("outcome", sa.String(32), nullable=False),
    sa.Index("ix_audit_log_signal_id", "signal_id"),
)
sa.Table(
    "chat_keyboards",
    OLD,
    sa.Column("channel", sa.String(20), primary_key=True),
    sa.Column("chat_id", sa.String(64), primary_key=True),
    sa.Column("message_id", sa.String(64), nullable=False),
)
