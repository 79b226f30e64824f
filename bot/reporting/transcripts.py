"""The transcripts of sent voice notes, as durable work: a note waits in the database as
"pending", one instance claims it (a lease), the transcriber's worker process makes the
transcript, and the result is stored. A restart loses nothing; a chat never waits for it
(the worker is another process, at a lower priority, and the sweep awaits one note at a
time).

What goes wrong is recorded, never raised: a transcript that failed for this note (a loop,
the time limit, no speech) is "failed" at once, with the audio still there; one that failed
for a passing reason (the worker crashed, the model could not load, too busy) is tried
again later, a few times.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.voice.results import Transcript, TranscriptFailed
from bot.voice.transcriber import Transcriber
from core.lifecycle.voice import DONE, FAILED, OFF
from storage.uow import Store

log = logging.getLogger(__name__)

# Reasons that are about the moment, not the note: tried again (``MAX_ATTEMPTS`` in all).
PASSING = frozenset({"busy", "worker_crashed", "model_unavailable"})
RETRY_AFTER = timedelta(seconds=30)


class TranscriptSweep:
    def __init__(
        self, store: Store, transcriber: Transcriber, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._transcriber = transcriber
        self._clock = clock

    async def drain(self) -> int:
        """Transcribe every note waiting now, one at a time; returns how many were
        handled (transcribed, failed or put back)."""
        handled = 0
        while (work := await self._claim()) is not None:
            note_id, audio, language, attempts = work
            result = await self._transcriber.transcribe(audio, language, self._clock())
            await self._record(note_id, attempts, result)
            handled += 1
        return handled

    async def _claim(self) -> tuple[int, bytes, str, int] | None:
        async with self._store.unit_of_work() as uow:
            # Committed at once: the lease keeps other instances off this note.
            work = await uow.voice.claim_transcription(self._clock())
            await uow.commit()
        if work is None:
            return None
        return work.id, work.audio, work.language, work.attempts

    async def _record(
        self, note_id: int, attempts: int, result: Transcript | TranscriptFailed
    ) -> None:
        now = self._clock()
        async with self._store.unit_of_work() as uow:
            if isinstance(result, Transcript):
                await uow.voice.record_transcript(
                    note_id, status=DONE, now=now, text=result.text, model=result.model
                )
                log.info(
                    "voice note transcribed",
                    extra={"note": note_id, "seconds": round(result.work_seconds, 1)},
                )
            elif result.reason == "disabled":
                await uow.voice.record_transcript(note_id, status=OFF, now=now)
            elif result.reason in PASSING:
                retry_at = now + RETRY_AFTER * attempts
                again = await uow.voice.retry_transcription(
                    note_id, result.reason, now=now, retry_at=retry_at
                )
                log.warning(
                    "voice note not transcribed now (%s); %s",
                    result.reason,
                    "tried again later" if again else "given up",
                    extra={"note": note_id},
                )
            else:
                await uow.voice.record_transcript(
                    note_id, status=FAILED, now=now, detail=result.reason
                )
                log.warning(
                    "voice note has no transcript (%s)", result.reason, extra={"note": note_id}
                )
            await uow.commit()
