"""Voice notes: kept with a draft, attached to the signal it becomes, transcribed as durable
work, read by who may, and erased with the free text. The audio is read only by ``audio``
and ``claim_transcription``; every other read leaves it in the database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, or_, select, update

from core.lifecycle.voice import DONE, ERASED, FAILED, OFF, PENDING, WAITING

from ._base import VOICE_CLAIM_LOCK, SessionRepository
from .models import Signal, VoiceNote, voice_row_key
from .types import BoundBytes, SealedBytes, as_utc, bound, reveal

# How long one instance owns a note it transcribes (the service's own time limit for a
# 2-minute note is 75 s); a crashed instance's note is taken up again after it.
TRANSCRIBE_LEASE = timedelta(minutes=3)
# Attempts before a transcript is given up as failed (a worker that crashed or timed out).
MAX_ATTEMPTS = 3
_META = (
    VoiceNote.id,
    VoiceNote.signal_id,
    VoiceNote.step,
    VoiceNote.mime_type,
    VoiceNote.seconds,
    VoiceNote.size_bytes,
    VoiceNote.received_at,
    VoiceNote.transcript_status,
    VoiceNote.transcript,
    VoiceNote.transcript_detail,
    VoiceNote.transcript_model,
    VoiceNote.erased_at,
)


@dataclass(frozen=True)
class VoiceNoteRecord:
    """A voice note without its audio: what it is, and its transcript (opened)."""

    id: int
    signal_id: int | None
    step: str | None
    mime_type: str
    seconds: float
    size_bytes: int
    received_at: datetime
    status: str
    transcript: str | None
    detail: str | None
    model: str | None

    @property
    def erased(self) -> bool:
        return self.status == ERASED


@dataclass(frozen=True)
class VoiceAudio:
    """A note's audio, to play or to send."""

    id: int
    signal_id: int | None
    data: bytes
    mime_type: str
    seconds: float


@dataclass(frozen=True)
class TranscriptionWork:
    """A note claimed for its transcript."""

    id: int
    audio: bytes
    language: str
    attempts: int


