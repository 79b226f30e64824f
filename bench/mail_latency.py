"""From the reporter's "send" in the web chat to the loket's mail on the SMTP server.

Run: .venv/bin/python -m bench.mail_latency [--reports 100] [--smoke]

The real web side (``signaalpunt run``'s web channel over uvicorn on loopback, SQLite, the
real outbox worker woken by the stored signal, no Telegram) and a real SMTP server on
loopback (aiosmtpd, recording when each message arrives). A reporter per report, over
HTTP as a browser sends the forms (httpx, its own cookie): each report is answered by
buttons up to the summary; the clock starts when the final "send" is posted and stops
when the new-signal mail to the loket's mailbox (``SIGNAALPUNT_LOKET_EMAIL``) has been
accepted by the server (its DATA answered). One report at a time, so each figure is one
report's latency, not a queue's. Prints the median and the worst.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.support.net import free_port
from tests.support.reports import REPORT
from tests.support.smtp_server import RecordingHandler, smtp_server
from tests.support.staff_mail import FROM, LOKET_MAILBOX, PUBLIC_URL
from tests.support.web_harness import web_service

NONCE = re.compile(r'name="nonce" value="([^"]+)"')
REFERENCE = re.compile(r"SP-\d{4}-\d{4,}")


@dataclass
class TimedHandler(RecordingHandler):
    """Records when each mail arrived, by the reference in its subject."""

    arrived: dict[str, float] = field(default_factory=dict)
    waiting: dict[str, asyncio.Event] = field(default_factory=dict)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        at = time.perf_counter()
        if envelope.rcpt_tos == [LOKET_MAILBOX]:
            subject = str(self.received[-1].message()["Subject"])
            found = REFERENCE.search(subject)
            if found:
                self.arrived.setdefault(found.group(0), at)
                self.waiting.setdefault(found.group(0), asyncio.Event()).set()
        return answer


async def one_report(base_url: str, handler: TimedHandler, n: int) -> float:
    """One reporter's report; seconds from posting "send" to the loket's mail. Each
    reporter from an address of their own (127.0.x.y), as residents on their own phones:
    the web chat limits how many new chats one address opens."""
    source = f"127.0.{1 + n // 250}.{2 + n % 250}"
    transport = httpx.AsyncHTTPTransport(local_address=source)
    async with httpx.AsyncClient(
        base_url=base_url, follow_redirects=True, transport=transport
    ) as client:
        page = await client.get("/chat")
        for prompt, choice in REPORT:
            nonce = NONCE.search(page.text)
            assert nonce is not None, "no form on the chat page"
            form: dict[str, Any] = {"nonce": nonce.group(1), "prompt": prompt, "choice": choice}
            if (prompt, choice) == ("summary", "send"):
                started = time.perf_counter()
            page = await client.post("/chat", data=form)
            page.raise_for_status()
        references = REFERENCE.findall(page.text)
        assert references, "no reference after send"
        reference = references[-1]
    event = handler.waiting.setdefault(reference, asyncio.Event())
    await asyncio.wait_for(event.wait(), timeout=30)
    return handler.arrived[reference] - started


async def run(reports: int) -> list[float]:
    port = free_port()
    handler = TimedHandler()
    settings: dict[str, Any] = {
        "smtp_url": f"smtp://127.0.0.1:{port}",
        "mail_from": FROM,
        "loket_email": LOKET_MAILBOX,
        "public_url": PUBLIC_URL,
        "max_signals_per_day": 1000,
    }
    with tempfile.TemporaryDirectory() as tmp:
        async with smtp_server(handler, port), web_service(Path(tmp), **settings) as svc:
            await one_report(svc.base_url, handler, 0)  # warm-up: templates, connections
            return [await one_report(svc.base_url, handler, n + 1) for n in range(reports)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100)
    parser.add_argument("--smoke", action="store_true", help="a few reports (CI)")
    args = parser.parse_args()
    reports = 3 if args.smoke else args.reports
    times = asyncio.run(run(reports))
    ms = sorted(t * 1000 for t in times)
    print(f"send -> loket mail on the SMTP server, {len(ms)} reports, one at a time (SQLite):")
    print(f"  median {statistics.median(ms):.1f} ms, worst {ms[-1]:.1f} ms, best {ms[0]:.1f} ms")


if __name__ == "__main__":
    main()
