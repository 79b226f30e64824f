"""Follow-up rules: which check-ins fall due when, deadlines, the reporter check-in, digest.

Times are written as Europe/Amsterdam wall times and handed to the rules in UTC, as the
storage layer does (``storage/types.py`` always returns UTC); expectations are compared in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.followup.rules import (
    CLAIM_ESCALATION,
    CLAIM_REMINDER,
    CONTACT_REMINDER,
    REFERRAL_CHECK,
    REPORTER_CHECKIN,
    REPORTER_NO_REACTION,
    CheckIn,
    FollowUpRules,
    SignalClock,
    claim_deadline,
    deadline,
    digest,
    due,
    escalation_at,
    is_overdue,
    reporter_answer_effect,
)
from core.followup.workdays import WorkingHours
from core.lifecycle import table as lc

AMS = ZoneInfo("Europe/Amsterdam")
# Built once: hypothesis does not want function-scoped fixtures, and the calendar is lazy.
HOURS = WorkingHours(holidays=holidays.country_holidays("NL"))
RULES = FollowUpRules()
MINUTE = timedelta(minutes=1)


def ams(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A local wall time in Amsterdam, as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=AMS).astimezone(UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def clock(
    status: str,
    created_at: datetime,
    status_at: datetime | None = None,
    *,
    signal_id: int = 7,
    urgent: bool = False,
    checkin_consent: bool = False,
    reporter_asked_at: datetime | None = None,
    reporter_answered: bool = False,
) -> SignalClock:
    return SignalClock(
        id=signal_id,
        reference=f"SP-2026-{signal_id:04d}",
        status=status,
        urgent=urgent,
        created_at=created_at,
        status_at=created_at if status_at is None else status_at,
        assignee_id=None if status == lc.NEW else 3,
        checkin_consent=checkin_consent,
        reporter_asked_at=reporter_asked_at,
        reporter_answered=reporter_answered,
    )


def kinds(found: tuple[CheckIn, ...]) -> list[str]:
    return [c.kind for c in found]


def only(found: tuple[CheckIn, ...], kind: str) -> CheckIn:
    matching = [c for c in found if c.kind == kind]
    assert len(matching) == 1, found
    return matching[0]


# --- claim reminder and escalation ---------------------------------------------------------


FRIDAY_16H = ams(2026, 11, 20, 16)  # a Friday without holidays around it


def test_a_new_signal_is_not_reminded_before_one_working_day() -> None:
    signal = clock(lc.NEW, FRIDAY_16H)
    monday_16h = ams(2026, 11, 23, 16)
    assert monday_16h == utc(2026, 11, 23, 15)
    assert due(signal, monday_16h - MINUTE, HOURS, RULES) == ()
    (reminder,) = due(signal, monday_16h, HOURS, RULES)
    assert reminder.kind == CLAIM_REMINDER
    assert reminder.due_at == monday_16h
    assert reminder.signal_id == 7
    assert reminder.deadline is None


def test_a_new_signal_escalates_after_two_working_days() -> None:
    signal = clock(lc.NEW, FRIDAY_16H)
    tuesday_16h = ams(2026, 11, 24, 16)
    assert kinds(due(signal, tuesday_16h - MINUTE, HOURS, RULES)) == [CLAIM_REMINDER]
    found = due(signal, tuesday_16h, HOURS, RULES)
    assert kinds(found) == [CLAIM_REMINDER, CLAIM_ESCALATION]
    escalation = only(found, CLAIM_ESCALATION)
    assert escalation.due_at == tuesday_16h
    assert escalation.due_at == escalation_at(signal, HOURS, RULES)
    # The escalation names the deadline that was missed, not its own moment.
    assert escalation.deadline == claim_deadline(signal, HOURS, RULES) == ams(2026, 11, 23, 16)


def test_check_in_keys_name_signal_kind_and_status_period() -> None:
    signal = clock(lc.NEW, FRIDAY_16H)
    later = ams(2026, 12, 31, 12)
    first = due(signal, later, HOURS, RULES)
    cycle = str(int(FRIDAY_16H.timestamp()))
    assert [c.key for c in first] == [f"7:claim_reminder:{cycle}", f"7:claim_escalation:{cycle}"]
    # Stable: asking again (or later) gives the same keys.
    assert [c.key for c in due(signal, later, HOURS, RULES)] == [c.key for c in first]
    assert [c.key for c in due(signal, later + timedelta(days=30), HOURS, RULES)] == [
        c.key for c in first
    ]


def test_a_released_signal_that_is_new_again_gets_new_keys() -> None:
    first = clock(lc.NEW, FRIDAY_16H)
    released = clock(lc.NEW, FRIDAY_16H, ams(2026, 11, 24, 11))
    later = ams(2026, 12, 31, 12)
    first_keys = {c.key for c in due(first, later, HOURS, RULES)}
    again_keys = {c.key for c in due(released, later, HOURS, RULES)}
    assert len(first_keys) == len(again_keys) == 2
    assert first_keys.isdisjoint(again_keys)
    # The deadlines run from the release, not from the first receipt.
    assert claim_deadline(released, HOURS, RULES) == ams(2026, 11, 25, 11)


def test_an_urgent_signal_is_reminded_within_two_hours_at_any_time() -> None:
    saturday_3h = ams(2026, 11, 21, 3)
    signal = clock(lc.NEW, saturday_3h, urgent=True)
    assert due(signal, ams(2026, 11, 21, 4, 59), HOURS, RULES) == ()
    assert kinds(due(signal, ams(2026, 11, 21, 5), HOURS, RULES)) == [CLAIM_REMINDER]
    assert kinds(due(signal, ams(2026, 11, 21, 6, 59), HOURS, RULES)) == [CLAIM_REMINDER]
    found = due(signal, ams(2026, 11, 21, 7), HOURS, RULES)
    assert [c.due_at for c in found] == [ams(2026, 11, 21, 5), ams(2026, 11, 21, 7)]
    assert only(found, CLAIM_ESCALATION).deadline == ams(2026, 11, 21, 5)


def test_christmas_days_do_not_count() -> None:
    christmas_eve = ams(2026, 12, 24, 15)  # Thursday; 25 and 26 December are holidays
    signal = clock(lc.NEW, christmas_eve)
    monday = ams(2026, 12, 28, 15)
    assert due(signal, monday - MINUTE, HOURS, RULES) == ()
    assert [c.due_at for c in due(signal, monday, HOURS, RULES)] == [monday]
    assert escalation_at(signal, HOURS, RULES) == ams(2026, 12, 29, 15)


def test_a_reminder_over_the_autumn_clock_change_keeps_the_wall_time() -> None:
    friday = datetime(2026, 10, 23, 16, tzinfo=AMS)
    assert friday.utcoffset() == timedelta(hours=2)  # CEST
    signal = clock(lc.NEW, friday.astimezone(UTC))
    monday = utc(2026, 10, 26, 15)  # 16:00 CET
    assert monday.astimezone(AMS).hour == 16
    assert due(signal, monday - MINUTE, HOURS, RULES) == ()
    (reminder,) = due(signal, monday, HOURS, RULES)
    assert reminder.due_at == monday


# --- staff check-ins after the signal was picked up -----------------------------------------


@pytest.mark.parametrize("status", [lc.CLAIMED, lc.REOPENED])
def test_contact_reminder_after_three_working_days(status: str) -> None:
    at = ams(2026, 11, 24, 10)  # Tuesday
    signal = clock(status, ams(2026, 11, 23, 9), at)
    friday = ams(2026, 11, 27, 10)
    assert due(signal, friday - MINUTE, HOURS, RULES) == ()
    (reminder,) = due(signal, friday, HOURS, RULES)
    assert reminder.kind == CONTACT_REMINDER
    assert reminder.due_at == friday
    assert reminder.key == f"7:contact_reminder:{int(at.timestamp())}"


def test_contact_reminder_runs_over_a_weekend() -> None:
    signal = clock(lc.REOPENED, ams(2026, 11, 2, 9), FRIDAY_16H)
    # Friday 1 hour, Monday 8, Tuesday 8, Wednesday 7.
    wednesday = ams(2026, 11, 25, 16)
    assert due(signal, wednesday - MINUTE, HOURS, RULES) == ()
    assert kinds(due(signal, wednesday, HOURS, RULES)) == [CONTACT_REMINDER]


@pytest.mark.parametrize("status", [lc.IN_CONTACT, lc.CLOSED, lc.CANNOT_FOLLOW_UP])
def test_no_staff_check_in_without_a_staff_deadline(status: str) -> None:
    signal = clock(status, ams(2026, 1, 5, 10), ams(2026, 1, 6, 10))
    assert due(signal, ams(2027, 1, 1), HOURS, RULES) == ()


@pytest.mark.parametrize(
    ("referred_at", "expected"),
    [
        # Two weeks later is a Sunday: the check waits for Monday's opening.
        pytest.param(ams(2026, 11, 8, 14), ams(2026, 11, 23, 9), id="sunday-afternoon"),
        pytest.param(ams(2026, 11, 8, 23, 30), ams(2026, 11, 23, 9), id="sunday-night"),
        # A Saturday night lands on a Saturday night: also Monday.
        pytest.param(ams(2026, 11, 7, 23, 30), ams(2026, 11, 23, 9), id="saturday-night"),
        # In office hours two weeks later: exactly then.
        pytest.param(ams(2026, 11, 10, 10), ams(2026, 11, 24, 10), id="tuesday-office-hours"),
        # Two weeks after 11 December is Christmas Day, then a Saturday, a Sunday.
        pytest.param(ams(2026, 12, 11, 12), ams(2026, 12, 28, 9), id="christmas"),
    ],
)
def test_referral_check_two_weeks_later_at_the_next_opening(
    referred_at: datetime, expected: datetime
) -> None:
    signal = clock(lc.REFERRED, referred_at - timedelta(days=2), referred_at)
    assert due(signal, expected - MINUTE, HOURS, RULES) == ()
    (check,) = due(signal, expected, HOURS, RULES)
    assert check.kind == REFERRAL_CHECK
    assert check.due_at == expected
    assert check.key == f"7:referral_check:{int(referred_at.timestamp())}"


# --- the reporter check-in --------------------------------------------------------------------


def test_the_reporter_is_asked_two_weeks_after_the_signal() -> None:
    created = ams(2026, 11, 2, 10)  # Monday
    signal = clock(lc.IN_CONTACT, created, ams(2026, 11, 3, 10), checkin_consent=True)
    two_weeks = ams(2026, 11, 16, 10)
    assert due(signal, two_weeks - MINUTE, HOURS, RULES) == ()
    (checkin,) = due(signal, two_weeks, HOURS, RULES)
    assert checkin.kind == REPORTER_CHECKIN
    assert checkin.due_at == two_weeks
    assert checkin.key == "7:reporter_checkin:1"


def test_without_consent_the_reporter_is_never_asked() -> None:
    signal = clock(lc.IN_CONTACT, ams(2026, 11, 2, 10), ams(2026, 11, 3, 10))
    assert due(signal, ams(2027, 1, 1), HOURS, RULES) == ()


def test_the_reporter_check_in_comes_on_top_of_staff_check_ins() -> None:
    created = ams(2026, 11, 2, 10)
    signal = clock(lc.CLAIMED, created, ams(2026, 11, 2, 11), checkin_consent=True)
    found = due(signal, ams(2026, 11, 16, 10), HOURS, RULES)
    assert kinds(found) == [CONTACT_REMINDER, REPORTER_CHECKIN]
    assert only(found, CONTACT_REMINDER).due_at == ams(2026, 11, 5, 11)


def test_the_reporter_check_in_waits_for_office_hours() -> None:
    created = ams(2026, 11, 6, 18)  # Friday evening
    signal = clock(lc.NEW, created, checkin_consent=True, urgent=True)
    monday = ams(2026, 11, 23, 9)
    assert REPORTER_CHECKIN not in kinds(due(signal, monday - MINUTE, HOURS, RULES))
    assert only(due(signal, monday, HOURS, RULES), REPORTER_CHECKIN).due_at == monday


@pytest.mark.parametrize(
    ("status", "finished_at", "expected"),
    [
        # Finished in the evening: asked at the next opening, well before two weeks.
        (lc.CLOSED, ams(2026, 11, 4, 20), ams(2026, 11, 5, 9)),
        # Finished in office hours: asked right away.
        (lc.CANNOT_FOLLOW_UP, ams(2026, 11, 4, 13), ams(2026, 11, 4, 13)),
        # Finished after two weeks: the two weeks still count.
        (lc.CLOSED, ams(2026, 11, 20, 12), ams(2026, 11, 16, 10)),
    ],
)
def test_a_finished_signal_asks_the_reporter_no_later_than_when_it_finished(
    status: str, finished_at: datetime, expected: datetime
) -> None:
    signal = clock(status, ams(2026, 11, 2, 10), finished_at, checkin_consent=True)
    assert due(signal, expected - MINUTE, HOURS, RULES) == ()
    (checkin,) = due(signal, expected, HOURS, RULES)
    assert checkin.kind == REPORTER_CHECKIN
    assert checkin.due_at == expected


def test_an_unanswered_check_in_is_recorded_five_days_later() -> None:
    asked = ams(2026, 11, 16, 10)
    signal = clock(
        lc.IN_CONTACT,
        ams(2026, 11, 2, 10),
        ams(2026, 11, 3, 10),
        checkin_consent=True,
        reporter_asked_at=asked,
    )
    # Once asked, the check-in itself is no longer due.
    assert due(signal, asked, HOURS, RULES) == ()
    five_days = ams(2026, 11, 21, 10)  # a Saturday: only recorded, so not moved
    assert due(signal, five_days - MINUTE, HOURS, RULES) == ()
    (no_reaction,) = due(signal, five_days, HOURS, RULES)
    assert no_reaction.kind == REPORTER_NO_REACTION
    assert no_reaction.due_at == five_days
    assert no_reaction.key == "7:reporter_no_reaction:1"


def test_an_answered_check_in_asks_nothing_more() -> None:
    signal = clock(
        lc.IN_CONTACT,
        ams(2026, 11, 2, 10),
        ams(2026, 11, 3, 10),
        checkin_consent=True,
        reporter_asked_at=ams(2026, 11, 16, 10),
        reporter_answered=True,
    )
    assert due(signal, ams(2027, 1, 1), HOURS, RULES) == ()


@pytest.mark.parametrize("status", [lc.CLOSED, lc.CANNOT_FOLLOW_UP])
def test_a_finished_signal_without_consent_has_nothing_due(status: str) -> None:
    signal = clock(status, ams(2026, 11, 2, 10), ams(2026, 11, 4, 20))
    assert due(signal, ams(2027, 12, 31), HOURS, RULES) == ()


# --- deadline and is_overdue ------------------------------------------------------------------


def test_a_new_signal_owes_a_claim() -> None:
    signal = clock(lc.NEW, FRIDAY_16H)
    monday = ams(2026, 11, 23, 16)
    assert deadline(signal, HOURS, RULES) == ("claim", monday)
    assert not is_overdue(signal, monday - MINUTE, HOURS, RULES)
    assert is_overdue(signal, monday, HOURS, RULES)


def test_an_urgent_new_signal_owes_a_claim_within_two_hours() -> None:
    signal = clock(lc.NEW, ams(2026, 11, 21, 3), urgent=True)
    assert deadline(signal, HOURS, RULES) == ("claim", ams(2026, 11, 21, 5))


@pytest.mark.parametrize("status", [lc.CLAIMED, lc.REOPENED])
def test_a_picked_up_signal_owes_contact(status: str) -> None:
    signal = clock(status, ams(2026, 11, 23, 9), ams(2026, 11, 24, 10))
    friday = ams(2026, 11, 27, 10)
    assert deadline(signal, HOURS, RULES) == ("contact", friday)
    assert not is_overdue(signal, friday - MINUTE, HOURS, RULES)
    assert is_overdue(signal, friday, HOURS, RULES)


def test_a_referred_signal_owes_a_check_and_is_never_overdue() -> None:
    signal = clock(lc.REFERRED, ams(2026, 11, 2, 9), ams(2026, 11, 8, 14))
    assert deadline(signal, HOURS, RULES) == ("check", ams(2026, 11, 23, 9))
    for now in (ams(2026, 11, 23, 9), ams(2027, 6, 1), ams(2030, 1, 1)):
        assert not is_overdue(signal, now, HOURS, RULES)


@pytest.mark.parametrize("status", [lc.IN_CONTACT, lc.CLOSED, lc.CANNOT_FOLLOW_UP])
def test_no_deadline_and_never_overdue(status: str) -> None:
    signal = clock(status, ams(2026, 11, 2, 9), ams(2026, 11, 3, 9))
    assert deadline(signal, HOURS, RULES) is None
    assert not is_overdue(signal, ams(2030, 1, 1), HOURS, RULES)


# --- the reporter's answer --------------------------------------------------------------------


@pytest.mark.parametrize("status", list(lc.STATUS_LABELS))
def test_yes_changes_nothing(status: str) -> None:
    assert reporter_answer_effect("yes", status) is None


@pytest.mark.parametrize("answer", ["no", "worried"])
@pytest.mark.parametrize(
    ("status", "effect"),
    [
        (lc.CLOSED, "reopen"),
        (lc.CANNOT_FOLLOW_UP, "reopen"),
        (lc.NEW, "flag"),
        (lc.CLAIMED, "flag"),
        (lc.IN_CONTACT, "flag"),
        (lc.REFERRED, "flag"),
        (lc.REOPENED, "flag"),
    ],
)
def test_no_or_still_worried_reopens_a_finished_signal_and_flags_an_open_one(
    answer: str, status: str, effect: str
) -> None:
    assert reporter_answer_effect(answer, status) == effect


# --- the digest -------------------------------------------------------------------------------

DIGEST_NOW = ams(2026, 11, 23, 12)  # Monday noon
DIGEST_SINCE = ams(2026, 11, 22, 8)  # yesterday's overview

# id -> signal; each comment gives its deadline and whether it counts.
DIGEST_SIGNALS = (
    # claim by Mon 10:00: overdue; received before `since`.
    clock(lc.NEW, ams(2026, 11, 20, 10), signal_id=1),
    # claim by Tue 11:00; new.
    clock(lc.NEW, ams(2026, 11, 23, 11), signal_id=9),
    # contact by Tue 10:00.
    clock(lc.CLAIMED, ams(2026, 11, 19, 9), ams(2026, 11, 19, 10), signal_id=3),
    # check on Mon 09:00: past, but a check is never overdue.
    clock(lc.REFERRED, ams(2026, 11, 2, 9), ams(2026, 11, 8, 14), signal_id=4),
    # closed: counted as new (exactly at `since`), never listed.
    clock(lc.CLOSED, DIGEST_SINCE, ams(2026, 11, 23, 9, 30), signal_id=5),
    # in contact: open and new, but owes nothing, so not listed.
    clock(lc.IN_CONTACT, ams(2026, 11, 23, 8), signal_id=6),
    # contact by Fri 20 November 10:00: overdue.
    clock(lc.REOPENED, ams(2026, 11, 2, 9), ams(2026, 11, 17, 10), signal_id=7),
    # claim by Tue 11:00, the same as 9: the lower id first; new.
    clock(lc.NEW, ams(2026, 11, 23, 11), signal_id=2),
    # cannot be followed up: received before `since`, not listed.
    clock(lc.CANNOT_FOLLOW_UP, ams(2026, 11, 2, 9), ams(2026, 11, 23, 10), signal_id=8),
    # received a minute before `since`: not new.
    clock(lc.CLOSED, DIGEST_SINCE - MINUTE, ams(2026, 11, 22, 9), signal_id=10),
)


def test_digest_counts() -> None:
    result = digest(DIGEST_SIGNALS, DIGEST_NOW, DIGEST_SINCE, HOURS, RULES)
    assert (result.new, result.unclaimed, result.overdue) == (4, 3, 2)


def test_digest_lists_open_signals_by_deadline_then_id() -> None:
    result = digest(DIGEST_SIGNALS, DIGEST_NOW, DIGEST_SINCE, HOURS, RULES)
    assert [(s.id, what, at) for s, what, at in result.by_deadline] == [
        (7, "contact", ams(2026, 11, 20, 10)),
        (4, "check", ams(2026, 11, 23, 9)),
        (1, "claim", ams(2026, 11, 23, 10)),
        (3, "contact", ams(2026, 11, 24, 10)),
        (2, "claim", ams(2026, 11, 24, 11)),
        (9, "claim", ams(2026, 11, 24, 11)),
    ]


@pytest.mark.parametrize(("limit", "expected"), [(0, []), (1, [7]), (3, [7, 4, 1]), (6, None)])
def test_digest_is_limited(limit: int, expected: list[int] | None) -> None:
    result = digest(DIGEST_SIGNALS, DIGEST_NOW, DIGEST_SINCE, HOURS, RULES, limit=limit)
    ids = [s.id for s, _, _ in result.by_deadline]
    assert ids == (expected if expected is not None else [7, 4, 1, 3, 2, 9])
    # The counts do not depend on the limit.
    assert (result.new, result.unclaimed, result.overdue) == (4, 3, 2)


def test_digest_of_nothing() -> None:
    result = digest(iter(()), DIGEST_NOW, DIGEST_SINCE, HOURS, RULES)
    assert (result.new, result.unclaimed, result.overdue, result.by_deadline) == (0, 0, 0, ())


def test_digest_accepts_a_one_shot_iterable() -> None:
    result = digest(iter(DIGEST_SIGNALS), DIGEST_NOW, DIGEST_SINCE, HOURS, RULES)
    assert (result.new, result.unclaimed, result.overdue) == (4, 3, 2)
    assert len(result.by_deadline) == 6


# --- a property: once due, a check-in stays due -----------------------------------------------

_YEAR_START = datetime(2026, 1, 1)
_YEAR_END = datetime(2026, 12, 31, 23, 59)
_moments = st.datetimes(min_value=_YEAR_START, max_value=_YEAR_END, timezones=st.just(UTC))


@st.composite
def _clocks(draw: st.DrawFn) -> SignalClock:
    created = draw(_moments)
    status_at = created + draw(st.timedeltas(timedelta(0), timedelta(days=60)))
    asked = draw(st.none() | st.timedeltas(timedelta(0), timedelta(days=30)))
    return SignalClock(
        id=draw(st.integers(1, 10_000)),
        reference="SP-2026-0001",
        status=draw(st.sampled_from(list(lc.STATUS_LABELS))),
        urgent=draw(st.booleans()),
        created_at=created,
        status_at=status_at,
        checkin_consent=draw(st.booleans()),
        reporter_asked_at=None if asked is None else created + asked,
        reporter_answered=draw(st.booleans()),
    )


@settings(max_examples=200, deadline=None)
@given(
    signal=_clocks(),
    now1=_moments,
    gap=st.timedeltas(timedelta(0), timedelta(days=90)),
)
def test_a_due_check_in_stays_due_with_the_same_key(
    signal: SignalClock, now1: datetime, gap: timedelta
) -> None:
    now2 = now1 + gap
    earlier = due(signal, now1, HOURS, RULES)
    later = due(signal, now2, HOURS, RULES)
    later_by_key = {c.key: c for c in later}
    assert len(later_by_key) == len(later)
    for checkin in earlier:
        assert checkin.due_at <= now1
        assert later_by_key.get(checkin.key) == checkin
