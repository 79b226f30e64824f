"""Keys for tests: fixed, so a failing test can be replayed; never used outside tests."""

from __future__ import annotations

import base64

from storage.crypto import Keyring

TEST_KEYRING = Keyring({"test1": bytes(range(32))}, "test1", bytes(range(32, 64)))

# The same keys for a `signaalpunt` subprocess, so a test can read what it stored.
TEST_KEY_ENV = {
    "SIGNAALPUNT_ENCRYPTION_KEYS": "test1=" + base64.b64encode(bytes(range(32))).decode(),
    "SIGNAALPUNT_INDEX_KEY": base64.b64encode(bytes(range(32, 64))).decode(),
}
