"""Reading WhatsApp webhook bodies: the messages reporters sent and the status of ours.

Parsed by hand rather than with pywa's update types: we need a small, stable part of the
payload, must survive any shape (a webhook body is hostile input until proven otherwise),
and pywa 4.5 requires the business-scoped user id that older payloads do not carry.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import phonenumbers

from core.text.languages import language_from_tag

log = logging.getLogger(__name__)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

TEXT = "text"
REPLY = "reply"  # a reply button, a list row or a template quick reply: ``reply_id``
AUDIO = "audio"  # a voice note or an audio file: ``media_id``
UNREADABLE = "unreadable"  # other media, location, contacts, reactions, anything else

# Language guessed from where the number is from (WhatsApp tells no language).
CALLING_CODES: dict[int, str] = {
    31: "nl",
    90: "tr",
    212: "ar",
    213: "ar",
    20: "ar",
    961: "ar",
    963: "ar",
    964: "ar",
    48: "pl",
    380: "uk",
}
COUNTRIES: dict[str, str] = {
    "NL": "nl",
    "TR": "tr",
    "MA": "ar",
    "DZ": "ar",
    "EG": "ar",
    "LB": "ar",
    "SY": "ar",
    "IQ": "ar",
    "PL": "pl",
    "UA": "uk",
}


@dataclass(frozen=True)
class Inbound:
    """One message from a reporter. ``sender`` is how we know them: the business-scoped
    user id when WhatsApp sends one, else their number (``number``)."""

    wamid: str
    sender: str
    number: str | None
    at: datetime
    kind: str
    text: str = ""
    reply_id: str = ""
    context_id: str | None = None
    media_id: str = ""  # an AUDIO message's media, fetched through the Graph API

    @property
    def known_phone(self) -> str | None:
        """The number the reporter writes from (E.164), when WhatsApp tells it."""
        return f"+{self.number}" if self.number and self.number.isdigit() else None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Inbound:
        values = dict(data)
        values["at"] = datetime.fromisoformat(str(values["at"]))
        return cls(**values)

    def language_hint(self) -> str | None:
        """A guess from the number's calling code, or the user id's country prefix."""
        if self.number:
            try:
                parsed = phonenumbers.parse("+" + self.number)
            except phonenumbers.NumberParseException:
                parsed = None
            if parsed is not None and parsed.country_code in CALLING_CODES:
                return CALLING_CODES[parsed.country_code]
        country = self.sender.split(".", 1)[0] if "." in self.sender else ""
        return language_from_tag(COUNTRIES.get(country))


@dataclass(frozen=True)
class Status:
    """What happened to a message we sent (``failed`` carries WhatsApp's error codes)."""

    wamid: str
    status: str
    recipient: str
    error_codes: tuple[int, ...] = ()


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: object) -> str:
    if not isinstance(value, str):
        return ""
    # JSON may escape a lone surrogate (which cannot be encoded to be encrypted or indexed)
    # or a NUL (which PostgreSQL does not store): a message holding one would fail to be
    # kept on every redelivery.
    return _UNSTORABLE.sub("", value)


def _when(value: object, fallback: datetime) -> datetime:
    raw = _str(value)
    if not (raw.isascii() and raw.isdigit()):
        return fallback
    try:
        return datetime.fromtimestamp(int(raw), tz=UTC)
    except (ValueError, OverflowError, OSError):  # beyond the years a datetime can hold
        return fallback


def _content(message: dict[str, Any]) -> tuple[str, str, str]:
    """(kind, text, reply id or media id) of one message."""
    kind = _str(message.get("type"))
    if kind == "text":
        return TEXT, _str(_dict(message.get("text")).get("body")), ""
    if kind == "audio":
        media = _str(_dict(message.get("audio")).get("id"))
        return (AUDIO, "", media) if media else (UNREADABLE, "", "")
    if kind == "interactive":
        interactive = _dict(message.get("interactive"))
        for key in ("button_reply", "list_reply"):
            chosen = _dict(interactive.get(key))
            if chosen:
                return REPLY, _str(chosen.get("title")), _str(chosen.get("id"))
    if kind == "button":  # a template's quick-reply button
        button = _dict(message.get("button"))
        return REPLY, _str(button.get("text")), _str(button.get("payload"))
    return UNREADABLE, "", ""


def _message(message: dict[str, Any], contacts: list[Any], received: datetime) -> Inbound | None:
    wamid = _str(message.get("id"))
    number = _str(message.get("from")) or None
    user_id = _str(message.get("from_user_id"))
    if not user_id:
        for contact in contacts:
            contact = _dict(contact)
            if number is None or _str(contact.get("wa_id")) == number:
                user_id = _str(contact.get("user_id"))
                break
    sender = user_id or number
    if not wamid or not sender or _str(message.get("type")) == "system":
        return None  # nothing we can answer (system notices: number changed, ...)
    if _str(message.get("type")) == "reaction" and not _str(
        _dict(message.get("reaction")).get("emoji")
    ):
        return None  # a reaction taken back: nothing was said
    kind, text, reply_id = _content(message)
    if kind == REPLY and not reply_id:
        kind = UNREADABLE
    context = _str(_dict(message.get("context")).get("id")) or None
    at = _when(message.get("timestamp"), received)
    if kind == AUDIO:
        return Inbound(wamid[:128], sender[:128], number, at, kind, media_id=reply_id[:64])
    return Inbound(wamid[:128], sender[:128], number, at, kind, text, reply_id[:256], context)


def _status(status: dict[str, Any]) -> Status | None:
    wamid, state = _str(status.get("id")), _str(status.get("status"))
    if not wamid or not state:
        return None
    recipient = _str(status.get("recipient_user_id")) or _str(status.get("recipient_id"))
    codes = tuple(
        code
        for code in (_dict(error).get("code") for error in _list(status.get("errors")))
        if isinstance(code, int)
    )
    return Status(wamid, state, recipient, codes)


def parse_webhook(
    body: object, phone_id: str, received: datetime
) -> tuple[list[Inbound], list[Status]]:
    """The messages and statuses for our number in a webhook body; anything else (other
    numbers, other fields, malformed parts) is skipped."""
    messages: list[Inbound] = []
    statuses: list[Status] = []
    for entry in _list(_dict(body).get("entry")):
        for change in _list(_dict(entry).get("changes")):
            change = _dict(change)
            value = _dict(change.get("value"))
            if change.get("field") != "messages":
                continue
            if _str(_dict(value.get("metadata")).get("phone_number_id")) != phone_id:
                log.warning("webhook for another phone number id skipped")
                continue
            contacts = _list(value.get("contacts"))
            for raw in _list(value.get("messages")):
                found = _message(_dict(raw), contacts, received)
                if found is not None:
                    messages.append(found)
            for raw in _list(value.get("statuses")):
                status = _status(_dict(raw))
                if status is not None:
                    statuses.append(status)
    return messages, statuses
