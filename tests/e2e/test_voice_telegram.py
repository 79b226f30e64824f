"""A voice note on Telegram, end to end (issue 23): the real PTB client and our bot against
the fake Bot API, which keeps the note's real OGG/Opus bytes and serves them through
getFile and the file URL. The note becomes a call-back signal (buttons only, the number
shared with one tap); the card reaches the loket; after the claim the assignee gets the
audio privately and protected, with its transcript (the real model, in the worker
process); /verwijder erases the audio."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.voice.config import VoiceSettings
from tests.fakes.telegram_api import FakeTelegram, FakeUser, SentMessage
from tests.support.speech import clip, encode, espeak_available
from tests.support.telegram_harness import LOKET, T0, Clock, Person, running_bot
from tests.support.voice_model import require_model

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not espeak_available(), reason="espeak-ng: run `make system-deps`"),
]

AYSE = FakeUser(id=811, first_name="Ayşe", language_code="tr")
ANNA = FakeUser(id=601, first_name="Anna", language_code="nl")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


def bare(shown: str) -> str:
    return shown.translate(dict.fromkeys(range(0x2066, 0x206A)))


async def test_a_voice_note_becomes_a_call_back_signal_heard_by_the_assignee(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    voice = VoiceSettings(_env_file=None, whisper_model=require_model())  # type: ignore[call-arg]
    speech = clip("tr", 6)
    audio = encode(speech, "ogg")
    clock = Clock()
    ayse, anna = Person(fake, AYSE), Person(fake, ANNA)
    # The test sends the outbox and makes the transcripts (in the service, loops do).
    async with running_bot(fake, tmp_path, clock, voice=voice, run_outbox=False) as (
        app,
        service,
    ):
        code = await app.accounts.create_invite("loket", T0)
        await anna.says(f"/koppel {code}")

        # The first message is a voice note: the answer is in Turkish, with buttons.
        replies = await ayse.handled(fake.user_sends_voice(AYSE, audio=audio, duration=6))
        assert fake.downloads, "fetched through getFile and the file URL"
        thanks, asked = replies
        assert "Sesli mesajınız için teşekkür ederiz" in thanks.plain_text
        assert "0800-0113" in thanks.plain_text  # the safety numbers, before anything else
        assert "Türkçe konuşabilirsiniz" in bare(asked.plain_text)
        assert [d for _, d in asked.buttons()] == ["r|callback|yes", "r|callback|no"]

        # "Call me": one tap shares the number (Telegram's contact button).
        # The contact button comes with a new message; the question keeps the answer under
        # it (ADR 0111).
        closed, number = await ayse.taps("callback", "yes")
        assert closed is asked
        assert "Cevabınız: " in closed.plain_text
        assert closed.buttons() == []
        assert number.contact_button() == "Telefon numaramı paylaş"
        assert number.buttons() == []
        replies = await ayse.handled(fake.user_sends_contact(AYSE, "31612345678"))
        assert replies[0].removes_keyboard  # the contact keyboard goes away
        summary = "\n".join(bare(m.plain_text) for m in replies)
        assert "06 12345678" in summary
        assert "Sesli mesajlar: 1" in summary
        assert "Türkçe" in summary  # the call back's language: the chat's
        done = await ayse.taps("summary", "send")
        assert "SP-2026-0001" in bare(done[0].plain_text)

        assert await service.worker.drain(clock()) == 1
        card = await fake.next_message(LOKET)
        shown = bare(card.plain_text)
        assert "1 spraakbericht bijgevoegd." in shown
        assert "Terugbelverzoek (taal: Turks): regel zo nodig een tolk." in shown
        assert "Melding met een spraakbericht" in shown
        assert "0612345678" not in shown.replace(" ", "")  # nothing personal on the card
        assert card.media is None

        # The transcript, made in the worker process (driven here; a sweep in the service).
        assert await app.transcript_sweep(clock).drain() == 1

        await anna.handled(fake.user_presses(ANNA, card, "s|claim|1"))
        await service.worker.drain(clock())
        details, note, transcript = private(fake)
        assert all(m.protect_content for m in (details, note, transcript))
        assert "Terugbelverzoek (taal: Turks)" in bare(details.plain_text)
        assert "Automatische transcriptie, kan fouten bevatten" in bare(details.plain_text)
        assert note.media is not None
        assert (note.media.method, note.media.data) == ("sendVoice", audio)
        assert note.media.protect_content
        length = f"0:{round(speech.seconds):02d}"
        assert f"Spraakbericht 1 van SP-2026-0001 ({length})" in bare(note.plain_text)
        written = bare(transcript.plain_text)
        assert written.startswith("Automatische transcriptie, kan fouten bevatten: “")
        assert len(written) > len("Automatische transcriptie, kan fouten bevatten: “”") + 5
        async with app.store.unit_of_work() as uow:
            audit = await uow.audit.entries(1)
        assert ("staff:1", "sent:voice_note", "ok") in audit

        # The resident erases their data: the audio and its transcript go with it.
        await ayse.says("/verwijder")
        await ayse.taps("confirm_erase", "yes")
        async with app.store.engine.connect() as connection:
            rows = (
                await connection.execute(
                    text("SELECT audio, transcript, transcript_status FROM voice_notes")
                )
            ).all()
        assert [tuple(row) for row in rows] == [(None, None, "erased")]


def private(fake: FakeTelegram) -> list[SentMessage]:
    """What the bot sent Anna after she linked her account."""
    return [m for m in fake.messages(ANNA.id) if m.protect_content]


@pytest.mark.parametrize(
    ("duration", "size", "data", "says", "fetched"),
    [
        # Too long or too large by what Telegram says: refused before any download.
        (300, None, b"OggS", "En fazla 2 dakika", False),
        (6, 21 * 1024 * 1024, b"OggS", "çok büyük", False),
        # What arrives is not audio: fetched, probed, refused.
        (6, None, b"not audio at all", "dinleyemedik", True),
    ],
)
async def test_a_note_out_of_bounds_is_refused_kindly_and_the_question_stays(
    fake: FakeTelegram,
    tmp_path: Path,
    duration: int,
    size: int | None,
    data: bytes,
    says: str,
    fetched: bool,
) -> None:
    ayse = Person(fake, AYSE)
    async with running_bot(fake, tmp_path):
        await ayse.says("/start")
        await ayse.taps("welcome", "report")
        asked = ayse.question().buttons()
        sent = fake.user_sends_voice(AYSE, audio=data, duration=duration, reported_size=size)
        notice, again = await ayse.handled(sent)
        assert says in notice.plain_text
        assert again.buttons() == asked
    assert bool(fake.downloads) == fetched
