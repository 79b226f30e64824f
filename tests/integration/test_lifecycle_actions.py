"""Staff actions through the whole lifecycle on real databases (SQLite and PostgreSQL):
what changes on the signal, what is appended to its history, what goes in the audit log,
and what is queued."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.i18n import ContextCatalog, load_catalogs
from bot.outbox.kinds import NEEDS_HELP, REPORTER_QUESTION, STAFF_CARD, STAFF_DETAILS
from bot.outbox.worker import OutboxWorker
from bot.staff.actions import SignalActions
from core.dialog.model import Place
from core.lifecycle import staff_texts as t
from core.lifecycle import table as lc
from storage import Store, StoredSignal
from tests.fakes.messenger import RecordingMessenger
from tests.support.builders import (
    OutboxRow,
    add_signal,
    enrol_staff,
    outbox_rows,
    staff_of,
    telegram,
)

CATALOGS: dict[str, ContextCatalog] = load_catalogs()
PLACES = (Place("centrum", "Centrum"),)
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ANNA, BOB, REGI, ROSA, EVE = 1001, 1002, 2001, 2002, 6666
Event = tuple[str, str | None, str]  # action, detail, actor
Audit = tuple[str, str, str]  # actor, action, outcome


def step(n: int) -> datetime:
    return T0 + timedelta(minutes=10 * n)


async def current(store: Store, signal_id: int) -> StoredSignal:
    async with store.unit_of_work() as uow:
        signal = await uow.signals.get(signal_id)
    assert signal is not None
    return signal


async def history(store: Store, signal_id: int) -> tuple[list[Event], list[Audit]]:
    async with store.unit_of_work() as uow:
        events = [(e.action, e.detail, e.actor) for e in await uow.signals.events(signal_id)]
        audit = await uow.audit.entries(signal_id)
    return events, audit


async def queued(store: Store, signal_id: int) -> list[OutboxRow]:
    return [r for r in await outbox_rows(store) if r.signal_id == signal_id]


async def test_the_full_path_claim_contact_refer_close_reopen(store: Store) -> None:
    anna = await enrol_staff(store, ANNA, "Anna", "loket", T0)
    regi = await enrol_staff(store, REGI, "Rita", "regisseur", T0)
    actions = SignalActions(store)
    signal = await add_signal(store, now=T0)
    events: list[Event] = [("created", None, "reporter:anonymous")]
    audit: list[Audit] = []

    async def check(
        status: str, status_at: datetime, referred_to: str | None, outcome: str | None
    ) -> None:
        stored = await current(store, signal.id)
        assert (stored.status, stored.status_at) == (status, status_at)
        assert (stored.referred_to, stored.outcome) == (referred_to, outcome)
        assert stored.assignee_id == anna
        assert stored.claimed_at == step(1)
        assert await history(store, signal.id) == (events, audit)

    async def act(n: int, action: str, user: int, actor: int, option: str | None = None) -> None:
        result = await actions.act(
            action, signal.id, actor=telegram(user), now=step(n), option=option
        )
        assert result is not None
        assert result.done
        assert result.action == action
        assert result.status == lc.ACTIONS[action].target
        events.append((action, option, f"staff:{actor}"))
        audit.append((f"staff:{actor}", action, "ok"))

    async def ask_option(n: int, action: str, expected: dict[str, str]) -> None:
        result = await actions.act(action, signal.id, actor=telegram(ANNA), now=step(n))
        assert result is not None
        assert not result.done
        assert result.action == action
        assert [key for key, _ in result.options] == list(expected)
        assert result.text.msgid == lc.ACTIONS[action].option_prompt

    await act(1, "claim", ANNA, anna)
    await check(lc.CLAIMED, step(1), None, None)
    await act(2, "contact", ANNA, anna)
    await check(lc.IN_CONTACT, step(2), None, None)
    await ask_option(3, "refer", lc.REFERRALS)
    await check(lc.IN_CONTACT, step(2), None, None)  # nothing changed, nothing recorded
    await act(4, "refer", ANNA, anna, "team_welzijn")
    await check(lc.REFERRED, step(4), "team_welzijn", None)
    await ask_option(5, "close", lc.OUTCOMES)
    await check(lc.REFERRED, step(4), "team_welzijn", None)
    await act(6, "close", ANNA, anna, "buddy")
    await check(lc.CLOSED, step(6), "team_welzijn", "buddy")
    await act(7, "reopen", REGI, regi)
    await check(lc.REOPENED, step(7), "team_welzijn", None)  # the outcome no longer holds
    await act(8, "contact", ANNA, anna)
    await check(lc.IN_CONTACT, step(8), "team_welzijn", None)

    kinds = [(r.kind, r.target) for r in await queued(store, signal.id)]
    assert kinds[0] == ("loket_card", "loket")
    assert kinds.count(("loket_card_update", "loket")) == 6  # one per status change
    assert kinds.count((STAFF_DETAILS, (await staff_of(store, ANNA)))) == 1  # at the claim


async def test_refusals_are_audited_and_change_nothing(store: Store) -> None:
    anna = await enrol_staff(store, ANNA, "Anna", "loket", T0)
    bob = await enrol_staff(store, BOB, "Bob", "loket", T0)
    await enrol_staff(store, ROSA, "Rosa", "regisseur", T0)
    actions = SignalActions(store)
    fresh = await add_signal(store, now=T0)
    taken = await add_signal(store, now=T0)
    claimed = await actions.act("claim", taken.id, actor=telegram(ANNA), now=step(1))
    assert claimed is not None
    assert claimed.done
    async with store.unit_of_work() as uow:
        rosa = await uow.telegram_accounts.staff_of(str(ROSA))
        assert rosa is not None
        assert await uow.staff.revoke(rosa, step(2))
        await uow.commit()
    before = {
        s.id: (await current(store, s.id), await history(store, s.id)) for s in (fresh, taken)
    }
    rows_before = await outbox_rows(store)

    attempts = [
        (BOB, "close", taken.id, "buddy", "refused:not_assignee", t.REFUSED_NOT_ASSIGNEE),
        (ANNA, "close", taken.id, "bogus", "refused:unknown_option", t.REFUSED_UNKNOWN),
        (ANNA, "refer", taken.id, "bogus", "refused:wrong_status", t.REFUSED_WRONG_STATUS),
        (BOB, "close", fresh.id, "buddy", "refused:wrong_status", t.REFUSED_WRONG_STATUS),
        (ROSA, "reopen", taken.id, None, "refused:not_staff", t.REFUSED_NOT_STAFF),
        (ROSA, "close", taken.id, "buddy", "refused:not_staff", t.REFUSED_NOT_STAFF),
        (EVE, "claim", fresh.id, None, "refused:not_staff", t.REFUSED_NOT_STAFF),
    ]
    for n, (user, action, signal_id, option, _, text) in enumerate(attempts, start=3):
        result = await actions.act(
            action, signal_id, actor=telegram(user), now=step(n), option=option
        )
        assert result is not None
        assert not result.done
        assert result.text.msgid == text

    for signal in (fresh, taken):
        stored, (events, audit) = before[signal.id]
        assert await current(store, signal.id) == stored
        new_events, new_audit = await history(store, signal.id)
        assert new_events == events
        actors = {ANNA: f"staff:{anna}", BOB: f"staff:{bob}"}
        expected = [
            (actors.get(user, f"telegram:{user}"), action, outcome)
            for user, action, signal_id, _, outcome, _ in attempts
            if signal_id == signal.id
        ]
        assert new_audit == audit + expected
    assert await outbox_rows(store) == rows_before


async def test_a_wrong_step_on_a_claimed_signal_names_its_status(store: Store) -> None:
    """A stale "Referred: Team welzijn" button pressed on a signal that is picked up (not in
    contact) must say the step no longer applies, not "You already picked up ..."."""
    await enrol_staff(store, ANNA, "Anna", "loket", T0)
    await enrol_staff(store, BOB, "Bob", "loket", T0)
    actions = SignalActions(store)
    signal = await add_signal(store, now=T0)
    claimed = await actions.act("claim", signal.id, actor=telegram(ANNA), now=step(1))
    assert claimed is not None
    assert claimed.done
    for user, action, option in ((ANNA, "refer", "team_welzijn"), (BOB, "reopen", None)):
        result = await actions.act(
            action, signal.id, actor=telegram(user), now=step(2), option=option
        )
        assert result is not None
        assert not result.done
        assert result.text.msgid == t.REFUSED_WRONG_STATUS


async def test_needs_help_reaches_every_regisseur_and_on_track_needs_a_referral(
    store: Store,
) -> None:
    anna = await enrol_staff(store, ANNA, "Anna", "loket", T0)
    await enrol_staff(store, REGI, "Rita", "regisseur", T0)
    await enrol_staff(store, ROSA, "Rosa", "regisseur", T0)
    await enrol_staff(store, EVE, "Eva", "admin", T0)
    actions = SignalActions(store)
    signal = await add_signal(store, now=T0)
    for n, action in enumerate(("claim", "needs_help"), start=1):
        result = await actions.act(action, signal.id, actor=telegram(ANNA), now=step(n))
        assert result is not None
        assert result.done
    stored = await current(store, signal.id)
    assert (stored.status, stored.status_at) == (lc.CLAIMED, step(1))
    help_rows = [r for r in await queued(store, signal.id) if r.kind == NEEDS_HELP]
    assert sorted(r.target for r in help_rows) == [
        (await staff_of(store, REGI)),
        (await staff_of(store, ROSA)),
    ]
    assert {r.payload["staff_id"] for r in help_rows} == {anna}

    early = await actions.act("on_track", signal.id, actor=telegram(ANNA), now=step(3))
    assert early is not None
    assert not early.done
    for n, (action, option) in enumerate(
        (("contact", None), ("refer", "team_eenzaamheid"), ("on_track", None)), start=4
    ):
        result = await actions.act(
            action, signal.id, actor=telegram(ANNA), now=step(n), option=option
        )
        assert result is not None
        assert result.done
    stored = await current(store, signal.id)
    assert (stored.status, stored.status_at) == (lc.REFERRED, step(5))  # on_track: no move
    events, audit = await history(store, signal.id)
    assert [e[0] for e in events] == [
        "created",
        "claim",
        "needs_help",
        "contact",
        "refer",
        "on_track",
    ]
    assert (f"staff:{anna}", "on_track", "refused:wrong_status") in audit

    recorder = RecordingMessenger()
    await OutboxWorker(store, recorder, CATALOGS, PLACES).drain(step(7))
    helped = [
        m
        for m in recorder.messages
        if m.target in ((await staff_of(store, REGI)), (await staff_of(store, ROSA)))
    ]
    assert len(helped) == 2
    assert all(signal.reference in m.text and "Anna" in m.text for m in helped)
    assert not [m for m in recorder.messages if m.target == (await staff_of(store, EVE))]


async def test_asking_the_reporter(store: Store) -> None:
    anna = await enrol_staff(store, ANNA, "Anna", "loket", T0)
    actions = SignalActions(store)
    async with store.unit_of_work() as uow:
        reporter = await uow.reporters.get_or_create("telegram", "42", language="tr", now=T0)
        await uow.commit()
    signal = await add_signal(store, now=T0, reporter_id=reporter.id)
    anonymous = await add_signal(store, now=T0)
    for s in (signal, anonymous):
        claimed = await actions.act("claim", s.id, actor=telegram(ANNA), now=step(1))
        assert claimed is not None
        assert claimed.done
    before = await current(store, signal.id)
    rows_before = await outbox_rows(store)

    started = await actions.act("ask_reporter", signal.id, actor=telegram(ANNA), now=step(2))
    assert started is not None
    assert (started.done, started.ask, started.text.msgid) == (True, True, t.ASK_PROMPT)
    assert await current(store, signal.id) == before
    assert await outbox_rows(store) == rows_before
    events, audit = await history(store, signal.id)
    assert [e[0] for e in events] == ["created", "claim"]
    assert audit[-1] == (f"staff:{anna}", "ask_reporter", "ok")

    refused = await actions.ask(
        signal.reference, "Belt u haar op 06-12345678?", actor=telegram(ANNA), now=step(3)
    )
    assert refused is not None
    assert refused.msgid == t.ASK_NO_PHONE
    assert await outbox_rows(store) == rows_before
    assert [e[0] for e in (await history(store, signal.id))[0]] == ["created", "claim"]

    question = "Heeft u haar deze week gezien?"
    sent = await actions.ask(signal.reference, question, actor=telegram(ANNA), now=step(4))
    assert sent is not None
    assert sent.msgid == t.ASK_SENT
    events, audit = await history(store, signal.id)
    assert events[-1] == ("question", None, f"staff:{anna}")
    assert audit[-1] == (f"staff:{anna}", "question", "ok")
    async with store.unit_of_work() as uow:
        last = (await uow.signals.events(signal.id))[-1]
    assert last.note == question
    [row] = [r for r in await outbox_rows(store) if r.kind == REPORTER_QUESTION]
    assert (row.signal_id, row.target, row.payload) == (
        signal.id,
        f"reporter:{reporter.id}",
        {"event": last.id},
    )
    assert await current(store, signal.id) == before

    # A signal without a reporter: nobody to ask.
    no_one = await actions.act("ask_reporter", anonymous.id, actor=telegram(ANNA), now=step(5))
    assert no_one is not None
    assert (no_one.done, no_one.ask, no_one.text.msgid) == (False, False, t.ASK_NO_REPORTER)
    asked = await actions.ask(anonymous.reference, question, actor=telegram(ANNA), now=step(6))
    assert asked is not None
    assert asked.msgid == t.ASK_NO_REPORTER
    events, audit = await history(store, anonymous.id)
    assert [e[0] for e in events] == ["created", "claim"]
    assert audit[-1] == (f"staff:{anna}", "ask_reporter", "refused:no_reporter")
    assert [r for r in await outbox_rows(store) if r.kind == REPORTER_QUESTION] == [row]


async def test_view_details_card_or_refusal_and_every_view_audited(store: Store) -> None:
    anna = await enrol_staff(store, ANNA, "Anna", "loket", T0)
    bob = await enrol_staff(store, BOB, "Bob", "loket", T0)
    regi = await enrol_staff(store, REGI, "Rita", "regisseur", T0)
    actions = SignalActions(store)
    signal = await add_signal(store, now=T0)
    claimed = await actions.act("claim", signal.id, actor=telegram(ANNA), now=step(1))
    assert claimed is not None
    assert claimed.done
    recorder = RecordingMessenger()
    worker = OutboxWorker(store, recorder, CATALOGS, PLACES)
    await worker.drain(step(1))
    recorder.messages.clear()
    rows_before = len(await outbox_rows(store))

    typed = (signal.reference, f" {signal.reference.lower()} ", signal.reference)
    for n, (user, reference) in enumerate(zip((ANNA, REGI, BOB), typed, strict=True), start=2):
        assert await actions.view(reference, actor=telegram(user), now=step(n)) is None
    refused = await actions.view(signal.reference.lower(), actor=telegram(EVE), now=step(5))
    assert refused is not None
    assert refused.msgid == t.REFUSED_NOT_STAFF
    unknown = await actions.view("SP-2026-9999", actor=telegram(ANNA), now=step(6))
    assert unknown is not None
    assert unknown.msgid == t.VIEW_UNKNOWN

    views = [(r.kind, r.target) for r in (await outbox_rows(store))[rows_before:]]
    assert views == [
        (STAFF_DETAILS, (await staff_of(store, ANNA))),
        (STAFF_DETAILS, (await staff_of(store, REGI))),
        (STAFF_CARD, (await staff_of(store, BOB))),
    ]
    async with store.unit_of_work() as uow:
        entries = [e for e in await uow.audit.entries() if e[1] == "view"]
        on_signal = [e for e in await uow.audit.entries(signal.id) if e[1] == "view"]
    assert entries == [
        (f"staff:{anna}", "view", STAFF_DETAILS),
        (f"staff:{regi}", "view", STAFF_DETAILS),
        (f"staff:{bob}", "view", STAFF_CARD),
        (f"telegram:{EVE}", "view", "refused:not_staff"),
        (f"staff:{anna}", "view", "refused:unknown"),
    ]
    assert on_signal == entries[:3]

    await worker.drain(step(7))
    by_target = {m.target: m for m in recorder.messages}
    assert set(by_target) == {
        (await staff_of(store, ANNA)),
        (await staff_of(store, REGI)),
        (await staff_of(store, BOB)),
    }
    for user in (ANNA, REGI):
        assert by_target[(await staff_of(store, user))].protect
        assert (
            "She has not been outside for weeks." in by_target[(await staff_of(store, user))].text
        )
    card = by_target[(await staff_of(store, BOB))]
    assert signal.reference in card.text
    assert "She has not been outside for weeks." not in card.text
    assert "Mrs. Jansen" not in card.text
