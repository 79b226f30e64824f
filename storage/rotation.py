"""Key rotation: re-encrypt every personal field under the current key, in batches.

Each batch is one transaction, so a rotation cut off halfway leaves every value readable
(old tokens with the old key, new ones with the new) and running it again completes it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, or_, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from .crypto import token_key_id
from .models import (
    Base,
    Conversation,
    InboxMessage,
    Reporter,
    Signal,
    SignalEvent,
    StaffEmailAccount,
    StaffSession,
    VoiceNote,
    WebChat,
    voice_row_key,
)
from .staff_mail import row_key as staff_mail_row
from .types import Bound, BoundBytes, Sealed, SealedBytes
from .uow import Store


@dataclass(frozen=True)
class EncryptedTable:
    """A table with encrypted columns, and how to find each row's key."""

    model: type[Base]
    primary_key: InstrumentedAttribute[Any]
    columns: tuple[str, ...]
    row_key: Callable[[Any], str]
    # Rows per transaction at most (a voice note's audio is up to a few megabytes).
    batch: int = 500


ENCRYPTED: tuple[EncryptedTable, ...] = (
    EncryptedTable(Reporter, Reporter.id, ("channel_user_id",), lambda r: r.user_key),
    EncryptedTable(
        Conversation, Conversation.reporter_id, ("state",), lambda r: str(r.reporter_id)
    ),
    EncryptedTable(
        Signal,
        Signal.id,
        (
            "postcode",
            "person_contact",
            "note",
            "language_other",
            "reporter_name",
            "reporter_phone",
            "reporter_email",
        ),
        lambda r: r.reference,
    ),
    EncryptedTable(SignalEvent, SignalEvent.id, ("note",), lambda r: str(r.id)),
    EncryptedTable(
        InboxMessage,
        InboxMessage.id,
        ("sender", "payload"),
        lambda r: f"{r.channel}:{r.message_id}",
    ),
    EncryptedTable(WebChat, WebChat.token_hash, ("transcript",), lambda r: r.user_id),
    EncryptedTable(
        StaffEmailAccount,
        StaffEmailAccount.staff_id,
        ("address",),
        lambda r: staff_mail_row(r.staff_id),
    ),
    EncryptedTable(
        StaffSession, StaffSession.token_hash, ("id_token_hint",), lambda r: r.token_hash
    ),
    EncryptedTable(
        VoiceNote,
        VoiceNote.id,
        ("audio", "transcript"),
        lambda r: voice_row_key(r.id, r.signal_id, r.reporter_id),
        batch=10,
    ),
)


async def key_usage(store: Store) -> Counter[str]:
    """How many stored values each key id encrypts."""
    usage: Counter[str] = Counter()
    for table in ENCRYPTED:
        for name in table.columns:
            raw = type_coerce(getattr(table.model, name), Text)
            async with store.unit_of_work() as uow:
                tokens = (await uow.session.execute(select(raw).where(raw.is_not(None)))).scalars()
                usage.update(token_key_id(token) for token in tokens)
    return usage


async def reencrypt(store: Store, batch: int = 500) -> int:
    """Re-encrypt every value not under the current key; returns how many were."""
    prefix = f"v1:{store.keyring.current}:"
    done = 0
    for table in ENCRYPTED:
        stale = or_(
            *(
                type_coerce(getattr(table.model, name), Text).is_not(None)
                & ~type_coerce(getattr(table.model, name), Text).startswith(prefix)
                for name in table.columns
            )
        )
        last: Any = None
        while True:
            async with store.unit_of_work() as uow:
                size = min(batch, table.batch)
                query = select(table.model).where(stale).order_by(table.primary_key).limit(size)
                if last is not None:
                    query = query.where(table.primary_key > last)
                rows = (await uow.session.execute(query)).scalars().all()
                if not rows:
                    break
                for row in rows:
                    done += await _reencrypt_row(uow.session, table, row, prefix)
                last = getattr(rows[-1], table.primary_key.key)
                await uow.commit()
    return done


async def _reencrypt_row(
    session: AsyncSession, table: EncryptedTable, row: Any, prefix: str
) -> int:
    key = table.row_key(row)
    values: dict[str, Bound | BoundBytes] = {}
    for name in table.columns:
        value = getattr(row, name)
        if isinstance(value, Sealed) and not value.token.startswith(prefix):
            values[name] = Bound(value.open(key), key)
        elif isinstance(value, SealedBytes) and not value.token.startswith(prefix):
            values[name] = BoundBytes(value.open(key), key)
    if not values:
        return 0
    pk = getattr(row, table.primary_key.key)
    await session.execute(
        update(table.model)
        .where(table.primary_key == pk)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return len(values)
