"""Staff actions on signals from any channel: the lifecycle actions, viewing a signal and
asking its reporter a question. Every attempt is in the access history.

Each call is one transaction: the inbound update is recorded (so a duplicate is ignored),
the lifecycle is checked, the signal changes, an event is appended, and the messages that
follow are queued in the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.outbox.kinds import (
    CARD_UPDATE,
    NEEDS_HELP,
    REPORTER_QUESTION,
    STAFF_CARD,
    STAFF_DETAILS,
    VOICE_NOTE,
)
from bot.outbox.targets import escalation_targets, reporter_target
from core.followup.relay import contains_phone_number, relay_text
from core.lifecycle import staff_texts as t
from core.lifecycle import table as lc
from core.lifecycle.parties import LOKET, Account, Actor, StaffMember, Target, as_text
from core.lifecycle.staff_texts import status_label
from core.lifecycle.table import DETAIL_VIEWERS
from core.text.msgids import Msg, Token, msg
from storage.records import StaffRecord, StoredSignal
from storage.uow import Store, UnitOfWork

NOTE = "note"  # an internal note: an event with its text encrypted, for staff only


@dataclass(frozen=True)
class ActionResult:
    """What to tell the staff member, and the signal's state after the action.

    ``options``: the action needs one of these (id, label) first. ``ask``: the channel
    should now ask the staff member to type a question for the reporter.
    """

    text: Msg
    done: bool
    signal: StoredSignal | None = None
    status: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    ask: bool = False
    action: str | None = None


@dataclass
class _Call:
    uow: UnitOfWork
    staff: StaffRecord | None
    actor: Actor
    now: datetime
    queued: list[str] = field(default_factory=list)


class SignalActions:
    """The staff actions on signals (``act``), questions to reporters (``ask``), viewing a
    signal (``view``). ``on_queued`` is called once messages that follow are committed."""

    def __init__(self, store: Store, on_queued: Callable[[], None] = lambda: None) -> None:
        self._store = store
        self._on_queued = on_queued

    async def status_of(self, signal_id: int) -> str | None:
        """The lifecycle status of a signal (no personal data), to redraw buttons."""
        async with self._store.unit_of_work() as uow:
            signal = await uow.signals.get(signal_id)
        return signal.status if signal is not None else None

    async def _begin(
        self, uow: UnitOfWork, actor: StaffMember | Account, update_key: str | None, now: datetime
    ) -> _Call | None:
        """Record the update (None for a duplicate) and find who is acting: a staff member
        (signed in to the dashboard), or an account on a chat channel, which may be a
        linked staff member's."""
        channel = actor.channel if isinstance(actor, Account) else "web"
        if update_key is not None and not await uow.inbound.record(channel, update_key, now):
            return None
        staff_id = actor.staff_id if isinstance(actor, StaffMember) else await uow.staff_of(actor)
        staff = await uow.staff.get(staff_id) if staff_id is not None else None
        if staff is not None and not staff.active:
            staff = None
        return _Call(uow, staff, StaffMember(staff.id) if staff else actor, now)

    def _committed(self, call: _Call) -> None:
        if call.queued:
            self._on_queued()  # committed: the outbox worker may send it now

    async def act(
        self,
        action_id: str,
        signal_id: int,
        *,
        actor: StaffMember | Account,
        now: datetime,
        option: str | None = None,
        update_key: str | None = None,
    ) -> ActionResult | None:
        """Take a staff action on a signal; None for a duplicate update. The ``actor`` is a
        staff member (the dashboard's) or an account on a chat channel."""
        async with self._store.unit_of_work() as uow:
            call = await self._begin(uow, actor, update_key, now)
            if call is None:
                return None
            result = await self._act(call, action_id, signal_id, option)
            await uow.commit()
        self._committed(call)
        return result

    async def _act(
        self, call: _Call, action_id: str, signal_id: int, option: str | None
    ) -> ActionResult:
        uow, staff, actor, now = call.uow, call.staff, call.actor, call.now
        signal = await uow.signals.get(signal_id)
        if staff is None:
            # The same answer whether the signal exists or not: a stranger pressing forged
            # buttons learns nothing (the attempt is recorded all the same).
            await uow.audit.record(
                at=now,
                actor=actor,
                action=action_id,
                outcome=f"refused:{lc.NOT_STAFF}",
                signal_id=signal.id if signal is not None else None,
            )
            return ActionResult(msg(t.REFUSED_NOT_STAFF), done=False)
        if signal is None:
            await uow.audit.record(at=now, actor=actor, action=action_id, outcome="refused:unknown")
            return ActionResult(msg(t.REFUSED_UNKNOWN), done=False)
        checked = lc.check_action(
            action_id,
            signal.status,
            role=staff.role if staff else None,
            is_assignee=staff is not None and signal.assignee_id == staff.id,
            option=option,
        )
        if isinstance(checked, lc.Refusal):
            return await self._refused(call, action_id, checked, signal)
        assert staff is not None
        if checked.id == "ask_reporter" and reporter_target(signal) is None:
            await uow.audit.record(
                at=now,
                actor=actor,
                action=action_id,
                outcome="refused:no_reporter",
                signal_id=signal.id,
            )
            return ActionResult(msg(t.ASK_NO_REPORTER, reference=Token(signal.reference)), False)
        moves = checked.target is not None or checked.id == "take_over"
        if moves and not await self._move(call, checked, signal, option):
            await uow.audit.record(
                at=now, actor=actor, action=action_id, outcome="refused:race", signal_id=signal.id
            )
            current = await uow.signals.get(signal.id)
            assert current is not None
            refusal = lc.Refusal(lc.WRONG_STATUS)
            text = await self._refusal(uow, refusal, current, staff, action_id)
            return ActionResult(text, False, current)
        if checked.id != "ask_reporter":  # the question itself becomes the event
            await uow.signals.add_event(
                signal.id, at=now, actor=actor, action=checked.id, detail=option
            )
        await uow.audit.record(
            at=now, actor=actor, action=action_id, outcome="ok", signal_id=signal.id
        )
        await self._follow(call, checked, signal)
        return self._done(checked, signal, option)

    async def _move(
        self, call: _Call, action: lc.Action, signal: StoredSignal, option: str | None
    ) -> bool:
        assert call.staff is not None
        if action.id == "take_over":  # the status stays; only who has it changes
            return await call.uow.signals.reassign(
                signal.id,
                sources=action.sources,
                previous=signal.assignee_id,
                assignee_id=call.staff.id,
                at=call.now,
            )
        assert action.target is not None
        assignee_id, claimed_at = signal.assignee_id, signal.claimed_at
        if action.id == "claim":
            assignee_id, claimed_at = call.staff.id, call.now
        elif action.target == lc.NEW:
            assignee_id, claimed_at = None, None
        recorded: dict[str, str | None] = {}
        if action.id == "refer":
            recorded["referred_to"] = option
        if action.id == "close":
            recorded["outcome"] = option
        if action.id == "reopen":
            recorded["outcome"] = None
        return await call.uow.signals.transition(
            signal.id,
            sources=action.sources,
            target=action.target,
            assignee_id=assignee_id,
            claimed_at=claimed_at,
            at=call.now,
            **recorded,
        )

    async def _queue(
        self, call: _Call, kind: str, target: Target, signal: StoredSignal, **payload: object
    ) -> None:
        await call.uow.outbox.enqueue(kind, target, call.now, signal_id=signal.id, payload=payload)
        call.queued.append(kind)

    async def _follow(self, call: _Call, action: lc.Action, signal: StoredSignal) -> None:
        """Queue what follows the action: the group card shows the new state; the
        staff member who picked it up gets the details; a call for help reaches the
        regisseurs."""
        assert call.staff is not None
        if action.target is not None or action.id == "take_over":
            await self._queue(call, CARD_UPDATE, LOKET, signal)
        if action.id in ("claim", "take_over") and call.staff.messageable:
            # In a chat app the details come as a private message; a claimer a message
            # cannot reach (a dashboard login only) reads them on the page.
            await self._details(call, StaffMember(call.staff.id), signal)
        if action.id == "needs_help":
            for target in await escalation_targets(call.uow):
                await self._queue(call, NEEDS_HELP, target, signal, staff_id=call.staff.id)

    async def _details(self, call: _Call, target: StaffMember, signal: StoredSignal) -> None:
        """The details, privately, and then each voice note with its transcript (the
        composer checks again, when sending, that they may still be read)."""
        await self._queue(call, STAFF_DETAILS, target, signal)
        for note, _ in signal.draft.voice_notes:
            await self._queue(call, VOICE_NOTE, target, signal, note=note)

    def _done(self, action: lc.Action, signal: StoredSignal, option: str | None) -> ActionResult:
        reference = Token(signal.reference)
        status = action.target or signal.status
        if action.id == "claim":
            text = msg(t.CLAIM_DONE, reference=reference)
        elif action.id == "take_over":
            text = msg(t.TAKE_OVER_DONE, reference=reference)
        elif action.id == "ask_reporter":
            text = msg(t.ASK_PROMPT, reference=reference)
        elif action.target is None:
            text = msg(t.RECORDED, reference=reference, action=Msg(action.label))
        elif option is not None:
            chosen = Msg(action.options[option])
            text = msg(
                t.ACTION_DONE_WITH, reference=reference, status=status_label(status), option=chosen
            )
        else:
            text = msg(t.ACTION_DONE, reference=reference, status=status_label(status))
        return ActionResult(
            text, True, signal, status, ask=action.id == "ask_reporter", action=action.id
        )

    async def _refused(
        self, call: _Call, action_id: str, refusal: lc.Refusal, signal: StoredSignal
    ) -> ActionResult:
        if refusal.reason == lc.NEEDS_OPTION:  # not refused: the channel shows the options
            action = lc.ACTIONS[action_id]
            assert action.option_prompt is not None
            return ActionResult(
                msg(action.option_prompt),
                False,
                signal,
                signal.status,
                options=tuple(action.options.items()),
                action=action_id,
            )
        await call.uow.audit.record(
            at=call.now,
            actor=call.actor,
            action=action_id,
            outcome=f"refused:{refusal.reason}",
            signal_id=signal.id,
        )
        text = await self._refusal(call.uow, refusal, signal, call.staff, action_id)
        return ActionResult(text, False, signal)

    async def _refusal(
        self,
        uow: UnitOfWork,
        refusal: lc.Refusal,
        signal: StoredSignal,
        staff: StaffRecord | None,
        action_id: str,
    ) -> Msg:
        reference = Token(signal.reference)
        simple = {
            lc.NOT_STAFF: t.REFUSED_NOT_STAFF,
            lc.NOT_ALLOWED: t.REFUSED_NOT_ALLOWED,
            lc.UNKNOWN_ACTION: t.REFUSED_UNKNOWN,
            lc.UNKNOWN_OPTION: t.REFUSED_UNKNOWN,
        }
        if refusal.reason in simple:
            return msg(simple[refusal.reason])
        if refusal.reason == lc.NOT_ASSIGNEE:
            return msg(t.REFUSED_NOT_ASSIGNEE, reference=reference)
        if refusal.reason == lc.ALREADY_ASSIGNEE:
            return msg(t.CLAIM_ALREADY_YOURS, reference=reference)
        if action_id == "claim" and signal.assignee_id is not None:
            if staff is not None and signal.assignee_id == staff.id:
                return msg(t.CLAIM_ALREADY_YOURS, reference=reference)
            assignee = await uow.staff.get(signal.assignee_id)
            name = assignee.display_name if assignee else "?"
            return msg(t.CLAIM_TAKEN, reference=reference, name=name)
        return msg(t.REFUSED_WRONG_STATUS, reference=reference, status=status_label(signal.status))

    async def ask(
        self,
        reference: str,
        question: str,
        *,
        actor: StaffMember | Account,
        now: datetime,
        update_key: str | None = None,
    ) -> Msg | None:
        """Relay a staff member's question to the reporter of ``reference``."""
        async with self._store.unit_of_work() as uow:
            call = await self._begin(uow, actor, update_key, now)
            if call is None:
                return None
            signal = await uow.signals.get_by_reference(reference)
            reply = await self._ask(call, signal, question, relay_text(question))
            await uow.commit()
        self._committed(call)
        return reply

    async def _ask(self, call: _Call, signal: StoredSignal | None, question: str, text: str) -> Msg:
        if signal is None:
            return msg(t.REFUSED_UNKNOWN)
        checked = lc.check_action(
            "ask_reporter",
            signal.status,
            role=call.staff.role if call.staff else None,
            is_assignee=call.staff is not None and signal.assignee_id == call.staff.id,
        )
        if isinstance(checked, lc.Refusal):
            return (await self._refused(call, "ask_reporter", checked, signal)).text
        reporter = reporter_target(signal)
        reference = Token(signal.reference)
        if reporter is None:
            return msg(t.ASK_NO_REPORTER, reference=reference)
        if contains_phone_number(question):
            return msg(t.ASK_NO_PHONE)
        if not text:
            return msg(t.ASK_PROMPT, reference=reference)
        event = await call.uow.signals.add_event(
            signal.id, at=call.now, actor=call.actor, action="question", note=text
        )
        await call.uow.audit.record(
            at=call.now, actor=call.actor, action="question", outcome="ok", signal_id=signal.id
        )
        await self._queue(call, REPORTER_QUESTION, reporter, signal, event=event)
        return msg(t.ASK_SENT, reference=reference)

    async def note(
        self,
        reference: str,
        text: str,
        *,
        actor: StaffMember | Account,
        now: datetime,
        update_key: str | None = None,
    ) -> ActionResult | None:
        """Keep an internal note with the signal (encrypted, as an event; erased with the
        other free text). Whoever may read the details may write one: the assignee, a
        regisseur or admin, and who typed in a telephone report. None for a duplicate."""
        async with self._store.unit_of_work() as uow:
            call = await self._begin(uow, actor, update_key, now)
            if call is None:
                return None
            signal = await uow.signals.get_by_reference(reference)
            result = await self._note(call, signal, text)
            await uow.commit()
        return result

    async def _note(self, call: _Call, signal: StoredSignal | None, text: str) -> ActionResult:
        uow, staff = call.uow, call.staff
        outcome, reply = (
            "ok",
            msg(t.NOTE_SAVED, reference=Token(signal.reference if signal else "")),
        )
        if staff is None:
            outcome, reply = f"refused:{lc.NOT_STAFF}", msg(t.REFUSED_NOT_STAFF)
        elif signal is None:
            outcome, reply = "refused:unknown", msg(t.REFUSED_UNKNOWN)
        else:
            events = await uow.signals.events(signal.id)
            typed_it = any(e.action == "created" and e.actor == as_text(call.actor) for e in events)
            mine = signal.assignee_id == staff.id or staff.role in DETAIL_VIEWERS or typed_it
            if not mine:
                outcome, reply = f"refused:{lc.NOT_ALLOWED}", msg(t.REFUSED_NOT_ALLOWED)
        signal_id = signal.id if signal is not None else None
        await uow.audit.record(
            at=call.now, actor=call.actor, action=NOTE, outcome=outcome, signal_id=signal_id
        )
        if outcome != "ok" or signal is None:
            return ActionResult(reply, False, signal)
        await uow.signals.add_event(
            signal.id, at=call.now, actor=call.actor, action=NOTE, note=text
        )
        return ActionResult(reply, True, signal, action=NOTE)

    async def view(
        self,
        reference: str,
        *,
        actor: StaffMember | Account,
        now: datetime,
        update_key: str | None = None,
    ) -> Msg | None:
        """``/signaal REF``: the details for the assignee, a regisseur or an admin (in a
        protected private message), the minimal card for other loket staff."""
        async with self._store.unit_of_work() as uow:
            call = await self._begin(uow, actor, update_key, now)
            if call is None:
                return None
            staff, who = call.staff, call.actor
            signal = await uow.signals.get_by_reference(reference.strip().upper())
            if staff is None or signal is None:
                outcome = "refused:not_staff" if staff is None else "refused:unknown"
                await uow.audit.record(at=now, actor=who, action="view", outcome=outcome)
                await uow.commit()
                return msg(t.REFUSED_NOT_STAFF if staff is None else t.VIEW_UNKNOWN)
            full = signal.assignee_id == staff.id or staff.role in DETAIL_VIEWERS
            kind = STAFF_DETAILS if full else STAFF_CARD
            await uow.audit.record(
                at=now, actor=who, action="view", outcome=kind, signal_id=signal.id
            )
            if full:
                await self._details(call, StaffMember(staff.id), signal)
            else:
                await self._queue(call, kind, StaffMember(staff.id), signal)
            await uow.commit()
        self._committed(call)
        return None
