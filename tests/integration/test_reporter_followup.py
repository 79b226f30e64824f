"""The reporter's side of the follow-up on real databases (SQLite and PostgreSQL): the
check-in and its answers, questions from the loket, a reporter who blocked the bot, and
``/status``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import holidays

from bot.bootstrap.build import build_app
from bot.followup.service import FollowUpService
from bot.i18n import ContextCatalog, load_catalogs
from bot.outbox.kinds import (
    ADMIN_ALERT,
    CARD_UPDATE,
    REPORTER_FLAG,
    REPORTER_QUESTION,
    REPORTER_REPLY,
)
from bot.outbox.worker import OutboxWorker
from bot.ports import DeliveryError, Outgoing
from bot.settings import Settings
from bot.staff.actions import SignalActions
from core.dialog.events import Pick, TextIn
from core.dialog.model import Place
from core.followup import rules as f
from core.followup import texts as ft
from core.followup.relay import REDACTED
from core.followup.rules import FollowUpRules
from core.followup.workdays import WorkingHours
from core.lifecycle import table as lc
from storage import ReporterRecord, Store, StoredSignal
from tests.fakes.messenger import RecordingMessenger
from tests.support.builders import (
    OutboxRow,
    add_draft_signal,
    add_signal,
    enrol_staff,
    make_draft,
    outbox_rows,
    staff_of,
    telegram,
)

CATALOGS: dict[str, ContextCatalog] = load_catalogs()
PLACES = (Place("centrum", "Centrum"),)
AMS = ZoneInfo("Europe/Amsterdam")
ANNA, REGI, ADA = 1001, 2001, 3001
REPORTER_CHAT = "42"


def at(day: int, hour: int, minute: int = 0, *, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=AMS)


# Monday 23 November 2026, 10:00; the check-in is due fourteen days later, in office hours.
RECEIVED = at(23, 10)
CHECKIN_DUE = at(7, 10, month=12)


def followup(store: Store) -> FollowUpService:
    return FollowUpService(
        store, WorkingHours(holidays=holidays.country_holidays("NL")), FollowUpRules()
    )


async def new_reporter(
    store: Store, user: str = REPORTER_CHAT, language: str = "tr"
) -> ReporterRecord:
    async with store.unit_of_work() as uow:
        reporter = await uow.reporters.get_or_create(
            "telegram", user, language=language, now=RECEIVED
        )
        await uow.commit()
    return reporter


async def consenting_signal(store: Store, reporter: ReporterRecord) -> StoredSignal:
    """A signal whose reporter agreed to be asked later how it went."""
    codes = {"role": "neighbour", "age_group": "75plus", "danger": "no", "checkin": "yes"}
    draft = make_draft(submitted_at=RECEIVED, codes=codes)
    return await add_draft_signal(store, draft, now=RECEIVED, reporter_id=reporter.id)


async def staff_steps(
    store: Store, signal: StoredSignal, steps: Sequence[tuple[str, str | None, datetime]]
) -> None:
    actions = SignalActions(store)
    for action, option, when in steps:
        result = await actions.act(action, signal.id, actor=telegram(ANNA), now=when, option=option)
        assert result is not None
        assert result.done, action


async def current(store: Store, signal_id: int) -> StoredSignal:
    async with store.unit_of_work() as uow:
        signal = await uow.signals.get(signal_id)
    assert signal is not None
    return signal


async def events(store: Store, signal_id: int) -> list[tuple[str, str | None, str]]:
    async with store.unit_of_work() as uow:
        return [(e.action, e.detail, e.actor) for e in await uow.signals.events(signal_id)]


async def rows_of(store: Store, signal_id: int, kind: str) -> list[OutboxRow]:
    return [r for r in await outbox_rows(store, kind) if r.signal_id == signal_id]


async def drain(store: Store, recorder: RecordingMessenger, now: datetime) -> int:
    return await OutboxWorker(store, recorder, CATALOGS, PLACES).drain(now)


# -- the check-in --------------------------------------------------------------------------


async def test_checkin_goes_to_the_reporter_after_fourteen_days(store: Store) -> None:
    reporter = await new_reporter(store)
    signal = await consenting_signal(store, reporter)
    silent = await add_signal(store, now=RECEIVED, reporter_id=reporter.id)  # no consent
    service = followup(store)
    assert (await service.sweep(CHECKIN_DUE - timedelta(minutes=1)))[f.REPORTER_CHECKIN] == 0
    assert (await service.sweep(CHECKIN_DUE))[f.REPORTER_CHECKIN] == 1
    assert (await followup(store).sweep(CHECKIN_DUE))[f.REPORTER_CHECKIN] == 0
    [row] = await outbox_rows(store, f.REPORTER_CHECKIN)
    assert (row.signal_id, row.target) == (signal.id, f"reporter:{reporter.id}")
    assert await rows_of(store, silent.id, f.REPORTER_CHECKIN) == []

    recorder = RecordingMessenger()
    await drain(store, recorder, CHECKIN_DUE)
    [sent] = [m for m in recorder.messages if m.channel is not None]
    assert (sent.channel, sent.target, sent.reference) == (
        "telegram",
        REPORTER_CHAT,
        signal.reference,
    )
    assert signal.reference in sent.text
    assert [b.data for b in sent.buttons] == [
        f"k|{signal.id}|yes",
        f"k|{signal.id}|no",
        f"k|{signal.id}|worried",
    ]
    # Nothing about the person or the care reaches the reporter.
    assert "Jansen" not in sent.text
    assert all(m.target != REPORTER_CHAT for m in recorder.messages if m.channel is None)


async def test_checkin_comes_at_the_close_when_the_signal_closes_earlier(store: Store) -> None:
    await enrol_staff(store, ANNA, "Anna", "loket", RECEIVED)
    reporter = await new_reporter(store)
    signal = await consenting_signal(store, reporter)
    # Closed on Wednesday evening: the reporter is asked when the office opens on Thursday.
    steps = [("claim", None, at(24, 10)), ("contact", None, at(24, 11))]
    await staff_steps(store, signal, [*steps, ("close", "help_started", at(25, 19))])
    service = followup(store)
    assert (await service.sweep(at(25, 19)))[f.REPORTER_CHECKIN] == 0
    assert (await service.sweep(at(26, 8, 59)))[f.REPORTER_CHECKIN] == 0
    assert (await service.sweep(at(26, 9)))[f.REPORTER_CHECKIN] == 1
    assert (await service.sweep(CHECKIN_DUE))[f.REPORTER_CHECKIN] == 0
    [row] = await outbox_rows(store, f.REPORTER_CHECKIN)
    assert (row.signal_id, row.target) == (signal.id, f"reporter:{reporter.id}")
    assert datetime.fromisoformat(row.payload["due"]) == at(26, 9)


async def asked(
    store: Store, steps: Sequence[tuple[str, str | None, datetime]] = ()
) -> StoredSignal:
    """A consenting signal after ``steps`` by Anna, whose reporter was asked on 7 December."""
    await enrol_staff(store, ANNA, "Anna", "loket", RECEIVED)
    reporter = await new_reporter(store)
    signal = await consenting_signal(store, reporter)
    await staff_steps(store, signal, steps)
    assert (await followup(store).sweep(CHECKIN_DUE))[f.REPORTER_CHECKIN] == 1
    return await current(store, signal.id)


async def test_answer_yes_is_recorded_once(store: Store) -> None:
    signal = await asked(store)
    service = followup(store)
    before = await outbox_rows(store)
    now = CHECKIN_DUE + timedelta(hours=1)
    answer = await service.answer_checkin(
        "telegram", REPORTER_CHAT, signal.id, "yes", now, update_key="cb-1"
    )
    assert answer is not None
    assert [t.msgid for t in answer.texts] == [ft.CHECKIN_THANKS]
    assert answer.language == "tr"
    actor = f"reporter:{signal.reporter_id}"
    assert (await events(store, signal.id))[-1] == ("reporter_answer", "yes", actor)
    assert await outbox_rows(store) == before  # no staff message

    again = await service.answer_checkin(
        "telegram", REPORTER_CHAT, signal.id, "yes", now, update_key="cb-1"
    )
    assert again is None  # the same update, delivered twice
    history = await events(store, signal.id)
    second = await service.answer_checkin(
        "telegram", REPORTER_CHAT, signal.id, "no", now + timedelta(hours=1), update_key="cb-2"
    )
    assert second is not None
    assert [t.msgid for t in second.texts] == [ft.CHECKIN_ALREADY]
    assert await events(store, signal.id) == history
    assert await outbox_rows(store) == before
    assert (await current(store, signal.id)).status == lc.NEW


async def test_no_on_a_closed_signal_reopens_it_for_the_assignee(store: Store) -> None:
    steps = [
        ("claim", None, at(24, 10)),
        ("contact", None, at(24, 11)),
        ("close", "buddy", at(25, 12)),
    ]
    signal = await asked(store, steps)
    anna = signal.assignee_id
    assert signal.status == lc.CLOSED
    cards = len(await rows_of(store, signal.id, CARD_UPDATE))
    recorder = RecordingMessenger()
    await drain(store, recorder, CHECKIN_DUE)
    recorder.messages.clear()
    now = CHECKIN_DUE + timedelta(hours=2)
    answer = await followup(store).answer_checkin("telegram", REPORTER_CHAT, signal.id, "no", now)
    assert answer is not None
    assert [t.msgid for t in answer.texts] == [ft.CHECKIN_PASSED_ON]

    stored = await current(store, signal.id)
    assert (stored.status, stored.status_at, stored.assignee_id) == (lc.REOPENED, now, anna)
    assert stored.outcome is None
    actor = f"reporter:{signal.reporter_id}"
    assert (await events(store, signal.id))[-2:] == [
        ("reporter_answer", "no", actor),
        ("reopen", None, actor),
    ]
    [flag] = await rows_of(store, signal.id, REPORTER_FLAG)
    assert (flag.target, flag.payload) == (
        (await staff_of(store, ANNA)),
        {"answer": "no", "reopened": True},
    )
    assert len(await rows_of(store, signal.id, CARD_UPDATE)) == cards + 1

    # Reopened, the assignee owes contact again: three working days from now.
    assert (await followup(store).sweep(at(10, 12, month=12)))[f.CONTACT_REMINDER] == 1
    [reminder] = await rows_of(store, signal.id, f.CONTACT_REMINDER)
    assert reminder.target == (await staff_of(store, ANNA))

    await drain(store, recorder, now)
    assert sorted((m.target, m.edit is not None) for m in recorder.messages) == [
        ("loket", True),  # the group card shows the signal reopened
        ((await staff_of(store, ANNA)), False),  # the flag
    ]
    [told] = [m for m in recorder.messages if m.target == (await staff_of(store, ANNA))]
    assert signal.reference in told.text
    assert [b.data for b in told.buttons] == [
        f"s|{a}|{signal.id}"
        for a in (
            "contact",
            "refer",
            "close",
            "cannot_follow_up",
            "needs_help",
            "ask_reporter",
            "release",
        )
    ]


async def test_still_worried_on_an_open_signal_flags_it(store: Store) -> None:
    signal = await asked(store, [("claim", None, at(24, 10))])
    cards = len(await rows_of(store, signal.id, CARD_UPDATE))
    now = CHECKIN_DUE + timedelta(hours=2)
    answer = await followup(store).answer_checkin(
        "telegram", REPORTER_CHAT, signal.id, "worried", now
    )
    assert answer is not None
    assert [t.msgid for t in answer.texts] == [ft.CHECKIN_PASSED_ON]
    stored = await current(store, signal.id)
    assert (stored.status, stored.status_at) == (lc.CLAIMED, at(24, 10))
    [flag] = await rows_of(store, signal.id, REPORTER_FLAG)
    assert (flag.target, flag.payload) == (
        (await staff_of(store, ANNA)),
        {"answer": "worried", "reopened": False},
    )
    assert len(await rows_of(store, signal.id, CARD_UPDATE)) == cards


async def test_answers_that_do_not_belong_are_not_recorded(store: Store) -> None:
    await enrol_staff(store, ANNA, "Anna", "loket", RECEIVED)
    reporter = await new_reporter(store)
    signal = await consenting_signal(store, reporter)
    service = followup(store)
    now = RECEIVED + timedelta(days=1)
    # Not asked yet.
    early = await service.answer_checkin("telegram", REPORTER_CHAT, signal.id, "no", now)
    assert early is not None
    assert [t.msgid for t in early.texts] == [ft.CHECKIN_UNKNOWN]
    await service.sweep(CHECKIN_DUE)
    never = await add_signal(store, now=now, reporter_id=reporter.id)  # no consent: never asked
    before = {s: await events(store, s) for s in (signal.id, never.id)}
    rows = await outbox_rows(store)
    later = CHECKIN_DUE + timedelta(hours=1)
    attempts = [
        ("telegram", "77", signal.id, "no"),  # somebody else
        ("web", REPORTER_CHAT, signal.id, "no"),  # the same id on another channel
        ("telegram", REPORTER_CHAT, never.id, "worried"),  # no consent, never asked
        ("telegram", REPORTER_CHAT, 999_999, "yes"),  # no such signal
        ("telegram", REPORTER_CHAT, signal.id, "maybe"),  # not an answer
    ]
    for channel, user, signal_id, choice in attempts:
        answer = await service.answer_checkin(channel, user, signal_id, choice, later)
        assert answer is not None
        assert [t.msgid for t in answer.texts] == [ft.CHECKIN_UNKNOWN], (user, signal_id)
    assert {s: await events(store, s) for s in before} == before
    assert await outbox_rows(store) == rows
    assert (await current(store, signal.id)).status == lc.NEW


async def test_no_reaction_is_recorded_once_after_five_days(store: Store) -> None:
    signal = await asked(store)
    answered = await consenting_signal(store, await new_reporter(store))
    await followup(store).sweep(CHECKIN_DUE)  # asks the second signal's reporter too
    answer = await followup(store).answer_checkin(
        "telegram", REPORTER_CHAT, answered.id, "yes", CHECKIN_DUE + timedelta(days=1)
    )
    assert answer is not None
    service = followup(store)
    deadline = CHECKIN_DUE + timedelta(days=5)
    assert (await service.sweep(deadline - timedelta(minutes=1)))[f.REPORTER_NO_REACTION] == 0
    assert (await service.sweep(deadline))[f.REPORTER_NO_REACTION] == 1
    assert (await service.sweep(deadline + timedelta(days=2)))[f.REPORTER_NO_REACTION] == 0
    assert (await followup(store).sweep(deadline))[f.REPORTER_NO_REACTION] == 0
    no_reaction = [e for e in await events(store, signal.id) if e[0] == f.REPORTER_NO_REACTION]
    assert no_reaction == [(f.REPORTER_NO_REACTION, None, "system")]
    assert f.REPORTER_NO_REACTION not in [e[0] for e in await events(store, answered.id)]
    assert await outbox_rows(store, f.REPORTER_NO_REACTION) == []  # recorded, not sent


# -- questions from the loket ------------------------------------------------------------


async def test_reporter_reply_goes_to_whoever_asked_without_phone_numbers(store: Store) -> None:
    await enrol_staff(store, REGI, "Rita", "regisseur", RECEIVED)
    signal = await asked(store, [("claim", None, at(24, 10))])
    service = followup(store)
    actions = SignalActions(store)
    now = at(24, 11)
    unasked = await service.answer_question(
        "telegram", REPORTER_CHAT, signal.reference, "Hallo?", now
    )
    assert unasked is not None
    assert [t.msgid for t in unasked.texts] == [ft.CHECKIN_UNKNOWN]

    sent = await actions.ask(signal.reference, "Hoe gaat het?", actor=telegram(REGI), now=now)
    assert sent is not None
    stranger = await service.answer_question("telegram", "77", signal.reference, "Goed", now)
    assert stranger is not None
    assert [t.msgid for t in stranger.texts] == [ft.CHECKIN_UNKNOWN]
    assert await outbox_rows(store, REPORTER_REPLY) == []

    later = at(24, 12)
    reply = await service.answer_question(
        "telegram",
        REPORTER_CHAT,
        signal.reference,
        "bel me op 0612345678",
        later,
        update_key="m-9",
    )
    assert reply is not None
    assert [t.msgid for t in reply.texts] == [
        ft.QUESTION_ANSWER_SENT,
        ft.QUESTION_NUMBER_REMOVED,
    ]
    assert reply.language == "tr"
    duplicate = await service.answer_question(
        "telegram", REPORTER_CHAT, signal.reference, "bel me op 0612345678", later, update_key="m-9"
    )
    assert duplicate is None
    async with store.unit_of_work() as uow:
        [stored] = [e for e in await uow.signals.events(signal.id) if e.action == "reporter_reply"]
    assert stored.actor == f"reporter:{signal.reporter_id}"
    assert stored.note is not None
    assert REDACTED in stored.note
    assert "0612345678" not in stored.note
    [row] = await outbox_rows(store, REPORTER_REPLY)
    assert (row.signal_id, row.target, row.payload) == (
        signal.id,
        (await staff_of(store, REGI)),
        {"event": stored.id},
    )

    plain = await service.answer_question(
        "telegram", REPORTER_CHAT, signal.reference, "Ze is vrolijk", at(24, 13)
    )
    assert plain is not None
    assert [t.msgid for t in plain.texts] == [ft.QUESTION_ANSWER_SENT]

    recorder = RecordingMessenger()
    await drain(store, recorder, at(24, 13))
    [question] = [m for m in recorder.messages if m.channel is not None]
    assert (question.target, question.force_reply) == (REPORTER_CHAT, True)
    assert "Hoe gaat het?" in question.text
    replies = [m for m in recorder.messages if m.target == (await staff_of(store, REGI))]
    assert len(replies) == 2
    assert all(m.protect and signal.reference in m.text for m in replies)
    assert REDACTED in replies[0].text
    assert "0612345678" not in replies[0].text
    assert "Ze is vrolijk" in replies[1].text


async def test_a_reply_goes_to_the_assignee_when_the_asker_left(store: Store) -> None:
    regi = await enrol_staff(store, REGI, "Rita", "regisseur", RECEIVED)
    signal = await asked(store, [("claim", None, at(24, 10))])
    actions = SignalActions(store)
    sent = await actions.ask(
        signal.reference, "Hoe gaat het?", actor=telegram(REGI), now=at(24, 11)
    )
    assert sent is not None
    async with store.unit_of_work() as uow:
        assert await uow.staff.revoke(regi, at(24, 11))
        await uow.commit()
    reply = await followup(store).answer_question(
        "telegram", REPORTER_CHAT, signal.reference, "Goed", at(24, 12)
    )
    assert reply is not None
    assert [r.target for r in await outbox_rows(store, REPORTER_REPLY)] == [
        (await staff_of(store, ANNA))
    ]
    assert [r.kind for r in await outbox_rows(store, REPORTER_QUESTION)] == [REPORTER_QUESTION]


# -- a reporter who blocked the bot -----------------------------------------------------------


class BlockedByReporter(RecordingMessenger):
    """Staff chats work; every reporter's chat answers 403 (the reporter blocked the bot)."""

    async def deliver(self, message: Outgoing) -> str:
        if message.channel is not None:
            raise DeliveryError("403 Forbidden: bot was blocked by the user", permanent=True)
        return await super().deliver(message)


