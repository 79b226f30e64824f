"""Staff who are not Telegram users: a staff member's Telegram account moves out of the
``staff`` row into the Telegram channel's own table, ``staff_telegram_accounts`` (carried
over: each linked Telegram user id with its staff id), and every stored address names the
staff member by staff id (``core.lifecycle.parties``):

- ``outbox.target``: a raw Telegram user id (a staff member's private chat) becomes
  ``staff:<staff id>``. A pending row whose id belongs to no staff member (it cannot be
  delivered either way) is marked ``unreached`` (undeliverable); other rows keep their text.
- ``audit_log.actor``: a raw Telegram user id (who received disclosed details) becomes
  ``staff:<staff id>``; ``reporter`` (an erasure, whoever asked) becomes
  ``reporter:anonymous``. ``telegram:<user id>`` stays: an account that is no staff member.
  The access history is append-only (triggers): the rewrite lifts the UPDATE trigger for
  these statements only, inside the migration's transaction, and restores it. It changes
  how an actor is written, never who it was, what was done or when.

The downgrade puts the accounts back on the staff rows and the staff members' outbox
targets back to their Telegram ids (an unreached row becomes dead, as does a pending one
for a staff member without a Telegram account); the access history keeps the new forms,
which the old code reads as well.

Revision ID: 0007_staff_reach
Revises: 0006_express
Create Date: 2026-12-07
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_staff_reach"
down_revision: str | Sequence[str] | None = "0006_express"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
STAFF = sa.table(
    "staff", sa.column("id"), sa.column("telegram_user_id"), sa.column("created_at", TIMESTAMP)
)
ACCOUNTS = sa.table(
    "staff_telegram_accounts",
    sa.column("staff_id"),
    sa.column("telegram_user_id"),
    sa.column("linked_at", TIMESTAMP),
)
OUTBOX = sa.table("outbox", sa.column("target"), sa.column("status"), sa.column("last_error"))
AUDIT = sa.table("audit_log", sa.column("actor"))
NO_STAFF = "no staff member has this Telegram account (0007_staff_reach)"


def _telegram_id(text: str) -> int | None:
    digits = text[1:] if text.startswith("-") else text
    return int(text) if digits.isascii() and digits.isdigit() else None


@contextlib.contextmanager
def _audit_log_writable(dialect: str) -> Iterator[None]:
    """The append-only trigger on UPDATE lifted, and put back as 0002_privacy made it."""
    if dialect == "sqlite":
        op.execute("DROP TRIGGER audit_log_no_update")
    elif dialect == "postgresql":
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    yield
    if dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        )
    elif dialect == "postgresql":
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")


def upgrade() -> None:
    op.create_table(
        "staff_telegram_accounts",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("linked_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_staff_telegram_accounts_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_staff_telegram_accounts")),
        sa.UniqueConstraint(
            "telegram_user_id", name=op.f("uq_staff_telegram_accounts_telegram_user_id")
        ),
    )
    bind = op.get_bind()
    linked = bind.execute(
        sa.select(STAFF.c.id, STAFF.c.telegram_user_id, STAFF.c.created_at).where(
            STAFF.c.telegram_user_id.is_not(None)
        )
    ).all()
    if linked:
        bind.execute(
            ACCOUNTS.insert(),
            [
                {"staff_id": staff, "telegram_user_id": telegram, "linked_at": at}
                for staff, telegram, at in linked
            ],
        )
    staff_of = {int(telegram): int(staff) for staff, telegram, _ in linked}

    # Distinct values, each rewritten in one statement: a queue of thousands is a few.
    for (target,) in bind.execute(sa.select(OUTBOX.c.target).distinct()).all():
        telegram = _telegram_id(str(target))
        if telegram is None:
            continue
        rows = OUTBOX.update().where(OUTBOX.c.target == target)
        if telegram in staff_of:
            bind.execute(rows.values(target=f"staff:{staff_of[telegram]}"))
        else:
            bind.execute(
                rows.where(OUTBOX.c.status == "pending").values(
                    status="unreached", last_error=NO_STAFF
                )
            )
    renamed: dict[str, str] = {}
    for (actor,) in bind.execute(sa.select(AUDIT.c.actor).distinct()).all():
        telegram = _telegram_id(str(actor))
        if telegram is not None and telegram in staff_of:
            renamed[str(actor)] = f"staff:{staff_of[telegram]}"
        elif actor == "reporter":
            renamed[str(actor)] = "reporter:anonymous"
    if renamed:
        with _audit_log_writable(bind.dialect.name):
            for old, new in renamed.items():
                bind.execute(AUDIT.update().where(AUDIT.c.actor == old).values(actor=new))

    with op.batch_alter_table("staff") as batch:
        batch.drop_constraint("uq_staff_telegram_user_id", type_="unique")
        batch.drop_column("telegram_user_id")


def downgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("telegram_user_id", sa.BigInteger(), nullable=True))
        batch.create_unique_constraint("uq_staff_telegram_user_id", ["telegram_user_id"])
    bind = op.get_bind()
    query = sa.select(ACCOUNTS.c.staff_id, ACCOUNTS.c.telegram_user_id)
    telegram_of = {int(staff): int(telegram) for staff, telegram in bind.execute(query).all()}
    for staff, telegram in telegram_of.items():
        bind.execute(STAFF.update().where(STAFF.c.id == staff).values(telegram_user_id=telegram))
    for (target,) in bind.execute(sa.select(OUTBOX.c.target).distinct()).all():
        head, _, rest = str(target).partition(":")
        if head == "staff" and rest.isdigit() and int(rest) in telegram_of:
            new = str(telegram_of[int(rest)])
            bind.execute(OUTBOX.update().where(OUTBOX.c.target == target).values(target=new))
    bind.execute(OUTBOX.update().where(OUTBOX.c.status == "unreached").values(status="dead"))
    bind.execute(
        OUTBOX.update()
        .where(OUTBOX.c.target.startswith("staff:"), OUTBOX.c.status == "pending")
        .values(status="dead")
    )
    op.drop_table("staff_telegram_accounts")
