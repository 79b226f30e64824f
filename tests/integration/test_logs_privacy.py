"""Our logs never carry personal data: a report with a name, a phone number, the person's
details and a note goes through the conversation service, the outbox (a failed delivery
too), a staff member's claim, the follow-up sweep, the retention job, a failed step and a
reporter's erasure, with logging configured as in production but at DEBUG; no personal
value and no chat id appears in the JSON lines, and every line is one JSON object."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from bot.app import App
from bot.bootstrap.build import build_app
from bot.logs import configure_logging
from bot.ports import DeliveryError
from bot.settings import Settings
from core.dialog.events import Event, Pick, TextIn
from tests.fakes.messenger import RecordingMessenger
from tests.support.builders import enrol_staff, telegram
from tests.support.keys import TEST_KEY_ENV
from tests.support.logging_state import kept_logging
from tests.support.reports import typical_report

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, the loket is open
CHAT = "987654321"  # the reporter's Telegram chat id
OTHER_CHAT = "987650000"
ANNA = 5550123  # a staff member's Telegram user id
PERSONAL = {
    "reporter name": "Pieternella Jansen",
    "reporter phone": "0612345678",
    "person": "Aaltje de Vries",
    "address": "Kerkstraat 12",
    "note": "Ze huilde bij de kassa",
    "postcode": "4531 GH",
    "staff name": "Annegien Bakker",
}
# The typical report, with personal details typed in; the note, typed at the summary, has
# the person's name and address in it. It is sent below, once storing fails.
REPORT: list[Event] = [
    TextIn("/start"),
    *typical_report(
        observations=("often_alone",),
        postcode=PERSONAL["postcode"],
        name_and_phone=f"{PERSONAL['reporter name']} {PERSONAL['reporter phone']}",
        note=f"{PERSONAL['note']}: {PERSONAL['person']}, {PERSONAL['address']}",
    )[:-1],
]


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Production logging (JSON, libraries at WARNING) at DEBUG into a buffer; the logging
    set-up of the test run comes back afterwards."""
    stream = io.StringIO()
    with kept_logging():
        configure_logging("json", "DEBUG", stream)
        yield stream


def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        encryption_keys=SecretStr(TEST_KEY_ENV["SIGNAALPUNT_ENCRYPTION_KEYS"]),
        index_key=SecretStr(TEST_KEY_ENV["SIGNAALPUNT_INDEX_KEY"]),
    )


async def say(app: App, chat: str, event: Event, now: datetime) -> str:
    replies = await app.service.handle("telegram", chat, event, now, message_id=f"{now}")
    return "\n".join(reply.text for reply in replies)


async def test_no_personal_data_in_the_logs(database_url: str, log_lines: io.StringIO) -> None:
    app = await build_app(settings(database_url))
    try:
        now = T0
        for event in REPORT:
            now += timedelta(seconds=2)
            await say(app, CHAT, event, now)

        # The step that stores the signal fails (a table gone): logged with a traceback.
        async with app.store.engine.begin() as connection:
            await connection.execute(text("ALTER TABLE signals RENAME TO signals_away"))
        now += timedelta(seconds=2)
        failed = await say(app, CHAT, Pick("summary", "send"), now)
        assert "SP-" not in failed
        async with app.store.engine.begin() as connection:
            await connection.execute(text("ALTER TABLE signals_away RENAME TO signals"))
        now += timedelta(seconds=2)
        assert "SP-2026-0001" in await say(app, CHAT, Pick("summary", "send"), now)

        # The card fails once (logged with its error), then goes out.
        loket = RecordingMessenger()
        loket.failures = [DeliveryError("502 bad gateway")]
        worker = app.outbox_worker(loket)
        assert await worker.drain(now) == 0
        assert await worker.drain(now + timedelta(minutes=5)) == 1

        # A staff member picks it up and gets the details privately.
        await enrol_staff(app.store, ANNA, PERSONAL["staff name"], "loket", now)
        claimed = await app.actions.act("claim", 1, actor=telegram(ANNA), now=now)
        assert claimed is not None
        assert claimed.done
        assert await worker.drain(now + timedelta(minutes=10)) >= 1
        assert any(PERSONAL["person"] in sent for _, sent in loket.sent)  # it went through

        # Reminders and the check-in fall due; long after, retention erases.
        await app.followup.sweep(now + timedelta(days=20))
        await worker.drain(now + timedelta(days=20, minutes=1))
        assert await app.retention.run(now + timedelta(days=800)) is not None

        # Another reporter starts, then has their details erased.
        later = now + timedelta(days=801)
        erase: list[Event] = [TextIn("/start"), Pick("welcome", "report"), TextIn("/verwijder")]
        for event in erase:
            later += timedelta(seconds=2)
            await say(app, OTHER_CHAT, event, later)
        await say(app, OTHER_CHAT, TextIn("1"), later + timedelta(seconds=2))
    finally:
        await app.close()

    lines = log_lines.getvalue().splitlines()
    entries = [json.loads(line) for line in lines]
    assert all(isinstance(entry, dict) for entry in entries)
    messages = {entry["message"] for entry in entries}
    # The paths above did log: the stored signal (with its reference), the failed step (with
    # a traceback), the failed delivery, the sweep, the retention run and the erasure.
    assert {"signal stored", "storing a conversation step failed", "retention run"} <= messages
    assert "reporter erased" in messages
    assert any(entry.get("reference") == "SP-2026-0001" for entry in entries)
    assert any("traceback" in entry for entry in entries)
    assert any("failed" in m and "outbox item" in m for m in messages)
    everything = log_lines.getvalue()
    for what, value in PERSONAL.items():
        assert value not in everything, what
        for part in value.split():  # not even a piece of it ("Kerkstraat", "0612...")
            if len(part) > 3:
                assert part not in everything, (what, part)
    for chat in (CHAT, OTHER_CHAT, str(ANNA)):
        assert chat not in everything