async def test_a_reporter_who_blocked_the_bot_is_noted_not_alarmed(store: Store) -> None:
    await enrol_staff(store, ADA, "Ada", "admin", RECEIVED)
    signal = await asked(store, [("claim", None, at(24, 10))])
    recorder = BlockedByReporter()
    await drain(store, recorder, CHECKIN_DUE)
    sent = await SignalActions(store).ask(
        signal.reference, "Hoe gaat het?", actor=telegram(ANNA), now=CHECKIN_DUE
    )
    assert sent is not None
    await drain(store, recorder, CHECKIN_DUE + timedelta(minutes=1))
    await drain(store, recorder, CHECKIN_DUE + timedelta(days=1))

    for kind in (f.REPORTER_CHECKIN, REPORTER_QUESTION):
        [row] = await outbox_rows(store, kind)
        assert row.status == "dead"
    unreachable = [e for e in await events(store, signal.id) if e[0] == "reporter_unreachable"]
    assert unreachable == [
        ("reporter_unreachable", f.REPORTER_CHECKIN, "system"),
        ("reporter_unreachable", REPORTER_QUESTION, "system"),
    ]
    assert await outbox_rows(store, ADMIN_ALERT) == []
    assert not [m for m in recorder.messages if m.target == (await staff_of(store, ADA))]
    assert (await current(store, signal.id)).status == lc.CLAIMED


