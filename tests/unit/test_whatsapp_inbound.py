"""Reading WhatsApp webhooks: every message kind Meta posts, statuses with their error
codes, what is skipped, hostile bodies, the language guessed from a number or user id,
the signature check and the inbox's JSON form of a message."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.whatsapp.inbound import (
    AUDIO,
    REPLY,
    TEXT,
    UNREADABLE,
    Inbound,
    Status,
    parse_webhook,
)
from bot.channels.whatsapp.webhook import signature, signature_ok
from tests.fakes import whatsapp_payloads as wa

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SENT_AT = NOW - timedelta(seconds=4)
PHONE = wa.PHONE_NUMBER_ID
NUMBER = "905321234567"
BSUID = "TR.4821907733"
SECRET = b"test-app-secret-0123456789"
JSON = dict[str, Any]


def parse(
    *items: wa.MessageItem | wa.StatusItem, phone: str = PHONE
) -> tuple[list[Inbound], list[Status]]:
    return parse_webhook(wa.envelope(*items, phone_number_id=phone), PHONE, NOW)


def one(item: wa.MessageItem) -> Inbound:
    messages, statuses = parse(item)
    assert statuses == []
    [message] = messages
    assert message.wamid == item.wamid
    return message


def test_a_text_message() -> None:
    message = one(wa.text_message(text="Merhaba, ğüş", wa_id=NUMBER, timestamp=SENT_AT))
    assert (message.kind, message.text, message.reply_id) == (TEXT, "Merhaba, ğüş", "")
    assert (message.sender, message.number) == (NUMBER, NUMBER)
    assert message.at == SENT_AT.replace(microsecond=0)
    assert message.context_id is None


def test_a_quoting_text_message_carries_what_it_quotes() -> None:
    item = wa.text_message(text="Ja", context_id="wamid.Q", wa_id=NUMBER, timestamp=SENT_AT)
    assert one(item).context_id == "wamid.Q"


QUOTING: Any = {"context_id": "wamid.Q", "wa_id": NUMBER, "timestamp": SENT_AT}


@pytest.mark.parametrize(
    "item",
    [
        wa.button_reply(button_id="r|danger|no", title="Hayır", **QUOTING),
        wa.list_reply(row_id="r|danger|no", title="Hayır", description="d", **QUOTING),
        wa.template_button(payload="r|danger|no", text="Hayır", **QUOTING),
    ],
    ids=["reply-button", "list-row", "template-quick-reply"],
)
def test_buttons_list_rows_and_template_quick_replies_are_replies(item: wa.MessageItem) -> None:
    message = one(item)
    assert (message.kind, message.reply_id, message.text) == (REPLY, "r|danger|no", "Hayır")
    assert message.context_id == "wamid.Q"


@pytest.mark.parametrize("kind", ["image", "sticker", "video", "document", "location", "contacts"])
def test_media_locations_and_contacts_are_unreadable(kind: wa.MediaKind) -> None:
    message = one(wa.media_message(kind=kind, caption="kijk", wa_id=NUMBER, timestamp=SENT_AT))
    assert (message.kind, message.text, message.reply_id) == (UNREADABLE, "", "")


def test_a_voice_note_is_audio_with_its_media_id_and_the_number_it_came_from() -> None:
    item = wa.media_message(kind="audio", wa_id=NUMBER, timestamp=SENT_AT)
    message = one(item)
    assert message.kind == AUDIO
    assert message.media_id == item.message["audio"]["id"]
    assert message.known_phone == f"+{NUMBER}"
    assert Inbound.from_json(message.to_json()) == message
    # Stored before voice notes were read (no media id): still read.
    older = {k: v for k, v in message.to_json().items() if k != "media_id"}
    assert Inbound.from_json(older).media_id == ""


def test_an_audio_message_without_a_media_id_is_unreadable() -> None:
    item = wa.media_message(kind="audio", wa_id=NUMBER, timestamp=SENT_AT)
    del item.message["audio"]["id"]
    assert one(item).kind == UNREADABLE


def test_a_username_user_has_no_known_number() -> None:
    item = wa.text_message(text="Hoi", wa_id=None, bsuid=BSUID, timestamp=SENT_AT)
    assert one(item).known_phone is None


def test_a_reaction_is_unreadable() -> None:
    item = wa.reaction(emoji="👍", reacted_wamid="wamid.Q", wa_id=NUMBER, timestamp=SENT_AT)
    assert one(item).kind == UNREADABLE


def test_a_reply_without_an_id_is_unreadable() -> None:
    item = wa.template_button(payload="", text="Ja", context_id="q", wa_id=NUMBER, timestamp=NOW)
    assert one(item).kind == UNREADABLE


def test_a_username_user_is_known_by_the_business_scoped_id() -> None:
    only_id = one(wa.text_message(text="Hoi", wa_id=None, bsuid=BSUID, timestamp=SENT_AT))
    assert (only_id.sender, only_id.number) == (BSUID, None)
    both = wa.text_message(text="Hoi", wa_id=NUMBER, bsuid=BSUID, timestamp=SENT_AT)
    assert (one(both).sender, one(both).number) == (BSUID, NUMBER)
    # Older payloads name the user id only in value.contacts.
    del both.message["from_user_id"]
    assert (one(both).sender, one(both).number) == (BSUID, NUMBER)


def test_an_unreadable_timestamp_falls_back_to_the_receipt_time() -> None:
    item = wa.text_message(text="Hoi", wa_id=NUMBER, timestamp=SENT_AT)
    item.message["timestamp"] = "yesterday"
    assert one(item).at == NOW


def test_statuses_carry_their_recipient_and_error_codes() -> None:
    errors = [(131047, "Re-engagement message"), (131026, "Message undeliverable")]
    items = [
        wa.status(wamid="wamid.A", recipient_id=NUMBER, status="sent", timestamp=NOW),
        wa.status(wamid="wamid.B", recipient_id=NUMBER, status="delivered", timestamp=NOW),
        wa.status(wamid="wamid.C", recipient_id=None, bsuid=BSUID, status="read", timestamp=NOW),
        wa.status(
            wamid="wamid.D",
            recipient_id=NUMBER,
            bsuid=BSUID,
            status="failed",
            timestamp=NOW,
            errors=errors,
        ),
    ]
    messages, statuses = parse(*items)
    assert messages == []
    assert statuses == [
        Status("wamid.A", "sent", NUMBER),
        Status("wamid.B", "delivered", NUMBER),
        Status("wamid.C", "read", BSUID),
        Status("wamid.D", "failed", BSUID, (131047, 131026)),
    ]


def test_another_phone_number_and_other_fields_are_skipped() -> None:
    item = wa.text_message(text="Hoi", wa_id=NUMBER, timestamp=SENT_AT)
    assert parse(item, phone="999999999999") == ([], [])
    ours = wa.envelope(item)
    theirs = wa.envelope(
        wa.text_message(text="x", wa_id=NUMBER, timestamp=SENT_AT), phone_number_id="1"
    )
    other_field = copy.deepcopy(ours)
    other_field["entry"][0]["changes"][0]["field"] = "account_update"
    body = {"object": "whatsapp_business_account", "entry": [*theirs["entry"], *ours["entry"]]}
    assert [m.wamid for m in parse_webhook(body, PHONE, NOW)[0]] == [item.wamid]
    assert parse_webhook(other_field, PHONE, NOW) == ([], [])


def test_system_messages_are_skipped() -> None:
    system = {
        "from": NUMBER,
        "id": wa.new_wamid(),
        "timestamp": wa.unix(SENT_AT),
        "type": "system",
        "system": {
            "body": "User A changed from 905321234567 to 905329876543",
            "wa_id": "905329876543",
            "type": "user_changed_number",
        },
    }
    item = wa.MessageItem(system, {"profile": {"name": "A"}, "wa_id": NUMBER})
    text = wa.text_message(text="Hoi", wa_id=NUMBER, timestamp=SENT_AT)
    assert [m.wamid for m in parse(item, text)[0]] == [text.wamid]


# -- hostile bodies --------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=25,
)


def fields(*keys: str, values: st.SearchStrategy[Any] = JSON_VALUES) -> st.SearchStrategy[JSON]:
    return st.dictionaries(st.sampled_from(keys), values, max_size=len(keys))


def mostly(wanted: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``wanted`` seven times in eight, else any JSON value."""
    return st.integers(0, 7).flatmap(lambda n: wanted if n else JSON_VALUES)


