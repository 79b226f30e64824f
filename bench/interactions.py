"""Counts the interactions (taps or messages) a reporter needs for a report, against the
targets of the express path (docs/adr/0058-the-express-path.md).

Run: .venv/bin/python -m bench.interactions

The events are the ones a channel sends the engine; the partner's record comes back as
the shell sends it after the link's ``/start`` (``PartnerFound``), which the reporter
does not do and which is not counted. The same scripts are the tests' scripted reports
(``tests/support/reports.py``), so what is counted here is what the tests drive end to end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.i18n import load_catalogs
from core.dialog.engine import Engine
from core.dialog.events import Event, PartnerFound, StoreSignal, TextIn
from core.dialog.matching import LabelIndex
from core.dialog.model import Place
from tests.support.reports import PARTNER_TAPS, SHORTEST_TAPS, SHORTEST_TYPED, typical_report

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PARTNER = PartnerFound("jumbo-axel", role="shop", area="axel")

TYPICAL_TAPS_AND_TEXTS = typical_report()


@dataclass(frozen=True)
class Target:
    name: str
    events: list[Event]
    target: int
    partner: bool = False


def count(engine: Engine, events: list[Event], *, partner: bool = False) -> int:
    """The events the reporter sends until the report is stored (the opening "/start" and
    the partner's record are not the reporter's)."""
    state = engine.new_state("nl")
    now = T0
    opening = TextIn(f"/start p_{PARTNER.code}" if partner else "/start")
    state = engine.advance(state, opening, now).state
    if partner:
        state = engine.advance(state, PARTNER, now).state
    for number, event in enumerate(events, start=1):
        now += timedelta(seconds=2)
        outcome = engine.advance(state, event, now)
        state = outcome.state
        if any(isinstance(effect, StoreSignal) for effect in outcome.effects):
            return number
    raise AssertionError(f"no signal stored; stopped at {state.prompt}")


TARGETS = (
    Target("shortest valid report, buttons", SHORTEST_TAPS, 9),
    Target("via a partner's link or QR code", PARTNER_TAPS, 7, partner=True),
    Target("typical report (cashier)", TYPICAL_TAPS_AND_TEXTS, 12),
)


def main() -> None:
    catalogs = load_catalogs()
    engine = Engine(LabelIndex(catalogs), (Place("axel", "Axel"),))
    missed = 0
    for target in TARGETS:
        counted = count(engine, target.events, partner=target.partner)
        verdict = "met" if counted <= target.target else "MISSED"
        missed += counted > target.target
        print(f"{target.name + ':':34} {counted:2} (target ≤ {target.target}): {verdict}")
    typed = count(engine, [TextIn(text) for text in SHORTEST_TYPED])
    print(f"{'shortest valid report, typed:':34} {typed:2} messages (no target)")
    if missed:
        raise SystemExit(f"{missed} target(s) missed")


if __name__ == "__main__":
    main()
