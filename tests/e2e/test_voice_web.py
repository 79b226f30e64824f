"""A voice message in the web chat, end to end (issue 23): Debian's chromium with a fake
microphone fed from a WAV file of espeak-ng speech records with the page's button
(MediaRecorder, WebM/Opus), the note becomes a call-back signal (the phone field is a
telephone field), its card reaches the loket, and in the dashboard the assignee plays the
audio, behind the login, each play in the access history; others are refused.

Screenshots (test-artifacts/screenshots/): the record button at phone width in Dutch and
Arabic, the phone field, and the dashboard's player."""

from __future__ import annotations

import wave
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page

from bot.voice.audio import probe
from bot.voice.config import VoiceSettings
from bot.voice.results import VoiceNote
from core.dialog import messages as m
from tests.support.speech import clip, espeak_available
from tests.support.voice_model import require_model
from tests.support.web_harness import (
    WebService,
    add_web_staff,
    browser_context,
    login,
    post_login,
    screenshot,
    serious_violations,
    web_service,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not espeak_available(), reason="espeak-ng: run `make system-deps`"),
]

PHONE = {"width": 360, "height": 740}


def fake_microphone(tmp_path: Path) -> list[str]:
    """Chromium's flags for a microphone that says a Dutch sentence, again and again."""
    speech = clip("nl", 4)
    wav = tmp_path / "microphone.wav"
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(speech.sample_rate)
        out.writeframes(speech.pcm)
    return [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}",
    ]


async def record(page: Page, seconds: int, shot: str | None = None) -> None:
    """Press the record button, let ``seconds`` pass on the page's own clock, send
    (``shot``: a screenshot while it records)."""
    await page.click("[data-testid=record]")
    # The page's own timer says how long it has recorded (a selector, not a script: the
    # page's policy runs no script from elsewhere).
    status = f"[data-testid=voice-status]:has-text('0:0{seconds}')"
    await page.wait_for_selector(status, timeout=15_000)
    assert await page.get_attribute("[data-testid=record]", "aria-pressed") == "true"
    assert await page.locator("[data-testid=record-cancel]").is_visible()
    if shot is not None:
        await screenshot(page, shot)
    async with page.expect_navigation(url="**/chat", timeout=20_000):
        await page.click("[data-testid=record]")


async def test_a_voice_message_recorded_in_the_page_becomes_a_call_back_signal(
    tmp_path: Path,
) -> None:
    voice = VoiceSettings(_env_file=None, whisper_model=require_model())  # type: ignore[call-arg]
    async with (
        web_service(tmp_path, voice=voice, run_outbox=False) as web,
        browser_context(
            *fake_microphone(tmp_path), viewport=PHONE, locale="nl-NL", permissions=["microphone"]
        ) as context,
    ):
        page = await context.new_page()
        await page.goto(f"{web.base_url}/chat")
        button = page.locator("[data-testid=record]")
        await button.wait_for(state="visible")  # offered: this browser can record
        assert await page.get_attribute("[data-testid=voice]", "hidden") is None
        assert await serious_violations(page) == []
        await screenshot(page, "voice-web-record-button-nl-360")

        await record(page, 3, "voice-web-recording-nl-360")
        log = await page.inner_text("[data-testid=chat-log]")
        assert "Spraakbericht (0:0" in log  # the resident's own message, with its length
        catalog = web.app.catalogs["nl"]
        assert catalog.gettext(m.VOICE_START) in log
        await page.click('[data-testid=choices] button[value="yes"]')
        await page.wait_for_selector("[data-testid=phone-field]")
        field = page.locator("[data-testid=phone-field]")
        assert await field.get_attribute("type") == "tel"
        assert await field.get_attribute("autocomplete") == "tel"
        await screenshot(page, "voice-web-phone-field-nl-360")
        await field.fill("06 12345678")
        async with page.expect_navigation():
            await page.click("[data-testid=text-form] button[type=submit]")
        async with page.expect_navigation():
            await page.click('[data-testid=choices] button[value="send"]')
        assert "SP-2026-0001" in await page.inner_text("[data-testid=latest]")

        await card_and_player(web, context.new_page)


