"""Building the Bot API client: ExtBot with PTB's rate limiter, pointed at the configured
Bot API server (Telegram's, a self-hosted one, or a test fake)."""

from __future__ import annotations

import os
from collections.abc import Callable, Coroutine
from typing import Any

from telegram._utils.types import JSONDict
from telegram.ext import BaseRateLimiter, ExtBot

from .limits import WindowRateLimiter, seconds
from .transport import AiohttpRequest

__all__ = ["POLL_TIMEOUT", "build_bot", "seconds"]

POLL_TIMEOUT = 25  # seconds Telegram holds a getUpdates call open when nothing happens


def build_bot(
    token: str,
    api_url: str,
    *,
    poll_timeout: int = POLL_TIMEOUT,
    paced: bool = True,
    instances: int = 1,
    file_url: str | None = None,
) -> ExtBot[int]:
    """The client. Our limiter paces us by Telegram's windows (``limits``). It retries only
    replies to a person (calls made with ``rate_limit_args``: after each short retry_after,
    within a bound); the outbox decides about its own retries (a 429 is rescheduled in the
    database instead of holding a connection).
    ``paced=False`` lifts Telegram's pacing (benchmarks measuring our own latency).
    ``instances``: the processes sharing this token, each paced to its share of the limits.
    ``file_url``: where files are downloaded (the token and a file's path are appended);
    by default the API server's own."""
    # Opt in to PTB 22's timedelta durations; the int form warns (and our tests treat
    # warnings as errors).
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    base = api_url.rstrip("/")
    request = AiohttpRequest(
        connection_pool_size=64,
        connect_timeout=5.0,
        read_timeout=15.0,
        write_timeout=15.0,
        pool_timeout=15.0,
    )
    updates_request = AiohttpRequest(
        connection_pool_size=2, connect_timeout=5.0, read_timeout=poll_timeout + 10.0
    )
    return ExtBot(
        token,
        base_url=f"{base}/bot",
        base_file_url=file_url or f"{base}/file/bot",
        request=request,
        get_updates_request=updates_request,
        rate_limiter=WindowRateLimiter(instances=instances) if paced else Unpaced(),
    )


class Unpaced(BaseRateLimiter[int]):
    """No pacing at all (benchmarks measuring our own latency, as the peer runs unpaced):
    every call goes straight through. PTB's AIORateLimiter with its rates at 0 still cost 4 %
    of the CPU per update in its context managers."""

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        return await callback(*args, **kwargs)
