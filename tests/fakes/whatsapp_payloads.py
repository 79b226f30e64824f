"""Webhook bodies as the WhatsApp Cloud API posts them (field "messages"), shaped like Meta's
documented examples, for tests that drive the bot's webhook endpoint::

    body = body_bytes(envelope(text_message(wa_id="31612345678", text="Hoi", timestamp=now)))
    headers = {"X-Hub-Signature-256": sign(body, APP_SECRET), "Content-Type": "application/json"}

Users who adopted a username have no phone number in webhooks: pass ``wa_id=None`` and a
business-scoped user id (``bsuid="NL.1234567890"``). Timestamps must be timezone-aware.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Required, TypedDict, Unpack

from tests.fakes.graph_api import KNOWN_ERRORS

JSON = dict[str, Any]
WABA_ID = "102290129340398"
PHONE_NUMBER_ID = "106540352242922"
DISPLAY_PHONE_NUMBER = "15550783881"
ERROR_CODES_URL = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"
MediaKind = Literal["image", "audio", "sticker", "video", "document", "location", "contacts"]
StatusKind = Literal["sent", "delivered", "read", "failed"]


class Sender(TypedDict, total=False):
    """Who sent a message and when; shared by all message builders."""

    wa_id: Required[str | None]  # the phone number, None for a username-only user
    timestamp: Required[datetime]
    name: str  # profile name, "Test" by default
    username: str | None
    bsuid: str | None  # business-scoped user id, e.g. "NL.1234567890"
    wamid: str | None  # the message's own id, generated when missing


@dataclass(frozen=True)
class MessageItem:
    """One entry of ``value.messages`` with its sender's entry of ``value.contacts``."""

    message: JSON
    contact: JSON

    @property
    def wamid(self) -> str:
        return str(self.message["id"])


@dataclass(frozen=True)
class StatusItem:
    """One entry of ``value.statuses`` (and, for business-scoped user ids, its contact)."""

    status: JSON
    contact: JSON | None = None


def new_wamid() -> str:
    return "wamid." + base64.b64encode(b"\x15\x02\x00\x12" + secrets.token_bytes(18)).decode()


def unix(timestamp: datetime) -> str:
    """Meta's timestamps: unix seconds as a string."""
    if timestamp.tzinfo is None:
        raise ValueError("webhook timestamps must be timezone-aware datetimes")
    return str(int(timestamp.timestamp()))


def _message(kind: str, content: object, context_id: str | None, sender: Sender) -> MessageItem:
    wa_id, bsuid, username = sender["wa_id"], sender.get("bsuid"), sender.get("username")
    if wa_id is None and bsuid is None:
        raise ValueError("a sender needs a phone number (wa_id), a bsuid or both")
    profile: JSON = {"name": sender.get("name", "Test")}
    if username:
        profile["username"] = username
    contact: JSON = {"profile": profile}
    message: JSON = {}
    if context_id is not None:
        message["context"] = {"from": DISPLAY_PHONE_NUMBER, "id": context_id}
    if wa_id is not None:
        contact["wa_id"] = message["from"] = wa_id
    if bsuid is not None:
        contact["user_id"] = message["from_user_id"] = bsuid
    message |= {
        "id": sender.get("wamid") or new_wamid(),
        "timestamp": unix(sender["timestamp"]),
        "type": kind,
        kind: content,
    }
    return MessageItem(message, contact)


def text_message(
    *, text: str, context_id: str | None = None, **sender: Unpack[Sender]
) -> MessageItem:
    return _message("text", {"body": text}, context_id, sender)


def button_reply(
    *, button_id: str, title: str, context_id: str, **sender: Unpack[Sender]
) -> MessageItem:
    """A tap on a reply button of an interactive message (``context_id``: that message)."""
    reply = {"type": "button_reply", "button_reply": {"id": button_id, "title": title}}
    return _message("interactive", reply, context_id, sender)


def list_reply(
    *,
    row_id: str,
    title: str,
    context_id: str,
    description: str | None = None,
    **sender: Unpack[Sender],
) -> MessageItem:
    """A row chosen from an interactive list message (``context_id``: that message)."""
    row = {"id": row_id, "title": title} | ({"description": description} if description else {})
    return _message("interactive", {"type": "list_reply", "list_reply": row}, context_id, sender)


def template_button(
    *, payload: str, text: str, context_id: str, **sender: Unpack[Sender]
) -> MessageItem:
    """A tap on a quick-reply button of a template message (``context_id``: the template)."""
    return _message("button", {"payload": payload, "text": text}, context_id, sender)


def _media_id() -> str:
    return str(10**15 + secrets.randbelow(9 * 10**15))