class VoiceRepository(SessionRepository):
    # -- while the report is a draft ------------------------------------------------------

    async def add_draft(
        self, reporter_id: int, audio: bytes, *, mime_type: str, seconds: float, now: datetime
    ) -> int:
        """Keep a note with the reporter's unsent report; returns its id."""
        row = VoiceNote(
            reporter_id=reporter_id,
            mime_type=mime_type[:32],
            seconds=float(seconds),
            size_bytes=len(audio),
            received_at=as_utc(now),
            transcript_status=WAITING,
            transcript_attempts=0,
        )
        self._session.add(row)
        await self._session.flush()  # the id is part of what the audio is bound to
        row.audio = BoundBytes(audio, voice_row_key(row.id, None, reporter_id))
        await self._session.flush()
        return row.id

    async def discard(self, reporter_id: int, note_ids: Iterable[int]) -> int:
        """Drop draft notes the conversation no longer keeps (stopped, started again, or
        over the limit); notes that went with a signal are never touched here."""
        ids = sorted(set(note_ids))
        if not ids:
            return 0
        return await self._changed_rows(
            delete(VoiceNote).where(
                VoiceNote.id.in_(ids),
                VoiceNote.reporter_id == reporter_id,
                VoiceNote.signal_id.is_(None),
            )
        )

    async def attach(
        self,
        signal_id: int,
        notes: Sequence[tuple[int, str | None]],
        *,
        reporter_id: int,
        language: str,
        transcribe: bool,
    ) -> int:
        """The reporter's draft notes go with the signal they sent: bound to it from now
        on (re-encrypted), the question each answers recorded, the transcript due (in the
        signal's language) or, without a model, not attempted. Returns how many."""
        attached = 0
        for note_id, step in notes:
            row = await self._session.get(VoiceNote, note_id)
            if row is None or row.signal_id is not None or row.reporter_id != reporter_id:
                continue  # not this reporter's draft (a forged or stale id): left alone
            audio = row.audio
            data = (
                audio.open(voice_row_key(row.id, None, reporter_id))
                if isinstance(audio, SealedBytes)
                else audio.data
                if isinstance(audio, BoundBytes)
                else None
            )
            row.signal_id, row.reporter_id, row.step = signal_id, None, step
            row.language = language[:8]
            row.transcript_status = PENDING if transcribe and data else OFF
            row.audio = BoundBytes(data, voice_row_key(row.id, signal_id, None)) if data else None
            attached += 1
        await self._session.flush()
        return attached

    # -- reading --------------------------------------------------------------------------

    async def of_signal(self, signal_id: int) -> list[VoiceNoteRecord]:
        """The signal's notes in the order they were sent, without their audio."""
        query = select(*_META).where(VoiceNote.signal_id == signal_id).order_by(VoiceNote.id)
        return [_record(row) for row in (await self._session.execute(query)).all()]

    async def audio(self, note_id: int) -> VoiceAudio | None:
        """A note's audio (None when there is no such note, or it was erased)."""
        row = await self._session.get(VoiceNote, note_id, populate_existing=True)
        if row is None or row.audio is None:
            return None
        key = voice_row_key(row.id, row.signal_id, row.reporter_id)
        data = row.audio.open(key) if isinstance(row.audio, SealedBytes) else row.audio.data
        return VoiceAudio(row.id, row.signal_id, data, row.mime_type, row.seconds)

    # -- the transcript, as durable work -------------------------------------------------

    async def claim_transcription(
        self, now: datetime, lease: timedelta = TRANSCRIBE_LEASE
    ) -> TranscriptionWork | None:
        """The oldest note waiting for its transcript, claimed by this instance until
        ``now + lease`` (the caller commits at once). Claims of all instances run one at
        a time (an advisory lock on PostgreSQL, the single writer on SQLite)."""
        now = as_utc(now)
        await self._serialise(VOICE_CLAIM_LOCK)
        query = (
            select(VoiceNote.id)
            .where(
                VoiceNote.transcript_status == PENDING,
                or_(VoiceNote.leased_until.is_(None), VoiceNote.leased_until <= now),
            )
            .order_by(VoiceNote.id)
            .limit(1)
        )
        note_id = (await self._session.execute(query)).scalar_one_or_none()
        if note_id is None:
            return None
        await self._session.execute(
            update(VoiceNote)
            .where(VoiceNote.id == note_id)
            .values(leased_until=now + lease, transcript_attempts=VoiceNote.transcript_attempts + 1)
            .execution_options(synchronize_session=False)
        )
        row = await self._session.get(VoiceNote, note_id, populate_existing=True)
        assert row is not None
        audio = await self.audio(note_id)
        if audio is None:  # erased meanwhile
            await self.record_transcript(note_id, status=FAILED, detail="erased", now=now)
            return None
        return TranscriptionWork(note_id, audio.data, row.language or "nl", row.transcript_attempts)

    async def record_transcript(
        self,
        note_id: int,
        *,
        status: str,
        now: datetime,
        text: str | None = None,
        detail: str | None = None,
        model: str | None = None,
    ) -> None:
        """The transcript (``DONE``), or why there is none (``FAILED``, ``OFF``); only for a
        note that still waits for it (one erased meanwhile keeps nothing)."""
        row = await self._session.get(VoiceNote, note_id, populate_existing=True)
        if row is None or row.transcript_status != PENDING or row.audio is None:
            return
        row.transcript_status = status
        row.transcript = bound(text, voice_row_key(row.id, row.signal_id, row.reporter_id))
        row.transcript_detail = detail[:32] if detail else None
        row.transcript_model = model[:64] if model else None
        row.transcribed_at = as_utc(now)
        row.leased_until = None
        await self._session.flush()

    async def retry_transcription(
        self, note_id: int, detail: str, *, now: datetime, retry_at: datetime
    ) -> bool:
        """Try the note again at ``retry_at`` (its lease ends then), unless it had its
        attempts: then it is marked failed. Whether it will be tried again."""
        row = await self._session.get(VoiceNote, note_id, populate_existing=True)
        if row is None or row.transcript_status != PENDING:
            return False
        if row.transcript_attempts >= MAX_ATTEMPTS:
            await self.record_transcript(note_id, status=FAILED, detail=detail, now=now)
            return False
        row.leased_until = as_utc(retry_at)
        row.transcript_detail = detail[:32]
        await self._session.flush()
        return True

    async def waiting(self) -> int:
        """Notes of sent signals still waiting for their transcript."""
        query = select(VoiceNote.id).where(VoiceNote.transcript_status == PENDING)
        return len((await self._session.execute(query)).all())

    # -- erasure --------------------------------------------------------------------------

    async def erase_of_reporter(self, reporter_id: int, now: datetime) -> int:
        """A reporter's own erasure: their draft notes, and the audio and transcripts of
        the signals they sent (their voice and their words). Call before the signals lose
        their link to the reporter. Returns how many notes."""
        drafts = await self._changed_rows(
            delete(VoiceNote).where(
                VoiceNote.reporter_id == reporter_id, VoiceNote.signal_id.is_(None)
            )
        )
        sent = select(Signal.id).where(Signal.reporter_id == reporter_id).scalar_subquery()
        return drafts + await self._erase(VoiceNote.signal_id.in_(sent), now)

    async def erase_of_signals(self, signal_ids: Any, now: datetime) -> int:
        """The audio and transcripts of these signals (a scalar subquery of ids, or a
        list of them)."""
        return await self._erase(VoiceNote.signal_id.in_(signal_ids), now)

    async def delete_drafts(self, before: datetime) -> int:
        """Draft notes older than ``before``: their report was never sent (the
        conversation itself is deleted by the same retention run)."""
        return await self._changed_rows(
            delete(VoiceNote).where(
                VoiceNote.signal_id.is_(None), VoiceNote.received_at < as_utc(before)
            )
        )

    async def _erase(self, where: ColumnElement[bool], now: datetime) -> int:
        return await self._changed_rows(
            update(VoiceNote)
            .where(where, VoiceNote.erased_at.is_(None))
            .values(
                audio=None,
                transcript=None,
                transcript_status=ERASED,
                leased_until=None,
                erased_at=as_utc(now),
            )
        )


def _record(row: Any) -> VoiceNoteRecord:
    key = voice_row_key(row.id, row.signal_id, None)
    return VoiceNoteRecord(
        id=row.id,
        signal_id=row.signal_id,
        step=row.step,
        mime_type=row.mime_type,
        seconds=float(row.seconds),
        size_bytes=int(row.size_bytes),
        received_at=row.received_at,
        status=row.transcript_status,
        transcript=reveal(row.transcript, key),
        detail=row.transcript_detail,
        model=row.transcript_model,
    )


__all__ = [
    "DONE",
    "FAILED",
    "MAX_ATTEMPTS",
    "OFF",
    "PENDING",
    "TranscriptionWork",
    "VoiceAudio",
    "VoiceNoteRecord",
    "VoiceRepository",
]
