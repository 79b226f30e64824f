"""What a channel hands the running service (``bot.bootstrap.serving``): the messenger for
the reporters on it, its HTTP routes with their error pages, and its background loops."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter

from bot.ports import Messenger
from bot.web.http import FailurePage

Loop = Callable[[asyncio.Event], Coroutine[Any, Any, None]]  # runs until the event is set


@dataclass
class Channel:
    name: str
    messenger: Messenger
    routers: tuple[APIRouter, ...] = ()
    loops: tuple[Loop, ...] = ()
    where: str = ""
    # Exception handlers of its routes (the web pages turn a missing login into a redirect).
    errors: Mapping[Any, Callable[..., Any]] = field(default_factory=dict)
    # The page for a request that failed (bot.http.Failures); the web channel's is friendly.
    failure_page: FailurePage | None = None
