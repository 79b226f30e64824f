"""The real APScheduler schedule: at start-up it sweeps at once, so check-ins that fell due
while every instance was down go out; two instances on one database send them once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.bootstrap.build import build_app
from bot.settings import Settings
from tests.support.builders import NOW, add_signal

LATER = NOW + timedelta(days=10)  # the claim reminder and the escalation are both due


async def test_two_scheduled_instances_sweep_at_start_and_queue_each_check_in_once(
    database_url: str,
) -> None:
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    first, second = await build_app(settings), await build_app(settings)
    try:
        await add_signal(first.store)
        schedulers = [app.scheduler(lambda: LATER) for app in (first, second)]
        for scheduler in schedulers:
            scheduler.start()
        # Each instance wakes its outbox when it queued something; one of them did.
        woken = [asyncio.create_task(app.outbox_wake.wait()) for app in (first, second)]
        done, pending = await asyncio.wait(woken, timeout=30, return_when="FIRST_COMPLETED")
        for task in pending:
            task.cancel()
        assert done, "no instance swept at start-up"
        for scheduler in schedulers:
            await scheduler.stop()  # waits for a sweep in progress
        async with first.store.unit_of_work() as uow:
            kinds = sorted(key.split(":")[1] for key in await uow.followup.claimed(_keys(1)))
            digests = await uow.followup.claimed(["digest:2026-03-24"])
            queued = await uow.outbox.counts()
        assert kinds == ["claim_escalation", "claim_reminder"]
        # A Tuesday morning before noon: the sweep also catches up on the missed digest.
        assert digests == {"digest:2026-03-24"}
        # The loket card, one reminder, one escalation (to the loket group: no staff yet)
        # and the digest: each once, though two instances swept.
        assert queued == {"pending": 4}
    finally:
        await first.close()
        await second.close()


def _keys(signal_id: int) -> list[str]:
    return [
        f"{signal_id}:{kind}:{int(NOW.timestamp())}"
        for kind in ("claim_reminder", "claim_escalation")
    ]
