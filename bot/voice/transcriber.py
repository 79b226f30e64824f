"""The transcriber port and its Whisper implementation, which runs in a worker process.

``await transcriber.transcribe(audio, language, now)`` answers a ``Transcript`` or a
``TranscriptFailed``; it never raises for anything about the audio, the model or the worker.
The chat does not wait for it: the service awaits it in a task of its own, and the work
happens in another process (``worker``), so neither the event loop nor the GIL is held.

One worker, one note at a time (two would only share the same cores); up to
``max_pending`` notes transcribe or wait, more are answered ``busy``. The time limit is
counted from the moment the worker has the note, and grows with its length
(``GuardLimits.time_limit``). A worker past it is killed and a new one started in the
background, so the next note finds a loaded model.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import datetime
from typing import Any, Protocol

from . import protocol
from .audio import AudioLimits
from .guards import GuardLimits, looks_repetitive
from .results import FailureReason, Transcript, TranscriptFailed, TranscriptResult
from .worker_process import WorkerOptions, WorkerProcess, spawn

__all__ = ["NoTranscriber", "Transcriber", "WhisperTranscriber", "WorkerOptions"]

log = logging.getLogger(__name__)

# Decoding a 2 MB note takes well under a second; this only catches a stuck decoder.
DECODE_SECONDS = 20.0
# After a model failed to load, calls answer "model_unavailable" this long before the next try
# (a broken model directory is not fixed by retrying it on every voice note).
LOAD_RETRY_SECONDS = 60.0
# A worker asked to stop (its stdin closed) that has not gone by then is killed.
STOP_SECONDS = 5.0


class Transcriber(Protocol):
    async def start(self) -> bool: ...

    async def transcribe(self, audio: bytes, language: str, now: datetime) -> TranscriptResult: ...

    async def aclose(self) -> None: ...


class NoTranscriber:
    """No model configured: every note keeps its audio and has no transcript."""

    async def start(self) -> bool:
        return False

    async def transcribe(self, audio: bytes, language: str, now: datetime) -> TranscriptResult:
        return TranscriptFailed("disabled")

    async def aclose(self) -> None:
        return None


class WhisperTranscriber:
    def __init__(
        self,
        options: WorkerOptions,
        *,
        audio_limits: AudioLimits | None = None,
        guard_limits: GuardLimits | None = None,
        max_pending: int = 8,
    ) -> None:
        self.options = options
        self.audio_limits = audio_limits or AudioLimits()
        self.guard_limits = guard_limits or GuardLimits()
        self.max_pending = max_pending
        self._pending = 0
        self._turn = asyncio.Lock()  # one note in the worker at a time
        self._spawning = asyncio.Lock()
        self._worker: WorkerProcess | None = None
        self._load_failed_at: float | None = None
        self._restart: asyncio.Task[TranscriptFailed | WorkerProcess] | None = None
        self._closed = False

    @property
    def worker_pid(self) -> int | None:
        """The worker's process id while one runs (for health checks and tests)."""
        worker = self._worker
        return worker.process.pid if worker is not None and worker.alive else None

    async def start(self) -> bool:
        """Start the worker and load the model now, so the first voice note does not wait
        for it. Whether the model is ready."""
        return isinstance(await self._ensure_worker(), WorkerProcess)

    async def transcribe(self, audio: bytes, language: str, now: datetime) -> TranscriptResult:
        if self._closed:
            return TranscriptFailed("disabled", "closed")
        if not audio:
            return TranscriptFailed("audio_refused", "empty")
        if len(audio) > self.audio_limits.max_bytes:
            return TranscriptFailed("audio_refused", "too_large")
        if self._pending >= self.max_pending:
            log.warning("voice note not transcribed: too many waiting")
            return TranscriptFailed("busy")
        self._pending += 1
        try:
            async with self._turn:
                return await self._transcribe(audio, language, now)
        finally:
            self._pending -= 1

    async def aclose(self) -> None:
        self._closed = True
        if self._restart is not None:
            self._restart.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._restart
        async with self._spawning:
            worker, self._worker = self._worker, None
        if worker is None:
            return
        worker.stdin.close()  # the worker ends at the end of its input
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(worker.process.wait(), STOP_SECONDS)
        await worker.kill()

    async def _transcribe(self, audio: bytes, language: str, now: datetime) -> TranscriptResult:
        # A worker that died while idle (killed, out of memory) is only noticed when the note
        # is sent: then the note goes to a new worker, once.
        for attempt in (1, 2):
            worker = await self._ensure_worker()
            if isinstance(worker, TranscriptFailed):
                return worker
            outcome = await self._ask(worker, audio, language, now, may_retry=attempt == 1)
            if outcome is not None:
                return outcome
        raise AssertionError("unreachable: the second attempt answers")

    async def _ask(
        self, worker: WorkerProcess, audio: bytes, language: str, now: datetime, may_retry: bool
    ) -> TranscriptResult | None:
        """The worker's answer, or None when it was gone before it had the note."""
        try:
            worker.stdin.write(protocol.message({"language": language}) + protocol.frame(audio))
            await worker.stdin.drain()
            first = await asyncio.wait_for(worker.read(), DECODE_SECONDS)
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            await self._discard(worker)
            if may_retry:
                log.warning("voice worker had gone (%s); starting another", type(error).__name__)
                return None
            log.warning("voice worker failed (%s); restarted", type(error).__name__)
            self._restart_soon()
            return TranscriptFailed("worker_crashed", type(error).__name__)
        except TimeoutError:
            log.warning("voice note not decoded in time; worker restarted")
            await self._discard(worker)
            self._restart_soon()
            return TranscriptFailed("timeout", "decoding")
        try:
            if first.get("kind") == "result":  # refused before transcription
                return self._result(first, now)
            limit = self.guard_limits.time_limit(float(first["seconds"]))
            return self._result(await asyncio.wait_for(worker.read(), limit), now)
        except TimeoutError:
            log.warning("voice transcription passed its time limit; worker restarted")
            await self._discard(worker)
            self._restart_soon()
            return TranscriptFailed("timeout")
        except (
            asyncio.IncompleteReadError,
            ConnectionError,
            protocol.ProtocolError,
            KeyError,
            TypeError,
            ValueError,
        ) as error:  # a worker that answers out of protocol is replaced like a dead one
            log.warning("voice worker failed (%s); restarted", type(error).__name__)
            await self._discard(worker)
            self._restart_soon()
            return TranscriptFailed("worker_crashed", type(error).__name__)

    def _result(self, answer: dict[str, Any], now: datetime) -> TranscriptResult:
        if answer.get("kind") != "result":
            raise protocol.ProtocolError("expected a result")
        if not answer.get("ok"):
            reason: FailureReason = answer["reason"]
            return TranscriptFailed(reason, str(answer.get("detail", "")))
        text = str(answer["text"])
        seconds = float(answer["seconds"])
        # The worker checked these already; a transcript that reaches staff is checked here
        # too, by the process that owns the decision.
        if len(text) > self.guard_limits.max_chars(seconds):
            return TranscriptFailed("too_long_output", str(len(text)))
        if looks_repetitive(text):
            return TranscriptFailed("repetition")
        return Transcript(
            text=text,
            language=str(answer["language"]),
            audio_seconds=seconds,
            work_seconds=float(answer["work"]),
            model=self.options.model_dir.name,
            made_at=now,
        )

    async def _discard(self, worker: WorkerProcess) -> None:
        await worker.kill()
        if self._worker is worker:
            self._worker = None

    def _restart_soon(self) -> None:
        """Start the next worker in the background, so the next note finds a loaded model."""
        if not self._closed:
            self._restart = asyncio.create_task(self._ensure_worker())

    async def _ensure_worker(self) -> WorkerProcess | TranscriptFailed:
        async with self._spawning:
            if self._worker is not None and self._worker.alive:
                return self._worker
            if self._closed:
                return TranscriptFailed("disabled", "closed")
            failed_at = self._load_failed_at
            if failed_at is not None and time.monotonic() - failed_at < LOAD_RETRY_SECONDS:
                return TranscriptFailed("model_unavailable", "recently failed to load")
            worker = await spawn(self.options, self.audio_limits, self.guard_limits)
            if isinstance(worker, TranscriptFailed):
                self._load_failed_at = time.monotonic()
                return worker
            self._load_failed_at = None
            self._worker = worker
            return worker
