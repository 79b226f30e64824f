"""What the dashboard shows of one signal, for one staff member: the details in sections
(or the card without personal data), who has it, its deadline, the actions they may take
now, its history with the internal notes, and who looked at it.

Opening a signal is recorded in the access history, with what was shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.outbox.targets import reporter_target
from bot.outbox.voice import voice_views
from bot.staff.actions import NOTE
from core.dialog.areas import AreaMap
from core.dialog.model import Place
from core.followup import rules as f
from core.followup.rules import FollowUpRules, SignalClock
from core.followup.workdays import WorkingHours
from core.lifecycle import staff_texts as t
from core.lifecycle import table as lc
from core.lifecycle.parties import SYSTEM, Reporter, StaffMember, as_text, parse_actor
from core.lifecycle.sections import Section, signal_sections
from core.lifecycle.staff_texts import PHONE_CHANNEL, reporter_line
from core.lifecycle.table import DETAIL_VIEWERS, Action
from core.lifecycle.voice import VoiceNoteView
from core.text.msgids import Msg, When, msg
from storage.followup import REPORTER_ANSWER, REPORTER_UNREACHABLE
from storage.records import SignalEventRecord, StoredSignal
from storage.uow import UnitOfWork

from . import signal_texts as st
from .access_history import AccessLine, access_history
from .auth import WebStaff

WEB_DETAILS = "web_details"
WEB_CARD = "web_card"


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    actor: Msg | str
    what: Msg
    note: str | None
    internal: bool = False  # an internal note (not sent to anybody)


@dataclass(frozen=True)
class Holder:
    """Who has the signal: their name and since when; ``mine`` when it is the viewer."""

    name: str | None
    since: datetime | None
    mine: bool


@dataclass(frozen=True)
class SignalPage:
    signal: StoredSignal
    full: bool
    sections: tuple[Section, ...]  # the details, when ``full``
    card: tuple[Msg, ...]  # the summary without personal data, when not
    came_in: Msg  # by telephone, or written in the reporter's language
    partner_name: str | None
    holder: Holder
    deadline: Msg | None
    overdue: bool
    actions: tuple[Action, ...]
    can_ask: bool
    can_note: bool
    history: tuple[HistoryLine, ...]
    access: tuple[AccessLine, ...]
    # The voice notes with their transcripts, for who may read the details (played from
    # ``bot.dashboard.voice``).
    voice: tuple[VoiceNoteView, ...] = ()


def clock_of(signal: StoredSignal) -> SignalClock:
    return SignalClock(
        id=signal.id,
        reference=signal.reference,
        status=signal.status,
        urgent=signal.draft.urgent,
        created_at=signal.created_at,
        status_at=signal.status_at or signal.created_at,
        assignee_id=signal.assignee_id,
    )


def allowed_actions(staff: WebStaff, signal: StoredSignal) -> tuple[Action, ...]:
    """The actions this staff member may take now (``check_action`` decides; an action
    with options is allowed when it is allowed with any of them)."""
    found = []
    for action in lc.ACTIONS.values():
        option = next(iter(action.options), None)
        checked = lc.check_action(
            action.id,
            signal.status,
            role=staff.role,
            is_assignee=signal.assignee_id == staff.record.id,
            option=option,
        )
        if isinstance(checked, Action) and action.id != "ask_reporter":
            found.append(action)
    return tuple(found)


async def _actor(uow: UnitOfWork, actor: str, names: dict[str, str]) -> Msg | str:
    party = parse_actor(actor)
    if isinstance(party, StaffMember):
        if actor not in names:
            staff = await uow.staff.get(party.staff_id)
            names[actor] = staff.display_name if staff else "?"
        return names[actor]
    if isinstance(party, Reporter):
        return Msg(st.ACTOR_REPORTER)
    if party == SYSTEM:
        return Msg(st.ACTOR_SYSTEM)
    return Msg(st.ACTOR_UNKNOWN)


def _what(event: SignalEventRecord, channel: str) -> Msg:
    if event.action == "created":
        return Msg(st.EVENT_TYPED_IN if channel == PHONE_CHANNEL else st.EVENT_CREATED)
    if event.action == "question":
        return Msg(st.EVENT_QUESTION)
    if event.action == NOTE:
        return Msg(st.EVENT_NOTE)
    if event.action == "reporter_reply":
        return Msg(st.EVENT_REPORTER_REPLY)
    if event.action == REPORTER_ANSWER:
        answer = st.CHECKIN_ANSWERS.get(event.detail or "")
        label = Msg(st.EVENT_REPORTER_ANSWER)
        return msg(t.ACTION_DONE, reference=label, status=Msg(answer)) if answer else label
    if event.action == REPORTER_UNREACHABLE:
        return Msg(st.EVENT_REPORTER_UNREACHABLE)
    action = lc.ACTIONS.get(event.action)
    if action is None:
        return Msg(event.action)
    if event.detail and event.detail in action.options:
        return msg(
            t.ACTION_DONE, reference=Msg(action.label), status=Msg(action.options[event.detail])
        )
    return Msg(action.label)


async def _holder(uow: UnitOfWork, staff: WebStaff, signal: StoredSignal) -> Holder:
    if signal.assignee_id is None:
        return Holder(None, None, mine=False)
    assignee = await uow.staff.get(signal.assignee_id)
    name = assignee.display_name if assignee else None
    return Holder(name, signal.claimed_at, mine=signal.assignee_id == staff.record.id)


async def signal_page(
    uow: UnitOfWork,
    staff: WebStaff,
    signal: StoredSignal,
    *,
    now: datetime,
    places: Sequence[Place],
    areas: AreaMap,
    hours: WorkingHours,
    rules: FollowUpRules,
) -> SignalPage:
    """Everything the detail page shows; records the view (call inside the transaction
    that is committed)."""
    events = await uow.signals.events(signal.id)
    # Who typed in a telephone report knows what is in it: the details are theirs to see.
    typed_it = any(e.action == "created" and e.actor == as_text(staff.actor) for e in events)
    full = signal.assignee_id == staff.record.id or staff.role in DETAIL_VIEWERS or typed_it
    partner = await uow.partners.by_code(signal.draft.partner) if signal.draft.partner else None
    holder = await _holder(uow, staff, signal)
    voice: tuple[VoiceNoteView, ...] = ()
    if full:
        voice = tuple(voice_views(signal.draft, await uow.voice.of_signal(signal.id)))
    card: tuple[Msg, ...] = ()
    if not full:
        card = t.loket_card(
            signal.reference,
            signal.draft,
            signal.created_at,
            places,
            status=signal.status,
            partner_name=partner.name if partner else None,
            channel=signal.channel,
            areas=areas,
        )
    clock = clock_of(signal)
    owed = f.deadline(clock, hours, rules)
    names: dict[str, str] = {}
    history = tuple(
        [
            HistoryLine(
                e.at,
                await _actor(uow, e.actor, names),
                _what(e, signal.channel),
                e.note if full else None,  # notes, questions and answers are details
                internal=e.action == NOTE,
            )
            for e in events
        ]
    )
    access = await access_history(uow, signal.id) if staff.role in DETAIL_VIEWERS else ()
    await uow.audit.record(
        at=now,
        actor=staff.actor,
        action="view",
        outcome=WEB_DETAILS if full else WEB_CARD,
        signal_id=signal.id,
    )
    ask = lc.check_action(
        "ask_reporter",
        signal.status,
        role=staff.role,
        is_assignee=signal.assignee_id == staff.record.id,
    )
    return SignalPage(
        signal=signal,
        full=full,
        sections=signal_sections(signal.draft, places, areas) if full else (),
        card=card,
        came_in=reporter_line(signal.draft, signal.channel),
        partner_name=partner.name if partner else None,
        holder=holder,
        deadline=msg(st.DEADLINE_KINDS[owed[0]], date=When(owed[1])) if owed else None,
        overdue=f.is_overdue(clock, now, hours, rules),
        actions=allowed_actions(staff, signal),
        can_ask=isinstance(ask, Action) and reporter_target(signal) is not None,
        can_note=full,
        history=history,
        access=access,
        voice=voice,
    )
