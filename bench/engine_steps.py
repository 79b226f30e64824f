"""Conversation steps per second through the pure engine (issue 9, item 1).

Run: .venv/bin/python -m bench.engine_steps [--smoke] [--reports N]

One core, in process, no threads and no database. A "step" is one ``Engine.advance`` call.
A report is the typical cashier's report of ``bench.interactions`` (REPORT_OTHER: ``/start``,
button presses mixed with typed answers, through to ``StoreSignal``), then ``Submitted``:
14 steps (18 before the express path of issue 20). Figures:

- engine only: ``advance`` per step;
- engine + state: per step, as the service does, ``ConversationState.from_json`` of the
  stored state, ``advance``, then ``to_json`` of the new state (the dicts only);
- engine + state + JSON text: also ``json.loads``/``json.dumps`` (the service stores the
  state as JSON text, then encrypts it: encryption is ``bench.crypto``'s figure).

Time: ``time.perf_counter()`` around whole rounds of reports; the figure is the median of
``--rounds`` rounds (what a round usually gets, not the luckiest one), with the slowest and
fastest rounds shown beside it. The three figures' rounds take turns (engine, state, JSON,
engine, ...), so they are compared under the same load.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from bench.interactions import T0, TYPICAL_TAPS_AND_TEXTS
from bot.i18n import load_catalogs
from core.dialog.engine import Engine
from core.dialog.events import Event, StoreSignal, Submitted, TextIn
from core.dialog.matching import LabelIndex
from core.dialog.model import Place
from core.dialog.state import ConversationState

TARGET = 20_000  # steps per second
EVENTS: list[Event] = [TextIn("/start"), *TYPICAL_TAPS_AND_TEXTS]
STEPS_PER_REPORT = len(EVENTS) + 1  # and Submitted


def _report_engine(engine: Engine) -> None:
    state = engine.new_state("nl")
    now = T0
    for event in EVENTS:
        now += timedelta(seconds=2)
        outcome = engine.advance(state, event, now)
        state = outcome.state
    assert any(isinstance(e, StoreSignal) for e in outcome.effects), state.prompt
    engine.advance(state, Submitted("SP-2026-000001"), now)


def _report_state(engine: Engine) -> None:
    stored = engine.new_state("nl").to_json()
    now = T0
    for event in (*EVENTS, Submitted("SP-2026-000001")):
        now += timedelta(seconds=2)
        outcome = engine.advance(ConversationState.from_json(stored), event, now)
        stored = outcome.state.to_json()
    assert stored["prompt"] == "start", stored
    assert not stored["answers"], stored


def _report_json(engine: Engine) -> None:
    text = json.dumps(engine.new_state("nl").to_json(), ensure_ascii=False)
    now = T0
    for event in (*EVENTS, Submitted("SP-2026-000001")):
        now += timedelta(seconds=2)
        state = ConversationState.from_json(json.loads(text))
        outcome = engine.advance(state, event, now)
        text = json.dumps(outcome.state.to_json(), ensure_ascii=False)
    assert '"prompt": "start"' in text, text


def _measure(
    runs: dict[str, Callable[[], None]], reports: int, rounds: int
) -> dict[str, tuple[float, float, float]]:
    """Per figure, (median, slowest, fastest) steps per second over ``rounds`` rounds of ``reports``
    reports. The figures' rounds take turns, so a busy spell on a shared machine slows all
    of them alike instead of one figure's whole series."""
    for run in runs.values():
        run()  # warm: caches, first imports
    rates: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            started = time.perf_counter()
            for _ in range(reports):
                run()
            elapsed = time.perf_counter() - started
            rates[name].append(reports * STEPS_PER_REPORT / elapsed)
    return {name: (statistics.median(r), min(r), max(r)) for name, r in rates.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--smoke", action="store_true", help="a tiny size, for CI")
    parser.add_argument("--reports", type=int, default=2000, help="reports per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    reports, rounds = (20, 2) if args.smoke else (args.reports, args.rounds)
    catalogs = load_catalogs()
    engine = Engine(LabelIndex(catalogs), (Place("axel", "Axel"),))
    print("engine steps (issue 9, item 1): one core, in process")
    print(f"flow: report_other, typical cashier, {STEPS_PER_REPORT} steps a report")
    print(f"size: {reports} reports x {rounds} rounds; figure = the median round")
    runs: dict[str, Callable[[], None]] = {
        "engine only": partial(_report_engine, engine),
        "engine + state to/from_json": partial(_report_state, engine),
        "engine + state + JSON text": partial(_report_json, engine),
    }
    for name, (median, slowest, fastest) in _measure(runs, reports, rounds).items():
        verdict = "meets target" if median >= TARGET else "MISSES target"
        print(
            f"  {name:<30} {median:>10,.0f} steps/s  (rounds {slowest:,.0f}-{fastest:,.0f})"
            f"  target >= {TARGET:,}: {verdict}"
        )


if __name__ == "__main__":
    main()
