"""How soon a report reaches an open dashboard: from the reporter's final "send" in the web
chat to (a) the Server-Sent Event arriving at a staff member's stream held by an HTTP client
and (b) the row appearing on the signal list open in chromium (``static/live.js``: the event,
then the list fetched again over its own GET), for ``--reports`` reports one after another.

Real ``signaalpunt run`` processes: on SQLite (one instance), and on PostgreSQL with the
reporter on one instance and the staff member watching (b, and a second stream) on the
other, so the change arrives by the feed's look at the database (every 2 s) rather than by
the wake-up of the instance's own commit. Median and worst of each; no target is claimed
for the cross-instance figure beyond "within the poll interval plus a page fetch".

    python -m bench.live_latency [--reports 100] [--smoke]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from playwright.async_api import Page

from bench.pg import pg_database, postgres
from bench.service_process import service
from bot.dashboard.live_feed import POLL_EVERY
from bot.staff.passwords import hash_password
from storage import Store, make_engine
from tests.support.keys import TEST_KEYRING
from tests.support.reports import REPORT
from tests.support.telegram_harness import T0
from tests.support.web_harness import PASSWORD, browser, login, post_login
from tests.support.webchat_http import ChatResident, live_events, sent_reference

# Each report is a new chat from 127.0.0.1: the hourly limit per client is raised.
SETTINGS = {"web_chats_per_client_hour": "100000", "web_chats_per_day": "100000"}
ARRIVAL_TIMEOUT = 30.0
# When a row first appears on the page (Date.now(), the same clock as time.time()).
ROW_ARRIVALS = """
(() => {
  window.__arrived = {};
  new MutationObserver(() => {
    document.querySelectorAll("tr[data-reference]").forEach((row) => {
      const ref = row.getAttribute("data-reference");
      if (!(ref in window.__arrived)) { window.__arrived[ref] = Date.now(); }
    });
  }).observe(document, {childList: true, subtree: true});
})();
"""


@dataclass
class Arrivals:
    """When each reference's "created" event reached the stream (time.time())."""

    at: dict[str, float] = field(default_factory=dict)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def follow(self, stream: httpx.Response) -> None:
        async for data in live_events(stream):
            now = time.time()
            created = data.get("created")
            async with self.changed:
                for reference in created if isinstance(created, list) else ():
                    self.at.setdefault(str(reference), now)
                self.changed.notify_all()

    async def of(self, reference: str) -> float:
        async with asyncio.timeout(ARRIVAL_TIMEOUT), self.changed:
            await self.changed.wait_for(lambda: reference in self.at)
        return self.at[reference]


async def add_staff(url: str) -> None:
    engine = make_engine(url)
    try:
        async with Store(engine, TEST_KEYRING).unit_of_work() as uow:
            await uow.logins.add_account(
                "anna",
                display_name="Anna",
                role="loket",
                password_hash=hash_password(PASSWORD),
                now=T0,
            )
            await uow.commit()
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def stream_of(base_url: str) -> AsyncIterator[Arrivals]:
    async with httpx.AsyncClient(base_url=base_url, timeout=None) as staff:
        await post_login(staff, "anna")
        async with staff.stream("GET", "/loket/live") as stream:
            assert stream.status_code == 200, stream.status_code
            arrivals = Arrivals()
            following = asyncio.create_task(arrivals.follow(stream))
            try:
                yield arrivals
            finally:
                following.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await following


async def row_at(page: Page, reference: str) -> float:
    handle = await page.wait_for_function(
        "ref => window.__arrived && window.__arrived[ref]", arg=reference, timeout=30_000
    )
    return float(await handle.json_value()) / 1000


@dataclass
class Figures:
    stream_ms: list[float] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)


async def measure(reporter_url: str, watcher_url: str, reports: int) -> Figures:
    figures = Figures()
    async with browser() as chromium, stream_of(watcher_url) as arrivals:
        context = await chromium.new_context(locale="nl-NL")
        await context.add_init_script(ROW_ARRIVALS)
        page = await context.new_page()
        await login(page, watcher_url, "anna")
        await page.goto(f"{watcher_url}/loket/")
        *before, last = REPORT
        for _ in range(reports):
            resident = ChatResident(reporter_url)
            try:
                await resident.open()
                await resident.answer(before)
                sent = time.time()
                reference = sent_reference(await resident.press(*last))
            finally:
                await resident.close()
            figures.stream_ms.append((await arrivals.of(reference) - sent) * 1000)
            figures.page_ms.append((await row_at(page, reference) - sent) * 1000)
        await context.close()
    return figures


def report(where: str, figures: Figures) -> None:
    for name, values in (("SSE event at a stream", figures.stream_ms),
                         ("row on the open list", figures.page_ms)):  # fmt: skip
        print(
            f"  {where:<44} {name:<22} n={len(values):>3}"
            f"  median {statistics.median(values):7.1f} ms  worst {max(values):7.1f} ms"
        )


async def main(args: argparse.Namespace) -> None:
    reports = 5 if args.smoke else args.reports
    print(f'From "send" in the web chat to the live dashboard, {reports} reports each:')
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite+aiosqlite:///{Path(workdir) / 'live.db'}"
        async with service(url, **SETTINGS) as one:
            await add_staff(url)
            report("SQLite, one instance", await measure(one.base_url, one.base_url, reports))
    if args.smoke:
        return
    with postgres() as server:
        async with pg_database(server) as url, service(url, **SETTINGS) as first:
            await add_staff(url)
            async with service(url, **SETTINGS) as second:
                report(
                    "PostgreSQL, one instance",
                    await measure(first.base_url, first.base_url, reports),
                )
                report(
                    f"PostgreSQL, across two instances (poll {POLL_EVERY:g} s)",
                    await measure(first.base_url, second.base_url, reports),
                )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=100)
    parser.add_argument("--smoke", action="store_true", help="5 reports, SQLite only (CI)")
    asyncio.run(main(parser.parse_args()))
