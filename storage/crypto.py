"""Encryption of personal fields at rest: AES-256-GCM tokens bound to their row, and keyed
hashes (blind indexes) for the few fields we must look up by value.

A token is ``v1:<key id>:<base64url(nonce || ciphertext || tag)>``. The associated data is
the field's *context* (``table.column``) and its *row key* (a value that identifies the
row, such as a signal's reference): a token copied into another column or another row
fails to open, so ciphertexts cannot be swapped unnoticed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
VERSION = "v1"


class KeyringError(ValueError):
    """The keys are missing, malformed, or do not open a stored token."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def decode_key(text: str, what: str) -> bytes:
    """A 32-byte key from its base64 (standard or url-safe) form."""
    try:
        raw = _unb64(text.strip().replace("+", "-").replace("/", "_"))
    except ValueError:
        raise KeyringError(f"{what} is not base64") from None
    if len(raw) != KEY_BYTES:
        raise KeyringError(f"{what} must be {KEY_BYTES} bytes (44 base64 characters)")
    return raw


def encode_key(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def new_key_id(random: Callable[[int], bytes] = os.urandom) -> str:
    return random(4).hex()


@dataclass(frozen=True)
class Keyring:
    """Data keys by id (``current`` encrypts; every key decrypts) and the index key.

    The index key makes lookups possible (a reporter's chat id) without storing the value
    in the clear; it is not rotated with the data keys, because every index would change.
    """

    keys: Mapping[str, bytes]
    current: str
    index_key: bytes
    random: Callable[[int], bytes] = os.urandom

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise KeyringError(f"the current key {self.current!r} is not among the keys")
        for key_id, key in self.keys.items():
            if not key_id.isalnum() or len(key) != KEY_BYTES:
                raise KeyringError(f"key {key_id!r}: an id of letters and digits, 32 bytes")
        if len(self.index_key) != KEY_BYTES:
            raise KeyringError("the index key must be 32 bytes")

    @classmethod
    def generate(cls, random: Callable[[int], bytes] = os.urandom) -> Keyring:
        key_id = new_key_id(random)
        return cls({key_id: random(KEY_BYTES)}, key_id, random(KEY_BYTES), random)

    def with_new_key(self) -> Keyring:
        """This keyring plus a fresh data key that becomes the current one."""
        key_id = new_key_id(self.random)
        while key_id in self.keys:
            key_id = new_key_id(self.random)
        keys = {**self.keys, key_id: self.random(KEY_BYTES)}
        return Keyring(keys, key_id, self.index_key, self.random)

    def seal(self, plaintext: str, context: str, row: str) -> str:
        """Encrypt ``plaintext`` for the field ``context`` of the row ``row``."""
        return self.seal_bytes(plaintext.encode("utf-8"), context, row)

    def open(self, token: str, context: str, row: str) -> str:
        """Decrypt a token made by ``seal`` for the same field and row; KeyringError else."""
        return self.open_bytes(token, context, row).decode("utf-8")

    def seal_bytes(self, plaintext: bytes, context: str, row: str) -> str:
        """``seal`` for bytes (a voice note's audio): the same token, the same binding."""
        nonce = self.random(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.current]).encrypt(
            nonce, plaintext, _associated(context, row)
        )
        return f"{VERSION}:{self.current}:{_b64(nonce + sealed)}"

    def open_bytes(self, token: str, context: str, row: str) -> bytes:
        """Decrypt a token made by ``seal_bytes`` (or ``seal``) for the same field and row."""
        key_id = token_key_id(token)
        key = self.keys.get(key_id)
        if key is None:
            raise KeyringError(
                f"a stored value was encrypted with key {key_id!r}, which is not configured"
            )
        try:
            raw = _unb64(token.split(":", 2)[2])
            return AESGCM(key).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated(context, row)
            )
        except (InvalidTag, ValueError, IndexError):
            raise KeyringError(f"a stored {context} does not open for its row") from None

    def index(self, value: str) -> str:
        """A keyed hash of ``value`` for equality lookups (64 hex characters)."""
        return hmac.new(self.index_key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def token_key_id(token: str) -> str:
    version, _, rest = token.partition(":")
    key_id, sep, _ = rest.partition(":")
    if version != VERSION or not sep:
        raise KeyringError("a stored value is not an encrypted token")
    return key_id


def _associated(context: str, row: str) -> bytes:
    # Length-prefixed so that ("a.b", "c") and ("a.bc", "") cannot collide.
    data = context.encode("utf-8")
    return len(data).to_bytes(2, "big") + data + row.encode("utf-8")
