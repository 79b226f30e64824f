"""Composing a voice note for staff: the audio itself, privately and protected, with its
automatic transcript (or why there is none) under it. Only for who may read the signal's
details, and only while they may; a note erased meanwhile is not sent.

A note whose transcript is still being made waits a little (``Later``): the transcript
usually follows the signal within seconds, and the assignee should get both together.
After ``TRANSCRIPT_WAIT`` the note goes without it (the dashboard shows it once made).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.ports import Audio, Outgoing
from bot.rendering import render_texts
from core.dialog.draft import SignalDraft
from core.dialog.flows import FLOW_OF_KIND, REPORT_OTHER
from core.lifecycle import voice as v
from core.lifecycle.parties import StaffMember, as_text
from core.lifecycle.table import DETAIL_VIEWERS
from core.text.catalog import Catalog
from core.text.languages import STAFF_LANGUAGE
from core.text.msgids import Msg, Token, msg
from storage.records import OutboxItem, StoredSignal
from storage.uow import UnitOfWork
from storage.voice import VoiceNoteRecord

TRANSCRIPT_WAIT = timedelta(minutes=2)
LOOK_AGAIN = timedelta(seconds=10)
EXTENSIONS = {
    "audio/ogg": "ogg",
    "audio/webm": "webm",
    "audio/mp4": "m4a",
    "audio/mpeg": "mp3",
    "audio/aac": "aac",
    "audio/amr": "amr",
}


@dataclass(frozen=True)
class Later:
    """Not yet: compose the item again at ``at`` (the chat's order is kept)."""

    at: datetime


def voice_views(draft: SignalDraft, notes: Sequence[VoiceNoteRecord]) -> list[v.VoiceNoteView]:
    """The signal's notes as staff read them (numbered in the order they were sent)."""
    flow = FLOW_OF_KIND.get(draft.kind, REPORT_OTHER)
    steps = {step.id: step for step in flow.steps}
    return [
        v.VoiceNoteView(
            number=number,
            seconds=note.seconds,
            status=note.status,
            transcript=note.transcript,
            step_label=steps[note.step].shown_label(True) if note.step in steps else None,
        )
        for number, note in enumerate(notes, start=1)
    ]


async def may_read(uow: UnitOfWork, signal: StoredSignal, staff_id: int) -> bool:
    """Whether the staff member may read the signal's details now (the assignee, a
    regisseur or an admin; nobody revoked or released meanwhile)."""
    staff = await uow.staff.get(staff_id)
    if staff is None or not staff.active:
        return False
    return signal.assignee_id == staff.id or staff.role in DETAIL_VIEWERS


class VoiceNoteComposer:
    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def _text(self, *texts: Msg) -> str:
        return render_texts(texts, self._catalog, STAFF_LANGUAGE, "\n")

    async def compose(
        self, uow: UnitOfWork, item: OutboxItem, now: datetime
    ) -> Outgoing | Later | None:
        """The note for ``item``; None when there is nothing (left) to send; ``Later`` when
        it is to be composed again then (its transcript is still being made)."""
        signal = await uow.signals.get(item.signal_id) if item.signal_id is not None else None
        target = item.target
        if signal is None or not isinstance(target, StaffMember):
            return None
        if not await may_read(uow, signal, target.staff_id):
            return None
        notes = await uow.voice.of_signal(signal.id)
        wanted = int(item.payload.get("note", 0))
        found = next(
            ((number, n) for number, n in enumerate(notes, start=1) if n.id == wanted), None
        )
        if found is None or found[1].erased:
            return None
        number, note = found
        if note.status == v.PENDING and now < signal.created_at + TRANSCRIPT_WAIT:
            return Later(now + LOOK_AGAIN)
        audio = await uow.voice.audio(note.id)
        if audio is None:
            return None
        view = voice_views(signal.draft, notes)[number - 1]
        caption = self._text(
            msg(
                v.CAPTION,
                number=number,
                reference=Token(signal.reference),
                duration=v.duration(note.seconds),
            )
        )
        extension = EXTENSIONS.get(audio.mime_type, "ogg")
        return Outgoing(
            as_text(target),
            self._text(v.transcript_line(view)),
            signal.reference,
            protect=True,
            audio=Audio(
                audio.data,
                audio.mime_type,
                audio.seconds,
                caption,
                f"{signal.reference}-{number}.{extension}",
            ),
        )
