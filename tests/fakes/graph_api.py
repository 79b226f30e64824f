"""A fake WhatsApp Cloud API (Meta Graph API) server that pywa's real client talks to over HTTP.

``POST /v{version}/{phone_id}/messages`` (sends and read receipts), and the media users sent:
``GET /v{version}/{media_id}`` (its URL, type, SHA-256 and size) and the file at that URL.
Validation follows Meta's documented limits (text length, reply buttons, list messages,
templates) and answers with Meta's error JSON, so a message the real API would refuse fails
the tests too. Tests read what
the bot sent (``sent``, ``next_sent``) and break the API on purpose (``fail_next``, ``outage``).

What Meta enforces, with its error codes (Cloud API error codes documentation), on by default:

- free-form messages only within 24 hours of the user's last message (``user_wrote``, told by
  the test as the user writes): else 131047 "Re-engagement message";
- a template only when registered (``register_template``) under that name in that language
  (else 132001), with exactly its number of parameters (else 132000);
- per user, about one message every 6 seconds, bursts allowed (``PAIR_BURST``): else 131056;
- media (``user_media``): the lookup and the download both need the access token ("Bearer"),
  an unknown media id is error 100, and a media URL is valid for 5 minutes (then 404: look the
  media up again for a new one).

The 24 hours are counted on ``clock`` (the test's clock, the one the bot runs on).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.http_server import (
    FakeHttpServer,
    HttpRequest,
    encode_response,
    json_response,
)

JSON = dict[str, Any]
MEDIA_TYPES = frozenset({"image", "audio", "video", "document", "sticker"})
OTHER_TYPES = {"text", "interactive", "template", "location", "contacts", "reaction"}
MESSAGE_TYPES = MEDIA_TYPES | OTHER_TYPES
_BSUID = re.compile(r"[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}")
_PHONE_CHARS = re.compile(r"[+\-\s()]")
# Meta's message and error_data.details for the codes tests inject most often.
KNOWN_ERRORS: dict[int, tuple[str, str]] = {
    131047: ("Re-engagement message", "More than 24 hours have passed since the customer replied."),
    132000: (
        "Number of parameters does not match the expected number of params",
        "Number of parameters does not match the expected number of params.",
    ),
    132001: ("Template does not exist", "Template name does not exist in the translation."),
    130429: ("Rate limit hit", "Cloud API message throughput has been reached."),
    131056: ("(Business Account, Consumer Account) pair rate limit hit", "Too many messages."),
    131026: ("Message undeliverable", "Message Undeliverable."),
    131048: ("Spam rate limit hit", "Message failed to send because of spam restrictions."),
    131000: ("Something went wrong", "Message failed to send due to an unknown error."),
}
WINDOW = timedelta(hours=24)
MEDIA_URL_LIFETIME = timedelta(minutes=5)
MEDIA_HOST = "https://lookaside.fbsbx.com"
MEDIA_PATH = "/whatsapp_business/attachments/"
# The pair rate: one message every 6 seconds to one user, after a burst of up to this many.
PAIR_BURST, PAIR_INTERVAL = 45, 6.0
OUTAGE_PAGE = b"<!DOCTYPE html><html><head><title>Error</title></head><body>Sorry.</body></html>"


class GraphError(Exception):
    def __init__(self, status: int, payload: JSON | bytes) -> None:
        super().__init__(status)
        self.status, self.payload = status, payload


def meta_error(code: int, message: str = "", details: str | None = None, **more: object) -> JSON:
    """Meta's error body: ``{"error": {"message", "type", "code", "error_data", "fbtrace_id"}}``."""
    known_message, known_details = KNOWN_ERRORS.get(code, ("Unknown error", ""))
    error: JSON = {"message": message or f"(#{code}) {known_message}", "type": "OAuthException"}
    details = known_details if details is None else details
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return {"error": error | {"code": code} | more | {"fbtrace_id": secrets.token_urlsafe(16)}}


def _param(text: str) -> GraphError:
    return GraphError(400, meta_error(100, f"(#100) {text}", text))


def _invalid(details: str) -> GraphError:
    return GraphError(400, meta_error(131009, "(#131009) Parameter value is not valid", details))


def _string(value: object, where: str, high: int) -> None:
    if value is None or value == "":
        raise _param(f"The parameter {where} is required.")
    if not isinstance(value, str):
        raise _param(f"Param {where} must be a string.")
    if len(value) > high:
        raise _param(f"Param {where} must be at most {high} characters long.")


