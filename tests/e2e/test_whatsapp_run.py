"""``signaalpunt run`` with only WhatsApp configured, as a real process: it serves Meta's
verification and webhook, answers through the (fake) Graph API, and stops cleanly."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.fakes import whatsapp_payloads as wa
from tests.fakes.graph_api import FakeGraphAPI
from tests.support.keys import TEST_KEY_ENV
from tests.support.net import free_port
from tests.support.processes import SIGNAALPUNT, process_env
from tests.support.whatsapp_harness import APP_SECRET, VERIFY_TOKEN

NUMBER = "905321234567"


async def _line_with(stream: asyncio.StreamReader, text: str, seen: list[str]) -> None:
    async with asyncio.timeout(60):
        while True:
            line = (await stream.readline()).decode()
            assert line, "the service ended early:\n" + "".join(seen)
            seen.append(line)
            if text in line:
                return


@pytest.mark.e2e
@pytest.mark.wall_clock
async def test_run_serves_whatsapp_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    async with FakeGraphAPI() as graph:
        env = process_env(
            {
                "SIGNAALPUNT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
                **TEST_KEY_ENV,
                "SIGNAALPUNT_WHATSAPP_PHONE_ID": graph.phone_id,
                "SIGNAALPUNT_WHATSAPP_TOKEN": graph.token,
                "SIGNAALPUNT_WHATSAPP_APP_SECRET": APP_SECRET,
                "SIGNAALPUNT_WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
                "SIGNAALPUNT_WHATSAPP_API_URL": graph.url,
                "SIGNAALPUNT_HTTP_PORT": str(port),
            },
            inherit=True,
        )
        proc = await asyncio.create_subprocess_exec(
            str(SIGNAALPUNT),
            "run",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        seen: list[str] = []
        try:
            assert proc.stderr is not None
            await _line_with(proc.stderr, "HTTP on", seen)
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                challenge = {
                    "hub.mode": "subscribe",
                    "hub.verify_token": VERIFY_TOKEN,
                    "hub.challenge": "1158201444",
                }
                answer = await http.get("/whatsapp/webhook", params=challenge)
                assert (answer.status_code, answer.text) == (200, "1158201444")
                now = datetime.now(UTC)
                body = wa.body_bytes(
                    wa.envelope(wa.text_message(wa_id=NUMBER, text="Merhaba", timestamp=now))
                )
                headers = {"X-Hub-Signature-256": wa.sign(body, APP_SECRET)}
                graph.user_wrote(NUMBER, at=now)
                posted = await http.post("/whatsapp/webhook", content=body, headers=headers)
                assert posted.status_code == 200
            first = await graph.next_sent(NUMBER, after=0)
            assert "✓ Türkçe" in [title for _, title, _ in first.rows]
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        assert proc.returncode == 0, "".join(seen) + err.decode()
