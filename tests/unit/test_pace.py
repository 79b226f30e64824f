"""The per-sender message limit: time is an argument, so every case is exact."""

from __future__ import annotations

from datetime import timedelta

from bot.reporting.pace import SWEEP_FROM, MessagePace, Pace
from tests.support.driver import T0

SECOND = timedelta(seconds=1)


def test_over_the_limit_one_warning_then_silence_until_the_minute_is_over() -> None:
    pace = MessagePace(5)
    assert [pace.check("a", T0 + i * SECOND) for i in range(5)] == [Pace.OK] * 5
    assert pace.check("a", T0 + 5 * SECOND) is Pace.WARN
    assert pace.check("a", T0 + 6 * SECOND) is Pace.DROP
    assert pace.check("a", T0 + 59 * SECOND) is Pace.DROP
    # A minute after the first handled message, one more fits in the window.
    assert pace.check("a", T0 + 60 * SECOND) is Pace.OK
    assert pace.check("a", T0 + 60 * SECOND) is Pace.DROP  # warned less than a minute ago


def test_the_warning_comes_at_most_once_a_minute() -> None:
    pace = MessagePace(1)
    verdicts = [pace.check("a", T0 + i * 10 * SECOND) for i in range(13)]
    # Each minute: the first message is handled, the next one warned, the rest dropped.
    assert verdicts[:6] == [Pace.OK, Pace.WARN, Pace.DROP, Pace.DROP, Pace.DROP, Pace.DROP]
    assert verdicts[6] is Pace.OK
    assert verdicts[7] is Pace.WARN


def test_senders_are_counted_apart() -> None:
    pace = MessagePace(2)
    for _ in range(2):
        assert pace.check(("telegram", "1"), T0) is Pace.OK
    assert pace.check(("telegram", "1"), T0) is Pace.WARN
    assert pace.check(("telegram", "2"), T0) is Pace.OK
    assert pace.check(("whatsapp", "1"), T0) is Pace.OK


def test_quiet_senders_are_forgotten() -> None:
    pace = MessagePace(3)
    for sender in range(SWEEP_FROM):
        pace.check(sender, T0)
    pace.check("late", T0 + timedelta(minutes=2))
    assert len(pace._senders) == 1  # only the sender heard within the minute is kept
