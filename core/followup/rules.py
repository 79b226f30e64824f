"""Follow-up rules: deadlines in working time and the check-ins that fall due.

Pure: the shell reads signal rows into ``SignalClock`` values, asks ``due(...)`` which
check-ins are due at ``now``, claims each by its ``key`` (so it is sent once, by one
instance) and queues the messages. Deadlines are computed from the signal's events (when
it entered its current status), never stored.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from core.lifecycle import table as lc

from .workdays import WorkingHours

# Check-in kinds; also the outbox kinds of the messages they send.
CLAIM_REMINDER = "claim_reminder"  # the loket group: nobody picked it up in time
CLAIM_ESCALATION = "claim_escalation"  # the regisseurs: still nobody, twice the time
CONTACT_REMINDER = "contact_reminder"  # the assignee: no contact with the reporter logged
REFERRAL_CHECK = "referral_check"  # the assignee: is the referral on track?
REPORTER_CHECKIN = "reporter_checkin"  # the reporter: did the loket contact you?
REPORTER_NO_REACTION = "reporter_no_reaction"  # recorded only: the reporter did not answer
CHECKIN_KINDS: tuple[str, ...] = (
    CLAIM_REMINDER,
    CLAIM_ESCALATION,
    CONTACT_REMINDER,
    REFERRAL_CHECK,
    REPORTER_CHECKIN,
    REPORTER_NO_REACTION,
)

# The reporter's answers to the check-in.
ANSWER_YES = "yes"
ANSWER_NO = "no"
ANSWER_WORRIED = "worried"
REPORTER_ANSWERS: tuple[str, ...] = (ANSWER_YES, ANSWER_NO, ANSWER_WORRIED)


@dataclass(frozen=True)
class FollowUpRules:
    """The municipality's deadlines (defaults from the Terneuzen practice)."""

    claim_days: int = 1
    urgent_claim: timedelta = timedelta(hours=2)
    contact_days: int = 3
    referral_check: timedelta = timedelta(days=14)
    reporter_checkin: timedelta = timedelta(days=14)
    reporter_wait: timedelta = timedelta(days=5)


@dataclass(frozen=True)
class SignalClock:
    """A signal as the follow-up rules see it: no content, only times and ids. Times are
    UTC (as storage returns them), so "2 hours" or "14 days" are real elapsed time.

    ``status_at``: when it entered its current status (from its events).
    ``checkin_consent``: the reporter agreed to be asked and can be reached in a chat.
    ``reporter_asked_at``: when the reporter check-in was claimed, if it was.
    """

    id: int
    reference: str
    status: str
    urgent: bool
    created_at: datetime
    status_at: datetime
    assignee_id: int | None = None
    checkin_consent: bool = False
    reporter_asked_at: datetime | None = None
    reporter_answered: bool = False


@dataclass(frozen=True)
class CheckIn:
    """One due check-in. ``key`` is unique per signal, kind and status period, so a
    signal released and left again is reminded again, but never twice for one period."""

    kind: str
    signal_id: int
    due_at: datetime
    cycle: str
    deadline: datetime | None = None  # the staff deadline it is about, when not ``due_at``

    @property
    def key(self) -> str:
        return checkin_key(self.signal_id, self.kind, self.cycle)


def checkin_key(signal_id: int, kind: str, cycle: str) -> str:
    """The claim key of a check-in: one per signal, kind and status period."""
    return f"{signal_id}:{kind}:{cycle}"


def _cycle(at: datetime) -> str:
    return str(int(at.timestamp()))


def claim_deadline(signal: SignalClock, hours: WorkingHours, rules: FollowUpRules) -> datetime:
    """Urgent signals: within two hours, any time; others within working days."""
    if signal.urgent:
        return signal.status_at + rules.urgent_claim
    return hours.add_days(signal.status_at, rules.claim_days)


def escalation_at(signal: SignalClock, hours: WorkingHours, rules: FollowUpRules) -> datetime:
    """Twice the claim deadline, counted the same way."""
    if signal.urgent:
        return signal.status_at + 2 * rules.urgent_claim
    return hours.add_days(signal.status_at, 2 * rules.claim_days)


