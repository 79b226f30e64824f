"""The Alembic migrations with several instances starting together, on PostgreSQL: they
migrate once (the others wait for the lock, then find nothing to do) and the data is
encrypted once."""

from __future__ import annotations

import asyncio
import itertools
import re

import pytest

from storage import Store, make_engine
from storage.migrations import BASELINE, head, status, upgrade
from tests.support.keys import TEST_KEYRING
from tests.support.migrations import PERSONAL, REFERENCE, migrate_to, ran, seed_old_data
from tests.support.pg import PostgresServer


@pytest.mark.postgres
async def test_instances_starting_together_migrate_once(
    postgres_server: PostgresServer, migration_log: pytest.LogCaptureFixture
) -> None:
    url = await postgres_server.create_database()
    engines = [make_engine(url) for _ in range(2)]
    try:
        await migrate_to(engines[0], BASELINE, keyring=None)
        await seed_old_data(engines[0])
        migration_log.clear()
        await asyncio.gather(*(upgrade(engine, TEST_KEYRING) for engine in engines))
        # Each revision ran once: the other instance waited, then found nothing to do.
        steps = [re.match(r"Running upgrade (\S+) -> (\S+),", line) for line in ran(migration_log)]
        pairs = [(m.group(1), m.group(2)) for m in steps if m is not None]
        assert len(pairs) == len(steps)
        assert pairs[0][0] == BASELINE
        assert pairs[-1][1] == head()
        assert all(a[1] == b[0] for a, b in itertools.pairwise(pairs)), "one chain, once"
        for engine in engines:
            assert await status(engine) == (head(), head())
        async with Store(engines[1], TEST_KEYRING).unit_of_work() as uow:
            signal = await uow.signals.get_by_reference(REFERENCE)  # encrypted once, opens
            assert signal is not None
            assert signal.draft.note == PERSONAL["note"]
    finally:
        for engine in engines:
            await engine.dispose()
        await postgres_server.drop_database(url)
