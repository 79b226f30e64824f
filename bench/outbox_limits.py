"""The outbox drained under Telegram's limits (issue 9, item 4).

Real outbox rows in a real SQLite database (and then PostgreSQL, a throw-away server from
``tests.support.pg.start_postgres``; ``--smoke``: SQLite only), queued the way the service
queues them (the storage repositories), drained by the real OutboxWorker and LoketComposer
through the real PTB client with our rate limiter (``bot.channels.telegram.client.build_bot``),
against the fake Bot API on loopback with Telegram's limits enforced (30 sends a second
overall, 20 messages a minute per group, both as sliding windows; a send over a limit is
answered with a 429).

The mix (full size: 1,000 messages, 10 groups, 500 private chats):

- groups: 40 messages to each of 10 groups (400): the loket group gets 40 loket cards (40
  signals, each card queued as a submitted report queues it, ``bot.outbox.kinds.when_stored``),
  and 9 further group chats get the 40 signals' cards each (``staff_card``; outbox targets
  name staff members, so each of these groups stands in as the Telegram chat of a staff
  member linked from it: the limiter paces by chat id);
- private chats: 500 staff members (regisseurs, enrolled through invite codes) get the
  details of one of the 40 signals each (``staff_details``, queued like a claim queues
  them), and 100 of them a signal card as well (``staff_card``): 600.

The ideal (the fastest schedule the limits allow; sends counted from the first at t = 0):
a group of n messages needs 60 s * floor((n - 1) / 20) (20 at once, the next 20 a minute
later); N sends overall need 1 s * floor((N - 1) / 30). Private chats have no limit of their
own in the fake, so they fill the overall budget around the groups' sends: the ideal is the
larger of the two bounds. The sustained-rate view (n / 20 per minute, N / 30 per second) is
printed too, for reference.

Run: .venv/bin/python -m bench.outbox_limits [--smoke] [--sqlite-only | --postgres-only]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.channels.telegram.client import build_bot
from bot.channels.telegram.messenger import StaffChats, TelegramMessenger
from bot.i18n import load_catalogs
from bot.outbox.kinds import STAFF_CARD, STAFF_DETAILS, when_stored
from bot.outbox.worker import OutboxWorker, run_worker
from bot.staff.accounts import StaffAccounts
from core.dialog.model import Place
from core.lifecycle.parties import StaffMember
from storage import Store, create_schema, make_engine
from storage.crypto import Keyring
from tests.fakes.telegram_api import FakeTelegram, RequestRecord
from tests.support.builders import make_draft, telegram

TOKEN = "123:BENCH"
LOKET_CHAT = -100500
GROUP_BASE = -100600  # the other groups: -100601, -100602, ...
STAFF_BASE = 700_000  # staff members' Telegram user ids
PLACES = (Place("axel", "Axel"),)
OVERALL_RATE, OVERALL_SPAN = 30, 1.0
GROUP_RATE, GROUP_SPAN = 20, 60.0
TARGET_SLACK = 1.10  # within 10% of the ideal


@dataclass(frozen=True)
class Mix:
    groups: int  # including the loket group
    per_group: int
    private_chats: int
    extra_private: int  # private chats that get a second message (a card)

    @property
    def group_sends(self) -> int:
        return self.groups * self.per_group

    @property
    def private_sends(self) -> int:
        return self.private_chats + self.extra_private

    @property
    def total(self) -> int:
        return self.group_sends + self.private_sends


FULL = Mix(groups=10, per_group=40, private_chats=500, extra_private=100)
SMOKE = Mix(groups=2, per_group=5, private_chats=15, extra_private=5)  # 30 messages


def ideal_seconds(mix: Mix) -> tuple[float, float, float]:
    """(ideal, bound set by the groups, bound set by the overall limit), sliding windows.

    A group's k-th window (k = floor((n - 1) / 20)) opens 60 s * k after its first: its
    last r = n - 20 k messages follow their predecessors 20 places earlier by 60 s * k at
    least. The G * r last messages of all groups also pass the overall limit, and their
    predecessors went out at best at 30 a second from t = 0, so the last of them goes at
    60 s * k + 1 s * floor((G r - 1) / 30) at the earliest, which a schedule sending the
    groups first (private chats in between) reaches."""
    windows = (mix.per_group - 1) // GROUP_RATE
    last = mix.per_group - GROUP_RATE * windows
    by_groups = GROUP_SPAN * windows + OVERALL_SPAN * ((mix.groups * last - 1) // OVERALL_RATE)
    overall = OVERALL_SPAN * ((mix.total - 1) // OVERALL_RATE)
    return max(by_groups, overall), by_groups, overall


def utc_now() -> datetime:
    return datetime.now(UTC)


async def enqueue(store: Store, mix: Mix) -> None:
    """Queue the mix through the repositories, oldest first in an interleaved order (as a
    busy day would: cards and details for different chats alternate)."""
    accounts = StaffAccounts(store)

    async def enrol(chat: int) -> int:
        now = utc_now()
        code = await accounts.create_invite("regisseur", now)
        linked = await accounts.link(code, account=telegram(chat), name=f"Staff {chat}", now=now)
        assert linked, "enrolling a staff member failed"
        async with store.unit_of_work() as uow:
            staff_id = await uow.telegram_accounts.staff_of(str(chat))
        assert staff_id is not None
        return staff_id

    staff_ids = [await enrol(STAFF_BASE + number) for number in range(mix.private_chats)]
    groups = [await enrol(GROUP_BASE - group) for group in range(1, mix.groups)]
    async with store.unit_of_work() as uow:
        signal_ids = []
        for _ in range(mix.per_group):  # each queues its loket card, as a report does
            now = utc_now()
            stored = await uow.signals.add(
                make_draft(submitted_at=now), reporter_id=None, channel="telegram", now=now
            )
            await uow.outbox.enqueue_many(when_stored(stored), now)
            signal_ids.append(stored.id)
        await uow.commit()
    async with store.unit_of_work() as uow:
        for number in range(max(mix.per_group, mix.private_chats)):
            now = utc_now()
            signal_id = signal_ids[number % len(signal_ids)]
            if number < mix.per_group:
                for group in groups:
                    target = StaffMember(group)
                    await uow.outbox.enqueue(STAFF_CARD, target, now, signal_id=signal_id)
            if number < mix.private_chats:
                # Regisseurs may see any signal's details (DETAIL_VIEWERS).
                member = StaffMember(staff_ids[number])
                await uow.outbox.enqueue(STAFF_DETAILS, member, now, signal_id=signal_id)
            if number < mix.extra_private:
                member = StaffMember(staff_ids[number])
                await uow.outbox.enqueue(STAFF_CARD, member, now, signal_id=signal_id)
        await uow.commit()


@dataclass
class Result:
    seconds: float
    sends: int
    rate_limited: int
    delivered: int
    dead: int
    first_to_last: float


async def drain(mix: Mix, workdir: Path, url: str | None = None) -> Result:
    """Queue ``mix`` and drain it; on SQLite in ``workdir`` unless ``url`` is given."""
    url = url or f"sqlite+aiosqlite:///{workdir / 'outbox.db'}"
    engine = make_engine(url)
    await create_schema(engine)
    store = Store(engine, Keyring.generate())
    await enqueue(store, mix)
    async with store.unit_of_work() as uow:
        assert await uow.outbox.pending_count() == mix.total
    async with FakeTelegram(TOKEN, enforce_limits=True) as fake:
        # The bot is in the groups, and the staff started it (they linked with /koppel).
        for group in range(mix.groups):
            fake.add_group(GROUP_BASE - group if group else LOKET_CHAT)
        fake.started.update(STAFF_BASE + number for number in range(mix.private_chats))
        bot = build_bot(TOKEN, fake.api_url)
        await bot.initialize()
        try:
            messenger = TelegramMessenger(bot, LOKET_CHAT, staff=StaffChats(store))
            worker = OutboxWorker(store, messenger, load_catalogs(), PLACES)
            wake, stop = asyncio.Event(), asyncio.Event()
            started_mono = time.monotonic()
            started = time.perf_counter()
            task = asyncio.create_task(run_worker(worker, utc_now, wake, stop))
            while True:
                await asyncio.sleep(0.02)
                async with store.unit_of_work() as uow:
                    if await uow.outbox.pending_count() == 0:
                        break
            elapsed = time.perf_counter() - started
            stop.set()
            await task
            async with store.unit_of_work() as uow:
                counts = await uow.outbox.counts()
            sent = [r for r in fake.requests if r.method == "sendMessage" and r.status == 200]
            first_to_last = (sent[-1].at - started_mono) if sent else 0.0
            if os.environ.get("OUTBOX_TIMELINE"):
                timeline(sent, started_mono)
            return Result(
                elapsed,
                len(sent),
                fake.rate_limited,
                counts.get("sent", 0),
                counts.get("dead", 0),
                first_to_last,
            )
        finally:
            await bot.shutdown()
            await engine.dispose()


def timeline(sent: list[RequestRecord], started: float) -> None:
    """Per chat: when its 1st, 20th, 21st and last message arrived (profiling aid)."""
    by_chat: dict[str, list[float]] = {}
    for record in sent:
        by_chat.setdefault(str(record.params.get("chat_id")), []).append(record.at - started)
    private = sorted(
        t for chat, times in by_chat.items() if not chat.startswith("-") for t in times
    )
    for chat, times in sorted(by_chat.items()):
        if chat.startswith("-"):
            picks = [times[0], times[min(19, len(times) - 1)], times[min(20, len(times) - 1)]]
            print(f"    group {chat}: " + ", ".join(f"{t:.2f}" for t in [*picks, times[-1]]))
    if private:
        print(
            f"    private: first {private[0]:.2f}, middle {private[len(private) // 2]:.2f}, "
            f"last {private[-1]:.2f}"
        )


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def report(mix: Mix, result: Result, database: str) -> None:
    ideal, by_groups, overall = ideal_seconds(mix)
    sustained = max(mix.per_group * GROUP_SPAN / GROUP_RATE, mix.total / OVERALL_RATE)
    # Within 10% of the ideal; when everything fits in one window (the smoke size), within
    # that window (1 s).
    target = ideal * TARGET_SLACK if ideal > 0 else OVERALL_SPAN
    verdict = "meets target" if result.seconds <= target else "MISSES target"
    print(
        f"outbox under Telegram's limits: {mix.total} messages, {mix.groups} groups x "
        f"{mix.per_group}, {mix.private_chats} private chats (+{mix.extra_private} second "
        f"messages), {database}, python {platform.python_version()}, {cpu_model()}"
    )
    print(
        f"  ideal drain: {ideal:.1f} s (groups: 60 s x floor(({mix.per_group}-1)/20) + 1 s x "
        f"floor(({mix.groups}x{mix.per_group - 20 * ((mix.per_group - 1) // 20)}-1)/30) = "
        f"{by_groups:.0f} s; overall: 1 s x floor(({mix.total}-1)/30) = {overall:.0f} s); "
        f"at the sustained rates (20/min, 30/s) {sustained:.1f} s"
    )
    ratio = f" ({result.seconds / ideal:.2f}x ideal)" if ideal > 0 else ""
    print(
        f"  drain time: {result.seconds:.2f} s (last send at {result.first_to_last:.2f} s)"
        f"  target <= {target:.1f} s  {verdict}{ratio}"
    )
    verdict = "meets target" if result.rate_limited == 0 else "MISSES target"
    print(f"  429s provoked: {result.rate_limited}  target 0  {verdict}")
    print(
        f"  messages sent: {result.sends} (of {mix.total}); rows sent {result.delivered}, "
        f"dead {result.dead}"
    )


async def on_postgres(mix: Mix, workdir: Path) -> Result | None:
    from tests.support.pg import PostgresUnavailable, start_postgres

    try:
        server = start_postgres()
    except PostgresUnavailable as error:
        print(f"PostgreSQL: skipped ({error})")
        return None
    try:
        url = await server.create_database("outbox")
        return await drain(mix, workdir, url)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="30 messages, 2 groups, SQLite")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--sqlite-only", action="store_true")
    only.add_argument("--postgres-only", action="store_true")
    args = parser.parse_args()
    mix = SMOKE if args.smoke else FULL
    if not args.postgres_only:
        with tempfile.TemporaryDirectory() as workdir:
            result = asyncio.run(drain(mix, Path(workdir)))
        report(mix, result, "SQLite")
    if not (args.smoke or args.sqlite_only):
        with tempfile.TemporaryDirectory() as workdir:
            on_pg = asyncio.run(on_postgres(mix, Path(workdir)))
        if on_pg is not None:
            report(mix, on_pg, "PostgreSQL")


if __name__ == "__main__":
    main()
