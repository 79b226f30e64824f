"""Two real service processes on one real PostgreSQL, behind a "load balancer" (this test)
that sends each update to either of them: a burst of interleaved reports in webhook mode,
the same update delivered to both at once, and both schedulers sweeping every second.

Every update is applied once and in order per chat, every loket card, reminder and
escalation reaches the group exactly once, and nothing is left in the outbox."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.channels.telegram.webhook import PATH, SECRET_HEADER
from bot.i18n import load_catalogs
from core.dialog.flows import FLOWS
from storage import Store, make_engine
from tests.fakes.telegram_api import FakeTelegram, FakeUser, SentMessage
from tests.support import raw_http
from tests.support.builders import make_draft
from tests.support.keys import TEST_KEY_ENV, TEST_KEYRING
from tests.support.net import free_port
from tests.support.pg import PostgresServer
from tests.support.processes import REFERENCE, SIGNAALPUNT, process_env
from tests.support.reports import REPORT
from tests.support.telegram_harness import LOKET, TOKEN, WEBHOOK_SECRET

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.wall_clock]

REPORTERS = 6
OVERDUE = 3  # signals left unclaimed for two weeks: a reminder and an escalation each
START_TIMEOUT = 60.0
TOGGLES = (("observations", "often_alone"), ("observations", "not_seen"))


async def start(fake: FakeTelegram, url: str, port: int) -> asyncio.subprocess.Process:
    env = process_env({
        "SIGNAALPUNT_DATABASE_URL": url,
        "SIGNAALPUNT_TELEGRAM_TOKEN": TOKEN,
        "SIGNAALPUNT_TELEGRAM_API_URL": fake.api_url,
        "SIGNAALPUNT_LOKET_CHAT_ID": str(LOKET),
        "SIGNAALPUNT_TELEGRAM_MODE": "webhook",
        # Telegram counts calls per token: the two instances share its 30 a second.
        "SIGNAALPUNT_TELEGRAM_INSTANCES": "2",
        "SIGNAALPUNT_TELEGRAM_WEBHOOK_URL": "https://signaalpunt.example/telegram/webhook",
        "SIGNAALPUNT_TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "SIGNAALPUNT_HTTP_PORT": str(port),
        "SIGNAALPUNT_SWEEP_SECONDS": "1",
        **TEST_KEY_ENV,
    })  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        str(SIGNAALPUNT), "run", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    async with asyncio.timeout(START_TIMEOUT):
        seen: list[str] = []
        while not any("HTTP on" in line for line in seen):
            line = (await process.stderr.readline()).decode()
            assert line, "the service ended early:\n" + "".join(seen)
            seen.append(line)
    return process


async def stop(process: asyncio.subprocess.Process) -> str:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    return err.decode()


@pytest.fixture
async def database(postgres_server: PostgresServer) -> AsyncIterator[str]:
    url = await postgres_server.create_database()
    yield url
    await postgres_server.drop_database(url)


async def seed_overdue(url: str) -> list[str]:
    engine = make_engine(url)
    long_ago = datetime.now(UTC) - timedelta(days=14)
    try:
        async with Store(engine, TEST_KEYRING).unit_of_work() as uow:
            references = []
            for _ in range(OVERDUE):
                stored = await uow.signals.add(
                    make_draft(submitted_at=long_ago), reporter_id=None, channel="web",
                    now=long_ago,
                )  # fmt: skip
                references.append(stored.reference)
            await uow.commit()
    finally:
        await engine.dispose()
    return references


async def pending(url: str) -> int:
    async with _store(url) as store, store.unit_of_work() as uow:
        return await uow.outbox.pending_count()


async def test_two_instances_apply_every_update_once_and_send_everything_once(
    database: str,
) -> None:
    async with FakeTelegram(groups={LOKET: "supergroup"}) as fake:
        ports = [free_port(), free_port()]
        first = await start(fake, database, ports[0])
        processes = [first]
        try:
            overdue = await seed_overdue(database)
            processes.append(await start(fake, database, ports[1]))

            async def post(update: dict[str, Any], instance: int) -> int:
                body = json.dumps(update).encode()
                headers = {SECRET_HEADER: WEBHOOK_SECRET}
                return await raw_http.post(ports[instance], PATH, body, headers)

            async def report(n: int) -> None:
                user = FakeUser(id=9000 + n, first_name=f"Kassa {n}", language_code="nl")
                start_update = fake.user_sends(user, "/start")
                # Telegram retrying a webhook may reach the other instance at the same time.
                statuses = await asyncio.gather(post(start_update, 0), post(start_update, 1))
                assert list(statuses) == [200, 200]
                steps = [step for step in REPORT if step != TOGGLES[1]]
                for number, (prompt, choice) in enumerate(steps):
                    question = last_question(fake.messages(user.id))
                    data = f"r|{prompt}|{choice}"
                    assert data in [d for _, d in question.buttons()], (n, prompt)
                    if (prompt, choice) == TOGGLES[0]:
                        # Two boxes ticked at once, each on another instance: neither may
                        # be lost (the chat's row lock makes one wait for the other).
                        both = [fake.user_presses(user, question, f"r|{p}|{c}") for p, c in TOGGLES]
                        assert list(await asyncio.gather(post(both[0], 0), post(both[1], 1))) == [
                            200,
                            200,
                        ]
                        continue
                    update = fake.user_presses(user, question, data)
                    assert await post(update, (n + number) % 2) == 200

            await asyncio.gather(*(report(n) for n in range(REPORTERS)))
            expected_cards = REPORTERS + OVERDUE
            await fake.wait_for(
                lambda: (
                    len({card_of(m) for m in fake.messages(LOKET)} - {None}) == expected_cards
                    and all(mentions(fake, ref) >= 3 for ref in overdue)
                ),
                timeout=60,
                what="every card, reminder and escalation",
            )
        finally:
            errors = [await stop(process) for process in processes]
    assert not any("Traceback" in err for err in errors), errors
    # Stopped gracefully: what was being delivered was finished and recorded.
    assert await pending(database) == 0

    group = fake.messages(LOKET)
    texts = Counter(message.plain_text for message in group)
    assert [text for text, n in texts.items() if n > 1] == []  # nothing sent twice
    # A card (and a reminder) offers to pick the signal up: every signal got its card.
    assert len({card_of(message) for message in group} - {None}) == expected_cards
    for reference in overdue:  # its card, its reminder and its escalation, once each
        assert mentions(fake, reference) == 3, reference
    # Each reporter saw the same conversation, every step once: no update applied twice.
    # (The question ticked twice at once is left out: its two edits may reach Telegram in
    # either order, as they would from one instance; what was ticked is checked below.)
    ticked = load_catalogs()["nl"].gettext(FLOWS["report_other"].step("observations").prompt)
    seen = {
        n: [m.plain_text if ticked not in m.plain_text else "…" for m in fake.messages(9000 + n)]
        for n in range(REPORTERS)
    }
    assert all(texts.count("…") == 1 for texts in seen.values())
    shapes = {tuple(_without_reference(t) for t in texts) for texts in seen.values()}
    assert len(shapes) == 1, seen
    async with _store(database) as store, store.unit_of_work() as uow:
        stored = [await uow.signals.get(i) for i in range(1, expected_cards + 1)]
        counts = await uow.outbox.counts()
    reported = [s for s in stored if s is not None and s.channel == "telegram"]
    assert len(reported) == REPORTERS
    for signal_row in reported:
        assert signal_row.draft.multi["observations"] == ("often_alone", "not_seen")
        assert signal_row.draft.codes["age_group"] == "75_plus"
    assert set(counts) == {"sent"}


def last_question(chat: list[SentMessage]) -> SentMessage:
    return next(m for m in reversed(chat) if m.buttons())


def card_of(message: SentMessage) -> str | None:
    """The signal a message offers to pick up (an Oppakken button)."""
    for _, data in message.buttons():
        if data.startswith("s|claim|"):
            return data
    return None


def mentions(fake: FakeTelegram, reference: str) -> int:
    """Messages to the group about this signal alone (the digest lists several)."""
    return sum(
        1 for m in fake.messages(LOKET) if set(REFERENCE.findall(m.plain_text)) == {reference}
    )


def _without_reference(text: str) -> str:
    return REFERENCE.sub("SP-…", text)


@contextlib.asynccontextmanager
async def _store(url: str) -> AsyncIterator[Store]:
    engine = make_engine(url)
    try:
        yield Store(engine, TEST_KEYRING)
    finally:
        await engine.dispose()
