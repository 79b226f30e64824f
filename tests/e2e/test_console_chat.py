"""The terminal chat as a newcomer runs it: a real process, a real SQLite file."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.database import make_engine
from storage.uow import Store
from tests.support.console_process import ConsoleProcess
from tests.support.keys import TEST_KEY_ENV, TEST_KEYRING
from tests.support.processes import SIGNAALPUNT, process_env

pytestmark = [pytest.mark.e2e, pytest.mark.wall_clock]

# nl, by numbers and typed labels: report, shop, 75+, two observations, a postcode, the
# person's language, may be called (name and number in one), a note at the summary, send.
SCRIPT = [
    "1",
    "1",
    "4",
    "1, 8",
    "4531 ab",
    "Nederlands",
    "1",
    "Sanne 06 12345678",
    "Ze is erg alleen",
    "1",
]


async def stored(url: str) -> tuple[str, dict[str, object], object]:
    engine = make_engine(url)
    try:
        async with Store(engine, TEST_KEYRING).unit_of_work() as uow:
            signal = await uow.signals.get(1)  # the only one; its reference carries the year
            assert signal is not None
            events = await uow.signals.events(signal.id)
            assert [e.action for e in events] == ["created"]
            assert await uow.outbox.pending_count() == 0
        async with engine.connect() as connection:
            rows = (await connection.execute(text("select status from outbox"))).all()
        return signal.reference, {**signal.draft.codes, **signal.draft.multi}, rows[0][0]
    finally:
        await engine.dispose()


def test_scripted_report_is_stored_and_the_loket_notified(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'signaalpunt.db'}"
    result = subprocess.run(
        [str(SIGNAALPUNT), "chat", "--as", "kassa-3"],
        input="\n".join(SCRIPT) + "\n",
        capture_output=True,
        text=True,
        env=process_env({"SIGNAALPUNT_DATABASE_URL": url, **TEST_KEY_ENV}),
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    reference, codes, outbox_status = asyncio.run(stored(url))
    assert reference.startswith("SP-")
    assert codes["role"] == "shop"
    assert codes["age_group"] == "75_plus"
    assert codes["observations"] == ("often_alone", "not_seen")
    assert outbox_status == "sent"
    assert f"LOKET {reference}" in result.stdout
    assert "SPOED" in result.stdout.upper() or "URGENT" in result.stdout.upper()
    assert "4531 AB" in result.stdout


async def test_killed_mid_report_resumes_at_the_same_step(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'signaalpunt.db'}"
    first = ConsoleProcess(url, "--as", "buurvrouw", "--lang", "tr")
    first.read_until_prompt()
    first.say("1")
    before_kill = first.say("2")  # neighbour; now at the age question
    first.kill()

    second = ConsoleProcess(url, "--as", "buurvrouw")
    reopened = second.read_until_prompt()
    # The same question, in the same (Turkish) language, with the same options.
    assert before_kill.strip().removesuffix(">").strip() in reopened
    for line in ["5", "2", "10", "4531", "3", "3", "2", "3", "1"]:
        second.say(line)
    output = second.finish()
    assert "LOKET SP-" in output
    _, codes, _ = await stored(url)
    assert codes["role"] == "neighbour"
    assert codes["danger"] == "no"
    assert codes["age_group"] == "unknown"
