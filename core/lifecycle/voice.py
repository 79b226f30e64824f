"""What staff read about a signal's voice notes: on the card, that notes are attached and
in which language the reporter wants to be called back (so the loket can book an
interpreter); in the details, each note with its automatic transcript, or why there is
none. The audio itself is sent apart (privately, protected) or played in the dashboard.

The group card carries no personal data: a count and a language, never a transcript.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.dialog.draft import SignalDraft
from core.text.languages import LANGUAGES, STAFF_LANGUAGE, LanguageName
from core.text.msgids import N_, Msg, Nn_, Param, Token, UserText, msg

VOICE_ATTACHED, VOICE_ATTACHED_PLURAL = Nn_(
    "%(count)d voice message attached.", "%(count)d voice messages attached."
)
CALLBACK_IN = N_("Call-back request in %(language)s: book an interpreter if needed.")
CALLBACK_IN_DUTCH = N_("Call-back request in Dutch.")
ANOTHER_LANGUAGE = N_("another language (see the details)")
NOTE_HEADER = N_("Voice message %(number)s (%(duration)s):")
NOTE_ANSWERS = N_("Voice message %(number)s (%(duration)s), the answer to “%(question)s”:")
TRANSCRIPT = N_("Automatic transcription, may contain errors: “%(text)s”")
TRANSCRIPT_PENDING = N_("The automatic transcription is not ready yet.")
TRANSCRIPT_FAILED = N_(
    "No automatic transcription could be made. The voice message itself is there."
)
TRANSCRIPT_OFF = N_("No automatic transcription (switched off). The voice message itself is there.")
NOTE_ERASED = N_("The voice message has been erased.")
CAPTION = N_(
    "Voice message %(number)s of %(reference)s (%(duration)s). For you only: do not forward it."
)

# A note's transcript, as storage keeps it.
WAITING = "waiting"  # kept with a report that was not sent yet
PENDING = "pending"  # to be transcribed
DONE = "done"
FAILED = "failed"
OFF = "off"  # no model configured: not attempted
ERASED = "erased"  # the audio and transcript are gone (retention, or the reporter's request)


@dataclass(frozen=True)
class VoiceNoteView:
    """One voice note of a signal as staff read it (no audio)."""

    number: int  # 1, 2, 3 in the order they were sent
    seconds: float
    status: str
    transcript: str | None = None
    step_label: str | None = None  # the question it answers (a staff label msgid)


def duration(seconds: float) -> Token:
    """0:42, 1:05."""
    whole = max(0, round(seconds))
    return Token(f"{whole // 60}:{whole % 60:02d}")


def callback_language(draft: SignalDraft, *, card: bool) -> Msg | None:
    """ "Call-back request in Turkish …" for a reporter who asked to be called and spoke
    (the voice flow, or voice notes with a typed report); None otherwise."""
    if draft.kind != "voice" and not draft.voice_notes:
        return None
    if draft.codes.get("callback") != "yes" and draft.codes.get("reach") != "phone":
        return None
    language: Param
    chosen = draft.codes.get("contact_language") if draft.kind != "other" else None
    code = chosen if chosen is not None else draft.language
    if code in LANGUAGES:
        if code == STAFF_LANGUAGE:
            return msg(CALLBACK_IN_DUTCH)
        language = LanguageName(code)
    elif code == "other" and draft.language_other and not card:
        language = UserText(draft.language_other)
    else:
        language = Msg(ANOTHER_LANGUAGE)
    return msg(CALLBACK_IN, language=language)


def card_lines(draft: SignalDraft) -> list[Msg]:
    """The card's lines about voice: how many notes, and the call-back language."""
    lines: list[Msg] = []
    count = len(draft.voice_notes)
    if count:
        lines.append(
            Msg(VOICE_ATTACHED, {"count": count}, plural=VOICE_ATTACHED_PLURAL, count=count)
        )
    callback = callback_language(draft, card=True)
    if callback is not None:
        lines.append(callback)
    return lines


def detail_lines(draft: SignalDraft, notes: Sequence[VoiceNoteView]) -> list[Msg]:
    """The details' lines: the call-back language, then each note with its transcript or
    why there is none."""
    lines: list[Msg] = []
    callback = callback_language(draft, card=False)
    if callback is not None:
        lines.append(callback)
    for note in notes:
        lines.append(note_header(note))
        lines.append(transcript_line(note))
    return lines


def note_header(note: VoiceNoteView) -> Msg:
    """ "Voice message 2 (0:42)", and the question it answers when it answers one."""
    if note.step_label:
        return msg(
            NOTE_ANSWERS,
            number=note.number,
            duration=duration(note.seconds),
            question=Msg(note.step_label),
        )
    return msg(NOTE_HEADER, number=note.number, duration=duration(note.seconds))


def transcript_line(note: VoiceNoteView) -> Msg:
    """The note's transcript, labelled as automatic, or why there is none."""
    if note.status == ERASED:
        return msg(NOTE_ERASED)
    if note.status == DONE and note.transcript is not None:
        return msg(TRANSCRIPT, text=UserText(note.transcript))
    if note.status in (PENDING, WAITING):
        return msg(TRANSCRIPT_PENDING)
    if note.status == OFF:
        return msg(TRANSCRIPT_OFF)
    return msg(TRANSCRIPT_FAILED)
