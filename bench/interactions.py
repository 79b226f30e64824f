"""Counts the interactions (taps or messages) a reporter needs for a report.

Run: .venv/bin/python -m bench.interactions
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.i18n import load_catalogs
from conversations.engine import Engine
from conversations.events import Event, Pick, StoreSignal, TextIn
from conversations.matching import LabelIndex, Place

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

# Telegram-style: every answer a button tap.
SHORTEST_TAPS: list[Event] = [
    Pick("welcome", "report"),
    Pick("danger", "no"),
    Pick("role", "other"),
    Pick("age_group", "unknown"),
    Pick("observations", "often_alone"),
    Pick("observations", "done"),
    Pick("awareness", "unknown"),
    Pick("place", "unknown"),
    Pick("person_reach", "unknown"),
    Pick("note", "skip"),
    Pick("callback", "no"),
    Pick("checkin", "no"),
    Pick("summary", "send"),
]
# A typical cashier's report: two observations, a postcode, a short note, may be called.
TYPICAL_TAPS_AND_TEXTS: list[Event] = [
    Pick("welcome", "report"),
    Pick("danger", "no"),
    Pick("role", "shop"),
    Pick("age_group", "75_plus"),
    Pick("observations", "often_alone"),
    Pick("observations", "daily_chat"),
    Pick("observations", "done"),
    Pick("awareness", "unknown"),
    TextIn("4531 AB"),
    Pick("person_reach", "via_me"),
    TextIn("Komt elke dag alleen voor een praatje bij de kassa."),
    Pick("callback", "yes"),
    TextIn("Sanne"),
    TextIn("06 12345678"),
    Pick("checkin", "yes"),
    Pick("summary", "send"),
]
# Terminal or WhatsApp, typing numbers: "1, 8" answers a multi-select in one message.
SHORTEST_TYPED = ["1", "2", "5", "5", "1, 2", "4", "2", "3", "1", "2", "2", "1"]


def count(engine: Engine, events: list[Event]) -> int:
    state = engine.new_state("nl")
    now = T0
    state = engine.advance(state, TextIn("/start"), now).state
    for number, event in enumerate(events, start=1):
        now += timedelta(seconds=2)
        outcome = engine.advance(state, event, now)
        state = outcome.state
        if any(isinstance(effect, StoreSignal) for effect in outcome.effects):
            return number
    raise AssertionError(f"no signal stored; stopped at {state.prompt}")


def main() -> None:
    catalogs = load_catalogs()
    engine = Engine(LabelIndex(catalogs), (Place("axel", "Axel"),))
    print(f"shortest valid report, buttons:  {count(engine, SHORTEST_TAPS)} taps")
    typed = count(engine, [TextIn(text) for text in SHORTEST_TYPED])
    print(f"shortest valid report, typed:    {typed} messages")
    print(f"typical report (cashier):        {count(engine, TYPICAL_TAPS_AND_TEXTS)} interactions")


if __name__ == "__main__":
    main()
