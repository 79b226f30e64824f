"""Key rotation knows every encrypted column: one it missed would stop opening once the
old key is dropped (the web chat's transcript was nearly such a column)."""

from __future__ import annotations

from storage.models import Base
from storage.rotation import ENCRYPTED
from storage.types import EncryptedBytes, EncryptedText


def test_every_encrypted_column_is_rotated() -> None:
    encrypted = {
        (table.name, column.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, EncryptedText | EncryptedBytes)
    }
    rotated = {
        (str(entry.model.__tablename__), name) for entry in ENCRYPTED for name in entry.columns
    }
    assert rotated == encrypted
    assert ("web_chats", "transcript") in rotated
    assert ("voice_notes", "audio") in rotated
