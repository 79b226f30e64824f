"""The WhatsApp webhook over real HTTP: a full report in nl, tr and ar; signatures refused
before anything is stored; a redelivered message handled once; Meta's verification; media
answered kindly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conversations import messages as m
from storage.models import InboundMessage, InboxMessage, Reporter
from tests.e2e.telegram_harness import REPORT, Clock
from tests.e2e.whatsapp_harness import APP_SECRET, VERIFY_TOKEN, Resident, Running, running_whatsapp
from tests.fakes import whatsapp_payloads as wa
from tests.fakes.graph_api import FakeGraphAPI

pytestmark = pytest.mark.e2e


async def _count(run: Running, table: type[object]) -> int:
    async with run.app.store.engine.connect() as connection:
        counted = await connection.execute(select(func.count()).select_from(table))
        return int(counted.scalar_one())


@pytest.mark.parametrize(
    ("number", "language", "hello"),
    [
        ("31612345678", "nl", "Hallo"),
        ("905321234567", "tr", "Merhaba"),
        ("212612345678", "ar", "مرحبا"),
    ],
)
async def test_a_full_report_in_the_guessed_language(
    tmp_path: Path, number: str, language: str, hello: str
) -> None:
    async with FakeGraphAPI() as graph, running_whatsapp(graph, tmp_path, Clock()) as run:
        resident = Resident(run, graph, number=number)
        [languages] = await resident.says(hello)
        marked = [title for _, title, _ in languages.rows if title.startswith("✓ ")]
        assert len(marked) == 1  # the guess from the calling code
        await resident.taps("language", language)
        catalog = run.app.catalogs[language]
        for prompt, choice in REPORT:
            if prompt == "place":
                await resident.says("2")  # a numbered text: answered by typing
                continue
            await resident.taps(prompt, choice)
        done = resident.chat[-1].text
        assert "SP-2026-0001" in done
        opening = catalog.gettext(m.DONE_OTHER).split("%(reference)s")[0].strip()
        assert done.startswith(opening)  # in the chosen language
        async with run.app.store.unit_of_work() as uow:
            signal = await uow.signals.get_by_reference("SP-2026-0001")
        assert signal is not None
        assert signal.channel == "whatsapp"
        assert signal.draft.language == language
        await run.settle()
        assert [m.reference for m in run.staff.delivered] == ["SP-2026-0001"]


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "sha256=" + "0" * 64,
        "sha1=deadbeef",
        "uppercase",
        "sha256=",
        "wrong-secret",
    ],
)
async def test_a_bad_signature_is_refused_and_nothing_is_stored(
    tmp_path: Path, signature: str | None
) -> None:
    async with FakeGraphAPI() as graph, running_whatsapp(graph, tmp_path, Clock()) as run:
        payload = wa.envelope(
            wa.text_message(wa_id="31612345678", text="Hallo", timestamp=run.clock())
        )
        body = wa.body_bytes(payload)
        if signature == "uppercase":
            signature = wa.sign(body, APP_SECRET).upper().replace("SHA256=", "sha256=")
        elif signature == "wrong-secret":
            signature = wa.sign(body, "another-app-secret")
        response = await run.post(payload, signature=signature, body=body)
        await run.settle()
        assert response.status_code == 401
        assert await _count(run, InboxMessage) == 0
        assert await _count(run, Reporter) == 0
        assert graph.sent == []


async def test_a_re_serialised_body_is_refused(tmp_path: Path) -> None:
    async with FakeGraphAPI() as graph, running_whatsapp(graph, tmp_path, Clock()) as run:
        payload = wa.envelope(
            wa.text_message(wa_id="31612345678", text="Hé ü", timestamp=run.clock())
        )
        signed_for = wa.sign(wa.body_bytes(payload), APP_SECRET)
        reserialised = json.dumps(payload).encode()  # spaces and \\u escapes: other bytes
        response = await run.post(payload, signature=signed_for, body=reserialised)
        assert response.status_code == 401
        assert await _count(run, InboxMessage) == 0


async def test_the_same_message_delivered_twice_is_handled_once(tmp_path: Path) -> None:
    async with FakeGraphAPI() as graph, running_whatsapp(graph, tmp_path, Clock()) as run:
        payload = wa.envelope(
            wa.text_message(wa_id="31612345678", text="Hallo", timestamp=run.clock())
        )
        assert (await run.post(payload)).status_code == 200
        assert (await run.post(payload)).status_code == 200  # redelivered before processing
        await run.settle()
        assert (await run.post(payload)).status_code == 200  # and after
        await run.settle()
        assert len(graph.messages_to("31612345678")) == 1
        assert await _count(run, InboundMessage) == 1
        assert await _count(run, InboxMessage) == 0


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"}, 200),
        ({"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "42"}, 403),
        ({"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"}, 403),
        ({"hub.mode": "subscribe", "hub.challenge": "42"}, 403),
    ],
)
async def test_meta_verifies_the_webhook(
    tmp_path: Path, query: dict[str, str], status: int
) -> None:
    async with FakeGraphAPI() as graph, running_whatsapp(graph, tmp_path, Clock()) as run:
        response = await run.http.get("/whatsapp/webhook", params=query)
        assert response.status_code == status
        if status == 200:
            assert response.text == "42"


@pytest.mark.parametrize("kind", ["image", "location", "contacts", "audio"])
async def test_media_gets_a_friendly_reply_and_the_question_again(
    tmp_path: Path, kind: str
) -> None:
    async with FakeGraphAPI() as graph, running_whatsapp(graph, tmp_path, Clock()) as run:
        resident = Resident(run, graph)
        await resident.says("Hallo")
        await resident.taps("language", "nl")
        await resident.taps("welcome", "report")
        sender = {"wa_id": resident.number, "timestamp": run.clock()}
        notice, again = await resident.sends(wa.media_message(kind=kind, **sender))  # type: ignore[arg-type]
        assert notice.text == run.app.catalogs["nl"].gettext(
            "I can only read text and buttons, not photos, voice messages, stickers, locations or "
            "contacts. Please type your answer or press a button."
        )
        assert [b for b, _ in again.buttons] == ["r|danger|yes", "r|danger|no"]


async def test_a_list_pick_and_typed_numbers_answer_a_multi_select(tmp_path: Path) -> None:
    async with FakeGraphAPI() as graph, running_whatsapp(graph, tmp_path, Clock()) as run:
        resident = Resident(run, graph)
        await resident.says("Hallo")
        await resident.taps("language", "nl")
        for prompt, choice in REPORT[:4]:
            await resident.taps(prompt, choice)
        [marked] = await resident.taps("observations", "often_alone")
        assert marked.rows[0][1].startswith("✓ ")
        [next_question] = await resident.says("٢، ٣")  # Arabic digits and comma
        assert any(
            b.startswith("r|awareness|") for b, *_ in next_question.rows + next_question.buttons
        )
