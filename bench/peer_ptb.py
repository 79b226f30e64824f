"""The peer: the report flow written the way most people would write it with
python-telegram-bot: an ``Application`` with a ``ConversationHandler`` (a state per step,
``CallbackQueryHandler`` for the buttons, ``MessageHandler`` for the free-text note) and
``PicklePersistence``. Defaults everywhere else (updates handled one at a time, no rate
limiter), as the PTB examples do.

The buttons carry the same callback data as ours (``r|<prompt>|<choice>``), so the same
simulated reporters (bench/telegram_load.py) drive both bots. Durability: PicklePersistence
keeps the conversations in memory and writes the pickle every ``update_interval`` seconds
(60 by default) and at shutdown; ours commits every step to the database. PTB's Updater also
acknowledges an update as soon as it is fetched (its next getUpdates asks from the last one
+ 1), so updates queued or being handled when the process dies are gone; ours acknowledges
an update only once it and every earlier one were handled (bot/channels/telegram/polling.py).
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)

# (prompt, question, choices) in the order the report flow asks them.
STEPS: list[tuple[str, str, list[str]]] = [
    ("welcome", "Welkom bij het Signaalpunt. Wilt u iets melden?", ["report", "info"]),
    ("danger", "Is er acuut gevaar?", ["yes", "no"]),
    ("role", "Hoe kent u deze persoon?", ["shop", "neighbour", "family", "other"]),
    ("age_group", "Hoe oud is de persoon ongeveer?", ["under_65", "65_75", "75_plus"]),
    ("observations", "Wat ziet u? (meerdere keuzes)", ["often_alone", "not_seen", "done"]),
    ("awareness", "Weet de persoon van deze melding?", ["yes", "no"]),
    ("place", "Waar woont de persoon?", ["area:axel", "area:hulst", "area:other"]),
    ("person_reach", "Hoe bereiken we de persoon?", ["via_me", "direct", "unknown"]),
    ("note", "Wilt u nog iets toevoegen? Typ het, of sla over.", ["skip"]),
    ("callback", "Wilt u teruggebeld worden?", ["yes", "no"]),
    ("checkin", "Mogen we later vragen hoe het gaat?", ["yes", "no"]),
    ("summary", "Klopt dit? Versturen?", ["send", "change"]),
]
PROMPTS = [prompt for prompt, _, _ in STEPS]
MULTI = {"observations"}


def keyboard(prompt: str, chosen: frozenset[str] = frozenset()) -> InlineKeyboardMarkup:
    choices = next(c for p, _, c in STEPS if p == prompt)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    ("✓ " if c in chosen else "") + c, callback_data=f"r|{prompt}|{c}"
                )
            ]
            for c in choices
        ]
    )


def question(prompt: str) -> str:
    return next(q for p, q, _ in STEPS if p == prompt)


async def ask(update: Update, prompt: str) -> int:
    chat = update.effective_chat
    assert chat is not None
    await chat.send_message(question(prompt), reply_markup=keyboard(prompt))
    return PROMPTS.index(prompt)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert context.user_data is not None
    context.user_data.clear()
    return await ask(update, "welcome")


def make_step(prompt: str, loket_chat_id: int) -> Any:
    index = PROMPTS.index(prompt)

    async def step(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        query = update.callback_query
        assert query is not None
        assert query.data is not None
        assert context.user_data is not None
        await query.answer()
        _, _, choice = query.data.split("|", 2)
        answers: dict[str, Any] = context.user_data
        if prompt in MULTI and choice != "done":
            chosen = set(answers.get(prompt, ()))
            chosen ^= {choice}
            answers[prompt] = sorted(chosen)
            await query.edit_message_reply_markup(keyboard(prompt, frozenset(chosen)))
            return index
        if prompt not in MULTI:
            answers[prompt] = choice
        await query.edit_message_reply_markup(None)
        if prompt == "summary":
            chat = update.effective_chat
            assert chat is not None
            lines = ["<b>Nieuw signaal</b> via Telegram"]
            lines += [f"{key}: {value}" for key, value in answers.items()]
            await context.bot.send_message(loket_chat_id, "\n".join(lines), parse_mode="HTML")
            await chat.send_message("Dank u wel, uw melding is verstuurd.")
            answers.clear()
            return ConversationHandler.END
        return await ask(update, PROMPTS[index + 1])

    return step


async def note_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.message is not None
    assert context.user_data is not None
    context.user_data["note"] = update.message.text
    return await ask(update, "callback")


def build_peer(
    token: str, base_url: str, workdir: Path, loket_chat_id: int
) -> Application[Any, Any, Any, Any, Any, Any]:
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    states: dict[object, list[Any]] = {
        PROMPTS.index(p): [
            CallbackQueryHandler(make_step(p, loket_chat_id), pattern=f"^r\\|{p}\\|")
        ]
        for p in PROMPTS
    }
    states[PROMPTS.index("note")].append(MessageHandler(filters.TEXT & ~filters.COMMAND, note_text))
    # per_message=False is what the examples use; PTB warns that callbacks are then tracked
    # per chat and user, which is what this flow wants.
    warnings.filterwarnings("ignore", message="If 'per_message=False'")
    conversation = ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states=states,
        fallbacks=[CommandHandler("start", start)],
        name="report",
        persistent=True,
    )
    application = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .persistence(PicklePersistence(workdir / "peer.pickle"))
        .build()
    )
    application.add_handler(conversation)
    return application


@contextlib.asynccontextmanager
async def running_peer(
    token: str, base_url: str, workdir: Path, loket_chat_id: int
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """The peer polling the fake (``poll_interval=0``, a 10 s long poll) until the block ends."""
    application = build_peer(token, base_url, workdir, loket_chat_id)
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=10)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
