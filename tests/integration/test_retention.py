"""The retention job on SQLite and PostgreSQL: what is erased when, what stays for the
figures, and that a run is recorded with counts only and runs once a day."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.followup.retention import RetentionService
from bot.settings import RetentionPeriods
from core.lifecycle.parties import StaffMember
from storage import Store
from storage.models import Conversation, InboundMessage, Reporter, Signal, SignalEvent
from tests.support.builders import NOW, make_draft
from tests.support.keys import TEST_KEYRING

DAY = timedelta(days=1)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def service(store: Store) -> RetentionService:
    return RetentionService(store, RetentionPeriods(), AMSTERDAM)


async def signal_closed(store: Store, user: str, *, closed: timedelta | None) -> int:
    """A signal by reporter ``user`` with every personal field, with a question and
    answer; closed ``closed`` before NOW (or still open). Returns its id."""
    draft = make_draft(reporter_name="Anna", reporter_phone="+31612345678", postcode="4531AB")
    async with store.unit_of_work() as uow:
        reporter = await uow.reporters.get_or_create("telegram", user, language="nl", now=NOW)
        start = NOW - (closed or DAY) - 30 * DAY
        signal = await uow.signals.add(
            draft, reporter_id=reporter.id, channel="telegram", now=start
        )
        await uow.signals.add_event(signal.id, at=start, actor=StaffMember(1), action="question",
                                    note="Hoe gaat het?")  # fmt: skip
        if closed is not None:
            await uow.signals.transition(
                signal.id, sources=frozenset({"new"}), target="closed", assignee_id=None,
                claimed_at=None, at=NOW - closed, outcome="contact_made",
            )  # fmt: skip
        await uow.commit()
    return signal.id


async def raw_signal(store: Store, signal_id: int) -> dict[str, object]:
    async with store.engine.connect() as connection:
        row = (await connection.execute(select(Signal).where(Signal.id == signal_id))).one()
    return dict(row._mapping)


async def test_reporter_contact_goes_30_days_after_closure(store: Store) -> None:
    old = await signal_closed(store, "1", closed=31 * DAY)
    recent = await signal_closed(store, "2", closed=29 * DAY)
    still_open = await signal_closed(store, "3", closed=None)
    counts = await service(store).erase(NOW)
    assert counts["reporter_contact"] == 1
    erased = await raw_signal(store, old)
    assert (erased["reporter_name"], erased["reporter_phone"], erased["reporter_id"]) == (
        None, None, None,
    )  # fmt: skip
    assert erased["reporter_erased_at"] == NOW
    assert erased["note"] is not None  # the person's details stay for 12 months
    for kept in (recent, still_open):
        row = await raw_signal(store, kept)
        assert row["reporter_name"] is not None
        assert row["reporter_id"] is not None


async def test_person_details_go_a_year_after_closure_and_the_figures_stay(store: Store) -> None:
    old = await signal_closed(store, "1", closed=366 * DAY)
    young = await signal_closed(store, "2", closed=300 * DAY)
    counts = await service(store).erase(NOW)
    assert counts["person_details"] == 1
    row = await raw_signal(store, old)
    for field in ("person_contact", "note", "postcode", "reporter_name", "reporter_phone"):
        assert row[field] is None, field
    # What the figures need is all still there.
    assert (row["status"], row["outcome"], row["area"], row["postcode4"]) == (
        "closed", "contact_made", "Centrum", "4531",
    )  # fmt: skip
    assert (row["role"], row["age_group"], row["observations"]) == (
        "neighbour", "75plus", ["withdrawn", "no_visitors"],
    )  # fmt: skip
    async with store.unit_of_work() as uow:
        events = await uow.signals.events(old)
        assert [e.note for e in events] == [None, None]
        assert [e.note for e in await uow.signals.events(young)] == [None, "Hoe gaat het?"]
        assert await uow.signals.count() == 2
        signal = await uow.signals.get(old)
    assert signal is not None
    assert signal.draft.person_contact is None


async def test_drafts_update_ids_and_idle_reporters(store: Store) -> None:
    async with store.unit_of_work() as uow:
        for user, idle in (("old", 8 * DAY), ("new", 6 * DAY), ("gone", 40 * DAY)):
            reporter = await uow.reporters.get_or_create(
                "telegram", user, language="nl", now=NOW - idle
            )
            await uow.reporters.heard_from(reporter.id, NOW - idle)
            await uow.conversations.save(reporter.id, {"flow": "report_other"}, NOW - idle)
        for number, age in ((1, 15 * DAY), (2, 13 * DAY)):
            await uow.inbound.record("telegram", str(number), NOW - age)
        await uow.commit()
    counts = await service(store).erase(NOW)
    assert (counts["drafts"], counts["update_ids"], counts["idle_reporters"]) == (2, 1, 1)
    async with store.engine.connect() as connection:
        drafts = (await connection.execute(select(func.count()).select_from(Conversation))).one()
        ids = (await connection.execute(select(InboundMessage.message_id))).scalars().all()
        reporters = (await connection.execute(select(func.count()).select_from(Reporter))).one()
    assert ids == [TEST_KEYRING.index("message:telegram:2")]  # kept as a keyed hash
    assert (drafts[0], reporters[0]) == (1, 2)


async def test_a_run_is_claimed_once_a_day_and_records_counts_only(store: Store) -> None:
    await signal_closed(store, "1", closed=31 * DAY)
    first, again = service(store), service(store)  # two instances
    assert await first.run(NOW) is not None
    assert await again.run(NOW + timedelta(hours=1)) is None
    assert (await again.run(NOW + DAY)) is not None  # the next night
    async with store.unit_of_work() as uow:
        runs = await uow.erasure.runs()
    assert [at for at, _ in runs] == [NOW, NOW + DAY]
    assert runs[0][1]["reporter_contact"] == 1
    assert runs[1][1]["reporter_contact"] == 0  # erasing is idempotent
    assert all(isinstance(n, int) for _, counts in runs for n in counts.values())


async def test_event_notes_of_open_signals_are_kept(store: Store) -> None:
    open_signal = await signal_closed(store, "1", closed=None)
    await service(store).erase(NOW + 400 * DAY)
    async with store.engine.connect() as connection:
        notes = (
            await connection.execute(
                select(SignalEvent.note).where(SignalEvent.signal_id == open_signal)
            )
        ).scalars()
        assert [n is not None for n in notes] == [False, True]