IDS = mostly(st.text(min_size=1, max_size=20))
KINDS = st.sampled_from(["text", "interactive", "button", "image", "reaction", "system"])
# Timestamps Meta could send (an unreadable one is tested on its own below).
TIMESTAMPS = st.none() | st.integers() | st.from_regex(r"\A[0-9]{1,10}\Z") | st.just("x")
CHOSEN = mostly(fields("id", "title", values=mostly(st.text(max_size=20))))
MESSAGES = st.fixed_dictionaries(
    {"id": IDS, "from": IDS, "type": mostly(KINDS), "timestamp": TIMESTAMPS},
    optional={
        "from_user_id": IDS,
        "text": mostly(fields("body")),
        "interactive": mostly(fields("type", "button_reply", "list_reply", values=CHOSEN)),
        "button": mostly(fields("payload", "text", values=mostly(st.text(max_size=20)))),
        "context": mostly(fields("id", "from")),
    },
)
STATUSES = st.fixed_dictionaries(
    {"id": IDS, "status": mostly(st.sampled_from(["sent", "failed", ""]))},
    optional={
        "recipient_id": IDS,
        "recipient_user_id": IDS,
        "errors": mostly(st.lists(fields("code", "title", values=mostly(st.integers())))),
    },
)
VALUES = st.fixed_dictionaries(
    {"metadata": mostly(st.just({"phone_number_id": PHONE}))},
    optional={
        "contacts": mostly(st.lists(fields("wa_id", "user_id", "profile"), max_size=3)),
        "messages": mostly(st.lists(mostly(MESSAGES), max_size=4)),
        "statuses": mostly(st.lists(mostly(STATUSES), max_size=4)),
    },
)
BODIES = st.builds(
    lambda field, value: {"entry": [{"changes": [{"field": field, "value": value}]}]},
    mostly(st.just("messages")),
    mostly(VALUES),
)


