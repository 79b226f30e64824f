"""What encrypting personal fields costs: microseconds to seal and open one value, and the
size of a token against its plaintext. Also one signal stored and read back through a Store
on SQLite, with and without the encrypted fields filled.

Run: .venv/bin/python -m bench.crypto [--values 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from core.dialog.draft import SignalDraft
from storage import Store, create_schema, make_engine
from storage.crypto import Keyring

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NOTE = "Zij komt al weken niet meer buiten, de gordijnen blijven dicht."


def primitive(count: int) -> None:
    keyring = Keyring.generate()
    rows = [f"SP-2026-{i:05d}" for i in range(count)]
    started = time.perf_counter()
    tokens = [keyring.seal(NOTE, "signals.note", row) for row in rows]
    sealed = time.perf_counter() - started
    started = time.perf_counter()
    for token, row in zip(tokens, rows, strict=True):
        keyring.open(token, "signals.note", row)
    opened = time.perf_counter() - started
    print(f"seal: {sealed / count * 1e6:.1f} µs a value, open: {opened / count * 1e6:.1f} µs")
    print(f"a {len(NOTE)}-character note is a {len(tokens[0])}-character token")


def draft(personal: bool) -> SignalDraft:
    return SignalDraft(
        kind="other",
        language="nl",
        urgent=False,
        submitted_at=NOW,
        codes={"role": "shop", "age_group": "75_plus", "danger": "no"},
        multi={"observations": ("often_alone",)},
        postcode="4531AB" if personal else None,
        area=None if personal else "axel",
        person_contact="Mevrouw Jansen, tweede verdieping" if personal else None,
        note=NOTE if personal else None,
        reporter_name="Fatma" if personal else None,
        reporter_phone="+31612345678" if personal else None,
    )


async def stored(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        await create_schema(engine)
        store = Store(engine, Keyring.generate())
        try:
            for personal in (False, True):
                started = time.perf_counter()
                for _ in range(count):
                    async with store.unit_of_work() as uow:
                        signal = await uow.signals.add(
                            draft(personal), reporter_id=None, channel="web", now=NOW
                        )
                        await uow.signals.get(signal.id)
                        await uow.commit()
                per = (time.perf_counter() - started) / count * 1e3
                what = "5 encrypted fields" if personal else "no personal fields"
                print(f"store and read a signal ({what}): {per:.2f} ms")
        finally:
            await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--values", type=int, default=20_000)
    parser.add_argument("--signals", type=int, default=300)
    args = parser.parse_args()
    primitive(args.values)
    asyncio.run(stored(args.signals))


if __name__ == "__main__":
    main()
