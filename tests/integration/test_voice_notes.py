"""Voice notes kept, sent and erased (issue 23), on SQLite and PostgreSQL: the audio and the
transcript are encrypted at rest and bound to their signal (or, before it is sent, to their
reporter); the conversation keeps or drops them in its step's transaction; /verwijder and
the retention job erase them with the free text; key rotation re-encrypts them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from bot.i18n import load_catalogs
from bot.reporting.service import ConversationService
from bot.reporting.voice import ReceivedVoice
from bot.voice.results import VoiceNote as ProbedNote
from core.dialog.engine import Engine
from core.dialog.events import Event, Pick, TextIn
from core.dialog.matching import LabelIndex
from core.lifecycle.table import FINISHED_STATUSES
from core.lifecycle.voice import DONE, ERASED, OFF, PENDING, WAITING
from core.text.catalog import Catalog
from storage import Store
from storage.crypto import Keyring, KeyringError
from storage.models import VoiceNote, voice_row_key
from storage.rotation import key_usage, reencrypt
from storage.types import SealedBytes
from tests.support.builders import NOW

AUDIO = b"OggS\x00\x02" + bytes(range(256)) * 40  # stands for an encoded note here
USER = "4711"
CHANNEL = "telegram"


def received(seconds: float = 12.0, audio: bytes = AUDIO) -> ReceivedVoice:
    return ReceivedVoice(audio, ProbedNote(len(audio), seconds, "ogg", "opus", "audio/ogg"))


@pytest.fixture(scope="module")
def catalogs() -> Mapping[str, Catalog]:
    return load_catalogs()


def service(
    store: Store, catalogs: Mapping[str, Catalog], *, transcribe: bool
) -> ConversationService:
    engine = Engine(LabelIndex(catalogs), ())
    return ConversationService(store, engine, catalogs, transcribe_voice=transcribe)


async def notes(store: Store) -> list[VoiceNote]:
    """The rows as stored (detached: read after the transaction)."""
    async with store.unit_of_work() as uow:
        query = select(VoiceNote).order_by(VoiceNote.id)
        rows = list((await uow.session.execute(query)).scalars())
        uow.session.expunge_all()
        return rows


async def spoken_report(
    store: Store, catalogs: Mapping[str, Catalog], *, transcribe: bool = True
) -> ConversationService:
    """A resident speaks, asks to be called back, types their number and sends."""
    conversation = service(store, catalogs, transcribe=transcribe)
    steps: list[Event | ReceivedVoice] = [
        received(),
        Pick("callback", "yes"),
        TextIn("06 12345678"),
        Pick("summary", "send"),
    ]
    for n, event in enumerate(steps):
        await conversation.handle(
            CHANNEL, USER, event, NOW + timedelta(seconds=n), message_id=f"u{n}"
        )
    return conversation


async def test_a_spoken_report_keeps_its_note_encrypted_and_bound_to_the_signal(
    store: Store, catalogs: Mapping[str, Catalog]
) -> None:
    await spoken_report(store, catalogs)
    [note] = await notes(store)
    assert note.signal_id is not None
    assert note.reporter_id is None
    assert (note.transcript_status, note.language, note.mime_type) == (PENDING, "nl", "audio/ogg")
    async with store.unit_of_work() as uow:
        raw = (await uow.session.execute(text("SELECT audio FROM voice_notes"))).scalar_one()
        signal = await uow.signals.get(note.signal_id)
        audio = await uow.voice.audio(note.id)
    assert raw.startswith("v1:")
    assert b"OggS" not in raw.encode()
    assert audio is not None
    assert audio.data == AUDIO
    assert signal is not None
    assert signal.draft.kind == "voice"
    assert signal.draft.voice_notes == ((note.id, None),)
    assert signal.draft.codes["callback"] == "yes"
    assert signal.draft.reporter_phone == "+31612345678"
    # Bound to its signal: the same token under another note or signal does not open.
    assert isinstance(note.audio, SealedBytes)
    with pytest.raises(KeyringError):
        note.audio.open(voice_row_key(note.id, note.signal_id + 1, None))
    with pytest.raises(KeyringError):
        note.audio.open(voice_row_key(note.id, None, 1))  # the draft's binding is gone


async def test_without_a_model_no_transcript_is_waited_for(
    store: Store, catalogs: Mapping[str, Catalog]
) -> None:
    await spoken_report(store, catalogs, transcribe=False)
    [note] = await notes(store)
    assert note.transcript_status == OFF


async def test_a_draft_note_is_bound_to_its_reporter_and_dropped_when_the_report_stops(
    store: Store, catalogs: Mapping[str, Catalog]
) -> None:
    conversation = service(store, catalogs, transcribe=True)
    await conversation.handle(CHANNEL, USER, received(), NOW, message_id="u1")
    [note] = await notes(store)
    assert (note.signal_id, note.transcript_status) == (None, WAITING)
    assert note.reporter_id is not None
    assert isinstance(note.audio, SealedBytes)
    assert note.audio.open(voice_row_key(note.id, None, note.reporter_id)) == AUDIO
    await conversation.handle(CHANNEL, USER, TextIn("stop"), NOW, message_id="u2")
    await conversation.handle(CHANNEL, USER, Pick("confirm_stop", "yes"), NOW, message_id="u3")
    assert await notes(store) == []


async def test_a_note_over_the_limit_is_not_kept(
    store: Store, catalogs: Mapping[str, Catalog]
) -> None:
    conversation = service(store, catalogs, transcribe=True)
    for n in range(4):
        replies = await conversation.handle(CHANNEL, USER, received(), NOW, message_id=f"v{n}")
    assert "3" in replies[0].text  # "You sent 3 voice messages ... the most"
    assert len(await notes(store)) == 3


async def test_a_redelivered_note_is_stored_once(
    store: Store, catalogs: Mapping[str, Catalog]
) -> None:
    conversation = service(store, catalogs, transcribe=True)
    await conversation.handle(CHANNEL, USER, received(), NOW, message_id="same")
    assert await conversation.handle(CHANNEL, USER, received(), NOW, message_id="same") == []
    assert len(await notes(store)) == 1


async def test_verwijder_erases_the_notes_of_drafts_and_of_sent_signals(
    store: Store, catalogs: Mapping[str, Catalog]
) -> None:
    conversation = await spoken_report(store, catalogs)
    await conversation.handle(CHANNEL, USER, received(), NOW, message_id="draft")
    assert len(await notes(store)) == 2
    await conversation.handle(CHANNEL, USER, TextIn("/verwijder"), NOW, message_id="e1")
    await conversation.handle(CHANNEL, USER, Pick("confirm_erase", "yes"), NOW, message_id="e2")
    [kept] = await notes(store)  # the draft's note is gone with the draft
    assert kept.signal_id is not None
    assert (kept.audio, kept.transcript, kept.transcript_status) == (None, None, ERASED)
    assert kept.erased_at is not None
    async with store.unit_of_work() as uow:
        assert await uow.voice.audio(kept.id) is None
        signal = await uow.signals.get(kept.signal_id)
    assert signal is not None
    assert signal.draft.voice_notes == ()  # the card no longer names a note


async def test_retention_erases_the_notes_with_the_free_text(
    store: Store, catalogs: Mapping[str, Catalog]
) -> None:
    await spoken_report(store, catalogs)
    [note] = await notes(store)
    async with store.unit_of_work() as uow:
        await uow.voice.record_transcript(note.id, status=DONE, now=NOW, text="Mijn buurvrouw")
        await uow.session.execute(text("UPDATE signals SET status = 'closed'"))
        await uow.commit()
    later = NOW + timedelta(days=400)
    async with store.unit_of_work() as uow:
        erased = await uow.erasure.erase_person_details(
            FINISHED_STATUSES, later - timedelta(days=30), later
        )
        await uow.commit()
    assert erased == 1
    [gone] = await notes(store)
    assert (gone.audio, gone.transcript, gone.transcript_status) == (None, None, ERASED)


async def test_retention_deletes_notes_of_reports_never_sent(
    store: Store, catalogs: Mapping[str, Catalog]
) -> None:
    conversation = service(store, catalogs, transcribe=True)
    await conversation.handle(CHANNEL, USER, received(), NOW, message_id="u1")
    async with store.unit_of_work() as uow:
        assert await uow.erasure.delete_drafts(NOW - timedelta(days=1)) == 0
        await uow.erasure.delete_drafts(NOW + timedelta(days=1))
        await uow.commit()
    assert await notes(store) == []


async def test_key_rotation_reencrypts_audio_and_transcripts(
    store: Store, catalogs: Mapping[str, Catalog]
) -> None:
    await spoken_report(store, catalogs)
    [note] = await notes(store)
    async with store.unit_of_work() as uow:
        await uow.voice.record_transcript(note.id, status=DONE, now=NOW, text="hallo")
        await uow.commit()
    old = store.keyring
    rotated = Store(store.engine, Keyring.with_new_key(old))
    assert await reencrypt(rotated) >= 2
    usage = await key_usage(rotated)
    assert set(usage) == {rotated.keyring.current}
    async with rotated.unit_of_work() as uow:
        audio = await uow.voice.audio(note.id)
        [record] = await uow.voice.of_signal(note.signal_id or 0)
    assert audio is not None
    assert audio.data == AUDIO
    assert record.transcript == "hallo"


async def test_a_transcript_is_claimed_once_and_kept_only_while_the_note_is_there(
    store: Store, catalogs: Mapping[str, Catalog]
) -> None:
    await spoken_report(store, catalogs)
    async with store.unit_of_work() as uow:
        work = await uow.voice.claim_transcription(NOW)
        again = await uow.voice.claim_transcription(NOW)  # leased: not claimed twice
        await uow.commit()
    assert work is not None
    assert (work.audio, work.language, work.attempts) == (AUDIO, "nl", 1)
    assert again is None
    async with store.unit_of_work() as uow:
        assert await uow.voice.claim_transcription(NOW + timedelta(minutes=4)) is not None
        await uow.session.execute(update(VoiceNote).values(audio=None, erased_at=NOW))
        await uow.voice.record_transcript(work.id, status=DONE, now=NOW, text="te laat")
        await uow.commit()
    [note] = await notes(store)
    assert note.transcript is None