async def card_and_player(web: WebService, new_page: object) -> None:
    app = web.app
    assert await app.outbox_worker(web.staff).drain(web.clock()) == 1
    [card] = web.staff.messages
    shown = card.text.translate(dict.fromkeys(range(0x2066, 0x206A)))
    assert "1 spraakbericht bijgevoegd." in shown
    assert "Terugbelverzoek in het Nederlands." in shown
    # Not "wrote": a report by voice may come from someone who cannot write.
    assert "De melder sprak een spraakbericht in; de chat is in het Nederlands." in shown
    async with app.store.unit_of_work() as uow:
        [note] = await uow.voice.of_signal(1)
        audio = await uow.voice.audio(note.id)
    assert audio is not None
    probed = probe(audio.data)
    assert isinstance(probed, VoiceNote)
    assert (probed.container, probed.codec) == ("ogg", "opus")  # the browser's WebM, as OGG
    assert probed.duration_seconds >= 2.5
    assert await app.transcript_sweep(web.clock).drain() == 1

    await add_web_staff(app, "anna")
    await add_web_staff(app, "bob")
    await add_web_staff(app, "rita", role="regisseur")
    page: Page = await new_page()  # type: ignore[operator]
    await page.set_viewport_size({"width": 1366, "height": 900})
    await login(page, web.base_url, "anna")
    await page.goto(f"{web.base_url}/loket/signalen/SP-2026-0001")
    assert await page.locator("[data-testid=voice-notes]").count() == 0  # card only
    async with page.expect_navigation():
        await page.click("button[data-action=claim]")
    player = page.locator("[data-testid=player]")
    await player.wait_for()
    transcript = await page.inner_text("[data-testid=transcript]")
    assert transcript.startswith("Automatische transcriptie, kan fouten bevatten: “")
    played = await page.evaluate(
        "fetch(document.querySelector('[data-testid=player]').src).then(r => r.arrayBuffer()"
        ".then(b => [r.status, r.headers.get('content-type'), b.byteLength]))"
    )
    assert played == [200, "audio/ogg", len(audio.data)]
    # In the section of what was seen (a report by voice: what the reporter said).
    seen = page.locator("[data-testid=section-seen]")
    assert await seen.locator("[data-testid=player]").count() == 1
    assert "Wat de melder zei" in await seen.inner_text()
    assert await serious_violations(page) == []
    await screenshot(page, "voice-dashboard-player-1366")
    await page.set_viewport_size({"width": 390, "height": 844})
    assert await serious_violations(page) == []
    await screenshot(page, "voice-dashboard-player-390")

    # Bob (loket, not the assignee) is refused; Rita (regisseur) may listen.
    path = "/loket/signalen/SP-2026-0001/spraak/1"
    async with httpx.AsyncClient(base_url=web.base_url) as bob:
        await post_login(bob, "bob")
        refused = await bob.get(path)
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")
    async with httpx.AsyncClient(base_url=web.base_url) as rita:
        await post_login(rita, "rita")
        heard = await rita.get(path)
        assert (heard.status_code, heard.content) == (200, audio.data)
        assert heard.headers["cache-control"] == "no-store"
        assert (await rita.get("/loket/signalen/SP-2026-0001/spraak/2")).status_code == 404
    async with httpx.AsyncClient(base_url=web.base_url) as stranger:
        assert (await stranger.get(path)).status_code in (302, 303)  # the login first
    async with app.store.unit_of_work() as uow:
        audit = await uow.audit.entries(1)
    plays = [(actor, outcome) for actor, action, outcome in audit if action == "play"]
    assert plays[0] == ("staff:1", "voice:1")  # Anna's play in the page
    assert ("staff:2", "refused:not_allowed") in plays
    assert ("staff:3", "voice:1") in plays
    assert ("staff:3", "refused:gone") in plays
    # The regisseur reads the plays in the access history as sentences.
    async with httpx.AsyncClient(base_url=web.base_url) as rita:
        await post_login(rita, "rita")
        history = (await rita.get("/loket/signalen/SP-2026-0001")).text
    assert "luisterde naar spraakbericht 1" in history
    assert "probeerde naar een spraakbericht te luisteren; dat werd geweigerd" in history


async def test_the_record_button_in_arabic_at_phone_width(tmp_path: Path) -> None:
    async with (
        web_service(tmp_path) as web,
        browser_context(
            *fake_microphone(tmp_path), viewport=PHONE, locale="ar", permissions=["microphone"]
        ) as context,
    ):
        page = await context.new_page()
        await page.goto(f"{web.base_url}/chat")
        await page.locator("[data-testid=record]").wait_for(state="visible")
        assert await page.get_attribute("html", "dir") == "rtl"
        assert "تسجيل رسالة صوتية" in await page.inner_text("[data-testid=record]")
        # The button fits the narrow screen: nothing sticks out sideways.
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        assert not overflow
        assert await serious_violations(page) == []
        await screenshot(page, "voice-web-record-button-ar-360")


async def test_without_a_microphone_api_there_is_no_record_button(tmp_path: Path) -> None:
    async with web_service(tmp_path) as web, browser_context(viewport=PHONE) as context:
        page = await context.new_page()
        # A browser that cannot record (an older one): the page offers nothing to press.
        await page.add_init_script("delete window.MediaRecorder;")
        await page.goto(f"{web.base_url}/chat")
        assert await page.locator("[data-testid=record]").is_hidden()


async def test_a_note_over_the_bounds_sent_to_the_page_is_refused_in_the_chat(
    tmp_path: Path,
) -> None:
    async with web_service(tmp_path) as web, httpx.AsyncClient(base_url=web.base_url) as client:
        await client.get("/chat")
        too_big = b"\0" * (web.app.voice_limits.max_bytes + 1)
        answer = await client.post(
            "/chat/voice?nonce=abcdefghijklmnop",
            content=too_big,
            headers={"Content-Type": "audio/webm"},
        )
        assert answer.status_code == 303
        page = await client.get("/chat")
        assert web.app.catalogs["nl"].gettext(m.VOICE_TOO_LARGE) in page.text
        cross = await client.post(
            "/chat/voice", content=b"x", headers={"Sec-Fetch-Site": "cross-site"}
        )
        assert cross.status_code == 403
    async with web.app.store.unit_of_work() as uow:
        assert await uow.voice.waiting() == 0
