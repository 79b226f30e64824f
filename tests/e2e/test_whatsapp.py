"""The conversation over WhatsApp end to end: the real channel (pywa, our webhook on a
loopback port, the durable inbox) against the fake Graph API. Tests act as WhatsApp users
who post signed, Meta-shaped webhooks: they tap buttons and list rows, type numbers and
labels, send photos and reactions, and forge or break the webhook calls."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.channels.whatsapp.webhook import MAX_BODY
from core.dialog import messages as m
from core.dialog.dialogs import LANGUAGE, WELCOME
from core.dialog.flows import REPORT_OTHER
from storage.models import InboundMessage, InboxMessage, Reporter
from storage.records import StoredSignal
from tests.fakes import whatsapp_payloads as wa
from tests.fakes.graph_api import FakeGraphAPI, SentWhatsApp
from tests.support.reports import REPORT
from tests.support.telegram_harness import Clock
from tests.support.whatsapp_harness import (
    APP_SECRET,
    PATH,
    VERIFY_TOKEN,
    Resident,
    Running,
    running_whatsapp,
)

pytestmark = pytest.mark.e2e

NL, TR, MA, EG = "31612345678", "905321234567", "212612345678", "201001234567"
BSUID = "NL.1234567890"
REFERENCE = re.compile(r"SP-\d{4}-\d{4}")
# A typed answer: literal text, or (language, msgid) for a label as that language shows it.
Typed = str | tuple[str, str]


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraphAPI]:
    async with FakeGraphAPI() as server:
        yield server


@pytest.fixture
async def run(graph: FakeGraphAPI, tmp_path: Path) -> AsyncIterator[Running]:
    async with running_whatsapp(graph, tmp_path, Clock()) as running:
        yield running


def said(run: Running, language: str, msgid: str) -> str:
    return run.app.catalogs[language].gettext(msgid)


def sender(resident: Resident) -> dict[str, Any]:
    return {"wa_id": resident.number, "bsuid": resident.bsuid, "timestamp": resident.run.clock()}


def text_payload(run: Running, text: str, **envelope: str) -> dict[str, Any]:
    """A webhook with one text from the Turkish number, as Meta posts it."""
    return wa.envelope(wa.text_message(wa_id=TR, text=text, timestamp=run.clock()), **envelope)


def place_name(run: Running, place_id: str) -> str:
    return next(p.name for p in run.app.places if p.id == place_id)


async def count(run: Running, table: type[object]) -> int:
    async with run.app.store.engine.connect() as connection:
        counted = await connection.execute(select(func.count()).select_from(table))
        return int(counted.scalar_one())


async def nothing_kept(run: Running, graph: FakeGraphAPI) -> None:
    """Nothing stored, nothing processed, nothing sent."""
    await run.settle()
    for table in (InboxMessage, InboundMessage, Reporter):
        assert await count(run, table) == 0, table
    assert graph.sent == []
    assert graph.requests == []


async def stored(run: Running, reference: str) -> StoredSignal:
    async with run.app.store.unit_of_work() as uow:
        signal = await uow.signals.get_by_reference(reference)
    assert signal is not None
    return signal


async def answer_report(resident: Resident, steps: list[tuple[str, str]]) -> list[SentWhatsApp]:
    """Tap through ``steps`` (the place is typed: it is a numbered text); all replies."""
    replies: list[SentWhatsApp] = []
    for prompt, choice in steps:
        if prompt == "place":
            replies += await resident.says(place_name(resident.run, choice.removeprefix("area:")))
        else:
            replies += await resident.taps(prompt, choice)
    return replies


async def start(resident: Resident, language: str, hello: str = "Hallo") -> None:
    await resident.says(hello)
    await resident.taps("language", language)


def reference_in(replies: list[SentWhatsApp]) -> str:
    [reference] = {str(r) for message in replies for r in REFERENCE.findall(message.text)}
    return reference


# -- 1. a full report in the reporter's language ------------------------------------------


@pytest.mark.parametrize(
    ("number", "hello", "language", "marked"),
    [
        (NL, "Hallo", "nl", "Nederlands"),
        (TR, "Merhaba", "tr", "Türkçe"),
        (MA, "مرحبا", "ar", "العربية"),
        (EG, "مرحبا", "ar", "العربية"),
    ],
)
async def test_a_full_report_in_the_chosen_language(
    run: Running, graph: FakeGraphAPI, number: str, hello: str, language: str, marked: str
) -> None:
    resident = Resident(run, graph, number=number)
    [languages] = await resident.says(hello)
    # The hinted language (from the calling code) is marked; the others are not.
    assert [t for _, t, _ in languages.rows if t.startswith("✓ ")] == [f"✓ {marked}"]
    assert [i for i, _, _ in languages.rows] == [f"r|language|{c.id}" for c in LANGUAGE.choices]
    assert languages.text == said(run, language, LANGUAGE.prompt)
    set_, welcome = await resident.taps("language", language)
    assert set_.text == said(run, language, m.LANGUAGE_SET)
    assert welcome.text.startswith(said(run, language, WELCOME.prompt).split("%")[0])
    replies = await answer_report(resident, REPORT)
    shown = "\n".join(message.text for message in resident.chat)
    for step in REPORT_OTHER.steps:
        if step.id in dict(REPORT) and "%(" not in step.prompt:
            translated = said(run, language, step.prompt)
            assert translated in shown, step.id
            assert language == "en" or translated != step.prompt, step.id
    # The list picks of the multi-select were marked before "done".
    toggled = [msg for msg in resident.chat if "r|observations|done" in [r for r, *_ in msg.rows]]
    assert [sum(t.startswith("✓ ") for _, t, _ in msg.rows) for msg in toggled] == [0, 1, 2]

    reference = reference_in(replies)
    opening = said(run, language, m.DONE_OTHER).split("%(reference)s")[0].strip()
    assert replies[-1].text.startswith(opening)
    signal = await stored(run, reference)
    assert (signal.channel, signal.status, signal.draft.language) == ("whatsapp", "new", language)
    assert signal.draft.multi["observations"] == ("often_alone", "not_seen")
    assert signal.draft.area == "axel"
    assert signal.draft.urgent
    await run.settle()
    [card] = run.staff.messages
    assert card.reference == reference
    assert reference in card.text


# -- 2. typed answers: numbers, and labels in any language ---------------------------------


def label(step: str, choice: str) -> str:
    """The msgid (with its translator context) of a choice of the welcome or the report."""
    source = WELCOME if step == WELCOME.id else REPORT_OTHER.step(step)
    return next(c.label for c in source.choices if c.id == choice)


BY_NUMBER: list[tuple[str, Typed]] = [
    ("language", "2"),  # English
    ("welcome", "1"),
    ("role", "2"),
    ("age_group", "٤"),  # Arabic-Indic digit four
    ("observations", "1, 3"),
    ("place", "4"),
    ("contact_language", "1"),
    ("callback", "3"),
    ("person_reach", "2"),
    ("no_followup", "3"),
    ("summary", "1"),
]
BY_LABEL: list[tuple[str, Typed]] = [
    ("language", "english"),
    ("welcome", ("nl", label("welcome", "report"))),
    ("role", ("tr", label("role", "neighbour"))),
    ("age_group", ("ar", label("age_group", "75_plus"))),
    ("observations", ("pl", label("observations", "often_alone"))),
    ("observations", ("uk", label("observations", "recent_loss"))),
    ("observations", ("nl", label("observations", "done"))),
    ("place", "axel"),
    ("contact_language", "Nederlands"),
    ("callback", ("pl", label("callback", "no"))),
    ("person_reach", ("uk", label("person_reach", "via_me"))),
    ("no_followup", ("tr", label("no_followup", "send"))),
    ("summary", ("tr", REPORT_OTHER.step("summary").choices[0].label)),
]


@pytest.mark.parametrize("typed", [BY_NUMBER, BY_LABEL], ids=["numbers", "labels"])
async def test_every_step_accepts_a_typed_number_or_label(
    run: Running, graph: FakeGraphAPI, typed: list[tuple[str, Typed]]
) -> None:
    resident = Resident(run, graph, number=NL)
    await resident.says("Hallo")
    replies: list[SentWhatsApp] = []
    for prompt, text in typed:
        asked = resident.question()
        shown = [i for i, *_ in asked.rows + asked.buttons]
        assert prompt == "place" or f"r|{prompt}|" in shown[0], (prompt, shown)
        replies = await resident.says(text if isinstance(text, str) else said(run, *text))
    assert not [r for r in resident.chat if said(run, "en", m.NOT_UNDERSTOOD) in r.text]
    signal = await stored(run, reference_in(replies))
    assert signal.draft.language == "en"
    assert replies[-1].text.startswith(said(run, "en", m.DONE_OTHER).split("%")[0].strip())
    assert signal.draft.codes == {
        "danger": "no",
        "role": "neighbour",
        "age_group": "75_plus",
        "contact_language": "nl",
        "callback": "no",
        "checkin": "no",
        "person_reach": "via_me",
    }
    assert signal.draft.multi["observations"] == ("often_alone", "recent_loss")
    assert (signal.draft.area, signal.draft.note) == ("axel", None)


# -- 3. media, locations, contacts and reactions -----------------------------------------


@pytest.mark.parametrize("kind", ["image", "location", "contacts", "reaction"])
async def test_what_cannot_be_read_gets_a_kind_reply_and_the_question_again(
    run: Running, graph: FakeGraphAPI, kind: str
) -> None:
    resident = Resident(run, graph, number=TR)
    await start(resident, "tr", "Merhaba")
    await answer_report(resident, REPORT[:3])
    asked = resident.question()
    if kind == "reaction":
        item = wa.reaction(emoji="👍", reacted_wamid=asked.wamid, **sender(resident))
    else:
        item = wa.media_message(kind=kind, **sender(resident))  # type: ignore[arg-type]
    notice, again = await resident.sends(item)
    assert notice.text == said(run, "tr", m.UNREADABLE)
    assert notice.text != m.UNREADABLE
    assert (again.text, again.rows) == (asked.text, asked.rows)
    replies = await answer_report(resident, REPORT[3:])
    signal = await stored(run, reference_in(replies))
    assert signal.draft.codes["danger"] == "no"
    assert signal.draft.role == "shop"  # answered before the photo: kept
    assert signal.draft.age_group == "75_plus"


# -- 4. redelivery -----------------------------------------------------------------------


async def test_the_same_wamid_twice_is_processed_and_answered_once(
    run: Running, graph: FakeGraphAPI
) -> None:
    resident = Resident(run, graph, number=TR)
    hello = wa.envelope(wa.text_message(text="Merhaba", **sender(resident)))
    assert (await run.post(hello)).status_code == 200
    assert (await run.post(hello)).status_code == 200  # before processing: one inbox entry
    await run.settle()
    assert (await run.post(hello)).status_code == 200  # after processing: already answered
    await run.settle()
    assert len(resident.chat) == 1
    assert (await count(run, InboundMessage), await count(run, InboxMessage)) == (1, 0)

    resident.seen = len(resident.chat)
    await resident.taps("language", "tr")
    await answer_report(resident, REPORT[:3])
    list_ = resident.question()
    row = "r|observations|often_alone"
    title = next(t for i, t, _ in list_.rows if i == row)
    toggle = wa.list_reply(row_id=row, title=title, context_id=list_.wamid, **sender(resident))
    assert len(await resident.sends(toggle)) == 1
    assert await resident.sends(toggle) == []  # a second toggle would clear the selection
    [place] = await resident.taps("observations", "done")
    assert "4531" in place.text  # the place question, with its example postcode


# -- 5. signatures and Meta's verification ------------------------------------------------


FORGED = ("missing", "wrong secret", "uppercase hex", "sha1 prefix", "default separators", "ascii")


def forged(case: str, payload: dict[str, Any]) -> tuple[str | None, bytes]:
    """(X-Hub-Signature-256, body) of a webhook call that must be refused."""
    body = wa.body_bytes(payload)
    good = wa.sign(body, APP_SECRET)
    if case == "missing":
        return None, body
    if case == "wrong secret":
        return wa.sign(body, "not-the-app-secret"), body
    if case == "uppercase hex":
        return "sha256=" + good.removeprefix("sha256=").upper(), body
    if case == "sha1 prefix":
        return "sha1=" + good.removeprefix("sha256="), body
    if case == "default separators":
        return good, json.dumps(payload, ensure_ascii=False).encode()
    assert case == "ascii"  # escapes for non-ASCII characters
    return good, json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode()


@pytest.mark.parametrize("case", FORGED)
async def test_a_bad_signature_is_refused_before_anything_is_kept(
    run: Running, graph: FakeGraphAPI, case: str
) -> None:
    payload = text_payload(run, "Merhaba, çok güzel")
    signature, body = forged(case, payload)
    assert signature != wa.sign(body, APP_SECRET)  # no case is a good signature of ``body``
    response = await run.post(payload, signature=signature, body=body)
    assert response.status_code == 401
    await nothing_kept(run, graph)


async def test_the_signature_covers_the_raw_bytes_whatever_their_layout(
    run: Running, graph: FakeGraphAPI
) -> None:
    payload = text_payload(run, "Merhaba, çok güzel")
    body = json.dumps(payload, indent=2).encode()  # not Meta's layout, but signed as sent
    response = await run.post(payload, signature=wa.sign(body, APP_SECRET), body=body)
    assert response.status_code == 200
    await run.settle()
    [languages] = graph.messages_to(TR)
    assert "✓ Türkçe" in [t for _, t, _ in languages.rows]


@pytest.mark.parametrize(
    ("mode", "token", "status"),
    [
        ("subscribe", VERIFY_TOKEN, 200),
        ("subscribe", VERIFY_TOKEN + "x", 403),
        ("subscribe", "", 403),
        ("unsubscribe", VERIFY_TOKEN, 403),
    ],
)
async def test_meta_verifies_the_webhook(run: Running, mode: str, token: str, status: int) -> None:
    query = {"hub.mode": mode, "hub.verify_token": token, "hub.challenge": "1158201444"}
    response = await run.http.get(PATH, params=query)
    assert response.status_code == status
    if status == 200:
        assert response.text == "1158201444"
        assert response.headers["content-type"].startswith("text/plain")
    else:
        assert "1158201444" not in response.text


# -- 6. who the reporter is --------------------------------------------------------------


async def test_a_username_user_is_answered_at_the_business_scoped_id(
    run: Running, graph: FakeGraphAPI
) -> None:
    resident = Resident(run, graph, number=None, bsuid=BSUID)
    [languages] = await resident.says("Hallo")
    assert languages.recipient == BSUID
    assert languages.body.get("recipient") == BSUID
    assert "to" not in languages.body
    assert "✓ Nederlands" in [t for _, t, _ in languages.rows]  # from the id's country
    replies = await resident.taps("language", "nl")
    assert replies
    assert all(message.recipient == BSUID for message in graph.sent)


async def test_a_known_number_writing_with_a_bsuid_keeps_the_conversation(
    run: Running, graph: FakeGraphAPI
) -> None:
    by_number = Resident(run, graph, number=NL)
    await start(by_number, "nl")
    await answer_report(by_number, REPORT[:3])  # now at the age question
    async with run.app.store.unit_of_work() as uow:
        before = await uow.reporters.find("whatsapp", NL)
    assert before is not None

    by_id = Resident(run, graph, number=NL, bsuid=BSUID)
    [asked] = await by_id.says("4")  # 75 or older: the age question was still open
    assert asked.recipient == BSUID
    assert "r|observations|done" in [i for i, *_ in asked.rows]
    replies = await answer_report(by_id, REPORT[4:])
    signal = await stored(run, reference_in(replies))
    assert signal.reporter_id == before.id
    assert (signal.draft.role, signal.draft.age_group) == ("shop", "75_plus")
    async with run.app.store.unit_of_work() as uow:
        assert await uow.reporters.find("whatsapp", NL) is None
        after = await uow.reporters.find("whatsapp", BSUID)
    assert after is not None
    assert after.id == before.id
    assert await count(run, Reporter) == 1


# -- 7. the inbox worker and outbox in the background --------------------------------------


async def test_background_mode_answers_without_being_driven(
    graph: FakeGraphAPI, tmp_path: Path
) -> None:
    async with running_whatsapp(graph, tmp_path, Clock(), background=True) as run:
        resident = Resident(run, graph, number=TR)
        item = wa.text_message(text="Merhaba", **sender(resident))
        assert (await run.post(wa.envelope(item))).status_code == 200
        languages = await graph.next_sent(TR, after=0)
        assert "✓ Türkçe" in [t for _, t, _ in languages.rows]
        tap = wa.list_reply(
            row_id="r|language|tr",
            title="✓ Türkçe",
            context_id=languages.wamid,
            **sender(resident),
        )
        assert (await run.post(wa.envelope(tap))).status_code == 200
        language_set = await graph.next_sent(TR, after=1)
        welcome = await graph.next_sent(TR, after=2)
    assert language_set.text == said(run, "tr", m.LANGUAGE_SET)
    assert "r|welcome|report" in [i for i, *_ in welcome.rows]


# -- 8. calls that are not ours, too big or broken ----------------------------------------


async def test_a_webhook_for_another_phone_number_is_ignored(
    run: Running, graph: FakeGraphAPI
) -> None:
    response = await run.post(text_payload(run, "Merhaba", phone_number_id="999999999999999"))
    assert response.status_code == 200
    await nothing_kept(run, graph)


async def test_an_oversized_body_is_refused(run: Running, graph: FakeGraphAPI) -> None:
    payload = text_payload(run, "x" * MAX_BODY)
    response = await run.post(payload)
    assert len(wa.body_bytes(payload)) > MAX_BODY
    assert response.status_code == 413
    await nothing_kept(run, graph)


async def test_malformed_json_with_a_valid_signature_is_a_bad_request(
    run: Running, graph: FakeGraphAPI
) -> None:
    body = b'{"object":"whatsapp_business_account","entry":[{"id":'
    response = await run.post({}, signature=wa.sign(body, APP_SECRET), body=body)
    assert response.status_code == 400
    await nothing_kept(run, graph)