@given(JSON_VALUES)
def test_any_json_value_is_read_without_raising(body: object) -> None:
    messages, statuses = parse_webhook(body, PHONE, NOW)
    assert isinstance(messages, list)
    assert isinstance(statuses, list)


@given(BODIES)
def test_any_webhook_shaped_body_is_read_without_raising(body: JSON) -> None:
    messages, statuses = parse_webhook(json.loads(json.dumps(body)), PHONE, NOW)
    for message in messages:
        assert message.wamid
        assert message.sender
        assert message.kind in (TEXT, REPLY, UNREADABLE)
        assert message.kind != REPLY or message.reply_id
        assert message.at.tzinfo is not None
        assert Inbound.from_json(json.loads(json.dumps(message.to_json()))) == message
    for status in statuses:
        assert status.wamid
        assert status.status
        assert all(isinstance(code, int) for code in status.error_codes)


# -- the language guessed from the number or the user id --------------------------------


@pytest.mark.parametrize(
    ("number", "language"),
    [
        ("905321234567", "tr"),
        ("212612345678", "ar"),
        ("213551234567", "ar"),
        ("201001234567", "ar"),
        ("96171123456", "ar"),
        ("963944567890", "ar"),
        ("9647901234567", "ar"),
        ("48512345678", "pl"),
        ("380501234567", "uk"),
        ("31612345678", "nl"),
        ("447400123456", None),
    ],
)
def test_the_language_hint_follows_the_calling_code(number: str, language: str | None) -> None:
    assert Inbound("w", number, number, NOW, TEXT).language_hint() == language


