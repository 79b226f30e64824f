"""What bench/telegram_load.py prints: each run as it ends, a table per load with the median
of the rounds, the ratios ours/peer (per round, side by side, then their median), and the
targets of issue 24 with verdicts."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.load_runs import LABELS, OURS, Load, Result
from bench.peer_ptb import OVER_OUR_TRANSPORT
from bench.targets import Target, spread, unmeasured

TARGET_SIZE = 50  # the issue's targets are stated for 50 reporters
RATIO_AT_RTT = {20.0: 2.0, 0.0: 1.0}  # throughput ours / peer at its best, by RTT in ms
P99_TARGET_MS = 50.0
CARD_TARGET_MS = 1000.0
CALLS_TARGET = 2.0


def run_line(result: Result) -> str:
    line = (
        f"    {result.label:<50} {result.per_second:7.1f} upd/s"
        f"  p50 {result.reply_ms(50):7.1f}  p99 {result.reply_ms(99):7.1f} ms"
        f" (pick-up p50 {result.pickup_ms(50):5.1f} p99 {result.pickup_ms(99):5.1f},"
        f" handling p50 {result.handling_ms(50):5.1f} p99 {result.handling_ms(99):5.1f})"
        f"  {result.calls_per('tap'):.2f} calls/tap  CPU {result.cpu_ms_per_update:5.1f} ms/upd"
    )
    if result.cards:
        line += f"  card p99 {result.card_ms(99):6.0f} ms"
    if result.lost or result.dropped:
        line += f"  LOST {result.lost} reporters ({result.dropped} updates dropped)"
    if result.rate_limited:
        line += f"  {result.rate_limited} 429s"
    for crash in result.crashed:
        line += f"\n      stopped: {crash}"
    return line


@dataclass
class Block:
    """Every round of one load: per configuration, its results in round order."""

    load: Load
    runs: dict[str, list[Result]]
    loads: list[float]  # the machine's 1-minute load average at the start of each round

    def values(self, config: str, figure: Callable[[Result], float]) -> list[float]:
        return [figure(result) for result in self.runs.get(config, [])]

    def correct(self, config: str) -> bool:
        return all(not r.lost and not r.dropped and not r.crashed for r in self.runs[config])

    def peers(self) -> list[str]:
        return [config for config in self.runs if config.startswith("peer-")]

    def peers_runs(self) -> list[Result]:
        return [result for config in self.peers() for result in self.runs[config]]

    def best_peer(self) -> str | None:
        """The peer at its best: the correct configuration with the highest median throughput
        (a configuration that lost replies is shown, but is not the peer's best)."""
        shipped = [c for c in self.peers() if c != f"peer-{OVER_OUR_TRANSPORT}"]
        correct = [c for c in shipped if self.correct(c)]
        if not correct:
            return None
        return max(correct, key=lambda c: statistics.median(self.values(c, per_second)))

    def ratios(self, peer: str) -> list[float]:
        """ours / peer throughput, round by round (each pair ran back to back)."""
        pairs = zip(self.runs.get(OURS, []), self.runs[peer], strict=False)
        return [ours.per_second / other.per_second for ours, other in pairs]


def per_second(result: Result) -> float:
    return result.per_second


def show_block(block: Block) -> None:
    load = block.load
    print(
        f"\n  -- {load.reporters} reporters, {load.shape}, RTT {load.rtt_ms:g} ms: median of the"
        f" rounds (min-max); load average at each round's start"
        f" {', '.join(f'{a:.1f}' for a in block.loads)}"
    )
    print(
        f"    {'configuration':<50} {'updates/s':>24} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'lost':>5} {'calls/tap':>9} {'CPU ms/upd':>10} {'card p99 ms':>11} {'pick-up p99':>11}"
    )
    for config, results in block.runs.items():
        rates = block.values(config, per_second)
        lost = sum(r.lost for r in results)
        cards = [r.card_ms(99) for r in results if r.cards]
        print(
            f"    {LABELS[config]:<50} {spread(rates):>24}"
            f" {statistics.median(r.reply_ms(50) for r in results):8.1f}"
            f" {statistics.median(r.reply_ms(99) for r in results):8.1f}"
            f" {lost:5d} {statistics.median(r.calls_per('tap') for r in results):9.2f}"
            f" {statistics.median(r.cpu_ms_per_update for r in results):10.1f}"
            f" {statistics.median(cards) if cards else float('nan'):11.0f}"
            f" {statistics.median(r.pickup_ms(99) for r in results):11.1f}"
        )
        dropped = sum(r.dropped for r in results)
        if lost or dropped:
            print(
                f"      {lost} reporters lost over {len(results)} rounds ({dropped} updates"
                " matched no handler of the conversation's state and were dropped unanswered;"
                f" a lost reply counts as {load.wait:.0f} s in p99)"
            )
    if OURS not in block.runs:
        return
    for peer in block.peers():
        ratios = block.ratios(peer)
        p99 = [
            o.reply_ms(99) / p.reply_ms(99)
            for o, p in zip(block.runs[OURS], block.runs[peer], strict=False)
        ]
        flag = "" if block.correct(peer) else "  (this configuration lost replies)"
        if peer == f"peer-{OVER_OUR_TRANSPORT}":
            flag += "  (informational: not a PTB configuration, never the peer at its best)"
        throughput = f"throughput x{spread(ratios, '{:.2f}')}, "
        if load.shape != "saturation":
            throughput = "(throughput is the reporters' pace) "
        print(
            f"    ours/{peer.removeprefix('peer-')}: {throughput}"
            f"p99 x{statistics.median(p99):.2f}{flag}"
        )


def find(blocks: Sequence[Block], shape: str, rtt: float) -> Block | None:
    matching = [b for b in blocks if b.load.shape == shape and b.load.rtt_ms == rtt]
    at_size = [b for b in matching if b.load.reporters == TARGET_SIZE]
    chosen = at_size or matching
    return chosen[-1] if chosen else None


def size_note(block: Block) -> str:
    n = block.load.reporters
    return "" if n == TARGET_SIZE else f" [at {n} reporters, not the target's {TARGET_SIZE}]"


def throughput_target(blocks: Sequence[Block], rtt: float, ratio: float) -> Target:
    what = f"throughput >= {ratio:g}x the peer at its best, saturation, RTT {rtt:g} ms"
    block = find(blocks, "saturation", rtt)
    if block is None or OURS not in block.runs or not block.peers():
        return unmeasured(what, f">= {ratio:g}x", f"no saturation run with the peer at {rtt:g} ms")
    best = block.best_peer()
    if best is None:
        return Target(what, "every peer configuration lost replies", f">= {ratio:g}x", None)
    ratios = block.ratios(best)
    measured = (
        f"x{spread(ratios, '{:.2f}')} against {LABELS[best]}"
        f" (ours {statistics.median(block.values(OURS, per_second)):.1f},"
        f" peer {statistics.median(block.values(best, per_second)):.1f} upd/s){size_note(block)}"
    )
    return Target(what, measured, f">= {ratio:g}x", statistics.median(ratios) >= ratio)


def per_rtt(
    blocks: Sequence[Block],
    shape: str,
    judge: Callable[[str, Block], Target],
    what: str,
    target: str,
) -> list[Target]:
    """One target per round trip measured: ``judge`` on ours' block of that shape."""
    targets = []
    for rtt in sorted({b.load.rtt_ms for b in blocks} or set(RATIO_AT_RTT)):
        block = find(blocks, shape, rtt)
        named = what.format(rtt=rtt)
        if block is None or OURS not in block.runs:
            targets.append(unmeasured(named, target, f"no {shape} run at {rtt:g} ms"))
        else:
            targets.append(judge(named, block))
    return targets


def p99_target(what: str, block: Block) -> Target:
    p99s = block.values(OURS, lambda r: r.reply_ms(99))
    measured = f"{spread(p99s, '{:.0f}')} ms{size_note(block)}"
    met: bool | None = max(p99s) <= P99_TARGET_MS
    if len(p99s) < 5 and met:
        met, measured = None, measured + " (fewer than 5 rounds: stability not shown)"
    return Target(what, measured, "<= 50 ms in each of >= 5 rounds", met)


def card_target(what: str, block: Block) -> Target:
    cards = block.values(OURS, lambda r: r.card_ms(99))
    measured = f"{spread(cards, '{:.0f}')} ms{size_note(block)}"
    return Target(what, measured, "<= 1000 ms", statistics.median(cards) <= CARD_TARGET_MS)


def calls_target(blocks: Sequence[Block]) -> list[Target]:
    ours = [r for b in blocks for r in b.runs.get(OURS, [])]
    what = "Bot API calls per tap (counted at the fake), ours"
    if not ours:
        return [unmeasured(what, "<= 2", "ours did not run")]
    per_tap = [r.calls_per("tap") for r in ours]
    methods: dict[str, int] = {}
    for result in ours:
        for method, count in result.calls.get("tap", {}).items():
            methods[method] = methods.get(method, 0) + count
    taps = sum(r.taps for r in ours)
    detail = ", ".join(f"{m} {c / taps:.2f}" for m, c in sorted(methods.items()))
    peer_runs = [r for b in blocks for r in b.peers_runs()]
    peers = sorted({(r.config, round(r.calls_per("tap"), 2)) for r in peer_runs})
    peer_text = "; ".join(f"{c.removeprefix('peer-')} {v:.2f}" for c, v in peers)
    measured = f"{max(per_tap):.2f} ({detail}; the peer: {peer_text or 'not run'})"
    return [Target(what, measured, "<= 2", max(per_tap) <= CALLS_TARGET)]


def issue_targets(blocks: Sequence[Block]) -> list[Target]:
    targets = [throughput_target(blocks, rtt, ratio) for rtt, ratio in RATIO_AT_RTT.items()]
    p99 = "reply p99 <= 50 ms at a person's pace, SQLite, RTT {rtt:g} ms, every round"
    card = "loket card p99 <= 1 s at saturation, SQLite, RTT {rtt:g} ms"
    targets += per_rtt(blocks, "human", p99_target, p99, "<= 50 ms")
    targets += calls_target(blocks)
    return targets + per_rtt(blocks, "saturation", card_target, card, "<= 1000 ms")