# -- /status -------------------------------------------------------------------------------------


async def test_status_lists_the_signals_but_never_the_care(database_url: str) -> None:
    settings = Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    app = await build_app(settings)
    try:
        await enrol_staff(app.store, ANNA, "Anna", "loket", RECEIVED)
        reporter = await new_reporter(app.store, language="nl")
        closed = await add_signal(app.store, now=RECEIVED, reporter_id=reporter.id)
        fresh = await add_signal(app.store, now=at(24, 10), reporter_id=reporter.id)
        steps = [
            ("claim", None, at(24, 10)),
            ("contact", None, at(24, 11)),
            ("refer", "team_welzijn", at(24, 12)),
            ("close", "buddy", at(25, 12)),
        ]
        await staff_steps(app.store, closed, steps)
        stored = await current(app.store, closed.id)
        assert (stored.outcome, stored.referred_to) == ("buddy", "team_welzijn")

        now = at(26, 10)
        await app.service.handle("telegram", REPORTER_CHAT, TextIn("/start"), now)
        await app.service.handle("telegram", REPORTER_CHAT, Pick("welcome", "report"), now)
        replies = await app.service.handle("telegram", REPORTER_CHAT, TextIn("/status"), now)
        assert len(replies) == 2
        listing = replies[0].text
        assert fresh.reference in listing
        assert closed.reference in listing
        assert listing.index(fresh.reference) < listing.index(closed.reference)  # newest first
        # (The question on screen names volunteers as a way to know someone: only the
        # status is checked for what care the person got.)
        for secret in ("maatje", "buddy", "welzijn", "doorverwezen", "vrijwilliger"):
            assert secret not in listing.casefold()
        assert replies[1].prompt == "role"  # the report in progress goes on where it was
        follow = await app.service.handle("telegram", REPORTER_CHAT, Pick("role", "shop"), now)
        assert follow[-1].prompt == "age_group"
    finally:
        await app.close()
