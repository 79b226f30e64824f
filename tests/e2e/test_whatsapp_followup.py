"""Follow-up over WhatsApp, through the fake Graph API: the reporter check-in as buttons
inside the 24-hour window and as a template outside it, answers to both, WhatsApp's
refusals (131047 on send and in a status webhook, undeliverable, rate limits), and the
loket's question with the reporter's quoted answer.

The sweep and the outbox are driven with the test's clock (``run.settle()``): no timers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.outbox.kinds import ADMIN_ALERT
from core.followup import texts as ft
from core.text.msgids import Token, msg
from core.text.render import render
from tests.fakes import whatsapp_payloads as wa
from tests.fakes.graph_api import KNOWN_ERRORS, FakeGraphAPI, SentWhatsApp
from tests.support.builders import outbox_rows, staff_of, telegram
from tests.support.reports import MESSAGE_ME
from tests.support.telegram_harness import Clock
from tests.support.whatsapp_harness import Resident, Running, running_whatsapp

pytestmark = pytest.mark.e2e

NUMBER = "905321234567"  # a Turkish number: the language hint is Turkish
ANNA = 601  # loket staff (Telegram user id: staff messages are recorded by the harness)
ADA = 603  # an admin
# A report about someone else consenting to the check-in (the municipality may write
# back); None: type the place.
STEPS: list[tuple[str, str | None]] = [
    (prompt, None if prompt == "place" else choice) for prompt, choice in MESSAGE_ME
]
ANSWERS = tuple(ft.CHECKIN_CHOICES)  # yes, no, worried: the ids in the button payloads


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraphAPI]:
    async with FakeGraphAPI() as server:
        yield server


@pytest.fixture
async def run(graph: FakeGraphAPI, tmp_path: Path) -> AsyncIterator[Running]:
    async with running_whatsapp(graph, tmp_path, Clock()) as running:
        yield running


async def file_report(reporter: Resident, language: str = "tr") -> str:
    await reporter.says("Merhaba")
    await reporter.taps("language", language)
    for prompt, choice in STEPS:
        if choice is None:
            await reporter.says("Axel")
        else:
            await reporter.taps(prompt, choice)
    async with reporter.run.app.store.unit_of_work() as uow:
        signal = await uow.signals.get(1)
    assert signal is not None
    assert signal.draft.codes["checkin"] == "yes"
    return signal.reference


async def enrol(run: Running, telegram_user_id: int, role: str = "loket") -> None:
    code = await run.app.accounts.create_invite(role, run.clock())
    await run.app.accounts.link(code, account=telegram(telegram_user_id), name="S", now=run.clock())


async def claim(run: Running) -> None:
    await enrol(run, ANNA)
    result = await run.app.actions.act("claim", 1, actor=telegram(ANNA), now=run.clock())
    assert result is not None
    assert result.done
    await run.settle()


async def checkin(run: Running, reporter: Resident, *, inside: bool) -> SentWhatsApp:
    """Let the check-in come due: the reporter wrote just before (inside the window), or
    not since the report (fifteen days later). Returns what reached the reporter."""
    if inside:
        run.clock.advance(days=14)
        await reporter.says("/status")
        now = run.clock.advance(minutes=5)
    else:
        now = run.clock.advance(days=15)
    assert (await run.app.followup.sweep(now))["reporter_checkin"] == 1
    return await delivered(run, reporter)


async def delivered(run: Running, reporter: Resident) -> SentWhatsApp:
    """Send what the outbox holds; the last message that reached the reporter (seen)."""
    await run.settle()
    reporter.seen = len(reporter.chat)
    return reporter.chat[-1]


def failed(reporter: Resident, wamid: str, code: int) -> dict[str, Any]:
    title = KNOWN_ERRORS.get(code, ("Failed", ""))[0]
    item = wa.status(
        wamid=wamid,
        recipient_id=reporter.number,
        bsuid=reporter.bsuid,
        status="failed",
        timestamp=reporter.run.clock(),
        errors=[(code, title)],
    )
    return wa.envelope(item)


async def events(run: Running) -> list[tuple[str, str | None]]:
    async with run.app.store.unit_of_work() as uow:
        return [(e.action, e.detail) for e in await uow.signals.events(1)]


async def outbox(run: Running) -> dict[str, int]:
    async with run.app.store.unit_of_work() as uow:
        return await uow.outbox.counts()


def templates(reporter: Resident, name: str) -> list[SentWhatsApp]:
    return [m for m in reporter.chat if m.template is not None and m.template[0] == name]


def text_in(run: Running, key: str, language: str, **params: Any) -> str:
    return render(msg(key, **params), run.app.catalogs[language], language)


async def test_inside_the_window_the_checkin_is_three_reply_buttons(
    graph: FakeGraphAPI, run: Running
) -> None:
    reporter = Resident(run, graph, number=NUMBER)
    reference = await file_report(reporter)
    sent = await checkin(run, reporter, inside=True)
    assert sent.type == "interactive"
    assert [id_ for id_, _ in sent.buttons] == [f"k|1|{a}" for a in ANSWERS]
    assert text_in(run, ft.CHECKIN_QUESTION, "tr", reference=Token(reference)) in sent.text
    assert templates(reporter, "signaalpunt_checkin") == []

    [thanks] = await reporter.presses("k|1|yes")
    assert thanks.text == text_in(run, ft.CHECKIN_THANKS, "tr")
    assert ("reporter_answer", "yes") in await events(run)


@pytest.mark.parametrize(
    ("language", "number", "bsuid"),
    [("tr", NUMBER, None), ("ar", NUMBER, None), ("nl", None, "TR.4821907733")],
)
async def test_outside_the_window_the_checkin_is_the_template_in_their_language(
    graph: FakeGraphAPI, run: Running, language: str, number: str | None, bsuid: str | None
) -> None:
    reporter = Resident(run, graph, number=number, bsuid=bsuid)
    reference = await file_report(reporter, language)
    sent = await checkin(run, reporter, inside=False)
    assert sent.template is not None
    name, code, components = sent.template
    assert (name, code) == ("signaalpunt_checkin", language)
    assert components[0] == {"type": "body", "parameters": [{"type": "text", "text": reference}]}
    assert components[1:] == [
        {
            "type": "button",
            "sub_type": "quick_reply",
            "index": index,
            "parameters": [{"type": "payload", "payload": f"k|1|{answer}"}],
        }
        for index, answer in enumerate(ANSWERS)
    ]
    assert [
        m for m in reporter.chat if m.type == "interactive" and "k|1|yes" in dict(m.buttons)
    ] == []


@pytest.mark.parametrize(
    ("answer", "claimed", "flag"),
    [
        ("no", True, ft.REPORTER_SAYS_NO),
        ("worried", False, ft.REPORTER_STILL_WORRIED),
        ("yes", True, None),
    ],
)
@pytest.mark.parametrize("bsuid", [None, "TR.4821907733"], ids=["number", "bsuid"])
async def test_a_template_quick_reply_is_recorded_and_no_or_worried_reaches_staff(
    graph: FakeGraphAPI,
    run: Running,
    answer: str,
    claimed: bool,
    flag: str | None,
    bsuid: str | None,
) -> None:
    reporter = Resident(run, graph, number=NUMBER, bsuid=bsuid)
    reference = await file_report(reporter)
    if claimed:
        await claim(run)
    template = await checkin(run, reporter, inside=False)
    assert template.type == "template"
    before = len(run.staff.messages)
    item = wa.template_button(
        payload=f"k|1|{answer}",
        text=text_in(run, ft.CHECKIN_CHOICES[answer], "tr"),
        context_id=template.wamid,
        wa_id=reporter.number,
        bsuid=reporter.bsuid,
        timestamp=run.clock.advance(hours=3),
    )
    [thanks] = await reporter.sends(item)
    thanked = ft.CHECKIN_THANKS if flag is None else ft.CHECKIN_PASSED_ON
    assert thanks.text == text_in(run, thanked, "tr")
    assert ("reporter_answer", answer) in await events(run)
    told = run.staff.messages[before:]
    if flag is None:
        assert told == []
        return
    [message] = told
    assert message.target == (await staff_of(run.app.store, ANNA) if claimed else "loket")
    assert text_in(run, flag, "nl", reference=Token(reference)) in message.text


async def test_131047_on_send_falls_back_to_the_template_at_once(
    graph: FakeGraphAPI, run: Running
) -> None:
    reporter = Resident(run, graph, number=NUMBER)
    await file_report(reporter)
    run.clock.advance(days=14)
    await reporter.says("/status")  # we think the window is open
    graph.fail_next(131047, recipient=NUMBER)  # ... but Meta thinks otherwise
    refused_before = len([r for r in graph.requests if r.status == 400])
    assert (await run.app.followup.sweep(run.clock.advance(minutes=5)))["reporter_checkin"] == 1
    sent = await delivered(run, reporter)
    refused = [r for r in graph.requests if r.status == 400][refused_before:]
    assert [(r.body or {}).get("type") for r in refused] == ["interactive"]
    assert sent.template is not None
    assert sent.template[0] == "signaalpunt_checkin"
    assert len(templates(reporter, "signaalpunt_checkin")) == 1
    assert (await outbox(run)).get("pending", 0) == 0
    assert "reporter_unreachable" not in [a for a, _ in await events(run)]


@pytest.mark.parametrize(("number", "bsuid"), [(NUMBER, None), (None, "TR.4821907733")])
async def test_131047_in_a_status_webhook_sends_the_template_once(
    graph: FakeGraphAPI, run: Running, number: str | None, bsuid: str | None
) -> None:
    reporter = Resident(run, graph, number=number, bsuid=bsuid)
    await file_report(reporter)
    free_form = await checkin(run, reporter, inside=True)
    assert free_form.type == "interactive"
    for _ in range(2):  # Meta may deliver a webhook twice
        response = await run.post(failed(reporter, free_form.wamid, 131047))
        assert response.status_code == 200
        await run.settle()
        assert len(templates(reporter, "signaalpunt_checkin")) == 1
    assert reporter.chat[-1].template is not None
    assert "reporter_unreachable" not in [a for a, _ in await events(run)]


@pytest.mark.parametrize(
    ("inside", "code"),
    [(False, 131026), (True, 131026), (False, 131047)],
    ids=["template-undeliverable", "free-form-undeliverable", "template-re-engagement"],
)
async def test_a_failed_status_records_the_reporter_unreachable_without_an_alarm(
    graph: FakeGraphAPI, run: Running, inside: bool, code: int
) -> None:
    reporter = Resident(run, graph, number=NUMBER)
    await file_report(reporter)
    await enrol(run, ADA, "admin")
    sent = await checkin(run, reporter, inside=inside)
    count, before = len(reporter.chat), len(run.staff.messages)
    assert (await run.post(failed(reporter, sent.wamid, code))).status_code == 200
    await run.settle()
    assert ("reporter_unreachable", "reporter_checkin") in await events(run)
    assert len(reporter.chat) == count  # no other form is tried
    assert run.staff.messages[before:] == []
    # Unreachable is not "no reaction": five days later nothing more is recorded.
    assert (await run.app.followup.sweep(run.clock.advance(days=5)))["reporter_no_reaction"] == 0
    await run.settle()
    assert await outbox_rows(run.app.store, ADMIN_ALERT) == []


@pytest.mark.parametrize("via", ["send", "status"])
async def test_a_rate_limit_keeps_the_checkin_and_retries_it_later(
    graph: FakeGraphAPI, run: Running, via: str
) -> None:
    reporter = Resident(run, graph, number=NUMBER)
    await file_report(reporter)
    if via == "send":
        graph.fail_next(130429, recipient=NUMBER)
        count = len(reporter.chat)
        assert (await run.app.followup.sweep(run.clock.advance(days=15)))["reporter_checkin"] == 1
        await run.settle()
    else:  # accepted, then reported failed
        sent = await checkin(run, reporter, inside=False)
        count = len(reporter.chat)
        assert (await run.post(failed(reporter, sent.wamid, 130429))).status_code == 200
        await run.settle()
    assert len(reporter.chat) == count
    assert (await outbox(run)).get("pending") == 1
    assert await run.service.worker.drain(run.clock.advance(seconds=10)) == 0  # backing off
    assert len(reporter.chat) == count
    assert await run.service.worker.drain(run.clock.advance(seconds=25)) == 1
    assert len(reporter.chat) == count + 1
    assert reporter.chat[-1].template is not None
    counts = await outbox(run)
    assert "pending" not in counts
    assert "dead" not in counts
    assert "reporter_unreachable" not in [a for a, _ in await events(run)]


@pytest.mark.parametrize("inside", [True, False], ids=["free-form", "template"])
async def test_the_loket_asks_and_the_quoted_answer_reaches_staff(
    graph: FakeGraphAPI, run: Running, inside: bool
) -> None:
    reporter = Resident(run, graph, number=NUMBER)
    reference = await file_report(reporter)
    await claim(run)
    question = "Heeft zij familie dichtbij?"
    now = run.clock.advance(minutes=30 if inside else 60 * 48)
    assert await run.app.actions.ask(reference, question, actor=telegram(ANNA), now=now)
    asked = await delivered(run, reporter)
    if inside:
        assert asked.type == "text"
        assert question in asked.text
        assert reference in asked.text
    else:
        assert asked.template is not None
        name, code, components = asked.template
        assert (name, code) == ("signaalpunt_question", "tr")
        params = [p["text"] for p in components[0]["parameters"]]
        assert params == [reference, question]

    # Not quoting the question: it is a conversation message, not an answer.
    before = len(run.staff.messages)
    run.clock.advance(minutes=5)
    chatted = await reporter.says("Ja, een zoon")
    assert run.staff.messages[before:] == []
    assert text_in(run, ft.QUESTION_ANSWER_SENT, "tr") not in [m.text for m in chatted]
    assert "reporter_reply" not in [a for a, _ in await events(run)]

    [thanks] = await reporter.says("Ja, een zoon in Axel", replying_to=asked.wamid)
    assert thanks.text == text_in(run, ft.QUESTION_ANSWER_SENT, "tr")
    [relayed] = run.staff.messages[before:]
    assert relayed.target == await staff_of(run.app.store, ANNA)
    assert "Ja, een zoon in Axel" in relayed.text
    assert reference in relayed.text
    assert relayed.protect
    assert "reporter_reply" in [a for a, _ in await events(run)]
