"""Where the encryption keys come from: the environment, or a key file.

``SIGNAALPUNT_ENCRYPTION_KEYS`` (``id=base64,id=base64``, the first encrypts) with
``SIGNAALPUNT_INDEX_KEY``; otherwise the JSON key file ``SIGNAALPUNT_KEY_FILE``. On a
SQLite development setup a missing key file is created (mode 0600) with a warning; with
PostgreSQL it is refused, because several instances would each invent their own keys.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import make_url

from bot.settings import Settings
from storage.crypto import Keyring, KeyringError, decode_key, encode_key


def keyring_from_settings(settings: Settings, *, warn: TextIO = sys.stderr) -> Keyring:
    """The configured keyring; creates a development key file when allowed. Raises
    KeyringError with a message naming the setting."""
    if settings.encryption_keys is not None:
        return _from_environment(settings)
    path = settings.key_file
    if path.exists():
        return load_key_file(path, warn=warn)
    if make_url(settings.database_url).get_backend_name() != "sqlite":
        raise KeyringError(
            "SIGNAALPUNT_ENCRYPTION_KEYS and SIGNAALPUNT_INDEX_KEY (or SIGNAALPUNT_KEY_FILE) "
            "are required with PostgreSQL: see docs/privacy.md"
        )
    keyring = Keyring.generate()
    write_key_file(path, keyring)
    print(
        f"signaalpunt: WARNING: created a development key file {path} (mode 0600). "
        "Without it the personal data in the database cannot be read: back it up apart "
        "from the database, or set SIGNAALPUNT_ENCRYPTION_KEYS in production.",
        file=warn,
    )
    return keyring


def _from_environment(settings: Settings) -> Keyring:
    assert settings.encryption_keys is not None
    if settings.index_key is None:
        raise KeyringError("SIGNAALPUNT_INDEX_KEY is required with SIGNAALPUNT_ENCRYPTION_KEYS")
    keys: dict[str, bytes] = {}
    for part in settings.encryption_keys.get_secret_value().split(","):
        key_id, sep, value = part.strip().partition("=")
        if not sep or not key_id.isalnum():
            raise KeyringError("SIGNAALPUNT_ENCRYPTION_KEYS: id=base64 pairs, comma-separated")
        keys[key_id] = decode_key(value, f"SIGNAALPUNT_ENCRYPTION_KEYS key {key_id!r}")
    current = next(iter(keys))
    index = decode_key(settings.index_key.get_secret_value(), "SIGNAALPUNT_INDEX_KEY")
    return Keyring(keys, current, index)


def load_key_file(path: Path, *, warn: TextIO = sys.stderr) -> Keyring:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        print(f"signaalpunt: WARNING: {path} is readable by others; chmod 600 it", file=warn)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = {str(k): decode_key(str(v), f"{path}: key {k!r}") for k, v in data["keys"].items()}
        return Keyring(keys, str(data["current"]), decode_key(str(data["index"]), f"{path}"))
    except KeyringError:
        raise  # a bad key, named already
    except (ValueError, KeyError, TypeError, AttributeError):
        raise KeyringError(f"{path} is not a Signaalpunt key file") from None


def write_key_file(path: Path, keyring: Keyring) -> None:
    """Write atomically with mode 0600 (a crash never leaves half a key file), in a
    directory made 0700 when it is made here."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = {
        "current": keyring.current,
        "keys": {key_id: encode_key(key) for key_id, key in keyring.keys.items()},
        "index": encode_key(keyring.index_key),
    }
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
