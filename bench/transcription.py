"""Transcription of voice notes on this machine (issue 23): time, accuracy, and the chat's
own steps while it runs.

Run: .venv/bin/python -m bench.transcription [--smoke] [--rounds 5] [--model DIR]

The speech is espeak-ng's (``tests/support/speech.py``: a slow, clear synthetic speaker), encoded as
a Telegram voice note (OGG/Opus). Figures:

1. time from ``await transcriber.transcribe(...)`` to its answer, for a 6 s and a 60 s English
   note, median of ``--rounds`` (the model loaded beforehand, as in the service): ours is
   ``WhisperTranscriber`` as configured by default (worker process at nice 10, int8, beam 5,
   VAD, temperatures 0/0.4/0.8, no conditioning on previous text, the guards); the peer is
   faster-whisper at its own defaults (int8, beam 5, the same threads) called in this
   process. Their rounds take turns, so a busy spell hits both;
2. word error rate of the 60 s English and Dutch notes, ours and the peer's (Levenshtein over
   lower-cased words without punctuation, ``tests.support.speech.word_error_rate``); a 60 s Arabic
   note, where Whisper is known to loop, for the time the guards allow (its error rate is
   shown too, where there is a transcript);
3. the chat's own steps (``ConversationService.handle`` on SQLite, one reporter tapping
   without pause, ``bench.service_steps``) while our worker transcribes the 60 s note, as
   long again with nothing else running, and while the peer transcribes it in this process
   in a thread: per-step latency p50/p95/p99 over all rounds.

Target: the 60 s note in at most 15 s; the chat's steps unaffected (here: p95 while
transcribing within 1.5x of the idle p95).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from bench.service_steps import Run, report
from bot.i18n import load_catalogs
from bot.reporting.service import ConversationService
from bot.voice.results import Transcript, TranscriptFailed
from bot.voice.transcriber import WhisperTranscriber, WorkerOptions
from core.dialog.engine import Engine
from core.dialog.matching import LabelIndex
from core.dialog.model import Place
from storage import Store, create_schema, make_engine
from tests.support.keys import TEST_KEYRING
from tests.support.speech import Speech, clip, encode, word_error_rate
from tests.support.voice_model import DEFAULT_MODEL, model_directory

TARGET_60S = 15.0
LATENCY_FACTOR = 1.5
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# The service's default (VoiceSettings.whisper_threads = 0); --threads changes it.
THREADS = min(4, os.cpu_count() or 1)


@dataclass
class Note:
    name: str
    speech: Speech
    language: str
    data: bytes = field(init=False)

    def __post_init__(self) -> None:
        self.data = encode(self.speech, "ogg")


@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)
    errors: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


class Peer:
    """faster-whisper as its README uses it, in this process."""

    def __init__(self, model: Path, threads: int) -> None:
        from faster_whisper import WhisperModel

        self.model = WhisperModel(
            str(model),
            device="cpu",
            compute_type="int8",
            cpu_threads=threads,
            local_files_only=True,
        )

    def transcribe(self, data: bytes, language: str) -> str:
        segments, _info = self.model.transcribe(io.BytesIO(data), language=language)
        return " ".join(segment.text.strip() for segment in segments)


async def ours(transcriber: WhisperTranscriber, note: Note) -> str | TranscriptFailed:
    result = await transcriber.transcribe(note.data, note.language, NOW)
    return result.text if isinstance(result, Transcript) else result


async def timed(
    run: Callable[[], Awaitable[str | TranscriptFailed]], note: Note, timing: Timing
) -> None:
    started = time.perf_counter()
    text = await run()
    timing.seconds.append(time.perf_counter() - started)
    if isinstance(text, TranscriptFailed):
        timing.failures.append(text.reason)
    else:
        timing.errors.append(word_error_rate(note.speech.text, text))


async def chat_steps(service: ConversationService, until: asyncio.Future[Any]) -> Run:
    """Reports one after the other, each step awaited, until ``until`` is done."""
    out = Run()
    number = 0
    while not until.done():
        await report(service, f"bench-{time.perf_counter_ns()}-{number}", out)
        number += 1
    return out


def after(seconds: float) -> asyncio.Future[None]:
    return asyncio.ensure_future(asyncio.sleep(seconds))


def pct(latencies: list[float], p: int) -> float:
    if len(latencies) < 2:
        return latencies[0] * 1000 if latencies else float("nan")
    return statistics.quantiles(latencies, n=100, method="inclusive")[p - 1] * 1000


async def service_on(workdir: Path) -> ConversationService:
    engine = make_engine(f"sqlite+aiosqlite:///{workdir / 'signaalpunt.db'}")
    await create_schema(engine)
    catalogs = load_catalogs()
    return ConversationService(
        Store(engine, TEST_KEYRING),
        Engine(LabelIndex(catalogs), (Place("axel", "Axel"),)),
        catalogs,
        max_messages_per_minute=1_000,
    )


async def latency(
    service: ConversationService,
    transcriber: WhisperTranscriber,
    peer: Peer | None,
    note: Note,
    rounds: int,
) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {"idle": [], "our worker": [], "peer in-process": []}
    await chat_steps(service, after(1.0))  # warm: connections, caches
    for _ in range(rounds):
        started = time.perf_counter()
        work = asyncio.ensure_future(ours(transcriber, note))
        results["our worker"] += (await chat_steps(service, work)).latencies
        await work
        # As long as the transcription took, with nothing else running.
        results["idle"] += (
            await chat_steps(service, after(time.perf_counter() - started))
        ).latencies
        if peer is not None:
            work = asyncio.ensure_future(asyncio.to_thread(peer.transcribe, note.data, "en"))
            results["peer in-process"] += (await chat_steps(service, work)).latencies
            await work
    return {name: values for name, values in results.items() if values}


def worker_memory(transcriber: WhisperTranscriber) -> str:
    """The worker's resident memory now and at its peak (/proc/PID/status)."""
    pid = transcriber.worker_pid
    if pid is None:
        return "no worker"
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return f"RSS {fields['VmRSS'].strip()}, peak {fields['VmHWM'].strip()}"


