"""Telegram's limits and markup: HTML escaping, 4096-character messages, inline keyboards."""

from __future__ import annotations

import html
from collections.abc import Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from telegram.constants import ParseMode

from bot.buttons import reporter_data
from bot.ports import Button
from bot.rendering import RenderedReply
from core.dialog.dialogs import WELCOME
from core.text.languages import LANGUAGES

PARSE_MODE = ParseMode.HTML
MAX_TEXT = 4096
MAX_CAPTION = 1024  # a media message's caption
SELECTED_MARK = "✓ "


def _units(text: str) -> int:
    """Telegram counts UTF-16 code units (an emoji can count twice)."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Escaped chunks of at most ``limit`` units, cut at a paragraph, line or word if any."""
    chunks: list[str] = []
    rest = text
    while _units(escape(rest)) > limit:
        cut, used = 0, 0
        for index, char in enumerate(rest):
            used += _units(escape(char))
            if used > limit:
                cut = index
                break
        head = rest[:cut]
        for boundary in ("\n\n", "\n", " "):
            at = head.rfind(boundary)
            if at > cut // 2:
                head = rest[: at + len(boundary)]
                break
        chunks.append(escape(head.rstrip()))
        rest = rest[len(head) :].lstrip()
    if rest.strip() or not chunks:
        chunks.append(escape(rest))
    return chunks


LANGUAGES_PER_ROW = 3


def reply_keyboard(reply: RenderedReply) -> InlineKeyboardMarkup | None:
    """One button per row (labels are long in some languages), but the languages the welcome
    offers three to a row (short names); ✓ marks chosen options."""
    if not reply.choices or reply.prompt is None:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    languages: list[InlineKeyboardButton] = []  # the row of languages being filled
    for choice in reply.choices:
        button = InlineKeyboardButton(
            (SELECTED_MARK if choice.selected else "") + choice.label,
            callback_data=reporter_data(reply.prompt, choice.id),
        )
        if reply.prompt != WELCOME.id or choice.id not in LANGUAGES:
            rows.append([button])
            languages = []
        elif languages and len(languages) < LANGUAGES_PER_ROW:
            languages.append(button)
        else:
            languages = [button]
            rows.append(languages)
    return InlineKeyboardMarkup(rows)


def contact_keyboard(reply: RenderedReply) -> ReplyKeyboardMarkup | None:
    """One button that shares the reporter's own number (a reply keyboard: Telegram asks
    before it sends the contact), for a question that asks it and offers nothing else."""
    if not reply.share_phone or reply.choices:
        return None
    return ReplyKeyboardMarkup(
        [[KeyboardButton(reply.share_phone, request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def staff_keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data)] for b in buttons]
    )
