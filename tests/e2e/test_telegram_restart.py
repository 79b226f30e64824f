"""The real ``signaalpunt run`` process on Telegram, killed with SIGKILL mid-conversation and
started again: the reporter continues at the same step."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Store, make_engine
from tests.fakes.telegram_api import FakeTelegram, FakeUser
from tests.support.keys import TEST_KEY_ENV, TEST_KEYRING
from tests.support.net import free_port
from tests.support.processes import SIGNAALPUNT, find_reference, process_env
from tests.support.reports import REPORT
from tests.support.telegram_harness import LOKET, TOKEN, Person

pytestmark = [pytest.mark.e2e, pytest.mark.wall_clock]
START_TIMEOUT = 60.0


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(groups={LOKET: "supergroup"}) as server:
        yield server


async def start_bot(fake: FakeTelegram, url: str) -> asyncio.subprocess.Process:
    polls = len(fake.calls("getUpdates"))
    env = process_env(
        {
            "SIGNAALPUNT_DATABASE_URL": url,
            "SIGNAALPUNT_TELEGRAM_TOKEN": TOKEN,
            "SIGNAALPUNT_TELEGRAM_API_URL": fake.api_url,
            "SIGNAALPUNT_LOKET_CHAT_ID": str(LOKET),
            # The health endpoints are served in polling mode too: not on a fixed port.
            "SIGNAALPUNT_HTTP_PORT": str(free_port()),
            **TEST_KEY_ENV,
        }
    )
    process = await asyncio.create_subprocess_exec(
        str(SIGNAALPUNT),
        "run",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    await fake.wait_for(
        lambda: len(fake.calls("getUpdates")) > polls, START_TIMEOUT, what="the bot polling"
    )
    return process


async def test_sigkill_mid_report_then_continue(fake: FakeTelegram, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'signaalpunt.db'}"
    person = Person(fake, FakeUser(id=4711, first_name="Fatma", language_code="tr"))
    process = await start_bot(fake, url)
    try:
        await person.says("/start")
        for prompt, choice in REPORT[:4]:
            await person.taps(prompt, choice)
        asked = person.question()
        assert "r|observations|often_alone" in [d for _, d in asked.buttons()]
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert process.returncode == -signal.SIGKILL

    process = await start_bot(fake, url)
    try:
        for prompt, choice in REPORT[4:]:
            await person.taps(prompt, choice)
        # The card, whatever else reaches the group first (a digest caught up before noon).
        await fake.wait_for(
            lambda: any(find_reference(m.plain_text) for m in fake.messages(LOKET)),
            timeout=30,
            what="the loket card",
        )
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr
    # The process dated it by the wall clock: its reference carries whatever year that is.
    [reference] = {r for m in fake.messages(LOKET) if (r := find_reference(m.plain_text))}
    engine = make_engine(url)
    try:
        async with Store(engine, TEST_KEYRING).unit_of_work() as uow:
            signal_row = await uow.signals.get_by_reference(reference)
            assert signal_row is not None
            assert signal_row.draft.language == "tr"
            assert signal_row.draft.codes["age_group"] == "75_plus"
            assert signal_row.draft.multi["observations"] == ("often_alone", "not_seen")
    finally:
        await engine.dispose()
