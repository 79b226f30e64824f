"""Helpers for answering a reporter's button press while the reply goes out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TypeVar

from telegram import CallbackQuery
from telegram.error import BadRequest, RetryAfter, TelegramError

log = logging.getLogger(__name__)

MAX_ANSWER = 200  # characters of an answerCallbackQuery text, as the Bot API allows

A = TypeVar("A")
B = TypeVar("B")


class AnswerOnce:
    """Answers a button press once (it stops the button's spinner), whenever it comes.

    ``in_response``: in webhook mode the answer goes back in the webhook's HTTP response
    (``webhook_reply``), which Telegram carries out: one request less per tap (ADR 0111).
    Telegram does not say whether it worked, and an answer without a text needs no check."""

    def __init__(self, query: CallbackQuery | None, *, in_response: bool = False) -> None:
        self._query = query
        self._in_response = in_response
        self._reply: dict[str, str] | None = None

    async def __call__(self) -> None:
        query, self._query = self._query, None
        if query is None:
            return
        if self._in_response:
            self._reply = {"method": "answerCallbackQuery", "callback_query_id": query.id}
            return
        await answer(query)

    def webhook_reply(self) -> dict[str, str] | None:
        """The method for the webhook's response, if the answer was left to it."""
        return self._reply


async def answer(query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press (it stops the button's spinner; ``text`` shows as a toast, or
    as an alert), never failing what the press does: what matters is on its way anyway.

    Telegram takes at most ``MAX_ANSWER`` characters, and only while the press is fresh:
    one handled late (after a restart, or queued behind a busy chat) is "too old"."""
    if text is not None and len(text) > MAX_ANSWER:
        text = text[: MAX_ANSWER - 1] + "…"
    try:
        await query.answer(text, show_alert=alert)
    except RetryAfter:
        # Telegram's pace is full (a burst): the spinner stops by itself, and the reply,
        # which matters, is on its way. Expected under load, so no traceback.
        log.warning("answering a button press gave up: Telegram's rate limit is reached")
    except BadRequest as error:
        if "too old" not in error.message.lower():
            raise
        log.info("a button press was answered too late for Telegram; it was handled")
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
