"""Running the real Telegram channel against the fake Bot API, and acting as its users."""

from __future__ import annotations

import contextlib
import gc
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from telegram.ext import ExtBot

from bot.app import App
from bot.bootstrap.build import build_app
from bot.bootstrap.telegram_alone import TelegramService, serve_telegram
from bot.settings import Settings
from bot.voice.config import VoiceSettings
from tests.fakes.telegram_api import FakeTelegram, FakeUser, SentMessage

TOKEN = "123:TEST"
LOKET = -100500
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def settings_for(fake: FakeTelegram, tmp_path: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'signaalpunt.db'}",
        "telegram_token": SecretStr(TOKEN),
        "telegram_api_url": fake.api_url,
        "telegram_file_url": fake.file_url,
        "loket_chat_id": LOKET,
    }
    return Settings(_env_file=None, **(values | extra))  # type: ignore[call-arg]


@contextlib.asynccontextmanager
async def running_bot(
    fake: FakeTelegram,
    tmp_path: Path,
    clock: Callable[[], datetime] | None = None,
    *,
    run_outbox: bool = True,
    sock: socket.socket | None = None,
    bot: ExtBot[int] | None = None,
    voice: VoiceSettings | None = None,
    **extra: Any,
) -> AsyncIterator[tuple[App, TelegramService]]:
    """The bot against the fake. Voice notes' transcripts are made when a test drives
    ``app.transcript_sweep(clock).drain()`` (``voice``: the model; none by default)."""
    loket = int(extra.get("loket_chat_id", LOKET))
    if loket not in fake.groups_ever:  # the bot is a member of the loket group
        fake.add_group(loket)
    app = await build_app(settings_for(fake, tmp_path, **extra), voice or no_transcripts())
    try:
        async with serve_telegram(
            app,
            clock or Clock(),
            run_outbox=run_outbox,
            run_scheduler=False,
            run_transcripts=False,
            sock=sock,
            bot=bot,
        ) as channel:
            yield app, channel
    finally:
        await app.close()
        gc.collect()  # a leaked connection warns here, in the test that leaked it


def no_transcripts() -> VoiceSettings:
    """The voice settings of a test that makes no transcripts: the defaults, whatever the
    environment or a .env says."""
    return VoiceSettings(_env_file=None, whisper_model=None)  # type: ignore[call-arg]


WEBHOOK_SECRET = "s3cret-token_for-tests"


@contextlib.asynccontextmanager
async def webhook_bot(
    fake: FakeTelegram, tmp_path: Path, clock: Callable[[], datetime] | None = None
) -> AsyncIterator[tuple[App, int]]:
    """The bot in webhook mode (secret ``WEBHOOK_SECRET``); yields the app and the port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)  # connections wait in the backlog until uvicorn accepts them
    port = sock.getsockname()[1]
    try:
        async with running_bot(
            fake,
            tmp_path,
            clock,
            telegram_mode="webhook",
            telegram_webhook_url="https://signaalpunt.example/telegram/webhook",
            telegram_webhook_secret=WEBHOOK_SECRET,
            http_port=port,
            sock=sock,
        ) as (app, _):
            yield app, port
    finally:
        sock.close()


@dataclass
class Person:
    """A Telegram user talking to the bot in a private chat, through the fake server."""

    fake: FakeTelegram
    user: FakeUser
    seen: int = field(default=0)

    @property
    def chat(self) -> list[SentMessage]:
        return self.fake.messages(self.user.id)

    async def handled(self, update: dict[str, Any]) -> list[SentMessage]:
        """Wait until the bot acknowledged ``update``; what it said meanwhile: the messages
        whose text it changed (a tap's answer and the next question are edited into the
        pressed message, ADR 0111), then the messages it sent."""
        number = int(update["update_id"])
        texts = {m.message_id: m.text for m in self.chat[: self.seen]}
        await self.fake.wait_for(
            lambda: (self.fake.last_offset or 0) > number, what=f"update {number} handled"
        )
        old = self.chat[: self.seen]
        edited = [m for m in old if m.text != texts.get(m.message_id) and not m.deleted]
        new = self.chat[self.seen :]
        self.seen = len(self.chat)
        return edited + new

    async def says(self, text: str) -> list[SentMessage]:
        return await self.handled(self.fake.user_sends(self.user, text))

    def question(self) -> SentMessage:
        """The latest message with live buttons."""
        return next(m for m in reversed(self.chat) if m.buttons())

    async def taps(self, prompt: str, choice: str) -> list[SentMessage]:
        data = f"r|{prompt}|{choice}"
        message = self.question()
        assert data in [d for _, d in message.buttons()], (data, message.buttons())
        return await self.handled(self.fake.user_presses(self.user, message, data))