def _sha256() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def media_message(
    *,
    kind: MediaKind,
    caption: str | None = None,
    context_id: str | None = None,
    media_id: str | None = None,
    **sender: Unpack[Sender],
) -> MessageItem:
    """Anything but text: a photo, voice note, sticker, video, document, location or contact.
    ``media_id``: the file as the fake Graph API keeps it (``FakeGraphAPI.user_media``)."""
    content: object
    file: JSON = {"sha256": _sha256(), "id": media_id or _media_id()}
    captioned = {"caption": caption} if caption else {}
    if kind == "image":
        content = captioned | {"mime_type": "image/jpeg"} | file
    elif kind == "video":
        content = captioned | {"mime_type": "video/mp4"} | file
    elif kind == "document":
        content = captioned | {"filename": "brief.pdf", "mime_type": "application/pdf"} | file
    elif kind == "audio":  # a voice note recorded in WhatsApp
        content = {"mime_type": "audio/ogg; codecs=opus"} | file | {"voice": True}
    elif kind == "sticker":
        content = {"mime_type": "image/webp"} | file | {"animated": False}
    elif kind == "location":
        content = {"latitude": 52.3676, "longitude": 4.9041, "name": "Dam", "address": "Amsterdam"}
    else:
        name = {"formatted_name": "Jan Jansen", "first_name": "Jan", "last_name": "Jansen"}
        phones = [{"phone": "+31 6 12345678", "wa_id": "31612345678", "type": "CELL"}]
        content = [{"name": name, "phones": phones}]
    return _message(kind, content, context_id, sender)


def reaction(*, emoji: str, reacted_wamid: str, **sender: Unpack[Sender]) -> MessageItem:
    """An emoji reaction to ``reacted_wamid``; an empty ``emoji`` removes the reaction."""
    return _message("reaction", {"message_id": reacted_wamid, "emoji": emoji}, None, sender)


def status(
    *,
    wamid: str,
    recipient_id: str | None,
    status: StatusKind,
    timestamp: datetime,
    errors: Sequence[tuple[int, str]] = (),
    bsuid: str | None = None,
) -> StatusItem:
    """A status of a message the bot sent; ``errors`` are (code, title) for "failed"."""
    item: JSON = {"id": wamid, "status": status, "timestamp": unix(timestamp)}
    if recipient_id is not None:
        item["recipient_id"] = recipient_id
    if bsuid is not None:
        item["recipient_user_id"] = bsuid
    if status in ("sent", "delivered"):
        conversation: JSON = {"id": secrets.token_hex(16), "origin": {"type": "service"}}
        if status == "sent":
            expires = timestamp + timedelta(hours=24)
            conversation = conversation | {"expiration_timestamp": unix(expires)}
        pricing = {"billable": False, "pricing_model": "PMP", "category": "service"}
        item |= {
            "conversation": conversation,
            "pricing": pricing | {"type": "free_customer_service"},
        }
    if errors:
        item["errors"] = [
            {
                "code": code,
                "title": title,
                "message": title,
                "error_data": {"details": KNOWN_ERRORS.get(code, ("", title))[1]},
                "href": ERROR_CODES_URL,
            }
            for code, title in errors
        ]
    # Since business-scoped user ids, statuses come with the recipient in value.contacts too
    # (pywa 4.5 reads it there); without a bsuid this is the older shape without contacts.
    contact: JSON | None = None
    if bsuid is not None:
        contact = ({"wa_id": recipient_id} if recipient_id else {}) | {"user_id": bsuid}
    return StatusItem(item, contact)


def envelope(
    *items: MessageItem | StatusItem,
    phone_number_id: str = PHONE_NUMBER_ID,
    display_phone_number: str = DISPLAY_PHONE_NUMBER,
    waba_id: str = WABA_ID,
) -> JSON:
    """One webhook body holding ``items`` (messages or statuses) in a single change."""
    value: JSON = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": display_phone_number,
            "phone_number_id": phone_number_id,
        },
    }
    contacts: list[JSON] = []
    messages: list[JSON] = []
    statuses: list[JSON] = []
    for item in items:
        contact = item.contact
        if isinstance(item, MessageItem):
            message = dict(item.message)
            if "context" in message:  # replies quote the business number the bot uses
                message["context"] = message["context"] | {"from": display_phone_number}
            messages.append(message)
        else:
            statuses.append(item.status)
        if contact is not None and contact not in contacts:
            contacts.append(contact)
    if messages and statuses:
        raise ValueError("Meta posts messages and statuses in separate webhooks")
    for key, entries in (("contacts", contacts), ("messages", messages), ("statuses", statuses)):
        if entries:
            value[key] = entries
    change = {"value": value, "field": "messages"}
    return {"object": "whatsapp_business_account", "entry": [{"id": waba_id, "changes": [change]}]}


def body_bytes(payload: JSON) -> bytes:
    """The body as Meta sends it: compact JSON, UTF-8, non-ASCII characters unescaped."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` header Meta sends with ``body``."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
