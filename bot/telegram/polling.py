"""Long polling: no public URL needed. Acknowledges a batch only after it was handled."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram.error import NetworkError, RetryAfter
from telegram.ext import ExtBot

from ..outbox import first_of
from .client import POLL_TIMEOUT, seconds
from .updates import ALLOWED_UPDATES, TelegramUpdates

log = logging.getLogger(__name__)
MAX_BACKOFF = 30.0


async def poll(
    bot: ExtBot[int],
    updates: TelegramUpdates,
    stop: asyncio.Event,
    hold: int = POLL_TIMEOUT,
) -> None:
    """Fetch and handle updates until ``stop`` is set.

    An update is acknowledged (offset) only after its batch was handled; if the process dies
    before that, Telegram offers it again and the update-id record makes it a no-op.
    """
    await bot.delete_webhook()
    offset: int | None = None
    backoff = 1.0
    while not stop.is_set():
        fetch = asyncio.create_task(
            bot.get_updates(offset=offset, timeout=hold, allowed_updates=list(ALLOWED_UPDATES))
        )
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if stop.is_set():
            # Only the idle long poll is cut off; a batch being handled is always finished.
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, NetworkError):
                await fetch
            return
        try:
            batch = fetch.result()
        except RetryAfter as error:
            await first_of(stop, within=seconds(error.retry_after))
            continue
        except NetworkError as error:  # includes timeouts; Telegram or the network is down
            log.warning("getUpdates failed (%s); retrying in %.0f s", error.message, backoff)
            await first_of(stop, within=backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
            continue
        backoff = 1.0
        if batch:
            await updates.process_batch(batch)
            offset = batch[-1].update_id + 1
