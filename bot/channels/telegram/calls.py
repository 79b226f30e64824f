"""The Bot API calls a reporter's every step makes, without parsing what Telegram returns.

PTB's ``send_message`` and ``edit_message_text`` turn the returned message into a typed
``Message`` (with each of its buttons), which nothing here reads but its id: about a quarter
of the bot's CPU per update at 50 reporters once the transport was aiohttp (docs/perf-plan.md,
"Item 5"). These go through ``ExtBot._post``, as PTB's own methods do: the same parameters
converted the same way, PTB's rate limiter and its mapping of Telegram's errors
(``BadRequest``, ``Forbidden``, ``RetryAfter``); only the reading of the result differs.
``_post`` is PTB's internal call, as in ``polling._new_updates``;
tests/e2e/test_telegram*.py run every path through the fake Bot API.
"""

from __future__ import annotations

from typing import Any

from telegram import ForceReply, InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.ext import ExtBot

from .format import PARSE_MODE

__all__ = ["edit_text", "send_text"]

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply


async def send_text(
    bot: ExtBot[int],
    chat_id: int,
    text: str,
    *,
    markup: Markup | None = None,
    protect: bool | None = None,
    rate_limit_args: int | None = None,
) -> int:
    """sendMessage in HTML; the id of the message sent."""
    data: dict[str, Any] = {"chat_id": chat_id, "text": text, "parse_mode": PARSE_MODE}
    if markup is not None:
        data["reply_markup"] = markup
    if protect is not None:
        data["protect_content"] = protect
    result = await _post(bot, "sendMessage", data, rate_limit_args)
    return int(result["message_id"])


async def edit_text(
    bot: ExtBot[int],
    chat_id: int,
    message_id: int,
    text: str,
    *,
    markup: InlineKeyboardMarkup | None = None,
    rate_limit_args: int | None = None,
) -> None:
    """editMessageText in HTML; without ``markup`` the message's buttons go."""
    data: dict[str, Any] = {
        "chat_id": chat_id,
        "message_id": message_id,
        "text": text,
        "parse_mode": PARSE_MODE,
    }
    if markup is not None:
        data["reply_markup"] = markup
    await _post(bot, "editMessageText", data, rate_limit_args)


async def _post(
    bot: ExtBot[int], endpoint: str, data: dict[str, Any], rate_limit_args: int | None
) -> Any:
    limits = bot._merge_api_rl_kwargs(None, rate_limit_args)
    return await bot._post(endpoint, data, api_kwargs=limits)
