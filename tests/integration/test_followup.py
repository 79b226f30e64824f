"""The follow-up sweep and the morning digest on real databases (SQLite and PostgreSQL).

Every test passes ``now`` explicitly: the clock is a parameter, nothing sleeps.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import holidays
import pytest

from bot.followup.service import FollowUpService
from bot.i18n import ContextCatalog, load_catalogs
from bot.outbox.kinds import DIGEST, when_stored
from bot.outbox.worker import OutboxWorker
from bot.staff.actions import SignalActions
from core.dialog.model import Place
from core.followup import rules as f
from core.followup.rules import FollowUpRules
from core.followup.workdays import WorkingHours
from storage import Store, StoredSignal, make_engine
from tests.fakes.messenger import RecordingMessenger
from tests.support.builders import (
    add_signal,
    checkin_keys,
    enrol_staff,
    make_draft,
    outbox_rows,
    staff_of,
    telegram,
)
from tests.support.keys import TEST_KEYRING

CATALOGS: dict[str, ContextCatalog] = load_catalogs()
PLACES = (Place("centrum", "Centrum"),)
AMS = ZoneInfo("Europe/Amsterdam")
ANNA, BOB, REGI, ROSA, ADA = 1001, 1002, 2001, 2002, 3001


def at(day: int, hour: int, minute: int = 0, *, month: int = 11) -> datetime:
    """A wall-clock moment at the loket in 2026 (November unless told)."""
    return datetime(2026, month, day, hour, minute, tzinfo=AMS)


# Friday 20 November 2026, 10:00: the claim deadline (one working day) is Monday 10:00,
# the escalation (twice that) Tuesday 10:00.
RECEIVED = at(20, 10)
CLAIM_DUE = at(23, 10)
ESCALATION_DUE = at(24, 10)


def followup(store: Store) -> FollowUpService:
    return FollowUpService(
        store, WorkingHours(holidays=holidays.country_holidays("NL")), FollowUpRules()
    )


def worker(store: Store, recorder: RecordingMessenger) -> OutboxWorker:
    return OutboxWorker(store, recorder, CATALOGS, PLACES)


async def kinds_for(store: Store, signal_id: int) -> Counter[str]:
    return Counter(r.kind for r in await outbox_rows(store) if r.signal_id == signal_id)


async def claimed_kinds(store: Store, signal_id: int) -> list[str]:
    return sorted(kind for _, sid, kind in await checkin_keys(store) if sid == signal_id)


# -- the claim reminder and its escalation ------------------------------------------------


async def test_claim_reminder_is_queued_once_after_the_deadline(store: Store) -> None:
    signal = await add_signal(store, now=RECEIVED)
    service = followup(store)
    assert (await service.sweep(at(23, 9, 59)))[f.CLAIM_REMINDER] == 0
    assert (await service.sweep(CLAIM_DUE))[f.CLAIM_REMINDER] == 1
    [reminder] = await outbox_rows(store, f.CLAIM_REMINDER)
    assert (reminder.signal_id, reminder.target) == (signal.id, "loket")
    assert datetime.fromisoformat(reminder.payload["due"]) == CLAIM_DUE

    for later in (CLAIM_DUE, at(23, 10, 1), at(23, 16), at(24, 9, 59)):
        assert (await service.sweep(later))[f.CLAIM_REMINDER] == 0
    restarted = followup(store)  # a new process on the same database
    assert (await restarted.sweep(at(23, 16, 30)))[f.CLAIM_REMINDER] == 0
    assert (await restarted.sweep(at(26, 10)))[f.CLAIM_REMINDER] == 0

    assert (await kinds_for(store, signal.id))[f.CLAIM_REMINDER] == 1
    assert await claimed_kinds(store, signal.id) == [f.CLAIM_ESCALATION, f.CLAIM_REMINDER]
    async with store.unit_of_work() as uow:
        events = [(e.action, e.actor) for e in await uow.signals.events(signal.id)]
    assert events.count((f.CLAIM_REMINDER, "system")) == 1


@pytest.mark.parametrize(
    ("staff", "revoked", "expected"),
    [
        pytest.param(
            [(REGI, "regisseur"), (ROSA, "regisseur"), (ADA, "admin"), (ANNA, "loket")],
            [],
            {REGI, ROSA},
            id="regisseurs",
        ),
        pytest.param(
            [(REGI, "regisseur"), (ADA, "admin"), (ANNA, "loket")],
            [REGI],
            {ADA},
            id="admins-when-no-active-regisseur",
        ),
        pytest.param([], [], {0}, id="loket-group-when-no-staff"),
    ],
)
async def test_escalation_at_twice_the_deadline(
    store: Store, staff: list[tuple[int, str]], revoked: list[int], expected: set[int]
) -> None:
    ids = {
        user: await enrol_staff(store, user, f"user {user}", role, RECEIVED) for user, role in staff
    }
    async with store.unit_of_work() as uow:
        for user in revoked:
            assert await uow.staff.revoke(ids[user], RECEIVED)
        await uow.commit()
    signal = await add_signal(store, now=RECEIVED)
    service = followup(store)
    await service.sweep(CLAIM_DUE)
    assert (await service.sweep(at(24, 9, 59)))[f.CLAIM_ESCALATION] == 0
    assert (await service.sweep(ESCALATION_DUE))[f.CLAIM_ESCALATION] == 1  # one check-in
    assert (await service.sweep(at(25, 10)))[f.CLAIM_ESCALATION] == 0

    escalations = await outbox_rows(store, f.CLAIM_ESCALATION)
    # 0: the loket group
    targets = {f"staff:{ids[user]}" if user else "loket" for user in expected}
    assert sorted(r.target for r in escalations) == sorted(targets)
    assert {r.signal_id for r in escalations} == {signal.id}
    # The message names the claim deadline it is about, not the escalation moment.
    assert {datetime.fromisoformat(r.payload["due"]) for r in escalations} == {CLAIM_DUE}
    # The reminder itself still went to the group only.
    assert [r.target for r in await outbox_rows(store, f.CLAIM_REMINDER)] == ["loket"]


async def test_urgent_signal_is_reminded_after_two_hours_at_any_time(store: Store) -> None:
    await enrol_staff(store, REGI, "Rita", "regisseur", RECEIVED)
    saturday_night = at(21, 22)
    async with store.unit_of_work() as uow:
        draft = make_draft(submitted_at=saturday_night, urgent=True)
        signal = await uow.signals.add(
            draft, reporter_id=None, channel="telegram", now=saturday_night
        )
        await uow.outbox.enqueue_many(when_stored(signal), saturday_night)
        await uow.commit()
    service = followup(store)
    assert (await service.sweep(at(21, 23, 59)))[f.CLAIM_REMINDER] == 0
    assert (await service.sweep(at(22, 0)))[f.CLAIM_REMINDER] == 1
    assert (await service.sweep(at(22, 1, 59)))[f.CLAIM_ESCALATION] == 0
    assert (await service.sweep(at(22, 2)))[f.CLAIM_ESCALATION] == 1
    targets = [(r.kind, r.target) for r in await outbox_rows(store) if r.signal_id == signal.id]
    assert targets[1:] == [
        (f.CLAIM_REMINDER, "loket"),
        (f.CLAIM_ESCALATION, (await staff_of(store, REGI))),
    ]

    recorder = RecordingMessenger()
    await worker(store, recorder).drain(at(22, 2))
    # The card and the reminder in the group (in that order), the escalation to Rita.
    assert sorted(m.target for m in recorder.messages) == sorted(
        ["loket", "loket", (await staff_of(store, REGI))]
    )
    assert all(m.edit is None for m in recorder.messages)
    card, reminder = [m for m in recorder.messages if m.target == "loket"]
    assert card.text != reminder.text
    for message in recorder.messages:
        assert [b.data for b in message.buttons] == [f"s|claim|{signal.id}"]


# -- contact reminder, release, referral check ---------------------------------------


async def test_contact_reminder_goes_to_the_assignee_unless_contact_was_logged(
    store: Store,
) -> None:
    await enrol_staff(store, ANNA, "Anna", "loket", RECEIVED)
    actions = SignalActions(store)
    silent = await add_signal(store, now=RECEIVED)
    talked = await add_signal(store, now=RECEIVED)
    for signal in (silent, talked):
        claimed = await actions.act("claim", signal.id, actor=telegram(ANNA), now=at(23, 9, 30))
        assert claimed is not None
        assert claimed.done
    contact = await actions.act("contact", talked.id, actor=telegram(ANNA), now=at(25, 14))
    assert contact is not None
    assert contact.done
    recorder = RecordingMessenger()
    await worker(store, recorder).drain(at(25, 14))  # cards and details are out of the way
    recorder.messages.clear()

    service = followup(store)
    # Three working days from Monday 09:30 is Thursday 09:30.
    assert (await service.sweep(at(26, 9, 29)))[f.CONTACT_REMINDER] == 0
    assert (await service.sweep(at(26, 9, 30)))[f.CONTACT_REMINDER] == 1
    assert (await service.sweep(at(30, 12)))[f.CONTACT_REMINDER] == 0
    [reminder] = await outbox_rows(store, f.CONTACT_REMINDER)
    assert (reminder.signal_id, reminder.target) == (silent.id, (await staff_of(store, ANNA)))
    assert datetime.fromisoformat(reminder.payload["due"]) == at(26, 9, 30)
    assert await claimed_kinds(store, talked.id) == []

    await worker(store, recorder).drain(at(30, 12))
    [sent] = [m for m in recorder.messages if m.target == (await staff_of(store, ANNA))]
    assert sent.reference == silent.reference
    assert {b.data for b in sent.buttons} == {
        f"s|{action}|{silent.id}"
        for action in (
            "contact",
            "close",
            "cannot_follow_up",
            "needs_help",
            "ask_reporter",
            "release",
        )
    }


async def test_a_released_signal_gets_a_new_claim_reminder_cycle(store: Store) -> None:
    await enrol_staff(store, ANNA, "Anna", "loket", RECEIVED)
    actions = SignalActions(store)
    signal = await add_signal(store, now=RECEIVED)
    service = followup(store)
    assert (await service.sweep(CLAIM_DUE))[f.CLAIM_REMINDER] == 1
    for action, when in (("claim", at(23, 11)), ("release", at(23, 12))):
        result = await actions.act(action, signal.id, actor=telegram(ANNA), now=when)
        assert result is not None
        assert result.done
    # Unclaimed again from Monday 12:00: the new deadline is Tuesday 12:00; the old
    # cycle's escalation (Tuesday 10:00) no longer applies.
    assert (await service.sweep(ESCALATION_DUE))[f.CLAIM_ESCALATION] == 0
    assert (await service.sweep(at(24, 11, 59)))[f.CLAIM_REMINDER] == 0
    assert (await service.sweep(at(24, 12)))[f.CLAIM_REMINDER] == 1
    assert (await service.sweep(at(24, 15)))[f.CLAIM_REMINDER] == 0

    reminders = await outbox_rows(store, f.CLAIM_REMINDER)
    assert [(r.signal_id, r.target) for r in reminders] == [(signal.id, "loket")] * 2
    assert [datetime.fromisoformat(r.payload["due"]) for r in reminders] == [
        CLAIM_DUE,
        at(24, 12),
    ]
    keys = [key for key, _, kind in await checkin_keys(store) if kind == f.CLAIM_REMINDER]
    assert len(keys) == len(set(keys)) == 2


async def test_referral_check_asks_the_assignee_with_three_buttons(store: Store) -> None:
    await enrol_staff(store, ANNA, "Anna", "loket", RECEIVED)
    actions = SignalActions(store)
    signal = await add_signal(store, now=RECEIVED)
    steps = [
        ("claim", None, at(23, 9, 30)),
        ("contact", None, at(23, 10)),
        ("refer", "team_welzijn", at(23, 11)),
    ]
    for action, option, when in steps:
        result = await actions.act(action, signal.id, actor=telegram(ANNA), now=when, option=option)
        assert result is not None
        assert result.done
    recorder = RecordingMessenger()
    await worker(store, recorder).drain(at(23, 11))
    recorder.messages.clear()

    service = followup(store)
    # Fourteen days after the referral, during office hours: Monday 7 December 11:00.
    assert (await service.sweep(at(7, 10, 59, month=12)))[f.REFERRAL_CHECK] == 0
    assert (await service.sweep(at(7, 11, month=12)))[f.REFERRAL_CHECK] == 1
    assert (await service.sweep(at(8, 11, month=12)))[f.REFERRAL_CHECK] == 0
    [check] = await outbox_rows(store, f.REFERRAL_CHECK)
    assert (check.signal_id, check.target) == (signal.id, (await staff_of(store, ANNA)))

    await worker(store, recorder).drain(at(8, 11, month=12))
    [sent] = [m for m in recorder.messages if m.target == (await staff_of(store, ANNA))]
    assert sent.reference == signal.reference
    assert signal.reference in sent.text
    assert [b.data for b in sent.buttons] == [
        f"s|on_track|{signal.id}",
        f"s|close|{signal.id}",
        f"s|needs_help|{signal.id}",
    ]


# -- exactly once, across instances -------------------------------------------------------


async def test_two_instances_sweeping_at_once_queue_every_checkin_once(
    database_url: str,
) -> None:
    engines = [make_engine(database_url), make_engine(database_url)]
    try:
        first, second = Store(engines[0], TEST_KEYRING), Store(engines[1], TEST_KEYRING)
        signals: list[StoredSignal] = [await add_signal(first, now=RECEIVED) for _ in range(30)]
        # Tuesday 10:00: every signal owes a reminder and an escalation; the digest is due too.
        counts = await asyncio.gather(
            followup(first).sweep(ESCALATION_DUE), followup(second).sweep(ESCALATION_DUE)
        )
        total = counts[0] + counts[1]
        assert total == Counter({f.CLAIM_REMINDER: 30, f.CLAIM_ESCALATION: 30, DIGEST: 1})

        rows = await outbox_rows(first)
        per_signal = Counter(
            (r.signal_id, r.kind) for r in rows if r.kind in (f.CLAIM_REMINDER, f.CLAIM_ESCALATION)
        )
        assert per_signal == Counter(
            {(s.id, kind): 1 for s in signals for kind in (f.CLAIM_REMINDER, f.CLAIM_ESCALATION)}
        )
        assert sum(1 for r in rows if r.kind == DIGEST) == 1
        claims = await checkin_keys(first)
        assert Counter(kind for _, _, kind in claims) == Counter(
            {f.CLAIM_REMINDER: 30, f.CLAIM_ESCALATION: 30, DIGEST: 1}
        )
        async with first.unit_of_work() as uow:
            for signal in signals:
                actions = [e.action for e in await uow.signals.events(signal.id)]
                assert actions.count(f.CLAIM_REMINDER) == 1
                assert actions.count(f.CLAIM_ESCALATION) == 1
    finally:
        for engine in engines:
            await engine.dispose()


async def test_reminder_for_a_signal_claimed_meanwhile_is_dropped(store: Store) -> None:
    await enrol_staff(store, ANNA, "Anna", "loket", RECEIVED)
    signal = await add_signal(store, now=RECEIVED)
    recorder = RecordingMessenger()
    assert await worker(store, recorder).drain(RECEIVED) == 1  # the group card
    # After noon, so no catch-up digest joins the queue.
    assert (await followup(store).sweep(at(23, 13)))[f.CLAIM_REMINDER] == 1
    result = await SignalActions(store).act(
        "claim", signal.id, actor=telegram(ANNA), now=at(23, 13, 5)
    )
    assert result is not None
    assert result.done

    recorder.messages.clear()
    delivered = await worker(store, recorder).drain(at(23, 13, 5))
    # The card's edit and the details for Anna; no reminder.
    assert delivered == 2
    assert sorted((m.target, m.edit is not None) for m in recorder.messages) == [
        ("loket", True),
        ((await staff_of(store, ANNA)), False),
    ]
    assert all(f"s|claim|{signal.id}" not in [b.data for b in m.buttons] for m in recorder.messages)
    [reminder] = await outbox_rows(store, f.CLAIM_REMINDER)
    assert reminder.status == "sent"  # done: it will not be tried again
    assert await worker(store, recorder).drain(at(24, 13)) == 0


# -- the digest -----------------------------------------------------------------------------


async def test_digest_once_per_working_day(store: Store) -> None:
    service = followup(store)
    monday = at(23, 8, 30)
    assert await service.digest(monday) == 1
    assert await service.digest(monday) == 0
    assert await service.digest(at(23, 16)) == 0
    assert await followup(store).digest(at(23, 9)) == 0
    assert await followup(store).digest(at(24, 8, 30)) == 1
    [first, second] = await outbox_rows(store, DIGEST)
    assert (first.target, first.signal_id) == ("loket", None)
    assert datetime.fromisoformat(first.payload["date"]) == monday
    assert datetime.fromisoformat(second.payload["date"]) == at(24, 8, 30)


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(at(21, 8, 30), id="saturday"),
        pytest.param(at(27, 8, 30, month=4), id="kings-day"),
        pytest.param(at(25, 8, 30, month=12), id="christmas"),
    ],
)
async def test_no_digest_when_the_loket_is_closed(store: Store, day: datetime) -> None:
    await add_signal(store, now=day)
    service = followup(store)
    assert await service.digest(day) == 0
    assert (await service.sweep(day.replace(hour=10)))[DIGEST] == 0
    assert await outbox_rows(store, DIGEST) == []
    assert [k for k in await checkin_keys(store) if k[2] == DIGEST] == []


async def test_digest_counts_new_unclaimed_and_overdue(store: Store) -> None:
    """The digest of Monday 23 November 08:30: "new" counts from Friday 08:30 (the previous
    working day's digest), whether the signal is still open or not."""
    await enrol_staff(store, ANNA, "Anna", "loket", at(1, 9))
    actions = SignalActions(store)

    async def act(
        signal: StoredSignal, action: str, when: datetime, option: str | None = None
    ) -> None:
        result = await actions.act(action, signal.id, actor=telegram(ANNA), now=when, option=option)
        assert result is not None
        assert result.done

    # D: claimed long ago, contact due Monday 16th 10:00: overdue, not new.
    d = await add_signal(store, now=at(11, 9))
    await act(d, "claim", at(11, 10))
    # F: closed before the period: in no count.
    f_ = await add_signal(store, now=at(19, 8))
    await act(f_, "claim", at(19, 9))
    await act(f_, "contact", at(19, 10))
    await act(f_, "close", at(19, 12), "known")
    # A: unclaimed since Thursday, deadline Friday 10:00: overdue, unclaimed, not new.
    a = await add_signal(store, now=at(19, 10))
    # C: Friday 09:00, claimed at 09:30 (contact due Wednesday 09:30): new only.
    c = await add_signal(store, now=at(20, 9))
    await act(c, "claim", at(20, 9, 30))
    # B: Friday 10:00, deadline Monday 10:00: new, unclaimed, not yet overdue.
    b = await add_signal(store, now=at(20, 10))
    # E: Saturday, already closed: still new.
    e = await add_signal(store, now=at(21, 12))
    await act(e, "claim", at(21, 12, 10))
    await act(e, "contact", at(21, 12, 20))
    await act(e, "close", at(21, 12, 30), "no_help_wanted")
    # G: Monday 08:00, before opening: deadline Monday 17:00; new and unclaimed.
    g = await add_signal(store, now=at(23, 8))

    assert await followup(store).digest(at(23, 8, 30)) == 1
    [row] = await outbox_rows(store, DIGEST)
    p = row.payload
    assert (p["new"], p["unclaimed"], p["overdue"]) == (4, 3, 2)  # BCEG, ABG, AD
    listed = [
        (ref, status, what, datetime.fromisoformat(due)) for ref, status, what, due in p["rows"]
    ]
    assert listed == [
        (d.reference, "claimed", "contact", at(16, 10)),
        (a.reference, "new", "claim", at(20, 10)),
        (b.reference, "new", "claim", at(23, 10)),
        (g.reference, "new", "claim", at(23, 17)),
        (c.reference, "claimed", "contact", at(25, 9, 30)),
    ]
    assert e.reference not in str(p["rows"])
    assert f_.reference not in str(p["rows"])

    recorder = RecordingMessenger()
    await worker(store, recorder).drain(at(23, 8, 30))
    [sent] = [m for m in recorder.messages if m.reference is None]
    assert sent.target == "loket"
    positions = [sent.text.index(s.reference) for s in (d, a, b, g, c)]
    assert positions == sorted(positions)


async def test_sweep_catches_up_a_missed_digest_until_noon(store: Store) -> None:
    service = followup(store)
    assert (await service.sweep(at(23, 8, 29)))[DIGEST] == 0
    assert (await service.sweep(at(23, 12)))[DIGEST] == 0  # too late for Monday's
    assert await outbox_rows(store, DIGEST) == []
    assert (await service.sweep(at(24, 8, 30)))[DIGEST] == 1
    assert (await service.sweep(at(24, 11, 59)))[DIGEST] == 0
    assert await service.digest(at(24, 9)) == 0
    assert await service.digest(at(25, 8, 30)) == 1
    assert (await followup(store).sweep(at(25, 9)))[DIGEST] == 0
    assert (await service.sweep(at(26, 11, 59)))[DIGEST] == 1
    dates = [datetime.fromisoformat(r.payload["date"]) for r in await outbox_rows(store, DIGEST)]
    assert dates == [at(24, 8, 30), at(25, 8, 30), at(26, 11, 59)]
