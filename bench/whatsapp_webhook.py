"""WhatsApp webhooks: how fast Meta gets its 200 (signature check, parse, keep in the inbox,
commit), and how long until the reply reaches the (fake) Graph API, with the inbox worker
and the real pywa client running, on SQLite.

Residents write at once (``--residents``), each ``--messages`` times in a row.

Run: .venv/bin/python -m bench.whatsapp_webhook [--residents 50 --messages 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.fakes import whatsapp_payloads as wa
from tests.fakes.graph_api import FakeGraphAPI
from tests.support.telegram_harness import Clock
from tests.support.whatsapp_harness import running_whatsapp


def _ms(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p99 = ms[max(0, round(0.99 * len(ms)) - 1)]
    return f"median {statistics.median(ms):.1f} ms, p99 {p99:.1f} ms, worst {ms[-1]:.1f} ms"


async def measure(residents: int, messages: int, workdir: Path) -> tuple[list[float], list[float]]:
    acks: list[float] = []
    replies: list[float] = []
    async with (
        FakeGraphAPI() as graph,
        running_whatsapp(graph, workdir, Clock(datetime.now(UTC)), background=True) as run,
    ):

        async def resident(number: int) -> None:
            wa_id = f"3161{number:07d}"
            for _ in range(messages):
                before = len(graph.messages_to(wa_id))
                item = wa.text_message(wa_id=wa_id, text="Hallo", timestamp=datetime.now(UTC))
                started = time.monotonic()
                response = await run.post(wa.envelope(item))
                acks.append(time.monotonic() - started)
                assert response.status_code == 200
                await graph.next_sent(wa_id, after=before)
                replies.append(time.monotonic() - started)

        await asyncio.gather(*(resident(n) for n in range(residents)))
    return acks, replies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--messages", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        started = time.monotonic()
        acks, replies = asyncio.run(measure(args.residents, args.messages, Path(workdir)))
        elapsed = time.monotonic() - started
    total = args.residents * args.messages
    print(f"{args.residents} residents x {args.messages} messages over WhatsApp webhooks")
    print(f"  webhook answered (200): {_ms(acks)}")
    print(f"  webhook -> first reply at the Graph API: {_ms(replies)}")
    print(f"  {total / elapsed:.0f} messages/s overall")


if __name__ == "__main__":
    main()
