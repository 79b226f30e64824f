"""First moments: each signal's earliest "claim" and "contact" event on its own row.

The monitoring figures measure the time to the *first* pick-up and the *first* contact;
reading them from the signal instead of joining a year of events keeps the figures fast
(docs/benchmark-notes/bench_scale.md). Both columns are filled here from the events, with
exactly the definition the figures used: the earliest event of that action, whatever
happened after it (a release and a new pick-up, a reopening). From now on
``SignalsRepository.add_event`` keeps them with every event it appends.

Revision ID: 0004_first_moments
Revises: 0003_web
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_first_moments"
down_revision: str | Sequence[str] | None = "0003_web"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# UTCDateTime as it is stored.
TIMESTAMP = sa.DateTime(timezone=True)
COLUMNS = {"first_claimed_at": "claim", "first_contacted_at": "contact"}


def upgrade() -> None:
    # Plain ADD COLUMN (nullable): no table rebuild on SQLite, nothing locked for long.
    for column in COLUMNS:
        op.add_column("signals", sa.Column(column, TIMESTAMP, nullable=True))
    signals = sa.table("signals", sa.column("id", sa.Integer()), *map(sa.column, COLUMNS))
    events = sa.table(
        "signal_events",
        sa.column("signal_id", sa.Integer()),
        sa.column("action", sa.String()),
        sa.column("at", TIMESTAMP),
    )
    first = {
        column: sa.select(sa.func.min(events.c.at))
        .where(events.c.signal_id == signals.c.id, events.c.action == action)
        .scalar_subquery()
        for column, action in COLUMNS.items()
    }
    op.execute(signals.update().values(**first))


def downgrade() -> None:
    with op.batch_alter_table("signals") as batch:
        for column in COLUMNS:
            batch.drop_column(column)
