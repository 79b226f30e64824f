"""Both channels in one service, as a municipality runs them: a resident reports over
WhatsApp, the loket works in its Telegram group, and the loket's question reaches the
resident on WhatsApp and the answer comes back to Telegram. One outbox, routed per channel."""

from __future__ import annotations

import contextlib
import gc
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from bot.bootstrap.build import build_app
from bot.bootstrap.serving import serving
from bot.channels.telegram.channel import telegram_parts
from bot.channels.whatsapp.channel import whatsapp_parts
from tests.fakes.graph_api import FakeGraphAPI
from tests.fakes.messenger import staff_channel
from tests.fakes.telegram_api import FakeTelegram, FakeUser
from tests.support.reports import REPORT
from tests.support.telegram_harness import LOKET, TOKEN, Clock, Person
from tests.support.whatsapp_harness import Resident, Running, register_templates, settings_for

pytestmark = pytest.mark.e2e

ANNA = FakeUser(id=601, first_name="Anna", language_code="nl")


@contextlib.asynccontextmanager
async def both(
    telegram: FakeTelegram, graph: FakeGraphAPI, tmp_path: Path, clock: Clock
) -> AsyncIterator[Running]:
    settings = settings_for(
        graph,
        tmp_path,
        telegram_token=SecretStr(TOKEN),
        telegram_api_url=telegram.api_url,
        loket_chat_id=LOKET,
    )
    graph.clock = clock
    register_templates(graph, settings)
    app = await build_app(settings)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    port = sock.getsockname()[1]
    try:
        async with (
            telegram_parts(app, clock) as tg,
            whatsapp_parts(app, clock, run_inbox_worker=False) as wa,
            serving(
                app,
                clock,
                [tg.channel, wa.channel],
                tg.channel.messenger,
                run_outbox=False,
                run_scheduler=False,
                sock=sock,
            ) as service,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http,
        ):
            # Staff messages go to Telegram; the recorded staff channel stays empty and proves it.
            yield Running(app, wa, service, staff_channel(), http, clock, graph)
    finally:
        sock.close()
        await app.close()
        gc.collect()


async def test_a_whatsapp_report_reaches_the_telegram_loket_and_a_question_goes_back(
    tmp_path: Path,
) -> None:
    clock = Clock()
    async with (
        FakeTelegram(groups={LOKET: "supergroup"}) as telegram,
        FakeGraphAPI() as graph,
        both(telegram, graph, tmp_path, clock) as run,
    ):
        anna = Person(telegram, ANNA)
        code = await run.app.accounts.create_invite("loket", clock())
        await anna.says(f"/koppel {code}")
        fatma = Resident(run, graph, number="905321234567")
        await fatma.says("Merhaba")
        await fatma.taps("language", "tr")
        for prompt, choice in REPORT:
            if prompt == "place":  # eleven options: a numbered text, answered by typing
                assert "1. Terneuzen-Centrum" in fatma.chat[-1].text
                await fatma.says("Axel")
                continue
            await fatma.taps(prompt, choice)
        assert "SP-2026-0001" in fatma.chat[-1].text
        [card] = telegram.messages(LOKET)  # routed to the Telegram group
        assert "SP-2026-0001" in card.plain_text
        await anna.handled(telegram.user_presses(ANNA, card, "s|claim|1"))
        await run.service.worker.drain(clock())
        details = next(m for m in reversed(anna.chat) if m.protect_content)
        ask = await anna.handled(telegram.user_presses(ANNA, details, "s|ask_reporter|1"))
        await anna.handled(telegram.user_replies(ANNA, ask[-1], "Woont ze alleen?"))
        await run.service.worker.drain(clock())
        question = fatma.chat[-1]  # free text: Fatma wrote minutes ago
        assert "Woont ze alleen?" in question.text
        assert question.type == "text"
        await fatma.says("Evet, yalnız yaşıyor", replying_to=question.wamid)
        relayed = anna.chat[-1]
        assert "Evet, yalnız yaşıyor" in relayed.plain_text
        assert relayed.protect_content
        assert run.staff.messages == []
