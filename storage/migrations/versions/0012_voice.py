"""Voice: the voice notes reporters send (issue 23).

``voice_notes`` holds each note's audio and automatic transcript, encrypted like the other
personal fields and bound to the signal (or, before the report is sent, to the reporter:
``storage.models.voice_row_key``), with what the transcript's durable work needs (status,
attempts, a lease). A new table only: nothing to fill in.

Revision ID: 0012_voice
Revises: 0008_workplace
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_voice"
down_revision: str | Sequence[str] | None = "0011_reporter_mail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# UTCDateTime as it is stored.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "voice_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signal_id", sa.Integer(), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("step", sa.String(length=32), nullable=True),
        sa.Column("mime_type", sa.String(length=32), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.Column("audio", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("transcript_status", sa.String(length=10), nullable=False),
        sa.Column("transcript", sa.Text(), nullable=True),
        sa.Column("transcript_detail", sa.String(length=32), nullable=True),
        sa.Column("transcript_attempts", sa.Integer(), nullable=False),
        sa.Column("transcript_model", sa.String(length=64), nullable=True),
        sa.Column("transcribed_at", TIMESTAMP, nullable=True),
        sa.Column("leased_until", TIMESTAMP, nullable=True),
        sa.Column("erased_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["signals.id"],
            name=op.f("fk_voice_notes_signal_id_signals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["reporters.id"],
            name=op.f("fk_voice_notes_reporter_id_reporters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voice_notes")),
    )
    op.create_index("ix_voice_notes_signal_id", "voice_notes", ["signal_id"])
    op.create_index("ix_voice_notes_reporter_id", "voice_notes", ["reporter_id"])
    op.create_index("ix_voice_notes_transcript_status", "voice_notes", ["transcript_status"])


def downgrade() -> None:
    op.drop_index("ix_voice_notes_transcript_status", table_name="voice_notes")
    op.drop_index("ix_voice_notes_reporter_id", table_name="voice_notes")
    op.drop_index("ix_voice_notes_signal_id", table_name="voice_notes")
    op.drop_table("voice_notes")
