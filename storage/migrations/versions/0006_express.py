"""Express: what a partner is and where (filled in when a report starts from its link),
and the language typed after "another language".

``partners.role`` is a choice id of the report's role question ("shop"); ``area`` a
configured neighbourhood id, or ``postcode`` a Dutch postcode (the partner's own: the
person often lives nearby). ``signals.language_other`` is free text the reporter typed,
encrypted like the other free text (bound to the reference) and erased with the person's
details. Only columns are added (nullable): no table rebuild, nothing to fill in.

Revision ID: 0006_express
Revises: 0005_hardening
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_express"
down_revision: str | Sequence[str] | None = "0005_hardening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTNER_COLUMNS = {
    "role": sa.String(length=32),
    "area": sa.String(length=64),
    "postcode": sa.String(length=7),
}


def upgrade() -> None:
    for name, kind in PARTNER_COLUMNS.items():
        op.add_column("partners", sa.Column(name, kind, nullable=True))
    op.add_column("signals", sa.Column("language_other", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("signals") as batch:
        batch.drop_column("language_other")
    with op.batch_alter_table("partners") as batch:
        for name in PARTNER_COLUMNS:
            batch.drop_column(name)
