"""A voice note on WhatsApp, end to end (issue 23): signed webhooks to our endpoint, the note
fetched from the fake Graph API (its media URL, with the token), the number WhatsApp knows
confirmed with one tap, the card to the loket, and after the claim the audio and what the
transcriber made of it to the assignee."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.voice.config import VoiceSettings
from core.dialog import messages as m
from tests.fakes import whatsapp_payloads as wa
from tests.fakes.graph_api import FakeGraphAPI
from tests.support.builders import enrol_staff, staff, telegram
from tests.support.speech import clip, encode, espeak_available
from tests.support.telegram_harness import T0, Clock
from tests.support.voice_model import require_model
from tests.support.whatsapp_harness import Resident, running_whatsapp

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not espeak_available(), reason="espeak-ng: run `make system-deps`"),
]

MA = "212612345678"  # a Moroccan number: the language asked first, Arabic offered
ANNA = 601


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraphAPI]:
    async with FakeGraphAPI() as server:
        yield server


def bare(shown: str) -> str:
    return shown.translate(dict.fromkeys(range(0x2066, 0x206A)))


def sender(resident: Resident) -> dict[str, Any]:
    return {"wa_id": resident.number, "timestamp": resident.run.clock()}


async def test_a_voice_note_becomes_a_call_back_on_the_number_whatsapp_knows(
    graph: FakeGraphAPI, tmp_path: Path
) -> None:
    voice = VoiceSettings(_env_file=None, whisper_model=require_model())  # type: ignore[call-arg]
    audio = encode(clip("ar", 6), "ogg")
    clock = Clock()
    async with running_whatsapp(graph, tmp_path, clock, voice=voice) as run:
        resident = Resident(run, graph, number=MA)
        media_id = graph.user_media(audio)
        note = wa.media_message(kind="audio", media_id=media_id, **sender(resident))
        thanks, languages = await resident.sends(note)
        assert graph.downloads == [media_id]  # looked up and fetched with the token
        assert thanks.text == run.app.catalogs["ar"].gettext(m.VOICE_THANKS)
        assert ("r|language|ar", "✓ العربية") in [(i, t) for i, t, _ in languages.rows]  # guessed

        # Arabic chosen: the voice report starts there, with buttons.
        replies = await resident.taps("language", "ar")
        asked = replies[-1]
        assert [i for i, _ in asked.buttons] == ["r|callback|yes", "r|callback|no"]
        assert "باللغة العربية" in bare(asked.text)

        # The number WhatsApp knows, confirmed with one tap.
        [number] = await resident.taps("callback", "yes")
        assert "+212 6 12 34 56 78" in bare(number.text)
        assert number.buttons == [("r|reporter_phone|known", "نعم، هذا الرقم")]
        replies = await resident.taps("reporter_phone", "known")
        assert "+212 6 12 34 56 78" in bare(replies[-1].text)
        done = await resident.taps("summary", "send")
        assert "SP-2026-0001" in bare(done[0].text)

        [card] = [msg for msg in run.staff.messages if msg.reference == "SP-2026-0001"]
        shown = bare(card.text)
        assert "1 spraakbericht bijgevoegd." in shown
        assert "Terugbelverzoek (taal: Arabisch): regel zo nodig een tolk." in shown
        assert card.audio is None

        assert await run.app.transcript_sweep(clock).drain() == 1
        anna = staff(await enrol_staff(run.app.store, ANNA, "Anna", "loket", T0))
        result = await run.app.actions.act("claim", 1, actor=telegram(ANNA), now=clock())
        assert result is not None
        assert result.done
        await run.settle()
        details, spoken = [msg for msg in run.staff.messages if msg.target == anna]
        assert details.protect
        assert spoken.protect
        assert spoken.audio is not None
        assert (spoken.audio.data, spoken.audio.mime_type) == (audio, "audio/ogg")
        # Arabic is where Whisper loops: a transcript, or (guards) why there is none.
        said = bare(spoken.text)
        assert said.startswith(("Automatische transcriptie", "Er kon geen automatische")), said
        assert "Terugbelverzoek (taal: Arabisch)" in bare(details.text)


async def test_a_note_whatsapp_cannot_give_is_refused_kindly(
    graph: FakeGraphAPI, tmp_path: Path
) -> None:
    async with running_whatsapp(graph, tmp_path, Clock()) as run:
        resident = Resident(run, graph, number="31612345678")
        await resident.says("Hallo")
        await resident.taps("language", "nl")
        gone = wa.media_message(kind="audio", media_id="1234567", **sender(resident))
        notice, welcome = await resident.sends(gone)
        assert notice.text == run.app.catalogs["nl"].gettext(m.VOICE_UNPLAYABLE)
        assert welcome.buttons or welcome.rows  # the question stands
        assert graph.downloads == []
