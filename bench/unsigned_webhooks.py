"""Unsigned 3 MB posts to the WhatsApp webhook, against a real ``signaalpunt run`` (issue 18).

Run: .venv/bin/python -m bench.unsigned_webhooks [--smoke] [--rounds 3]

The probe posted 150 bodies of 3 MB without a signature, 50 at a time, and the service grew
by 112 MB: it read each body before looking at the signature. A missing or malformed
``X-Hub-Signature-256`` is now refused before the body is read. Per round: 50 such posts at
once, then 150, 50 at a time; the service's peak resident memory over its memory before.
For comparison, the same with a well-formed but wrong signature, which must be read to be
checked (at most 3 MB each, so bounded by how many arrive at once). Judged by the median
round; target: under 20 MB of growth for unsigned posts.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

from bench.service_process import PeakRss, Running, service
from bot.channels.whatsapp.webhook import MAX_BODY, PATH
from tests.support import raw_http

TARGET_MB = 20.0
SETTINGS = {
    "whatsapp_phone_id": "106540352242922",
    "whatsapp_token": "bench-token",
    "whatsapp_app_secret": "bench-app-secret",
    "whatsapp_verify_token": "bench-verify",
    "whatsapp_api_url": "http://127.0.0.1:9",  # nothing is sent: no message is accepted
}


async def posts(run: Running, total: int, width: int, headers: dict[str, str]) -> list[int]:
    body = b"{" + b" " * (MAX_BODY - 2) + b"}"  # just under the limit: 3 MB of JSON
    queue = iter(range(total))
    statuses: list[int] = []

    async def worker() -> None:
        for _ in queue:
            statuses.append(await raw_http.post(run.port, PATH, body, headers))

    await asyncio.gather(*(worker() for _ in range(width)))
    return statuses


async def peak_growth(run: Running, total: int, width: int, headers: dict[str, str]) -> float:
    async with PeakRss(run) as peak:
        statuses = await posts(run, total, width, headers)
    assert set(statuses) == {401}, set(statuses)
    return peak.mb - peak.before


async def main(args: argparse.Namespace) -> None:
    shapes = [(5, 5)] if args.smoke else [(50, 50), (150, 50)]
    kinds = {
        "no signature": {},
        "malformed signature": {"X-Hub-Signature-256": "sha256=nothex"},
        "well-formed, wrong signature (read to be checked)": {
            "X-Hub-Signature-256": "sha256=" + "0" * 64
        },
    }
    rounds = 1 if args.smoke else args.rounds
    with tempfile.TemporaryDirectory(prefix="signaalpunt-unsigned-") as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        async with service(url, **SETTINGS) as run:
            print(f"service memory at start: {run.rss_mb():.0f} MB; median of {rounds} rounds")
            for total, width in shapes:
                for kind, headers in kinds.items():
                    growth = [await peak_growth(run, total, width, headers) for _ in range(rounds)]
                    median = statistics.median(growth)
                    line = f"  {total} posts of 3 MB, {width} at a time, {kind}: +{median:.0f} MB"
                    if kind.startswith("well-formed"):
                        print(line + " (no target: bounded by the posts arriving at once)")
                    else:
                        verdict = "ok" if median < TARGET_MB else "MISS"
                        print(line + f" (target < {TARGET_MB:.0f} MB: {verdict})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args()))
