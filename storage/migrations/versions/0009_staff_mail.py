"""Staff reached by e-mail: ``staff_email_accounts`` holds the work address a staff member
chose (encrypted, found by its keyed hash). Outbox rows for e-mail name their recipient as
``mail:loket`` or ``mail:staff:<id>`` (``core.lifecycle.parties.ByMail``) in the existing
``target`` column, so the outbox table itself does not change.

The downgrade drops the addresses; pending mail rows are marked dead (the old code cannot
read their target).

Revision ID: 0009_staff_mail
Revises: 0008_workplace
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_staff_mail"
down_revision: str | Sequence[str] | None = "0008_workplace"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTBOX = sa.table("outbox", sa.column("target"), sa.column("status"))


def upgrade() -> None:
    op.create_table(
        "staff_email_accounts",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("address_key", sa.String(length=64), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_staff_email_accounts_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_staff_email_accounts")),
        sa.UniqueConstraint("address_key", name=op.f("uq_staff_email_accounts_address_key")),
    )


def downgrade() -> None:
    op.execute(
        OUTBOX.update()
        .where(OUTBOX.c.target.like("mail:%"), OUTBOX.c.status == "pending")
        .values(status="dead")
    )
    op.drop_table("staff_email_accounts")
