"""Hardening: the loket group's chat migrations (a Telegram group upgraded to a supergroup
gets a new chat id; the service follows it and remembers it here).

Revision ID: 0005_hardening
Revises: 0004_first_moments
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_hardening"
down_revision: str | Sequence[str] | None = "0004_first_moments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_migrations",
        sa.Column("from_chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("to_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("from_chat_id"),
    )


def downgrade() -> None:
    op.drop_table("chat_migrations")