@pytest.mark.parametrize(
    ("sender", "number", "language"),
    [
        ("TR.123", None, "tr"),
        ("MA.ENT.abc123", None, "ar"),
        ("IQ.9", None, "ar"),
        ("PL.1", None, "pl"),
        ("UA.77", None, "uk"),
        ("NL.5", None, "nl"),
        ("GB.1", None, None),
        ("TR.123", "31612345678", "nl"),  # the number wins
        ("TR.123", "447400123456", "tr"),  # ... when it says something
        ("TR.123", "not-a-number", "tr"),
    ],
)
def test_the_language_hint_follows_the_user_ids_country(
    sender: str, number: str | None, language: str | None
) -> None:
    assert Inbound("w", sender, number, NOW, TEXT).language_hint() == language


def test_a_parsed_message_carries_its_language_hint() -> None:
    assert one(wa.text_message(text="a", wa_id=NUMBER, timestamp=NOW)).language_hint() == "tr"
    item = wa.text_message(text="a", wa_id=None, bsuid="UA.1", timestamp=NOW)
    assert one(item).language_hint() == "uk"


# -- the signature -----------------------------------------------------------------------

BODY = wa.body_bytes(wa.envelope(wa.text_message(text="Merhaba ğ", wa_id=NUMBER, timestamp=NOW)))
GOOD = signature(BODY, SECRET)


def flipped(data: bytes) -> list[bytes]:
    """``data`` with each single bit flipped in turn."""
    return [
        data[:i] + bytes([data[i] ^ (1 << bit)]) + data[i + 1 :]
        for i in range(len(data))
        for bit in range(8)
    ]


def test_a_valid_signature_passes_and_matches_metas() -> None:
    assert wa.sign(BODY, SECRET.decode()) == GOOD
    assert signature_ok(BODY, GOOD, SECRET)


def test_any_bit_flipped_in_the_body_fails() -> None:
    assert not any(signature_ok(body, GOOD, SECRET) for body in flipped(BODY))


def test_any_bit_flipped_in_the_signature_fails() -> None:
    given = [raw.decode("latin-1") for raw in flipped(GOOD.encode())]
    assert not any(signature_ok(BODY, sig, SECRET) for sig in given)


@pytest.mark.parametrize(
    "given",
    [
        "sha256=" + GOOD.removeprefix("sha256=").upper(),
        GOOD.upper(),
        "sha1=" + GOOD.removeprefix("sha256="),
        GOOD.removeprefix("sha256="),
        GOOD + "\n",
        " " + GOOD,
        signature(BODY, b"another secret"),
        "",
        None,
    ],
    ids=[
        "upper-hex",
        "upper",
        "sha1",
        "bare-hex",
        "newline",
        "space",
        "other-secret",
        "empty",
        "missing",
    ],
)
def test_other_forms_of_the_signature_fail(given: str | None) -> None:
    assert not signature_ok(BODY, given, SECRET)


# -- the inbox's form of a message ---------------------------------------------------------


@given(
    st.builds(
        Inbound,
        wamid=st.text(min_size=1),
        sender=st.text(min_size=1),
        number=st.none() | st.text(),
        at=st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-3))])),
        kind=st.sampled_from([TEXT, REPLY, UNREADABLE]),
        text=st.text(),
        reply_id=st.text(),
        context_id=st.none() | st.text(),
    )
)
def test_a_message_survives_the_inbox_as_json(message: Inbound) -> None:
    stored = json.loads(json.dumps(message.to_json()))
    assert Inbound.from_json(stored) == message
    assert Inbound.from_json(stored).at.utcoffset() == message.at.utcoffset()
