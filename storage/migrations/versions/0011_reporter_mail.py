"""Web reporters reached: an e-mail address on a signal (encrypted, erased with the
reporter's phone number), a web chat kept while a check-in or a message waits in it, the
signal whose e-mail question the chat shows, and the single-use links of notice mails.

Revision ID: 0011_reporter_mail
Revises: 0008_workplace
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_reporter_mail"
down_revision: str | Sequence[str] | None = "0010_sign_on"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# UTCDateTime as it is stored.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("signals", sa.Column("reporter_email", sa.Text(), nullable=True))
    op.add_column("web_chats", sa.Column("kept_until", TIMESTAMP, nullable=True))
    op.add_column("web_chats", sa.Column("mail_offer", sa.Integer(), nullable=True))
    op.create_table(
        "web_chat_links",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("used_at", TIMESTAMP, nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_chat_links")),
    )
    op.create_index("ix_web_chat_links_user_id", "web_chat_links", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_web_chat_links_user_id", table_name="web_chat_links")
    op.drop_table("web_chat_links")
    with op.batch_alter_table("web_chats") as batch:
        batch.drop_column("mail_offer")
        batch.drop_column("kept_until")
    with op.batch_alter_table("signals") as batch:
        batch.drop_column("reporter_email")
