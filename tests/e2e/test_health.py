"""``signaalpunt run`` as a real process: /healthz and /readyz in Telegram webhook and
polling mode, JSON logs on stderr, and SIGTERM: /readyz turns 503 while the work in
progress finishes (a loket card being delivered, a webhook update being answered), the
update in flight still gets its answer and reply, and the process exits 0."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.channels.telegram.webhook import SECRET_HEADER
from tests.fakes.telegram_api import FakeTelegram, FakeUser, Params
from tests.support.keys import TEST_KEY_ENV
from tests.support.net import free_port
from tests.support.processes import SIGNAALPUNT, find_reference, process_env
from tests.support.reports import REPORT
from tests.support.telegram_harness import LOKET, TOKEN, WEBHOOK_SECRET

pytestmark = [pytest.mark.e2e, pytest.mark.wall_clock]
TIMEOUT = 60.0  # seconds; only reached when something is broken
REPORTER = FakeUser(id=4711, first_name="Fatma", language_code="nl")
LATE = FakeUser(id=4712, first_name="Gerrit", language_code="nl")


class HeldTelegram(FakeTelegram):
    """The fake Bot API, where a message to a held chat is answered only when released: a
    request of the bot that stays in flight for as long as the test needs."""

    def __init__(self) -> None:
        super().__init__(TOKEN, groups={LOKET: "supergroup"})
        self._gates: dict[int, asyncio.Event] = {}

    def hold(self, chat_id: int) -> None:
        self._gates[chat_id] = asyncio.Event()

    def release(self, chat_id: int) -> None:
        self._gates.pop(chat_id).set()

    def sending_to(self, chat_id: int) -> bool:
        """A sendMessage to the chat arrived and is not answered yet."""
        return any(
            r.params.get("chat_id") == chat_id and r.status == 0 for r in self.calls("sendMessage")
        )

    async def _api_sendMessage(self, params: Params) -> dict[str, Any]:
        gate = self._gates.get(self._chat(params))
        if gate is not None:
            await gate.wait()
        return await super()._api_sendMessage(params)


@pytest.fixture
async def fake() -> AsyncIterator[HeldTelegram]:
    async with HeldTelegram() as server:
        yield server


class Stderr:
    """The process's stderr, read as it comes (so the pipe never fills up)."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.lines: list[str] = []
        self.ended = False
        self._changed = asyncio.Event()
        self._reading = asyncio.create_task(self._read(stream))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            self.lines.append(line.decode())
            self._notify()
        self.ended = True
        self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def line_with(self, text: str) -> str:
        async with asyncio.timeout(TIMEOUT):
            while True:
                changed = self._changed
                for line in self.lines:
                    if text in line:
                        return line
                assert not self.ended, f"no {text!r}; stderr:\n" + "".join(self.lines)
                await changed.wait()

    async def rest(self) -> str:
        async with asyncio.timeout(TIMEOUT):
            await self._reading
        return "".join(self.lines)


async def start(
    fake: FakeTelegram, tmp_path: Path, port: int, **env: str
) -> asyncio.subprocess.Process:
    defaults = {
        "SIGNAALPUNT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'signaalpunt.db'}",
        "SIGNAALPUNT_TELEGRAM_TOKEN": TOKEN,
        "SIGNAALPUNT_TELEGRAM_API_URL": fake.api_url,
        "SIGNAALPUNT_LOKET_CHAT_ID": str(LOKET),
        "SIGNAALPUNT_HTTP_PORT": str(port),
        "SIGNAALPUNT_LOG_FORMAT": "json",
        **TEST_KEY_ENV,
    }
    environment = process_env(defaults | env)
    return await asyncio.create_subprocess_exec(
        str(SIGNAALPUNT),
        "run",
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def probe(port: int, path: str) -> tuple[int, object]:
    # A new connection each time: an idle kept-alive one could be closed at shutdown.
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=TIMEOUT) as http:
        response = await http.get(path)
    return response.status_code, response.json()


async def until_listener_closed(port: int) -> None:
    """Wait until the server stopped accepting connections: uvicorn closes its listening
    socket first, then idle connections; an idle connection ending is the cue to look."""
    async with asyncio.timeout(TIMEOUT):
        while True:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except ConnectionRefusedError:
                return
            # The answer, then the end of the connection: at shutdown, or after uvicorn's
            # idle timeout (then look again). A connection caught in the backlog as the
            # socket closes is reset.
            with contextlib.suppress(ConnectionError):
                writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                await reader.read()
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


def json_lines(stderr: str) -> list[dict[str, Any]]:
    """Every line is one of our "Signaalpunt: ..." notes or one JSON log record."""
    entries: list[dict[str, Any]] = []
    for line in stderr.splitlines():
        if line.startswith("Signaalpunt: "):
            continue
        entry = json.loads(line)
        assert isinstance(entry, dict), line
        assert {"time", "level", "logger", "message"} <= entry.keys(), line
        entries.append(entry)
    return entries


