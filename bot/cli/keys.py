"""``signaalpunt keys``: status, generate, rotate and drop encryption keys (operator output,
in English)."""

from __future__ import annotations

import argparse
import sys

from bot.app import App
from bot.bootstrap.keys import write_key_file
from storage.crypto import Keyring, encode_key
from storage.rotation import key_usage, reencrypt
from storage.uow import Store


def add_keys_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = commands.add_parser("keys", help="encryption keys of the personal data")
    actions = keys.add_subparsers(dest="action", required=True)
    actions.add_parser("status", help="which keys encrypt how many stored values")
    actions.add_parser("generate", help="print a new key for SIGNAALPUNT_ENCRYPTION_KEYS")
    rotate = actions.add_parser("rotate", help="re-encrypt everything under a new key")
    rotate.add_argument(
        "--resume",
        action="store_true",
        help="finish an interrupted rotation: re-encrypt under the current key, no new key",
    )
    rotate.add_argument("--batch", type=int, default=500, help="rows per transaction")
    drop = actions.add_parser("drop", help="remove a key no stored value needs any more")
    drop.add_argument("key_id")


def _uses_file(app: App) -> bool:
    return app.settings.encryption_keys is None


async def keys_command(app: App, args: argparse.Namespace) -> int:
    if args.action == "generate":
        fresh = Keyring.generate()
        print(f"{fresh.current}={encode_key(fresh.keys[fresh.current])}")
        print(
            "Put it first in SIGNAALPUNT_ENCRYPTION_KEYS (keep the old ones after it), restart, "
            "then run: signaalpunt keys rotate --resume"
        )
        return 0
    if args.action == "status":
        return await _status(app.store)
    if args.action == "rotate":
        return await _rotate(app, resume=args.resume, batch=max(1, args.batch))
    return await _drop(app, args.key_id)


async def _status(store: Store) -> int:
    usage = await key_usage(store)
    print(f"Current key: {store.keyring.current}")
    for key_id in store.keyring.keys:
        print(f"  {key_id}: {usage.pop(key_id, 0)} stored values")
    for key_id, count in sorted(usage.items()):
        print(f"  {key_id}: {count} stored values, NOT CONFIGURED (they cannot be read)")
    return 1 if usage else 0


async def _rotate(app: App, *, resume: bool, batch: int) -> int:
    store = app.store
    if not resume:
        if not _uses_file(app):
            print(
                "signaalpunt: with SIGNAALPUNT_ENCRYPTION_KEYS, add the new key yourself: "
                "signaalpunt keys generate",
                file=sys.stderr,
            )
            return 2
        # The file gets the new key before anything is encrypted with it: a crash at any
        # point leaves every stored value readable.
        rotated = store.keyring.with_new_key()
        write_key_file(app.settings.key_file, rotated)
        store = Store(store.engine, rotated)
        print(f"New current key {rotated.current} written to {app.settings.key_file}")
    count = await reencrypt(store, batch)
    print(f"Re-encrypted {count} values under key {store.keyring.current}.")
    old = [key_id for key_id in store.keyring.keys if key_id != store.keyring.current]
    if old:
        print(
            f"Old keys {', '.join(old)} encrypt nothing in the database now; keep them as long "
            "as you keep backups made before today, then: signaalpunt keys drop ID"
        )
    return 0


async def _drop(app: App, key_id: str) -> int:
    keyring = app.store.keyring
    if key_id not in keyring.keys:
        print(f"signaalpunt: no key {key_id!r} is configured", file=sys.stderr)
        return 1
    if key_id == keyring.current:
        print("signaalpunt: the current key cannot be dropped; rotate first", file=sys.stderr)
        return 1
    used = (await key_usage(app.store)).get(key_id, 0)
    if used:
        print(
            f"signaalpunt: {used} stored values still need key {key_id}: "
            "run signaalpunt keys rotate --resume first",
            file=sys.stderr,
        )
        return 1
    if not _uses_file(app):
        print(f"Key {key_id} is unused: remove it from SIGNAALPUNT_ENCRYPTION_KEYS.")
        return 0
    keys = {k: v for k, v in keyring.keys.items() if k != key_id}
    write_key_file(app.settings.key_file, Keyring(keys, keyring.current, keyring.index_key))
    print(f"Key {key_id} removed from {app.settings.key_file}.")
    return 0