def show_timing(label: str, note: Note, timing: Timing, target: float | None) -> None:
    if not timing.seconds:
        return
    median = statistics.median(timing.seconds)
    spread = f"{min(timing.seconds):.2f}-{max(timing.seconds):.2f}"
    verdict = ""
    if target is not None:
        verdict = f"  target <= {target:.0f} s: " + (
            "meets" if median <= target else "MISSES target"
        )
    reasons = ", ".join(f"{why} x{n}" for why, n in Counter(timing.failures).items())
    failed = f"  no transcript in {len(timing.failures)} rounds ({reasons})" if reasons else ""
    print(
        f"  {label:<22} {note.name:<8} {note.speech.seconds:5.1f} s audio: median {median:6.2f} s"
        f" (rounds {spread}, {median / note.speech.seconds:.2f}x real time){verdict}{failed}"
    )


def show_errors(label: str, note: Note, timing: Timing) -> None:
    if timing.errors:
        print(
            f"  {label:<22} {note.name:<8} word error rate {statistics.median(timing.errors):6.1%}"
            f"  ({len(note.speech.text.split())} words said)"
        )


async def main_async(model: Path, rounds: int, smoke: bool, threads: int) -> None:
    short = Note("en 6 s", clip("en", 6), "en")
    notes = [short] if smoke else [short, Note("en 60 s", clip("en", 60), "en")]
    if not smoke:
        notes.append(Note("nl 60 s", clip("nl", 60), "nl"))
        # Arabic, where Whisper loops: the guards' bound on time, against the peer's none.
        notes.append(Note("ar 60 s", clip("ar", 60), "ar"))
    print(f"model: {model} (threads {threads}); rounds: {rounds}; machine: {os.cpu_count()} cores")
    transcriber = WhisperTranscriber(WorkerOptions(model_dir=model, threads=threads))
    started = time.perf_counter()
    if not await transcriber.start():
        raise SystemExit("the worker could not load the model")
    print(f"  worker start and model load: {time.perf_counter() - started:.2f} s")
    peer = Peer(model, threads)
    mine = {note.name: Timing() for note in notes}
    theirs = {note.name: Timing() for note in notes}
    try:
        for note in notes:  # warm both: first-call costs are not what is measured
            await ours(transcriber, note)
            await asyncio.to_thread(peer.transcribe, note.data, note.language)
            break
        for _ in range(rounds):
            for note in notes:
                await timed(partial(ours, transcriber, note), note, mine[note.name])
                await timed(
                    partial(asyncio.to_thread, peer.transcribe, note.data, note.language),
                    note,
                    theirs[note.name],
                )
        print("time to transcript (median of rounds):")
        for note in notes:
            target = TARGET_60S if note.name == "en 60 s" else None
            show_timing("ours (worker)", note, mine[note.name], target)
            show_timing("peer (faster-whisper)", note, theirs[note.name], target)
        print("word error rate (median of rounds):")
        for note in notes:
            show_errors("ours (worker)", note, mine[note.name])
            show_errors("peer (faster-whisper)", note, theirs[note.name])
        print(f"  worker memory: {worker_memory(transcriber)}")
        with tempfile.TemporaryDirectory() as workdir:
            service = await service_on(Path(workdir))
            busy = notes[1] if len(notes) > 1 else short
            steps = await latency(service, transcriber, peer, busy, 1 if smoke else rounds)
        print(f"chat steps (ConversationService.handle, SQLite) while {busy.name} transcribes:")
        idle = pct(steps["idle"], 95)
        for name, values in steps.items():
            p95 = pct(values, 95)
            verdict = ""
            if name != "idle":
                ok = p95 <= LATENCY_FACTOR * idle
                verdict = f"  p95 {p95 / idle:.2f}x idle: " + ("unaffected" if ok else "AFFECTED")
            print(
                f"  {name:<16} {len(values):>5} steps  p50 {pct(values, 50):6.1f}"
                f"  p95 {p95:6.1f}  p99 {pct(values, 99):6.1f} ms{verdict}"
            )
    finally:
        await transcriber.aclose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--smoke", action="store_true", help="the 6 s note once, for CI")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--model", type=Path, default=None, help=f"default {DEFAULT_MODEL}")
    parser.add_argument("--threads", type=int, default=THREADS, help="worker and peer threads")
    args = parser.parse_args(argv)
    model = args.model or model_directory()
    if model is None:
        raise SystemExit(f"no Whisper model at {DEFAULT_MODEL}: run `make whisper-model`")
    print("transcription (issue 23): espeak-ng speech as OGG/Opus voice notes")
    rounds = 1 if args.smoke else args.rounds
    asyncio.run(main_async(model.resolve(), rounds, args.smoke, args.threads))


if __name__ == "__main__":
    main()
