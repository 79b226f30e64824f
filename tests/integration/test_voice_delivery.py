"""A sent voice note's transcript and its way to staff (issue 23), on SQLite and PostgreSQL:
the transcript sweep records what the transcriber answers (a passing failure is tried
again, a lasting one is "failed" with the audio kept); after the claim the assignee gets
each note privately and protected, with its transcript labelled as automatic, waiting a
little for a transcript still being made; nobody else gets it, and each delivery is in the
access history."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from bot.bootstrap.build import build_app
from bot.bootstrap.serving import serving
from bot.i18n import load_catalogs
from bot.outbox.kinds import STAFF_DETAILS, VOICE_NOTE
from bot.outbox.voice import TRANSCRIPT_WAIT
from bot.outbox.worker import OutboxWorker
from bot.reporting.transcripts import TranscriptSweep
from bot.settings import Settings
from bot.staff.actions import SignalActions
from bot.voice.results import Transcript, TranscriptFailed, TranscriptResult
from core.lifecycle.voice import DONE, FAILED, OFF, PENDING
from core.text.catalog import Catalog
from storage import Store
from storage.voice import MAX_ATTEMPTS
from tests.fakes.messenger import RecordingMessenger
from tests.integration.test_voice_notes import AUDIO, spoken_report
from tests.support.builders import NOW, enrol_staff, outbox_rows, staff_of, telegram
from tests.support.telegram_harness import no_transcripts

ANNA = 601  # loket staff, on Telegram
REGISSEUR = 701


@dataclass
class ScriptedTranscriber:
    """The transcriber port, answering what the test says (the real one, with the model,
    is tested in test_voice_transcriber.py and below)."""

    answers: list[TranscriptResult]
    asked: list[tuple[bytes, str]] = field(default_factory=list)

    async def start(self) -> bool:
        return True

    async def transcribe(self, audio: bytes, language: str, now: datetime) -> TranscriptResult:
        self.asked.append((audio, language))
        return self.answers.pop(0)

    async def aclose(self) -> None:
        return None


def bare(shown: str) -> str:
    """The text without its bidi isolates (what a reader sees)."""
    return shown.translate(dict.fromkeys(range(0x2066, 0x206A)))


def written(text: str) -> Transcript:
    return Transcript(text, "nl", 12.0, 1.5, "faster-whisper-base", NOW)


@pytest.fixture(scope="module")
def catalogs() -> Mapping[str, Catalog]:
    return load_catalogs()


async def statuses(store: Store) -> list[tuple[str, str | None, str | None, int]]:
    async with store.unit_of_work() as uow:
        [note] = await uow.voice.of_signal(1)
        attempts = await uow.session.scalar(text("SELECT transcript_attempts FROM voice_notes"))
    return [(note.status, note.transcript, note.detail, int(attempts or 0))]


async def test_the_sweep_keeps_the_transcript_in_the_signals_language(
    store: Store, catalogs: Mapping[str, Catalog]
) -> None:
    await spoken_report(store, catalogs)
    transcriber = ScriptedTranscriber([written("Mijn buurvrouw is vaak alleen.")])
    sweep = TranscriptSweep(store, transcriber, lambda: NOW)
    assert await sweep.drain() == 1
    assert transcriber.asked == [(AUDIO, "nl")]
    assert await statuses(store) == [(DONE, "Mijn buurvrouw is vaak alleen.", None, 1)]
    assert await sweep.drain() == 0  # nothing waits any more


@pytest.mark.parametrize("reason", ["repetition", "timeout", "no_speech", "too_long_output"])
async def test_a_transcript_that_fails_for_this_note_is_failed_at_once(
    store: Store, catalogs: Mapping[str, Catalog], reason: str
) -> None:
    await spoken_report(store, catalogs)
    sweep = TranscriptSweep(store, ScriptedTranscriber([TranscriptFailed(reason)]), lambda: NOW)  # type: ignore[arg-type]
    await sweep.drain()
    assert await statuses(store) == [(FAILED, None, reason, 1)]


async def test_a_passing_failure_is_tried_again_later_then_given_up(
    store: Store, catalogs: Mapping[str, Catalog]
) -> None:
    await spoken_report(store, catalogs)
    clock = [NOW]
    crashes: list[TranscriptResult] = [
        TranscriptFailed("worker_crashed") for _ in range(MAX_ATTEMPTS)
    ]
    sweep = TranscriptSweep(store, ScriptedTranscriber(crashes), lambda: clock[0])
    assert await sweep.drain() == 1
    assert await statuses(store) == [(PENDING, None, "worker_crashed", 1)]
    assert await sweep.drain() == 0  # not before its time
    for _attempt in range(2, MAX_ATTEMPTS + 1):
        clock[0] += timedelta(minutes=5)
        assert await sweep.drain() == 1
    assert await statuses(store) == [(FAILED, None, "worker_crashed", MAX_ATTEMPTS)]


async def test_without_a_model_a_waiting_note_is_marked_as_not_transcribed(
    store: Store, catalogs: Mapping[str, Catalog]
) -> None:
    await spoken_report(store, catalogs)  # sent while a model was configured
    sweep = TranscriptSweep(store, ScriptedTranscriber([TranscriptFailed("disabled")]), lambda: NOW)
    await sweep.drain()
    assert (await statuses(store))[0][0] == OFF


async def claimed(store: Store, *, role: str = "loket", user: int = ANNA) -> SignalActions:
    await enrol_staff(store, user, "Anna", role, NOW)
    actions = SignalActions(store)
    result = await actions.act("claim", 1, actor=telegram(user), now=NOW)
    assert result is not None
    assert result.done
    return actions


async def test_after_the_claim_the_assignee_gets_the_note_with_its_transcript(
    store: Store, catalogs: Mapping[str, Catalog]
) -> None:
    await spoken_report(store, catalogs)
    await TranscriptSweep(
        store, ScriptedTranscriber([written("Bel me terug.")]), lambda: NOW
    ).drain()
    await claimed(store)
    anna = await staff_of(store, ANNA)
    queued = [(row.kind, row.target) for row in await outbox_rows(store)]
    assert (STAFF_DETAILS, anna) in queued
    assert (VOICE_NOTE, anna) in queued
    messenger = RecordingMessenger()
    await OutboxWorker(store, messenger, catalogs, ()).drain(NOW)
    details, note = [m for m in messenger.messages if m.target == anna]
    assert details.protect
    shown = bare(details.text)
    assert "Terugbelverzoek in het Nederlands." in shown
    assert (
        "Spraakbericht 1 (0:12):\nAutomatische transcriptie, kan fouten bevatten: “Bel me terug.”"
        in shown
    )
    assert note.protect
    assert note.audio is not None
    assert (note.audio.data, note.audio.mime_type) == (AUDIO, "audio/ogg")
    assert note.reference == "SP-2026-0001"
    assert bare(note.audio.caption).startswith("Spraakbericht 1 van SP-2026-0001 (0:12)")
    assert bare(note.text) == "Automatische transcriptie, kan fouten bevatten: “Bel me terug.”"
    async with store.unit_of_work() as uow:
        audit = await uow.audit.entries(1)
    assert (anna, "sent:voice_note", "ok") in audit


async def test_a_note_waits_a_little_for_its_transcript_then_goes_without(
    store: Store, catalogs: Mapping[str, Catalog]
) -> None:
    await spoken_report(store, catalogs)
    await claimed(store)
    messenger = RecordingMessenger()
    worker = OutboxWorker(store, messenger, catalogs, ())
    await worker.drain(NOW)
    assert [m.audio for m in messenger.messages if m.audio is not None] == []
    # Still being made when the wait is over: it goes without (the dashboard shows it later).
    await worker.drain(NOW + TRANSCRIPT_WAIT + timedelta(seconds=10))
    [note] = [m for m in messenger.messages if m.audio is not None]
    assert note.audio is not None
    assert note.audio.data == AUDIO


async def test_the_note_is_not_sent_to_someone_who_released_the_signal(
    store: Store, catalogs: Mapping[str, Catalog]
) -> None:
    await spoken_report(store, catalogs)
    await TranscriptSweep(store, ScriptedTranscriber([written("x y z")]), lambda: NOW).drain()
    actions = await claimed(store)
    await actions.act("release", 1, actor=telegram(ANNA), now=NOW)
    messenger = RecordingMessenger()
    await OutboxWorker(store, messenger, catalogs, ()).drain(NOW)
    assert [m for m in messenger.messages if m.audio is not None] == []


async def test_the_service_makes_transcripts_in_the_background(
    database_url: str, catalogs: Mapping[str, Catalog]
) -> None:
    """``serving`` runs the sweep beside the outbox: woken when a signal with notes is sent
    (here by hand), it hands the note to the transcriber and stores what comes back."""
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    app = await build_app(settings, no_transcripts())
    try:
        await spoken_report(app.store, catalogs)  # sent while a model was configured
        heard = asyncio.Event()

        class Heard(ScriptedTranscriber):
            async def transcribe(
                self, audio: bytes, language: str, now: datetime
            ) -> TranscriptResult:
                heard.set()
                return await super().transcribe(audio, language, now)

        app.transcriber = Heard([written("Op de achtergrond.")])
        async with serving(app, lambda: NOW, [], RecordingMessenger(), run_scheduler=False):
            app.transcripts_wake.set()
            await asyncio.wait_for(heard.wait(), timeout=30)
        async with app.store.unit_of_work() as uow:
            [note] = await uow.voice.of_signal(1)
        assert (note.status, note.transcript) == (DONE, "Op de achtergrond.")
    finally:
        await app.close()
