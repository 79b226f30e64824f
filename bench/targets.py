"""The targets a benchmark is judged against, printed the same way by every benchmark: the
measured value, the target and a verdict, misses as plainly as hits."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

MEETS, MISSES, UNMEASURED = "MEETS", "MISSES", "NOT MEASURED"


@dataclass(frozen=True)
class Target:
    what: str
    measured: str  # the value as printed, with its unit and how it was taken
    target: str
    met: bool | None  # None: not measured in this run

    @property
    def verdict(self) -> str:
        return UNMEASURED if self.met is None else MEETS if self.met else MISSES


def unmeasured(what: str, target: str, why: str) -> Target:
    return Target(what, why, target, None)


def spread(values: Sequence[float], fmt: str = "{:.1f}", noun: str = "rounds") -> str:
    """``median (min-max, n rounds)``: the figure judged and how far the rounds strayed."""
    if not values:
        return "-"
    middle = fmt.format(statistics.median(values))
    if len(values) == 1:
        return f"{middle} (1 of 1)"
    low, high = fmt.format(min(values)), fmt.format(max(values))
    return f"{middle} ({low}-{high}, {len(values)} {noun})"


def print_targets(title: str, targets: Sequence[Target]) -> None:
    print(f"\n== targets: {title} ==")
    for target in targets:
        print(f"  [{target.verdict:^12}] {target.what}")
        print(f"  {'':14} measured {target.measured}; target {target.target}")
    met = sum(t.met is True for t in targets)
    missed = sum(t.met is False for t in targets)
    print(f"  {met} met, {missed} missed, {len(targets) - met - missed} not measured")
