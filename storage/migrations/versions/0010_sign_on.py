"""Single sign-on: staff members' identities at the identity provider, the sign-ons under
way (shared by every instance), and the ID token a signed-on session keeps for its logout.

Revision ID: 0010_sign_on
Revises: 0008_workplace
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_sign_on"
down_revision: str | Sequence[str] | None = "0009_staff_mail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_sso_accounts",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=600), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_by_provider", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
            name=op.f("fk_staff_sso_accounts_staff_id_staff"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_id", name=op.f("pk_staff_sso_accounts")),
        sa.UniqueConstraint("account", name=op.f("uq_staff_sso_accounts_account")),
    )
    op.create_table(
        "sso_logins",
        sa.Column("state", sa.String(length=128), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("browser_hash", sa.String(length=64), nullable=False),
        sa.Column("return_to", sa.String(length=512), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state", name=op.f("pk_sso_logins")),
    )
    op.create_index("ix_sso_logins_expires_at", "sso_logins", ["expires_at"])
    op.add_column("staff_sessions", sa.Column("id_token_hint", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_sessions") as batch:
        batch.drop_column("id_token_hint")
    op.drop_index("ix_sso_logins_expires_at", table_name="sso_logins")
    op.drop_table("sso_logins")
    op.drop_table("staff_sso_accounts")
