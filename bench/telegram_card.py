"""Time from a reporter pressing "send" to the loket card reaching Telegram, measured against
the fake Bot API on loopback (the real PTB client, our bot, SQLite, the outbox worker).

Two runs of the same reports: with Telegram's pacing lifted (our own latency: commit, wake
the worker, compose the card, send it), and with it (30 messages a second overall, 20 a minute
per group: a reporter tapping as fast as this benchmark uses the overall budget, and after 20
cards the loket group gets one card every 3 seconds).

Run: .venv/bin/python -m bench.telegram_card [--reports 100]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.channels.telegram.client import build_bot
from tests.fakes.telegram_api import FakeTelegram, FakeUser
from tests.support.reports import REPORT
from tests.support.telegram_harness import LOKET, TOKEN, Person, running_bot


def utc_now() -> datetime:
    return datetime.now(UTC)


async def card_latency(reports: int, workdir: Path, paced: bool) -> list[float]:
    """Seconds from the "send" press being offered to the card's sendMessage arriving."""
    latencies: list[float] = []
    # The fake enforces Telegram's pace only in the paced run: the unpaced one measures our
    # own latency, with the limits lifted on both sides.
    async with FakeTelegram(enforce_limits=paced) as fake:
        bot = build_bot(TOKEN, fake.api_url, paced=paced)
        async with running_bot(fake, workdir, utc_now, bot=bot):
            for number in range(reports):
                person = Person(fake, FakeUser(id=10_000 + number, first_name=f"R{number}"))
                await person.says("/start")
                for prompt, choice in REPORT[:-1]:
                    await person.taps(prompt, choice)
                before = len(fake.messages(LOKET))
                pressed_at = time.monotonic()
                fake.user_presses(person.user, person.question(), "r|summary|send")

                def arrived(count: int = before) -> bool:
                    return len(fake.messages(LOKET)) > count

                await fake.wait_for(arrived, 30.0, what="the loket card")
                cards = [
                    r
                    for r in fake.calls("sendMessage")
                    if str(r.params.get("chat_id")) == str(LOKET)
                ]
                latencies.append(cards[-1].at - pressed_at)
    return latencies


def summary(latencies: list[float]) -> str:
    ms = sorted(v * 1000 for v in latencies)
    p95 = ms[max(0, round(0.95 * len(ms)) - 1)]
    return f"median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, worst {ms[-1]:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=100)
    args = parser.parse_args()
    print(f"send -> loket card over the fake Bot API, {args.reports} reports one after another")
    for label, paced in (
        ("own latency (Telegram's pacing lifted)", False),
        ("with Telegram's pacing (30/s overall, 20/min per group)", True),
    ):
        with tempfile.TemporaryDirectory() as workdir:
            latencies = asyncio.run(card_latency(args.reports, Path(workdir), paced))
        print(f"  {label}: {summary(latencies)}")


if __name__ == "__main__":
    main()
