"""Our rate limiter (the production client from ``build_bot``) against the fake Bot API on
loopback with Telegram's limits enforced: 30 sends a second, 20 messages a minute per group,
a 429 for any send over them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram.error import RetryAfter
from telegram.ext import ExtBot

from bench.outbox_limits import Mix, drain
from bot.channels.telegram.client import build_bot
from tests.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.e2e
TOKEN = "123:LIMITS"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(TOKEN, enforce_limits=True) as server:
        # The people these tests write to have all started the bot.
        server.started.update(range(700_000, 700_100))
        server.started.update(range(800_000, 800_100))
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[ExtBot[int]]:
    async with build_bot(TOKEN, fake.api_url) as client:
        yield client


async def test_the_outbox_drains_without_a_single_429(tmp_path: Path) -> None:
    # 3 groups at their full minute's window, 60 private messages: about 4 windows of 30.
    mix = Mix(groups=3, per_group=20, private_chats=50, extra_private=10)
    result = await drain(mix, tmp_path)
    assert result.rate_limited == 0
    assert result.sends == result.delivered == mix.total
    assert result.dead == 0


async def test_a_burst_of_replies_is_paced_not_dropped(
    fake: FakeTelegram, bot: ExtBot[int]
) -> None:
    outbox = [bot.send_message(700_000 + n, "melding") for n in range(40)]
    replies = [bot.send_message(800_000 + n, "antwoord", rate_limit_args=1) for n in range(50)]
    results = await asyncio.gather(*outbox, *replies)
    assert len(results) == 90
    assert fake.rate_limited == 0
    sent = [int(str(r.params["chat_id"])) for r in fake.calls("sendMessage") if r.status == 200]
    assert len(sent) == 90
    # The outbox's first 30 took the first window before any reply was asked; from then
    # on replies to people take the free slots first: the whole second window is theirs.
    assert all(chat >= 800_000 for chat in sent[30:60])
    assert all(chat < 800_000 for chat in sent[:30])


async def test_a_429_on_a_reply_is_retried_once(fake: FakeTelegram, bot: ExtBot[int]) -> None:
    fake.fail_next("sendMessage", "429", retry_after=1)
    await bot.send_message(800_001, "antwoord", rate_limit_args=1)
    assert [r.status for r in fake.calls("sendMessage")] == [429, 200]
    assert [m.text for m in fake.messages(800_001)] == ["antwoord"]


async def test_a_429_on_the_outbox_goes_back_to_it(fake: FakeTelegram, bot: ExtBot[int]) -> None:
    fake.fail_next("sendMessage", "429", retry_after=1)
    with pytest.raises(RetryAfter):
        await bot.send_message(700_001, "melding")
    assert [r.status for r in fake.calls("sendMessage")] == [429]