def deadline(
    signal: SignalClock, hours: WorkingHours, rules: FollowUpRules
) -> tuple[str, datetime] | None:
    """The next thing staff owe this signal and when: ("claim" | "contact" | "check", at)."""
    if signal.status == lc.NEW:
        return "claim", claim_deadline(signal, hours, rules)
    if signal.status in (lc.CLAIMED, lc.REOPENED):
        return "contact", hours.add_days(signal.status_at, rules.contact_days)
    if signal.status == lc.REFERRED:
        return "check", hours.next_open(signal.status_at + rules.referral_check)
    return None


def is_overdue(
    signal: SignalClock, now: datetime, hours: WorkingHours, rules: FollowUpRules
) -> bool:
    owed = deadline(signal, hours, rules)
    return owed is not None and owed[0] != "check" and now >= owed[1]


# The statuses with a staff deadline that can be overdue (a referral check cannot).
OVERDUE_STATUSES: tuple[str, ...] = (lc.NEW, lc.CLAIMED, lc.REOPENED)
_TICK = timedelta(microseconds=1)


def overdue_cutoffs(
    now: datetime, hours: WorkingHours, rules: FollowUpRules
) -> dict[tuple[str, bool], datetime]:
    """Per (status, urgent): the latest ``status_at`` at which a signal is overdue at
    ``now`` (``is_overdue``); a signal in that status is overdue exactly when it entered it
    at or before then. So storage can filter on it instead of every signal's deadline.

    Found by bisection on ``deadline`` itself: a later start never has an earlier deadline
    (for office hours that do not hold the autumn clock change, as the default ones).
    """
    cutoffs: dict[tuple[str, bool], datetime] = {}
    for status in OVERDUE_STATUSES:
        for urgent in (False, True):

            def overdue(since: datetime, status: str = status, urgent: bool = urgent) -> bool:
                clock = SignalClock(0, "", status, urgent, since, since)
                return is_overdue(clock, now, hours, rules)

            late, early = now, now - timedelta(days=1)
            if overdue(late):
                cutoffs[status, urgent] = late
                continue
            while not overdue(early):  # the loket may be closed for weeks; not for years
                late, early = early, early - 2 * (late - early)
            while late - early > _TICK:  # overdue(early), not overdue(late)
                middle = early + (late - early) // 2
                early, late = (middle, late) if overdue(middle) else (early, middle)
            cutoffs[status, urgent] = early
    return cutoffs


# The check-ins staff can owe in each status, one per status period (the cycle of the key
# is ``status_at``). Storage reads this table too, to leave out of the sweep the signals
# whose check-ins are all claimed or cannot be due yet (see ``earliest_due``).
STATUS_CHECKINS: Mapping[str, tuple[str, ...]] = {
    lc.NEW: (CLAIM_REMINDER, CLAIM_ESCALATION),
    lc.CLAIMED: (CONTACT_REMINDER,),
    lc.REOPENED: (CONTACT_REMINDER,),
    lc.REFERRED: (REFERRAL_CHECK,),
}
# Office hours are wall time: a working day holding the spring clock change is an hour
# shorter in real time (no deadline here is long enough to hold two).
_CLOCK_CHANGE = timedelta(hours=1)


def earliest_due(kind: str, hours: WorkingHours, rules: FollowUpRules) -> timedelta:
    """How long after ``status_at`` a staff check-in of ``kind`` can be due at the
    soonest, urgent or not: working time only adds to the real time counted.

    A lower bound for storage to leave out signals that cannot be due yet; ``due`` still
    decides for the signals that are read.
    """

    def working(days: int) -> timedelta:
        return max(timedelta(0), days * hours.day_length - _CLOCK_CHANGE)

    if kind == CLAIM_REMINDER:
        return min(rules.urgent_claim, working(rules.claim_days))
    if kind == CLAIM_ESCALATION:
        return min(2 * rules.urgent_claim, working(2 * rules.claim_days))
    if kind == CONTACT_REMINDER:
        return working(rules.contact_days)
    if kind == REFERRAL_CHECK:
        return rules.referral_check
    raise ValueError(f"not a staff check-in: {kind}")


