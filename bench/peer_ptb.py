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

A tap is answered as ours answers it (ADR 0111): the answer and the next question edited
into the pressed message while the press is answered, two Bot API calls (before 7 December
2026 the peer made three, one after the other: answer, buttons off, next question).

Configurations (``CONFIGURATIONS``), all run side by side by bench/telegram_load.py:

- ``defaults``: PTB's defaults, one update at a time (what the PTB examples do).
- ``concurrent``: ``concurrent_updates(True)`` (256 at once). PTB's own ConversationHandler
  docstring warns against it ("heavily relies on incoming updates being processed one by one
  ... concurrent_updates should be set to False"): a tap that arrives while the previous tap's
  callback has not returned (it is still waiting for Telegram to confirm the next question,
  which the reporter already sees) meets the old state, whose pattern does not match, and is
  dropped without a reply. The bench counts those drops (``Drops``) and the reporters left
  waiting, and charges them to the peer.
- ``per_chat``: concurrent across chats and one at a time within a chat, through PTB's
  extension point for this (``BaseUpdateProcessor``, ``PerChatProcessor`` below). This is the
  peer's best *correct* configuration: the same ordering guarantee ours gives.
- ``per_chat_aiohttp`` (``OVER_OUR_TRANSPORT``, informational): ``per_chat`` with its Bot API
  requests over our aiohttp transport (bot/channels/telegram/transport.py, ADR 0116) instead
  of PTB's httpx one. Not something PTB ships, so never "the peer at its best"; it shows
  what a PTB bot gains by the same change, and what is left of the difference without it.

Connection pools: ``ApplicationBuilder`` gives the bot's requests a pool of 256 connections
(PTB 22's default, set explicitly below) and getUpdates its own pool of 1, so 256 concurrent
updates never wait for a connection; PTB's pool-size tip asks for a pool matching the
concurrency, which this is. The fake does not enforce Telegram's rate limits for the peer (it
has no limiter) and ours runs unpaced in the same runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import warnings
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    filters,
)

from bot.channels.telegram.transport import AiohttpRequest

# (prompt, question, choices) in the order our report flow asks them on the path the simulated
# reporters take (tests/support/reports.py REPORT: the express path about someone else), with
# our choices, so both bots show the same buttons and carry the same callback data.
AREAS = ["terneuzen-centrum", "terneuzen-noord", "terneuzen-zuid", "axel", "sas-van-gent"]
AREAS += ["sluiskil", "zaamslag", "hoek", "westdorpe", "philippine"]
STEPS: list[tuple[str, str, list[str]]] = [
    (
        "welcome",
        "Hallo! Dit is het Signaalpunt Eenzaamheid. Maak je je zorgen dat iemand eenzaam is?"
        " Vertel het hier. Dit is geen alarmnummer. Is er nu gevaar? Bel 112. Gedachten aan"
        " zelfmoord? Bel 0800-0113 (gratis) of 113.",
        ["report", "danger", "self", "privacy", "en", "tr", "ar", "pl", "uk"],
    ),
    ("role", "Hoe ken je de persoon?", ["shop", "neighbour", "family", "professional", "other"]),
    (
        "age_group",
        "Hoe oud is de persoon ongeveer?",
        ["under_25", "25_64", "65_74", "75_plus", "unknown"],
    ),
    (
        "observations",
        "Wat viel je op? Kies alles wat past. Kies daarna Klaar.",
        [
            *("often_alone", "says_lonely", "recent_loss", "self_neglect", "daily_chat"),
            *("overloaded_carer", "gloomy_confused", "not_seen", "other", "done"),
        ],
    ),
    (
        "place",
        "Waar woont de persoon? Typ de postcode, of kies de wijk.",
        [f"area:{area}" for area in AREAS] + ["unknown"],
    ),
    (
        "contact_language",
        "Welke taal spreekt de persoon het best?",
        ["nl", "en", "tr", "ar", "pl", "uk", "other", "unknown"],
    ),
    ("callback", "Mag de gemeente contact met je opnemen?", ["yes", "here", "no"]),
    ("person_reach", "Hoe kan de gemeente de persoon bereiken?", ["details", "via_me", "unknown"]),
    ("no_followup", "Dan kan de gemeente niemand bereiken. Wat wil je?", ["here", "call", "send"]),
    ("summary", "Klopt dit? Versturen?", ["send", "change", "cancel"]),
]
PROMPTS = [prompt for prompt, _, _ in STEPS]
MULTI = {"observations"}
CONFIGURATIONS = ("defaults", "concurrent", "per_chat")
# Not a configuration PTB ships: the per-chat peer over our Bot API transport (ADR 0116), to
# show how much of the difference is the HTTP client. Printed beside the others, never taken
# as the peer at its best.
OVER_OUR_TRANSPORT = "per_chat_aiohttp"
POOL = 256  # ApplicationBuilder's default connection_pool_size, and concurrent_updates(True)