def _limited(value: object, label: str, high: int) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= high:
        raise _invalid(f"{label} length invalid. Min length: 1, Max length: {high}")
    return value


def _unique(values: list[str], label: str) -> None:
    if len(set(values)) != len(values):
        raise _invalid(f"{label} must be unique within the message")


def _check_interactive(msg: JSON) -> None:
    kind, action = msg.get("type"), msg.get("action")
    if not isinstance(action, dict):
        raise _param("The parameter interactive['action'] is required.")
    header, footer = msg.get("header"), msg.get("footer")
    if isinstance(header, dict) and header.get("type") == "text":
        _string(header.get("text"), "interactive['header']['text']", 60)
    if footer is not None:
        _string(footer.get("text") if isinstance(footer, dict) else None, "footer['text']", 60)
    body = msg.get("body")
    text = body.get("text") if isinstance(body, dict) else None
    if kind in ("button", "list"):
        _string(text, "interactive['body']['text']", 1024)
    if kind == "button":
        buttons = action.get("buttons")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
            raise _invalid("Invalid buttons count. Min allowed buttons: 1, Max allowed buttons: 3")
        replies = [b.get("reply") if isinstance(b, dict) else None for b in buttons]
        if not all(isinstance(b, dict) and b.get("type") == "reply" for b in buttons):
            raise _param("Param interactive['action']['buttons'][]['type'] must be reply.")
        titles = [_limited((r or {}).get("title"), "Button title", 20) for r in replies]
        ids = [_limited((r or {}).get("id"), "Button id", 256) for r in replies]
        _unique(titles, "Button titles")
        _unique(ids, "Button ids")
    elif kind == "list":
        _limited(action.get("button"), "Button text", 20)
        sections = action.get("sections")
        if not isinstance(sections, list) or not 1 <= len(sections) <= 10:
            raise _invalid("Invalid sections count. Min allowed sections: 1, Max: 10")
        rows: list[JSON] = []
        for section in sections:
            title = section.get("title") if isinstance(section, dict) else None
            if title or len(sections) > 1:
                _limited(title, "Section title", 24)
            section_rows = section.get("rows") if isinstance(section, dict) else None
            if not isinstance(section_rows, list) or not section_rows:
                raise _invalid("Each section must have at least one row")
            rows += [row if isinstance(row, dict) else {} for row in section_rows]
        if len(rows) > 10:
            raise _invalid(f"Total row count exceed max allowed count: 10 (got {len(rows)})")
        for row in rows:
            _limited(row.get("title"), "Row title", 24)
            if row.get("description") is not None:
                _limited(row["description"], "Row description", 72)
        _unique([_limited(row.get("id"), "Row id", 200) for row in rows], "Row ids")
    elif not isinstance(kind, str) or not kind:
        raise _param("The parameter interactive['type'] is required.")


def _check_message(body: JSON) -> tuple[str, str]:
    """(recipient, type) of a valid send request; raises Meta's error otherwise."""
    product = body.get("messaging_product")
    if product is None:
        raise _param("The parameter messaging_product is required.")
    if product != "whatsapp":
        raise _param(f'Param messaging_product must be one of {{WHATSAPP}} - got "{product}".')
    to, recipient = body.get("to"), body.get("recipient")
    if (to is None) == (recipient is None):
        raise _param("Exactly one of the parameters to or recipient is required.")
    if recipient is not None and not (isinstance(recipient, str) and _BSUID.fullmatch(recipient)):
        raise _invalid(f"Invalid recipient: {recipient!r} is not a business-scoped user ID")
    if to is not None and not (isinstance(to, str) and _PHONE_CHARS.sub("", to).isdigit()):
        raise _invalid(f"Invalid to: {to!r} is not a WhatsApp ID or phone number")
    kind = body.get("type", "text")
    if kind not in MESSAGE_TYPES:
        raise _param(f"Param type must be one of {{{', '.join(sorted(MESSAGE_TYPES))}}}.")
    content = body.get(kind)
    if not isinstance(content, dict):
        raise _param(f"The parameter {kind} is required.")
    if kind == "text":
        _string(content.get("body"), "text['body']", 4096)
    elif kind == "interactive":
        _check_interactive(content)
    elif kind == "template":
        _string(content.get("name"), "template['name']", 512)
        language = content.get("language")
        _string(language.get("code") if isinstance(language, dict) else None, "language", 15)
        if not isinstance(content.get("components", []), list):
            raise _param("Param template['components'] must be an array.")
    elif kind in MEDIA_TYPES and not (content.get("id") or content.get("link")):
        raise _param(f"The parameter {kind}['id'] or {kind}['link'] is required.")
    return str(to if to is not None else recipient), str(kind)


