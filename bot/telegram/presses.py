"""Helpers for answering a reporter's button press while the reply goes out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TypeVar

from telegram import CallbackQuery
from telegram.error import RetryAfter, TelegramError

log = logging.getLogger(__name__)

A = TypeVar("A")
B = TypeVar("B")


class AnswerOnce:
    """Answers a button press once (it stops the button's spinner), whenever it comes."""

    def __init__(self, query: CallbackQuery | None) -> None:
        self._query = query

    async def __call__(self) -> None:
        query, self._query = self._query, None
        if query is None:
            return
        try:
            await query.answer()
        except RetryAfter:
            # Telegram's pace is full (a burst): the spinner stops by itself, and the reply,
            # which matters, is on its way. Expected under load, so no traceback.
            log.warning("answering a button press gave up: Telegram's rate limit is reached")
        except TelegramError:  # the reply is on its way all the same: do not lose it
            log.exception("answering a button press failed")


NO_PRESS = AnswerOnce(None)


async def both(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Await both at once; a failure is raised once both have finished (none is left
    running unwatched)."""
    one, two = await asyncio.gather(first, second, return_exceptions=True)
    if isinstance(one, BaseException):
        raise one
    if isinstance(two, BaseException):
        raise two
    return one, two