async def file_report_but_hold_the_card(
    fake: HeldTelegram, webhook: str, http: httpx.AsyncClient
) -> str:
    """File a report through the webhook; its reference (the process's year) is returned."""

    async def post(update: dict[str, Any]) -> None:
        answer = await http.post(webhook, json=update, headers={SECRET_HEADER: WEBHOOK_SECRET})
        assert answer.status_code == 200

    await post(fake.user_sends(REPORTER, "/start"))
    for prompt, choice in REPORT:
        if (prompt, choice) == ("summary", "send"):
            fake.hold(LOKET)  # the card the outbox sends next stays in flight
        question = next(m for m in reversed(fake.messages(REPORTER.id)) if m.buttons())
        await post(fake.user_presses(REPORTER, question, f"r|{prompt}|{choice}"))
    reference = find_reference(fake.messages(REPORTER.id)[-1].plain_text)
    assert reference is not None
    return reference


async def test_webhook_mode_health_json_logs_and_a_graceful_sigterm(
    fake: HeldTelegram, tmp_path: Path
) -> None:
    port = free_port()
    webhook = f"http://127.0.0.1:{port}/telegram/webhook"
    process = await start(
        fake,
        tmp_path,
        port,
        SIGNAALPUNT_TELEGRAM_MODE="webhook",
        SIGNAALPUNT_TELEGRAM_WEBHOOK_URL="https://signaalpunt.example/telegram/webhook",
        SIGNAALPUNT_TELEGRAM_WEBHOOK_SECRET=WEBHOOK_SECRET,
    )
    assert process.stderr is not None
    stderr = Stderr(process.stderr)
    late: asyncio.Task[httpx.Response] | None = None
    try:
        health = await stderr.line_with("Signaalpunt: health on")
        assert f"http://127.0.0.1:{port}/healthz" in health
        assert await probe(port, "/healthz") == (200, {"status": "ok"})
        assert await probe(port, "/readyz") == (200, {"status": "ready"})

        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            reference = await file_report_but_hold_the_card(fake, webhook, http)
            await fake.wait_for(lambda: fake.sending_to(LOKET), TIMEOUT, what="the card sent")
            # An update arrives; its answer is on the way when SIGTERM comes.
            fake.hold(LATE.id)
            update = fake.user_sends(LATE, "/start")
            headers = {SECRET_HEADER: WEBHOOK_SECRET}
            late = asyncio.create_task(http.post(webhook, json=update, headers=headers))
            await fake.wait_for(lambda: fake.sending_to(LATE.id), TIMEOUT, what="the reply")

            process.send_signal(signal.SIGTERM)
            await stderr.line_with("SIGTERM: shutting down")
            # Not ready at once, so a load balancer stops sending; alive all the same.
            assert await probe(port, "/readyz") == (
                503,
                {"status": "not ready", "reason": "shutting down"},
            )
            assert await probe(port, "/healthz") == (200, {"status": "ok"})
            assert process.returncode is None  # the card being delivered holds it up

            # The card goes out; then the HTTP server stops, while the update is in flight.
            fake.release(LOKET)
            await until_listener_closed(port)
            assert not late.done()
            fake.release(LATE.id)
            answered = await late
        assert answered.status_code == 200
        assert fake.messages(LATE.id), "the reply to the update in flight never arrived"
        # (The group may also have had the day's digest, when the test runs after 08:30.)
        assert [m for m in fake.messages(LOKET) if reference in m.plain_text]
        async with asyncio.timeout(TIMEOUT):
            assert await process.wait() == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        if late is not None and not late.done():
            late.cancel()
    output = await stderr.rest()
    assert "Traceback" not in output, output
    entries = json_lines(output)
    stored = [e for e in entries if e["message"] == "signal stored"]
    assert [e.get("reference") for e in stored] == [reference]
    for private in (REPORTER.first_name, LATE.first_name, str(REPORTER.id), str(LATE.id)):
        assert private not in output


async def test_polling_mode_serves_health_too(fake: HeldTelegram, tmp_path: Path) -> None:
    port = free_port()
    process = await start(fake, tmp_path, port, SIGNAALPUNT_LOG_FORMAT="text")
    assert process.stderr is not None
    stderr = Stderr(process.stderr)
    try:
        await stderr.line_with("Signaalpunt: health on")
        await fake.wait_for(lambda: bool(fake.calls("getUpdates")), TIMEOUT, what="polling")
        assert await probe(port, "/healthz") == (200, {"status": "ok"})
        assert await probe(port, "/readyz") == (200, {"status": "ready"})
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(TIMEOUT):
            assert await process.wait() == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    output = await stderr.rest()
    assert "Traceback" not in output, output


async def test_a_port_in_use_is_named_without_a_traceback(
    fake: HeldTelegram, tmp_path: Path
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        process = await start(fake, tmp_path, port)
        assert process.stderr is not None
        async with asyncio.timeout(TIMEOUT):
            _, err = await process.communicate()
    assert process.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in err.decode()
    assert "SIGNAALPUNT_HTTP_PORT" in err.decode()
    assert "Traceback" not in err.decode()