def _candidates(signal: SignalClock) -> tuple[tuple[str, str], ...]:
    """(kind, cycle) of the check-ins this signal can have in its current state; cheap,
    so a sweep skips the working-time arithmetic for check-ins already claimed."""
    cycle = _cycle(signal.status_at)
    found = [(kind, cycle) for kind in STATUS_CHECKINS.get(signal.status, ())]
    if signal.checkin_consent and signal.reporter_asked_at is None:
        found.append((REPORTER_CHECKIN, "1"))
    elif signal.checkin_consent and not signal.reporter_answered:
        found.append((REPORTER_NO_REACTION, "1"))
    return tuple(found)


# A pure function of its arguments, cached: the sweep asks again every minute about the
# same check-ins not due yet, and working-time arithmetic is most of its time.
@lru_cache(maxsize=32_768)
def _checkin(
    signal: SignalClock, kind: str, cycle: str, hours: WorkingHours, rules: FollowUpRules
) -> CheckIn:
    if kind == CLAIM_REMINDER:
        return CheckIn(kind, signal.id, claim_deadline(signal, hours, rules), cycle)
    if kind == CLAIM_ESCALATION:
        at, owed = escalation_at(signal, hours, rules), claim_deadline(signal, hours, rules)
        return CheckIn(kind, signal.id, at, cycle, deadline=owed)
    if kind == CONTACT_REMINDER:
        return CheckIn(kind, signal.id, hours.add_days(signal.status_at, rules.contact_days), cycle)
    if kind == REFERRAL_CHECK:
        at = hours.next_open(signal.status_at + rules.referral_check)
        return CheckIn(kind, signal.id, at, cycle)
    if kind == REPORTER_CHECKIN:
        latest = signal.created_at + rules.reporter_checkin
        if signal.status in lc.FINISHED_STATUSES:
            latest = min(latest, signal.status_at)
        # Office hours, so nobody is woken by a question about a neighbour.
        return CheckIn(kind, signal.id, hours.next_open(latest), cycle)
    assert signal.reporter_asked_at is not None
    return CheckIn(kind, signal.id, signal.reporter_asked_at + rules.reporter_wait, cycle)


def due(
    signal: SignalClock,
    now: datetime,
    hours: WorkingHours,
    rules: FollowUpRules,
    claimed: Container[str] = frozenset(),
) -> tuple[CheckIn, ...]:
    """The check-ins of ``signal`` due at ``now`` whose key is not in ``claimed``."""
    found = (
        _checkin(signal, kind, cycle, hours, rules)
        for kind, cycle in _candidates(signal)
        if checkin_key(signal.id, kind, cycle) not in claimed
    )
    return tuple(c for c in found if c.due_at <= now)


def reporter_answer_effect(answer: str, status: str) -> str | None:
    """What a reporter's check-in answer does to the signal: "reopen" (a finished signal),
    "flag" (an open one; the assignee is told), or None for "yes"."""
    if answer == ANSWER_YES:
        return None
    checked = lc.check_action("reopen", status, role=lc.REPORTER, is_assignee=False)
    return "reopen" if isinstance(checked, lc.Action) else "flag"


@dataclass(frozen=True)
class Digest:
    """The loket's morning overview: counts and the open signals by deadline."""

    new: int
    unclaimed: int
    overdue: int
    by_deadline: tuple[tuple[SignalClock, str, datetime], ...]


def digest(
    signals: Iterable[SignalClock],
    now: datetime,
    since: datetime,
    hours: WorkingHours,
    rules: FollowUpRules,
    limit: int = 20,
) -> Digest:
    """Counts: received since ``since`` (open or not), unclaimed, overdue; and the
    ``limit`` open signals whose deadline comes first."""
    seen = list(signals)
    open_signals = [s for s in seen if s.status in lc.OPEN_STATUSES]
    owed = []
    for signal in open_signals:
        found = deadline(signal, hours, rules)
        if found is not None:
            owed.append((signal, found[0], found[1]))
    owed.sort(key=lambda item: (item[2], item[0].id))
    return Digest(
        new=sum(1 for s in seen if s.created_at >= since),
        unclaimed=sum(1 for s in open_signals if s.status == lc.NEW),
        overdue=sum(1 for s in open_signals if is_overdue(s, now, hours, rules)),
        by_deadline=tuple(owed[:limit]),
    )
