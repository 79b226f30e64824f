"""The live dashboard across two real service processes on one PostgreSQL: a report in the
web chat of one instance, and a claim through it, reach a staff member's stream held open
on the other (the feed reads the database, not only its own process); a stream open at
SIGTERM ends cleanly and the instance stops."""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.staff.passwords import hash_password
from storage import Store, make_engine
from tests.support.keys import TEST_KEY_ENV, TEST_KEYRING
from tests.support.net import free_port
from tests.support.pg import PostgresServer
from tests.support.processes import SIGNAALPUNT, process_env
from tests.support.reports import REPORT
from tests.support.telegram_harness import T0
from tests.support.web_harness import PASSWORD, post_login
from tests.support.webchat_http import ChatResident, live_events, sent_reference

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.wall_clock]

START_TIMEOUT = 60.0
ARRIVAL_TIMEOUT = 15.0  # the feed looks every 2 s: far more than enough, and never waited out


@contextlib.asynccontextmanager
async def instance(url: str) -> AsyncIterator[str]:
    """``signaalpunt run`` (the web chat and the dashboard) on ``url``; its base URL."""
    port = free_port()
    env = process_env({
        "SIGNAALPUNT_DATABASE_URL": url,
        "SIGNAALPUNT_HTTP_PORT": str(port),
        **TEST_KEY_ENV,
    })  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        str(SIGNAALPUNT), "run", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    seen: list[str] = []
    try:
        async with asyncio.timeout(START_TIMEOUT):
            while not any("HTTP on" in line for line in seen):
                line = (await process.stderr.readline()).decode()
                assert line, "the service ended early:\n" + "".join(seen)
                seen.append(line)
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), timeout=60)
        assert process.returncode == 0, err.decode()


async def add_staff(url: str) -> None:
    engine = make_engine(url)
    try:
        async with Store(engine, TEST_KEYRING).unit_of_work() as uow:
            await uow.logins.add_account(
                "anna",
                display_name="Anna de Vries",
                role="loket",
                password_hash=hash_password(PASSWORD),
                now=T0,
            )
            await uow.commit()
    finally:
        await engine.dispose()


@pytest.fixture
async def database(postgres_server: PostgresServer) -> AsyncIterator[str]:
    url = await postgres_server.create_database()
    yield url
    await postgres_server.drop_database(url)


async def test_a_change_through_one_instance_reaches_a_stream_on_the_other(database: str) -> None:
    async with instance(database) as first:
        await add_staff(database)
        staff = httpx.AsyncClient(timeout=30)
        async with instance(database) as second:
            staff.base_url = httpx.URL(second)
            await post_login(staff, "anna")
            stream = await staff.send(staff.build_request("GET", "/loket/live"), stream=True)
            assert stream.status_code == 200
            events = live_events(stream)
            resident = ChatResident(first)
            await resident.open()
            *before, last = REPORT
            await resident.answer(before)
            reference = sent_reference(await resident.press(*last))
            async with asyncio.timeout(ARRIVAL_TIMEOUT):
                created = await anext(events)
            assert created == {"changed": [reference], "created": [reference]}

            # Anna picks it up through the first instance; her stream on the second hears
            # of it.
            other = httpx.AsyncClient(base_url=first, timeout=30)
            await post_login(other, "anna")
            page = await other.get(f"/loket/signalen/{reference}")
            await claim(other, page.text, reference)
            async with asyncio.timeout(ARRIVAL_TIMEOUT):
                claimed = await anext(events)
            assert claimed == {"changed": [reference], "created": []}
            await resident.close()
            await other.aclose()
            rest = asyncio.create_task(anext(events, None))
        # The second instance stopped (SIGTERM, exit code 0) with the stream open: the
        # stream was ended, not cut off.
        assert await asyncio.wait_for(rest, 5) is None
        await stream.aclose()
        await staff.aclose()


HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


async def claim(client: httpx.AsyncClient, page: str, reference: str) -> None:
    """The "pick up" form of a signal's page, posted as the browser would."""
    form = page.split('data-testid="form-claim"', 1)[1].split("</form>", 1)[0]
    answer = await client.post(
        f"/loket/signalen/{reference}/actie", data=dict(HIDDEN.findall(form))
    )
    assert answer.status_code == 303, answer.text
