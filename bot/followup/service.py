"""The follow-up in the shell: the check-in sweep, the morning digest, and reporters'
answers to check-ins and to questions from the loket.

``sweep(now)`` and ``digest(now)`` are what the scheduler calls, and what tests call with
any ``now``. Each due check-in is claimed by its key in the transaction that queues its
message, so it goes out once however many instances sweep, and a crash loses nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.outbox.kinds import CARD_UPDATE, DIGEST, REPORTER_FLAG, REPORTER_REPLY
from bot.outbox.targets import actor_target, assignee_of, assignee_target, escalation_targets
from core.followup import rules as f
from core.followup import texts as ft
from core.followup.relay import REDACTED, relay_text
from core.followup.workdays import WorkingHours
from core.lifecycle import table as lc
from core.lifecycle.parties import LOKET, SYSTEM, Reporter, Target
from core.text.languages import DEFAULT_LANGUAGE
from core.text.msgids import Msg, msg
from storage.followup import REPORTER_ANSWER, ClaimedCheckIn
from storage.outbox import NewMessage
from storage.records import StaffRecord, StoredSignal
from storage.uow import Store, UnitOfWork

log = logging.getLogger(__name__)

# Check-ins claimed and queued per transaction: a few statements each, however many.
CLAIM_BATCH = 500
DIGEST_CATCH_UP = time(12, 0)  # a digest missed at 08:30 (all instances down) is sent until noon


@dataclass(frozen=True)
class ReporterAnswer:
    """What to tell a reporter after they answered; in their language."""

    texts: tuple[Msg, ...]
    language: str


class FollowUpService:
    def __init__(
        self,
        store: Store,
        hours: WorkingHours,
        rules: f.FollowUpRules,
        digest_at: time = time(8, 30),
        on_queued: Callable[[], None] = lambda: None,
        claim_batch: int = CLAIM_BATCH,
    ) -> None:
        self._store = store
        self.hours = hours
        self._rules = rules
        self._claim_batch = claim_batch
        self._earliest = {
            kind: f.earliest_due(kind, hours, rules)
            for kinds in f.STATUS_CHECKINS.values()
            for kind in kinds
        }
        self._digest_at = digest_at
        self._on_queued = on_queued

    # -- the sweep ---------------------------------------------------------------------

    async def sweep(self, now: datetime) -> Counter[str]:
        """Claim and queue every check-in due at ``now``; returns how many per kind.

        In batches of ``claim_batch``: each batch's claims, events and messages are one
        transaction, so a crash leaves every check-in either claimed and queued or neither.
        """
        async with self._store.unit_of_work() as uow:
            clocks = await uow.followup.pending(now, self._earliest)
            claimed = await uow.followup.claimed_of(c.id for c in clocks)
        # Already claimed keys are skipped before any working-time arithmetic.
        todo = [c for s in clocks for c in f.due(s, now, self.hours, self._rules, claimed)]
        sent: Counter[str] = Counter()
        for start in range(0, len(todo), self._claim_batch):
            async with self._store.unit_of_work() as uow:
                won = await uow.followup.claim_all(
                    todo[start : start + self._claim_batch], now, actor=SYSTEM
                )
                await uow.outbox.enqueue_many(await self._messages(uow, won), now)
                await uow.commit()
            sent.update(c.checkin.kind for c in won)
        if sent:
            log.info("follow-up sweep queued", extra={"counts": dict(sent)})
            self._on_queued()
        if await self._digest_missed(now):
            sent[DIGEST] += await self.digest(now)
        return sent

    async def _messages(self, uow: UnitOfWork, won: list[ClaimedCheckIn]) -> list[NewMessage]:
        """The messages of the claimed check-ins; staff chats are looked up once a batch."""
        escalation: list[Target] | None = None
        staff: dict[int, StaffRecord] | None = None
        messages: list[NewMessage] = []
        for claimed in won:
            checkin = claimed.checkin
            targets: list[Target] = []
            if checkin.kind == f.CLAIM_REMINDER:
                targets = [LOKET]
            elif checkin.kind == f.CLAIM_ESCALATION:
                if escalation is None:
                    escalation = await escalation_targets(uow)
                targets = escalation
            elif checkin.kind in (f.CONTACT_REMINDER, f.REFERRAL_CHECK):
                if staff is None:  # one query a batch, not one a check-in
                    staff = {s.id: s for s in await uow.staff.all()}
                targets = [assignee_of(staff, claimed.assignee_id)]
            elif checkin.kind == f.REPORTER_CHECKIN and claimed.reporter_id is not None:
                targets = [Reporter(claimed.reporter_id)]
            payload = {"due": (checkin.deadline or checkin.due_at).isoformat()}
            messages += [
                NewMessage(checkin.kind, target, signal_id=checkin.signal_id, payload=payload)
                for target in targets
            ]
        return messages

    # -- the digest --------------------------------------------------------------------

    async def _digest_missed(self, now: datetime) -> bool:
        local = now.astimezone(self.hours.timezone)
        if not self._digest_at <= local.time() < DIGEST_CATCH_UP:
            return False
        async with self._store.unit_of_work() as uow:
            return not await uow.followup.claimed([_digest_key(local.date().isoformat())])

    async def digest(self, now: datetime) -> int:
        """Queue today's digest for the loket group, once per working day; 1 if queued."""
        local = now.astimezone(self.hours.timezone)
        if not self.hours.is_working_day(local.date()):
            return 0
        since = self._previous_digest(now)
        async with self._store.unit_of_work() as uow:
            key = _digest_key(local.date().isoformat())
            if not await uow.followup.claim_key(key, DIGEST, now, now, signal_id=None):
                return 0
            clocks = await uow.followup.clocks(now, created_since=since)
            summary = f.digest(clocks, now, since, self.hours, self._rules)
            payload = {
                "date": now.isoformat(),
                "new": summary.new,
                "unclaimed": summary.unclaimed,
                "overdue": summary.overdue,
                "rows": [
                    [s.reference, s.status, what, at.isoformat()]
                    for s, what, at in summary.by_deadline
                ],
            }
            await uow.outbox.enqueue(DIGEST, LOKET, now, payload=payload)
            await uow.commit()
        self._on_queued()
        return 1

    def _previous_digest(self, now: datetime) -> datetime:
        """The digest time of the previous working day: what came in since is "new"."""
        day = now.astimezone(self.hours.timezone).date() - timedelta(days=1)
        while not self.hours.is_working_day(day):
            day -= timedelta(days=1)
        return datetime.combine(day, self._digest_at, self.hours.timezone)

    # -- reporters' answers --------------------------------------------------------------

    async def answer_checkin(
        self,
        channel: str,
        user_id: str,
        signal_id: int,
        answer: str,
        now: datetime,
        *,
        update_key: str | None = None,
    ) -> ReporterAnswer | None:
        """Record a reporter's check-in answer; "no" or "still worried" reopens or flags
        the signal and tells the assignee. None for a duplicate update."""

        async def work(uow: UnitOfWork, reporter_id: int) -> tuple[tuple[Msg, ...], bool]:
            signal = await uow.signals.get(signal_id)
            return await self._checkin(uow, reporter_id, signal, answer, now)

        return await self._as_reporter(channel, user_id, now, update_key, work)

    async def _as_reporter(
        self,
        channel: str,
        user_id: str,
        now: datetime,
        update_key: str | None,
        work: Callable[[UnitOfWork, int], Awaitable[tuple[tuple[Msg, ...], bool]]],
    ) -> ReporterAnswer | None:
        """One transaction for a known reporter's answer; None for a duplicate update.
        ``work`` returns the texts and whether it queued a message for staff."""
        async with self._store.unit_of_work() as uow:
            if update_key is not None and not await uow.inbound.record(channel, update_key, now):
                return None
            reporter = await uow.reporters.find(channel, user_id)
            if reporter is None:  # nobody we know: nothing to record, nothing created
                return ReporterAnswer((msg(ft.CHECKIN_UNKNOWN),), DEFAULT_LANGUAGE)
            await uow.reporters.heard_from(reporter.id, now)
            texts, queued = await work(uow, reporter.id)
            await uow.commit()
        if queued:
            self._on_queued()  # committed: the outbox worker may send it now
        return ReporterAnswer(texts, reporter.language)

    async def _checkin(
        self,
        uow: UnitOfWork,
        reporter_id: int,
        signal: StoredSignal | None,
        answer: str,
        now: datetime,
    ) -> tuple[tuple[Msg, ...], bool]:
        if (
            signal is None
            or signal.reporter_id != reporter_id
            or answer not in f.REPORTER_ANSWERS
            or not await uow.signals.has_event(signal.id, f.REPORTER_CHECKIN)
        ):
            return (msg(ft.CHECKIN_UNKNOWN),), False
        if await uow.signals.has_event(signal.id, REPORTER_ANSWER):
            return (msg(ft.CHECKIN_ALREADY),), False
        actor = Reporter(reporter_id)
        await uow.signals.add_event(
            signal.id, at=now, actor=actor, action=REPORTER_ANSWER, detail=answer
        )
        effect = f.reporter_answer_effect(answer, signal.status)
        if effect is None:
            return (msg(ft.CHECKIN_THANKS),), False
        if effect == "reopen":
            reopen = lc.ACTIONS["reopen"]
            assert reopen.target is not None
            moved = await uow.signals.transition(
                signal.id,
                sources=reopen.sources,
                target=reopen.target,
                assignee_id=signal.assignee_id,
                claimed_at=signal.claimed_at,
                at=now,
                outcome=None,
            )
            if moved:
                await uow.signals.add_event(signal.id, at=now, actor=actor, action="reopen")
                await uow.outbox.enqueue(CARD_UPDATE, LOKET, now, signal_id=signal.id)
            effect = "reopen" if moved else "flag"
        target = await assignee_target(uow, signal)
        payload = {"answer": answer, "reopened": effect == "reopen"}
        await uow.outbox.enqueue(REPORTER_FLAG, target, now, signal_id=signal.id, payload=payload)
        return (msg(ft.CHECKIN_PASSED_ON),), True

    async def answer_question(
        self,
        channel: str,
        user_id: str,
        reference: str,
        text: str,
        now: datetime,
        *,
        update_key: str | None = None,
    ) -> ReporterAnswer | None:
        """Attach a reporter's answer to the loket's question about ``reference`` and pass
        it to whoever asked. None for a duplicate update."""

        async def work(uow: UnitOfWork, reporter_id: int) -> tuple[tuple[Msg, ...], bool]:
            signal = await uow.signals.get_by_reference(reference)
            return await self._reply(uow, reporter_id, signal, text, now)

        return await self._as_reporter(channel, user_id, now, update_key, work)

    async def _reply(
        self,
        uow: UnitOfWork,
        reporter_id: int,
        signal: StoredSignal | None,
        text: str,
        now: datetime,
    ) -> tuple[tuple[Msg, ...], bool]:
        if signal is None or signal.reporter_id != reporter_id:
            return (msg(ft.CHECKIN_UNKNOWN),), False
        questions = [e for e in await uow.signals.events(signal.id) if e.action == "question"]
        if not questions:
            return (msg(ft.CHECKIN_UNKNOWN),), False
        answer = relay_text(text)
        event = await uow.signals.add_event(
            signal.id,
            at=now,
            actor=Reporter(reporter_id),
            action="reporter_reply",
            note=answer,
        )
        asker = await actor_target(uow, questions[-1].actor) or await assignee_target(uow, signal)
        await uow.outbox.enqueue(
            REPORTER_REPLY, asker, now, signal_id=signal.id, payload={"event": event}
        )
        texts: tuple[Msg, ...] = (msg(ft.QUESTION_ANSWER_SENT),)
        if REDACTED in answer and REDACTED not in text:
            texts += (msg(ft.QUESTION_NUMBER_REMOVED),)
        return texts, True


def _digest_key(day: str) -> str:
    return f"digest:{day}"
