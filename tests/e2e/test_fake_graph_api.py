"""The fake Graph API, driven by pywa's real async client over HTTP, and the webhook builders."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pywa.types.base_update import RawUpdate
from pywa.types.callback import Button, Section, SectionList, SectionRow
from pywa.types.sent_update import SentTemplateStatus
from pywa.types.templates import TemplateLanguage
from pywa_async.client import WhatsApp
from pywa_async.errors import (
    ExpiredAccessToken,
    InvalidParameter,
    RateLimitHit,
    ReEngagementMessage,
    TooManyMessages,
    WhatsAppError,
)
from pywa_async.types.callback import CallbackButton, CallbackSelection
from pywa_async.types.message import Message
from pywa_async.types.message_status import MessageStatus

from bot.channels.whatsapp.client import build_client, build_session
from tests.fakes import whatsapp_payloads as wp
from tests.fakes.graph_api import PAIR_BURST, FakeGraphAPI

pytestmark = pytest.mark.e2e

ANNA = "31612345678"
BSUID = "NL.1234567890"
NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)


@pytest.fixture
async def fake() -> AsyncIterator[FakeGraphAPI]:
    async with FakeGraphAPI() as server:
        server.user_wrote(ANNA, BSUID)  # within 24 hours: free-form messages may go to them
        server.register_template("check_in", "nl", 1, 2)
        yield server


@pytest.fixture
async def wa(fake: FakeGraphAPI) -> AsyncIterator[WhatsApp]:
    session = build_session(fake.url)
    try:
        yield build_client(fake.phone_id, fake.token, fake.api_version, session)
    finally:
        await session.aclose()


def replies(*buttons: tuple[str, str]) -> list[Button]:
    return [Button(title=title, callback_data=data) for title, data in buttons]


def rows(*titles: str) -> SectionList:
    section_rows = [SectionRow(title=t, callback_data=f"row-{i}") for i, t in enumerate(titles)]
    return SectionList(button_title="Kies", sections=[Section(title="", rows=section_rows)])


# --- sending -----------------------------------------------------------------------------------


async def test_text_send_is_recorded_with_the_wamid_pywa_returns(
    fake: FakeGraphAPI, wa: WhatsApp
) -> None:
    sent = await wa.send_message(to=ANNA, text="Hallo! 👋 Wij zijn Signaalpunt.")

    [recorded] = fake.messages_to(ANNA)
    assert recorded.wamid == sent.id
    assert sent.id.startswith("wamid.")
    assert (recorded.type, recorded.text, sent.to) == (
        "text",
        "Hallo! 👋 Wij zijn Signaalpunt.",
        ANNA,
    )
    assert recorded.body["to"] == ANNA
    assert "recipient" not in recorded.body
    assert (await wa.send_message(to=ANNA, text="Nog een")).id != sent.id


async def test_text_limit_counts_characters(fake: FakeGraphAPI, wa: WhatsApp) -> None:
    await wa.send_message(to=ANNA, text="é" * 4096)

    with pytest.raises(WhatsAppError) as refused:
        await wa.send_message(to=ANNA, text="é" * 4097)

    assert refused.value.code == 100
    assert refused.value.status_code == 400
    assert "4096" in (refused.value.details or "")
    assert len(fake.sent) == 1


async def test_reply_buttons_are_recorded(fake: FakeGraphAPI, wa: WhatsApp) -> None:
    buttons = replies(("Ja", "yes"), ("Nee", "no"))
    await wa.send_message(
        to=ANNA, text="Klopt dit?", header="Melding", footer="Loket", buttons=buttons
    )

    [recorded] = fake.sent
    assert (recorded.type, recorded.text) == ("interactive", "Klopt dit?")
    assert recorded.buttons == [("yes", "Ja"), ("no", "Nee")]
    assert recorded.rows == []
    assert recorded.list_button is None
    assert recorded.template is None


@pytest.mark.parametrize(
    ("buttons", "text", "code"),
    [
        (replies(("x" * 21, "a")), "Kies", 131009),
        (replies(*((f"B{i}", f"b{i}") for i in range(4))), "Kies", 131009),
        (replies(("Ja", "a"), ("Ja", "b")), "Kies", 131009),
        (replies(("Ja", "a"), ("Nee", "a")), "Kies", 131009),
        (replies(("Ja", "x" * 257)), "Kies", 131009),
        (replies(("Ja", "a")), "x" * 1025, 100),
        (replies(("Ja", "a")), "", 100),
    ],
    ids=["title-21", "four", "same-title", "same-id", "id-257", "body-1025", "no-body"],
)
async def test_reply_button_limits_are_enforced(
    fake: FakeGraphAPI, wa: WhatsApp, buttons: list[Button], text: str, code: int
) -> None:
    with pytest.raises(WhatsAppError) as refused:
        await wa.send_message(to=ANNA, text=text, buttons=buttons)

    assert refused.value.code == code
    assert isinstance(refused.value, InvalidParameter) == (code == 131009)
    assert fake.sent == []


async def test_list_rows_are_recorded(fake: FakeGraphAPI, wa: WhatsApp) -> None:
    sections = [
        Section(title="Buurt", rows=[SectionRow("Buurthuis", "hood", description="Om de hoek")]),
        Section(title="Stad", rows=[SectionRow("Loket", "desk")]),
    ]
    buttons = SectionList(button_title="Bekijk opties", sections=sections)
    await wa.send_message(to=ANNA, text="Waar wil je heen?", buttons=buttons)

    [recorded] = fake.sent
    assert recorded.text == "Waar wil je heen?"
    assert recorded.list_button == "Bekijk opties"
    assert recorded.rows == [("hood", "Buurthuis", "Om de hoek"), ("desk", "Loket", None)]
    assert recorded.buttons == []


@pytest.mark.parametrize(
    "buttons",
    [
        rows("x" * 25),
        rows(*(f"Rij {i}" for i in range(11))),
        SectionList("x" * 21, [Section("", [SectionRow("A", "a")])]),
        SectionList("Kies", [Section("", [SectionRow("A", "a", description="d" * 73)])]),
        SectionList("Kies", [Section("", [SectionRow("A", "a"), SectionRow("B", "a")])]),
        SectionList(
            "Kies", [Section("", [SectionRow("A", "a")]), Section("S", [SectionRow("B", "b")])]
        ),
        SectionList("Kies", [Section("x" * 25, [SectionRow("A", "a")])]),
        SectionList("Kies", [Section("", [SectionRow("A", "x" * 201)])]),
    ],
    ids=[
        "row-25",
        "rows-11",
        "button-21",
        "desc-73",
        "same-id",
        "untitled",
        "section-25",
        "id-201",
    ],
)
async def test_list_limits_are_enforced(
    fake: FakeGraphAPI, wa: WhatsApp, buttons: SectionList
) -> None:
    with pytest.raises(InvalidParameter) as refused:
        await wa.send_message(to=ANNA, text="Kies maar", buttons=buttons)

    assert refused.value.code == 131009
    assert refused.value.details
    assert fake.sent == []


async def test_a_business_scoped_user_id_is_sent_as_recipient(
    fake: FakeGraphAPI, wa: WhatsApp
) -> None:
    sent = await wa.send_message(to=BSUID, text="Hoi")

    assert (sent.to, sent.input, sent.id) == (BSUID, BSUID, fake.sent[0].wamid)
    [recorded] = fake.messages_to(BSUID)
    assert recorded.body["recipient"] == BSUID
    assert "to" not in recorded.body


async def test_template_send_is_recorded(fake: FakeGraphAPI, wa: WhatsApp) -> None:
    sent = await wa.send_template(
        to=ANNA,
        name="check_in",
        language=TemplateLanguage.DUTCH,
        params=[{"type": "body", "parameters": [{"type": "text", "text": "Anna"}]}],
    )

    [recorded] = fake.sent
    assert sent.id == recorded.wamid
    assert sent.status == SentTemplateStatus.ACCEPTED
    assert (recorded.type, recorded.text) == ("template", "check_in")
    assert recorded.template == (
        "check_in",
        "nl",
        [{"type": "body", "parameters": [{"type": "text", "text": "Anna"}]}],
    )


async def test_read_receipts_are_recorded_apart_from_messages(
    fake: FakeGraphAPI, wa: WhatsApp
) -> None:
    assert (await wa.mark_message_as_read("wamid.IN1")).success
    assert (await wa.indicate_typing("wamid.IN2")).success

    assert fake.read_receipts == ["wamid.IN1", "wamid.IN2"]
    assert fake.sent == []


async def test_requests_pywa_cannot_make_are_refused_like_meta(fake: FakeGraphAPI) -> None:
    url = f"{fake.url}/v{fake.api_version}/{fake.phone_id}/messages"
    headers = {"Authorization": f"Bearer {fake.token}"}
    text = {"type": "text", "text": {"body": "Hoi"}}
    bodies = [
        {"to": ANNA} | text,
        {"messaging_product": "sms", "to": ANNA} | text,
        {"messaging_product": "whatsapp"} | text,
        {"messaging_product": "whatsapp", "to": ANNA, "recipient": BSUID} | text,
        {"messaging_product": "whatsapp", "recipient": "31612345678"} | text,
        {"messaging_product": "whatsapp", "to": ANNA, "type": "template", "template": {}},
    ]
    async with httpx.AsyncClient() as client:
        for body in bodies:
            response = await client.post(url, json=body, headers=headers)
            error = response.json()["error"]
            assert response.status_code == 400, body
            assert error["code"] in (100, 131009)
            assert error["type"] == "OAuthException"
            assert error["error_data"]["messaging_product"] == "whatsapp"
            assert error["fbtrace_id"]
    assert fake.sent == []


# --- failures ----------------------------------------------------------------------------------


async def test_fail_next_re_engagement(fake: FakeGraphAPI, wa: WhatsApp) -> None:
    fake.fail_next(131047, recipient=ANNA)
    await wa.send_message(to=BSUID, text="Niet voor Anna")

    with pytest.raises(ReEngagementMessage) as refused:
        await wa.send_message(to=ANNA, text="Hoe gaat het?")

    assert refused.value.code == 131047
    assert refused.value.status_code == 400
    assert "24 hours" in (refused.value.details or "")
    await wa.send_message(to=ANNA, text="Weer goed")
    assert [m.text for m in fake.sent] == ["Niet voor Anna", "Weer goed"]


async def test_fail_next_rate_limits(fake: FakeGraphAPI, wa: WhatsApp) -> None:
    fake.fail_next(130429, count=2, http_status=429)
    fake.fail_next(131056, details="Too many for this pair")

    for _ in range(2):
        with pytest.raises(RateLimitHit) as limited:
            await wa.send_message(to=ANNA, text="Hoi")
        assert limited.value.status_code == 429
    with pytest.raises(TooManyMessages) as pair:
        await wa.send_message(to=ANNA, text="Hoi")

    assert pair.value.details == "Too many for this pair"
    await wa.send_message(to=ANNA, text="Hoi")
    assert len(fake.sent) == 1


async def test_wrong_token_is_refused_with_code_190(fake: FakeGraphAPI) -> None:
    session = build_session(fake.url)
    try:
        client = build_client(fake.phone_id, "WRONG", fake.api_version, session)
        with pytest.raises(ExpiredAccessToken) as refused:
            await client.send_message(to=ANNA, text="Hoi")
    finally:
        await session.aclose()

    assert (refused.value.code, refused.value.status_code) == (190, 401)
    assert fake.sent == []


@pytest.mark.parametrize(("phone_id", "version"), [("999", "23.0"), ("106540352242922", "99.0")])
async def test_wrong_phone_id_or_version_is_refused(
    fake: FakeGraphAPI, phone_id: str, version: str
) -> None:
    session = build_session(fake.url)
    try:
        client = build_client(phone_id, fake.token, version, session)
        with pytest.raises(WhatsAppError) as refused:
            await client.send_message(to=ANNA, text="Hoi")
    finally:
        await session.aclose()

    assert (refused.value.code, refused.value.status_code) == (100, 400)


@pytest.mark.parametrize("html", [True, False])
async def test_outage_until_recovered(fake: FakeGraphAPI, wa: WhatsApp, html: bool) -> None:
    fake.outage(503, html=html)

    for _ in range(2):
        with pytest.raises(WhatsAppError) as down:
            await wa.send_message(to=ANNA, text="Hoi")
        assert down.value.status_code == 503
    with pytest.raises(WhatsAppError):
        await wa.mark_message_as_read("wamid.IN1")

    assert (down.value.code, down.value.is_transient) == ((503, None) if html else (2, True))
    fake.recover()
    await wa.send_message(to=ANNA, text="Hoi")
    assert len(fake.sent) == 1
    assert [r.status for r in fake.requests] == [503, 503, 503, 200]


# --- waiting -----------------------------------------------------------------------------------


async def test_wait_for_and_next_sent_follow_the_requests(fake: FakeGraphAPI, wa: WhatsApp) -> None:
    async def converse() -> None:
        await wa.send_message(to=ANNA, text="Een")
        await wa.mark_message_as_read("wamid.IN1")
        await wa.send_message(to=ANNA, text="Twee")

    task = asyncio.create_task(converse())
    await fake.wait_for(lambda: fake.read_receipts == ["wamid.IN1"], what="the read receipt")
    assert (await fake.next_sent(ANNA, after=1)).text == "Twee"
    assert (await fake.next_sent(ANNA, after=0)).text == "Een"
    await task


async def test_wait_for_reports_what_it_waited_for(fake: FakeGraphAPI) -> None:
    with pytest.raises(AssertionError, match="timed out waiting for a miracle"):
        await fake.wait_for(lambda: False, what="a miracle", timeout=0.05)


# --- webhook payloads --------------------------------------------------------------------------


def the_value(payload: wp.JSON, display: str = wp.DISPLAY_PHONE_NUMBER) -> wp.JSON:
    assert payload["object"] == "whatsapp_business_account"
    [entry] = payload["entry"]
    [change] = entry["changes"]
    assert entry["id"] == wp.WABA_ID
    assert change["field"] == "messages"
    value: wp.JSON = change["value"]
    assert value["messaging_product"] == "whatsapp"
    assert value["metadata"] == {
        "display_phone_number": display,
        "phone_number_id": wp.PHONE_NUMBER_ID,
    }
    return value


def test_text_message_envelope_has_metas_shape() -> None:
    item = wp.text_message(wa_id=ANNA, text="Ik voel me alleen", timestamp=NOW, name="Anna")
    value = the_value(wp.envelope(item))

    assert value["contacts"] == [{"profile": {"name": "Anna"}, "wa_id": ANNA}]
    [message] = value["messages"]
    assert message == {
        "from": ANNA,
        "id": item.wamid,
        "timestamp": str(int(NOW.timestamp())),
        "type": "text",
        "text": {"body": "Ik voel me alleen"},
    }
    assert item.wamid.startswith("wamid.")
    assert "statuses" not in value


def test_replies_carry_context_and_business_scoped_ids() -> None:
    button = wp.button_reply(
        wa_id=ANNA, bsuid=BSUID, button_id="yes", title="Ja", context_id="wamid.OUT", timestamp=NOW
    )
    row = wp.list_reply(
        wa_id=None, bsuid=BSUID, username="anna.b", row_id="r1", title="Buurthuis",
        description="Om de hoek", context_id="wamid.OUT", timestamp=NOW,
    )  # fmt: skip
    quick = wp.template_button(
        wa_id=ANNA, payload="check-ok", text="Gaat goed", context_id="wamid.T", timestamp=NOW
    )
    business = "3197010203040"
    value = the_value(wp.envelope(button, row, quick, display_phone_number=business), business)

    tapped, chosen, template = value["messages"]
    assert tapped["context"] == {"from": business, "id": "wamid.OUT"}
    assert (tapped["from"], tapped["from_user_id"]) == (ANNA, BSUID)
    assert tapped["interactive"] == {
        "type": "button_reply",
        "button_reply": {"id": "yes", "title": "Ja"},
    }
    assert "from" not in chosen
    assert chosen["from_user_id"] == BSUID
    assert chosen["interactive"]["list_reply"] == {
        "id": "r1",
        "title": "Buurthuis",
        "description": "Om de hoek",
    }
    assert (template["type"], template["button"]) == (
        "button",
        {"payload": "check-ok", "text": "Gaat goed"},
    )
    assert value["contacts"] == [
        {"profile": {"name": "Test"}, "wa_id": ANNA, "user_id": BSUID},
        {"profile": {"name": "Test", "username": "anna.b"}, "user_id": BSUID},
        {"profile": {"name": "Test"}, "wa_id": ANNA},
    ]


@pytest.mark.parametrize(
    ("kind", "keys"),
    [
        ("image", {"caption", "mime_type", "sha256", "id"}),
        ("audio", {"mime_type", "sha256", "id", "voice"}),
        ("sticker", {"mime_type", "sha256", "id", "animated"}),
        ("video", {"caption", "mime_type", "sha256", "id"}),
        ("document", {"caption", "filename", "mime_type", "sha256", "id"}),
        ("location", {"latitude", "longitude", "name", "address"}),
    ],
)
def test_media_messages_have_metas_keys(kind: wp.MediaKind, keys: set[str]) -> None:
    item = wp.media_message(wa_id=ANNA, kind=kind, caption="Kijk", timestamp=NOW)

    assert item.message["type"] == kind
    assert set(item.message[kind]) == keys


def test_contacts_and_reaction_messages() -> None:
    shared = wp.media_message(wa_id=ANNA, kind="contacts", timestamp=NOW).message["contacts"]
    reacted = wp.reaction(wa_id=ANNA, emoji="❤️", reacted_wamid="wamid.OUT", timestamp=NOW)

    assert set(shared[0]) == {"name", "phones"}
    assert shared[0]["phones"][0]["wa_id"]
    assert reacted.message["reaction"] == {"message_id": "wamid.OUT", "emoji": "❤️"}


def test_statuses_have_metas_shape() -> None:
    sent = wp.status(wamid="wamid.OUT", recipient_id=ANNA, status="sent", timestamp=NOW)
    failed = wp.status(
        wamid="wamid.OUT",
        recipient_id=ANNA,
        status="failed",
        timestamp=NOW,
        errors=[(131047, "Re-engagement message")],
    )
    value = the_value(wp.envelope(sent, failed))

    assert "contacts" not in value
    assert "messages" not in value
    first, second = value["statuses"]
    assert first["recipient_id"] == ANNA
    assert first["conversation"]["expiration_timestamp"]
    assert first["pricing"]["category"] == "service"
    [error] = second["errors"]
    assert error["code"] == 131047
    assert error["title"] == error["message"]
    assert "24 hours" in error["error_data"]["details"]
    assert "conversation" not in second


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        wp.text_message(wa_id=ANNA, text="Hoi", timestamp=datetime(2026, 5, 4, 9, 30))


def test_unrealistic_payloads_are_refused() -> None:
    text = wp.text_message(wa_id=ANNA, text="Hoi", timestamp=NOW)
    read = wp.status(wamid="wamid.O", recipient_id=ANNA, status="read", timestamp=NOW)
    with pytest.raises(ValueError, match="separate webhooks"):
        wp.envelope(text, read)
    with pytest.raises(ValueError, match="phone number"):
        wp.text_message(wa_id=None, text="Hoi", timestamp=NOW)


def test_body_bytes_and_sign_match_meta() -> None:
    payload = wp.envelope(wp.text_message(wa_id=ANNA, text="Groetjes, Zoë 😊", timestamp=NOW))
    body = wp.body_bytes(payload)

    assert "Zoë 😊".encode() in body
    assert b": " not in body
    assert json.loads(body) == payload
    expected = hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()
    assert wp.sign(body, "app-secret") == f"sha256={expected}"
    assert not hmac.compare_digest(wp.sign(body, "other"), wp.sign(body, "app-secret"))


def raw(*items: wp.MessageItem | wp.StatusItem) -> RawUpdate:
    body = wp.body_bytes(wp.envelope(*items))
    return RawUpdate(body, hmac_header=wp.sign(body, "app-secret"), update_hash="test")


async def test_pywa_parses_the_business_scoped_payloads(wa: WhatsApp) -> None:
    text = wp.text_message(wa_id=ANNA, bsuid=BSUID, text="Hoi", timestamp=NOW, name="Anna")
    tapped = wp.button_reply(
        wa_id=None, bsuid=BSUID, button_id="yes", title="Ja", context_id="wamid.O", timestamp=NOW
    )
    chosen = wp.list_reply(
        wa_id=ANNA, bsuid=BSUID, row_id="r1", title="Loket", context_id="wamid.O", timestamp=NOW
    )
    delivered = wp.status(
        wamid="wamid.O", recipient_id=ANNA, bsuid=BSUID, status="delivered", timestamp=NOW
    )

    message = Message.from_update(wa, raw(text))
    assert (message.text, message.from_user.wa_id, message.from_user.bsuid) == ("Hoi", ANNA, BSUID)
    assert message.timestamp == NOW
    assert message.from_user.name == "Anna"
    button = CallbackButton.from_update(wa, raw(tapped))
    assert (button.data, button.from_user.wa_id, button.from_user.bsuid) == ("yes", None, BSUID)
    assert button.reply_to_message is not None
    assert button.reply_to_message.id == "wamid.O"
    assert CallbackSelection.from_update(wa, raw(chosen)).data == "r1"
    failed = wp.status(
        wamid="wamid.O",
        recipient_id=None,
        bsuid=BSUID,
        status="failed",
        timestamp=NOW,
        errors=[(131026, "Message undeliverable")],
    )
    error = MessageStatus.from_update(wa, raw(failed)).error
    assert error is not None
    assert (error.code, error.details) == (131026, "Message Undeliverable.")
    status = MessageStatus.from_update(wa, raw(delivered))
    assert (status.id, status.from_user.bsuid, status.status.value) == (
        "wamid.O",
        BSUID,
        "delivered",
    )


# --- what Meta refuses (Cloud API error codes) ------------------------------------------------


async def test_free_form_messages_only_within_24_hours_of_the_users_message(
    fake: FakeGraphAPI, wa: WhatsApp
) -> None:
    moment = [NOW]
    fake.clock = lambda: moment[0]
    stranger = "31687654321"
    with pytest.raises(WhatsAppError) as never_wrote:
        await wa.send_message(stranger, "Hallo")
    assert never_wrote.value.code == 131047
    fake.user_wrote(stranger, at=NOW)
    moment[0] = NOW + timedelta(hours=23, minutes=59)
    await wa.send_message(stranger, "Nog binnen het venster")
    moment[0] = NOW + timedelta(hours=24)
    with pytest.raises(WhatsAppError) as closed:
        await wa.send_message(stranger, "Te laat")
    assert closed.value.code == 131047
    await wa.send_template(
        to=stranger,
        name="check_in",
        language=TemplateLanguage.DUTCH,
        params=[{"type": "body", "parameters": [{"type": "text", "text": "SP-2026-0001"}]}],
    )  # a registered template goes any time


@pytest.mark.parametrize(
    ("name", "language", "parameters", "code"),
    [
        ("check_in", TemplateLanguage.ARABIC, 1, 132001),  # not registered in Arabic
        ("checkin", TemplateLanguage.DUTCH, 1, 132001),  # no template of that name
        ("check_in", TemplateLanguage.DUTCH, 0, 132000),
        ("check_in", TemplateLanguage.DUTCH, 2, 132000),
    ],
)
async def test_a_template_must_be_registered_with_its_parameters(
    fake: FakeGraphAPI,
    wa: WhatsApp,
    name: str,
    language: TemplateLanguage,
    parameters: int,
    code: int,
) -> None:
    body = [{"type": "text", "text": f"waarde {n}"} for n in range(parameters)]
    with pytest.raises(WhatsAppError) as refused:
        await wa.send_template(
            to=ANNA, name=name, language=language, params=[{"type": "body", "parameters": body}]
        )
    assert refused.value.code == code
    assert fake.sent == []


async def test_one_user_gets_a_burst_then_about_one_message_every_6_seconds(
    fake: FakeGraphAPI, wa: WhatsApp
) -> None:
    for number in range(PAIR_BURST):
        await wa.send_message(ANNA, f"bericht {number}")
    with pytest.raises(WhatsAppError) as paced:
        await wa.send_message(ANNA, "een te veel")
    assert paced.value.code == 131056
    await wa.send_message(BSUID, "een ander mag nog")


# --- media: a voice note's file ----------------------------------------------------------


async def test_media_is_looked_up_and_downloaded_with_the_token_while_the_url_lasts(
    fake: FakeGraphAPI,
) -> None:
    clock = [NOW]
    fake.clock = lambda: clock[0]
    media_id = fake.user_media(b"OggS voice")
    bearer = {"Authorization": f"Bearer {fake.token}"}
    async with httpx.AsyncClient(base_url=fake.url) as client:
        looked_up = await client.get(f"/v{fake.api_version}/{media_id}", headers=bearer)
        assert looked_up.status_code == 200
        described = looked_up.json()
        assert described["sha256"] == hashlib.sha256(b"OggS voice").hexdigest()
        assert (described["file_size"], described["id"]) == (10, media_id)
        url = httpx.URL(described["url"])
        assert url.host == "lookaside.fbsbx.com"
        path = f"{url.path}?{url.query.decode()}"
        assert (await client.get(path)).status_code == 401  # the token is needed here too
        got = await client.get(path, headers=bearer)
        assert (got.status_code, got.content) == (200, b"OggS voice")
        clock[0] = NOW + timedelta(minutes=6)
        assert (await client.get(path, headers=bearer)).status_code == 404  # expired
        unknown = await client.get(f"/v{fake.api_version}/1234", headers=bearer)
        assert unknown.status_code == 400
        assert unknown.json()["error"]["code"] == 100
        no_token = await client.get(f"/v{fake.api_version}/{media_id}")
        assert no_token.status_code == 401
    assert fake.downloads == [media_id]