@dataclass
class Drops:
    """Updates the conversation matched to no handler: each is a tap left without a reply."""

    count: int = 0


class CountingConversation(ConversationHandler[Any]):
    """The ConversationHandler, counting the updates it lets fall through."""

    def __init__(self, drops: Drops, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.drops = drops

    def check_update(self, update: object) -> Any:
        check = super().check_update(update)
        if check is None:
            self.drops.count += 1
        return check


class PerChatProcessor(BaseUpdateProcessor):
    """Updates of different chats concurrently, those of one chat in arrival order: the next
    tap of a chat waits until the previous one's callback returned and set the state."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        key = chat.id if chat is not None else 0
        lock, users = self._chats.get(key, (asyncio.Lock(), 0))
        self._chats[key] = (lock, users + 1)
        try:
            async with lock:  # asyncio.Lock is first come, first served
                await coroutine
        finally:
            lock, users = self._chats[key]
            if users == 1:
                del self._chats[key]
            else:
                self._chats[key] = (lock, users - 1)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


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
        _, _, choice = query.data.split("|", 2)
        answers: dict[str, Any] = context.user_data
        if prompt in MULTI and choice != "done":
            chosen = set(answers.get(prompt, ()))
            chosen ^= {choice}
            answers[prompt] = sorted(chosen)
            edit = query.edit_message_reply_markup(keyboard(prompt, frozenset(chosen)))
            await asyncio.gather(query.answer(), edit)
            return index
        if prompt not in MULTI:
            answers[prompt] = choice
        # As ours does (ADR 0111): the answer and what follows edited into the pressed
        # message while the press is answered, two calls a tap.
        pressed = query.message.text if isinstance(query.message, Message) else ""
        shown = f"{pressed}\nUw antwoord: {choice}\n\n"
        if prompt == "summary":
            lines = ["<b>Nieuw signaal</b> via Telegram"]
            lines += [f"{key}: {value}" for key, value in answers.items()]
            await context.bot.send_message(loket_chat_id, "\n".join(lines), parse_mode="HTML")
            thanks = query.edit_message_text(shown + "Dank u wel, uw melding is verstuurd.")
            await asyncio.gather(query.answer(), thanks)
            answers.clear()
            return ConversationHandler.END
        following = PROMPTS[index + 1]
        edit = query.edit_message_text(
            shown + question(following), reply_markup=keyboard(following)
        )
        await asyncio.gather(query.answer(), edit)
        return PROMPTS.index(following)

    return step


async def postcode(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.message is not None
    assert context.user_data is not None
    context.user_data["place"] = update.message.text
    return await ask(update, "contact_language")


def build_peer(
    token: str,
    base_url: str,
    workdir: Path,
    loket_chat_id: int,
    configuration: str = "defaults",
    drops: Drops | None = None,
) -> Application[Any, Any, Any, Any, Any, Any]:
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    states: dict[object, list[Any]] = {
        PROMPTS.index(p): [
            CallbackQueryHandler(make_step(p, loket_chat_id), pattern=f"^r\\|{p}\\|")
        ]
        for p in PROMPTS
    }
    states[PROMPTS.index("place")].append(MessageHandler(filters.TEXT & ~filters.COMMAND, postcode))
    # per_message=False is what the examples use; PTB warns that callbacks are then tracked
    # per chat and user, which is what this flow wants.
    warnings.filterwarnings("ignore", message="If 'per_message=False'")
    conversation = CountingConversation(
        drops if drops is not None else Drops(),
        entry_points=[CommandHandler("start", start)],
        states=states,
        fallbacks=[CommandHandler("start", start)],
        name="report",
        persistent=True,
    )
    builder = (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .persistence(PicklePersistence(workdir / "peer.pickle"))
    )
    if configuration == OVER_OUR_TRANSPORT:
        builder = builder.request(AiohttpRequest(connection_pool_size=POOL)).get_updates_request(
            AiohttpRequest(connection_pool_size=1, read_timeout=20.0)
        )
    else:
        builder = builder.connection_pool_size(POOL)
    if configuration == "concurrent":
        builder = builder.concurrent_updates(True)
    elif configuration in ("per_chat", OVER_OUR_TRANSPORT):
        builder = builder.concurrent_updates(PerChatProcessor(POOL))
    elif configuration != "defaults":
        raise ValueError(f"unknown peer configuration {configuration!r}")
    application = builder.build()
    application.add_handler(conversation)
    return application


PeerApplication = Application[Any, Any, Any, Any, Any, Any]


@contextlib.asynccontextmanager
async def running_peer(application: PeerApplication) -> AsyncIterator[PeerApplication]:
    """The peer (``build_peer``) polling the fake (``poll_interval=0``, a 10 s long poll)
    until the block ends."""
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=10)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