@dataclass(frozen=True)
class SentWhatsApp:
    """A message the fake accepted; ``body`` is the JSON the client posted."""

    wamid: str
    recipient: str  # ``to`` or, for a business-scoped user ID, ``recipient``
    type: str
    body: JSON

    @property
    def _content(self) -> JSON:
        content = self.body.get(self.type)
        return content if isinstance(content, dict) else {}

    @property
    def text(self) -> str:
        """The text body, the interactive body text, the template name or a media caption."""
        key = {"text": "body", "template": "name"}.get(self.type, "caption")
        if self.type == "interactive":
            return str(self._content.get("body", {}).get("text", ""))
        return str(self._content.get(key, ""))

    @property
    def _action(self) -> JSON:
        return self._content.get("action", {}) if self.type == "interactive" else {}

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(id, title) of the reply buttons."""
        return [(b["reply"]["id"], b["reply"]["title"]) for b in self._action.get("buttons", [])]

    @property
    def rows(self) -> list[tuple[str, str, str | None]]:
        """(id, title, description) of the list rows, all sections in order."""
        sections = self._action.get("sections", [])
        return [(r["id"], r["title"], r.get("description")) for s in sections for r in s["rows"]]

    @property
    def list_button(self) -> str | None:
        return self._action.get("button")

    @property
    def template(self) -> tuple[str, str, list[JSON]] | None:
        """(name, language code, components) of a template message."""
        if self.type != "template":
            return None
        content = self._content
        return content["name"], content["language"]["code"], list(content.get("components", []))

    @property
    def reply_to(self) -> str | None:
        """The wamid this message quotes (``context.message_id``)."""
        context = self.body.get("context")
        return context.get("message_id") if isinstance(context, dict) else None


@dataclass
class UserMedia:
    """A file a user sent, kept by Meta: its bytes, type, and the URLs handed out for it
    (hash -> when)."""

    media_id: str
    data: bytes
    mime_type: str
    urls: dict[str, datetime] = field(default_factory=dict)


@dataclass
class GraphRequest:
    method: str
    path: str
    body: JSON | None = None
    status: int = 0  # the HTTP status answered


@dataclass
class _Fault:
    error: JSON
    http_status: int
    remaining: int
    recipient: str | None


class FakeGraphAPI(FakeHttpServer):
    """``async with FakeGraphAPI() as fake: build_client(..., build_session(fake.url))``."""

    def __init__(
        self,
        *,
        phone_id: str = "106540352242922",
        token: str = "TEST-WA-TOKEN",
        api_version: str = "23.0",
        clock: Callable[[], datetime] | None = None,
        enforce_limits: bool = True,
        pair_rate: tuple[int, float] = (PAIR_BURST, PAIR_INTERVAL),
    ) -> None:
        super().__init__()
        self.phone_id, self.token, self.api_version = phone_id, token, api_version
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.enforce_limits = enforce_limits
        self.last_inbound: dict[str, datetime] = {}  # user (number or user id) -> last wrote
        # (name, language) -> the number of body parameters and of quick-reply buttons.
        self.templates: dict[tuple[str, str], tuple[int, int]] = {}
        self._pairs: dict[str, tuple[float, float]] = {}  # user -> (tokens, at)
        self._pair_burst, self._pair_interval = pair_rate
        self.sent: list[SentWhatsApp] = []
        self.read_receipts: list[str] = []  # wamids, typing indicators included
        self.requests: list[GraphRequest] = []
        self._faults: list[_Fault] = []
        self._outage: tuple[int, bool] | None = None  # (HTTP status, HTML page or JSON)
        self._serial = itertools.count(1)
        self.media: dict[str, UserMedia] = {}
        self.downloads: list[str] = []  # media ids downloaded

    name = "Graph API"

    async def respond(self, request: HttpRequest) -> bytes:
        record = GraphRequest(request.method, request.path)
        self.requests.append(record)
        payload: JSON | bytes
        try:
            if request.path == MEDIA_PATH and self._outage is None:
                status, file = self._download(request)
                record.status = status
                self._notify()
                if status == 200:
                    return encode_response(200, file, content_type="application/octet-stream")
                return json_response(status, meta_error(190 if status == 401 else 100))
            status, payload = 200, self._handle(request, record)
        except GraphError as error:
            status, payload = error.status, error.payload
        except Exception as error:
            self.crashes.append(error)
            status, payload = 500, meta_error(1, f"the fake crashed: {error!r}")
        record.status = status
        self._notify()
        if isinstance(payload, bytes):
            return encode_response(status, payload, content_type="text/html; charset=utf-8")
        return json_response(status, payload)

    def _handle(self, request: HttpRequest, record: GraphRequest) -> JSON:
        if self._outage is not None:
            status, html = self._outage
            transient = meta_error(2, "Service temporarily unavailable", is_transient=True)
            raise GraphError(status, OUTAGE_PAGE if html else transient)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            invalid = "Invalid OAuth access token - Cannot parse access token"
            raise GraphError(401, meta_error(190, invalid))
        version, _, rest = request.path.removeprefix("/").partition("/")
        if version != f"v{self.api_version}":
            raise _param(f"Unknown or unsupported API version {version!r}")
        if request.method == "GET" and rest in self.media:
            return self._describe(self.media[rest])
        if request.method != "POST" or rest != f"{self.phone_id}/messages":
            unsupported = f"Unsupported {request.method.lower()} request. Object with ID"
            unsupported += f" '{rest.partition('/')[0]}' does not exist or does not support this"
            raise GraphError(400, meta_error(100, unsupported, type="GraphMethodException"))
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise _param("Invalid JSON in the request body.") from None
        if not isinstance(body, dict):
            raise _param("The request body must be a JSON object.")
        record.body = body
        if body.get("status") == "read":  # a read receipt, perhaps with a typing indicator
            _string(body.get("message_id"), "message_id", 512)
            self.read_receipts.append(body["message_id"])
            return {"success": True}
        recipient, kind = _check_message(body)
        if (fault := self._take_fault(recipient)) is not None:
            raise GraphError(fault.http_status, fault.error)
        if self.enforce_limits:
            self._check_rules(recipient, kind, body)
        serial = next(self._serial).to_bytes(4, "big")
        wamid = "wamid." + base64.b64encode(serial + secrets.token_bytes(15)).decode()
        self.sent.append(SentWhatsApp(wamid, recipient, kind, body))
        # Meta answers with the normalised number, or echoes a business-scoped user id.
        by_user_id = "recipient" in body
        user = {"user_id": recipient} if by_user_id else {"wa_id": _PHONE_CHARS.sub("", recipient)}
        contact = {"input": recipient} | user
        sent: JSON = {"id": wamid} | ({"message_status": "accepted"} if kind == "template" else {})
        return {"messaging_product": "whatsapp", "contacts": [contact], "messages": [sent]}

    def _check_rules(self, recipient: str, kind: str, body: JSON) -> None:
        if kind == "template":
            self._check_template(body["template"])
        else:
            wrote = self.last_inbound.get(recipient)
            if wrote is None or self.clock() - wrote >= WINDOW:
                raise GraphError(400, meta_error(131047))
        now = time.monotonic()
        burst = float(self._pair_burst)
        tokens, at = self._pairs.get(recipient, (burst, now))
        tokens = min(burst, tokens + (now - at) / self._pair_interval)
        if tokens < 1:
            raise GraphError(400, meta_error(131056))
        self._pairs[recipient] = (tokens - 1, now)

    def _check_template(self, template: JSON) -> None:
        name = str(template.get("name"))
        language = str(template.get("language", {}).get("code"))
        registered = self.templates.get((name, language))
        if registered is None:
            details = f"template name ({name}) does not exist in {language}"
            raise GraphError(404, meta_error(132001, details=details))
        body_params, buttons = registered
        components = [c for c in template.get("components", []) if isinstance(c, dict)]
        given = sum(len(c.get("parameters", [])) for c in components if c.get("type") == "body")
        if given != body_params:
            details = (
                f"body: number of localizable_params ({given}) does not match the expected "
                f"number of params ({body_params})"
            )
            raise GraphError(400, meta_error(132000, details=details))
        pressed = [c for c in components if c.get("type") == "button"]
        if len(pressed) > buttons:
            details = f"buttons: {len(pressed)} given, the template has {buttons}"
            raise GraphError(400, meta_error(132000, details=details))

    # --- media -----------------------------------------------------------------------------

    def _describe(self, media: UserMedia) -> JSON:
        """What ``GET /<version>/<media id>`` answers: a fresh URL (valid 5 minutes)."""
        url_hash = secrets.token_hex(8)
        media.urls[url_hash] = self.clock()
        expires = int((self.clock() + MEDIA_URL_LIFETIME).timestamp())
        url = f"{MEDIA_HOST}{MEDIA_PATH}?mid={media.media_id}&ext={expires}&hash={url_hash}"
        return {
            "messaging_product": "whatsapp",
            "url": url,
            "mime_type": media.mime_type,
            "sha256": hashlib.sha256(media.data).hexdigest(),
            "file_size": len(media.data),
            "id": media.media_id,
        }

    def _download(self, request: HttpRequest) -> tuple[int, bytes]:
        """The file at a media URL: with the token, while the URL is valid."""
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return 401, b""
        query = parse_qs(request.query)
        media = self.media.get((query.get("mid") or [""])[0])
        issued = media.urls.get((query.get("hash") or [""])[0]) if media else None
        if media is None or issued is None or self.clock() - issued > MEDIA_URL_LIFETIME:
            return 404, b""
        self.downloads.append(media.media_id)
        return 200, media.data

    def user_media(self, data: bytes, mime_type: str = "audio/ogg; codecs=opus") -> str:
        """A file a user sends (a voice note): its media id, for the webhook's message."""
        media_id = str(10**15 + next(self._serial))
        self.media[media_id] = UserMedia(media_id, data, mime_type)
        return media_id

    # --- for tests: what Meta knows ---------------------------------------------------------

    def user_wrote(self, *users: str, at: datetime | None = None) -> None:
        """A user (known by number and/or user id) sent a message: free-form messages may go
        to them for 24 hours."""
        for user in users:
            self.last_inbound[user] = at or self.clock()

    def register_template(self, name: str, language: str, params: int, buttons: int = 0) -> None:
        """An approved template: its body parameters and quick-reply buttons."""
        self.templates[(name, language)] = (params, buttons)

    def _take_fault(self, recipient: str) -> _Fault | None:
        for fault in self._faults:
            if fault.recipient in (None, recipient):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    # --- for tests ---------------------------------------------------------------------------

    def messages_to(self, recipient: str) -> list[SentWhatsApp]:
        return [message for message in self.sent if message.recipient == recipient]

    def fail_next(
        self,
        code: int,
        *,
        http_status: int = 400,
        count: int = 1,
        recipient: str | None = None,
        message: str = "",
        details: str | None = None,
    ) -> None:
        """Fail the next ``count`` valid sends (to ``recipient``, or to anyone) with Meta's error
        for ``code``; ``message`` and ``details`` replace Meta's texts (see KNOWN_ERRORS)."""
        error = meta_error(code, message, details)
        self._faults.append(_Fault(error, http_status, count, recipient))

    def outage(self, http_status: int = 503, *, html: bool = True) -> None:
        """Fail every request, read receipts too, until ``recover()``: with an HTML error page
        as a proxy in front of Meta answers, or (``html=False``) Meta's transient error JSON."""
        self._outage = (http_status, html)

    def recover(self) -> None:
        self._outage = None

    # A timeout parameter rather than asyncio.timeout() around the call: on expiry the test
    # needs an AssertionError that shows what the bot did, not a bare TimeoutError.
    async def wait_for(
        self,
        predicate: Callable[[], bool],
        *,
        what: str,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> None:
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    await self._changed.wait()
        except TimeoutError:
            if not predicate():
                recent = [f"{r.method} {r.path} -> {r.status}" for r in self.requests[-8:]]
                raise AssertionError(
                    f"timed out waiting for {what}; last requests {recent}; sent {len(self.sent)}"
                ) from None

    async def next_sent(self, recipient: str, after: int) -> SentWhatsApp:
        """The message to ``recipient`` that follows the first ``after`` ones."""

        def more() -> bool:
            return len(self.messages_to(recipient)) > after

        await self.wait_for(more, what=f"message #{after + 1} to {recipient}")
        return self.messages_to(recipient)[after]
