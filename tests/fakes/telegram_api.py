"""A fake Telegram Bot API server that the real python-telegram-bot client talks to over HTTP.

Tests play the Telegram users (``user_sends``, ``user_presses``...), read what the bot sent
(``messages``, ``next_message``) and break the network on purpose (``fail_next``, ``outage``).
Validation mirrors the real API closely enough that mistakes which would only show in
production (too long texts, oversized callback data, broken HTML) fail the tests instead.

What Telegram enforces (Bot API documentation and the Bots FAQ), with its own descriptions:

- a bot cannot message a user who never started it ("bot can't initiate conversation with a
  user"), who blocked it, or whose account is deleted ("user is deactivated"): 403 each;
- a group the bot is not in is "chat not found" (400); one it was removed from is 403
  ("bot was kicked from the group chat", "bot is not a member of the supergroup chat");
- a basic group upgraded to a supergroup (``migrate_group``) answers 400 "group chat was
  upgraded to a supergroup chat" with ``parameters.migrate_to_chat_id``, and both chats get
  the service messages (``migrate_to_chat_id``, ``migrate_from_chat_id``);
- a callback query can be answered only while it is fresh (``CALLBACK_ANSWER_WINDOW``), and
  with at most 200 characters of text; an inline button needs a text;
- the pace (``enforce_limits``, on by default): about 30 messages a second overall, 20 a
  minute to one group, and in a private chat about one a second with short bursts
  (``PRIVATE_BURST``), answered 429 with ``retry_after``.
"""

from __future__ import annotations

import html
import itertools
import math
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from tests.fakes.http_server import (
    FakeHttpServer,
    HttpRequest,
    decode_params,
    encode_response,
    json_response,
)
from tests.fakes.telegram_files import MEDIA_METHODS, FilesApi, SentMedia

JSON = dict[str, Any]
Params = dict[str, object]
FailMode = Literal["429", "502", "drop", "403"]

BOT_USER: JSON = {
    "id": 999000,
    "is_bot": True,
    "first_name": "Signaalpunt",
    "username": "signaalpunt_test_bot",
}
GROUP_TITLE = "Loket"
# Requests that make the bot visible to users; outages and rate limits apply to these only.
SENDING_METHODS = frozenset(
    [
        "sendMessage",
        "sendVoice",
        "sendAudio",
        "sendDocument",
        "editMessageText",
        "editMessageReplyMarkup",
        "deleteMessage",
        "answerCallbackQuery",
        "sendChatAction",
    ]
)
MAX_TEXT, MAX_CALLBACK_DATA = 4096, 64
BLOCKED = "Forbidden: bot was blocked by the user"
NOT_STARTED = "Forbidden: bot can't initiate conversation with a user"
DEACTIVATED = "Forbidden: user is deactivated"
MIGRATED = "Bad Request: group chat was upgraded to a supergroup chat"
CHAT_NOT_FOUND = "Bad Request: chat not found"
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CALLBACK_TEXT_TOO_LONG = "Bad Request: MESSAGE_TOO_LONG"
BUTTON_TEXT_EMPTY = "Bad Request: can't parse inline keyboard button: text must be non-empty"
MAX_CALLBACK_TEXT = 200  # answerCallbackQuery: "0-200 characters"
# Telegram waits for a callback query's answer for a short while (the button's spinner);
# afterwards answerCallbackQuery fails with QUERY_TOO_OLD.
CALLBACK_ANSWER_WINDOW = 15.0
# "avoid sending more than one message per second" in one chat, "short bursts" allowed:
# a bucket of this many messages, refilled one a second.
PRIVATE_BURST = 20
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a current content and reply markup of the message"
)
CANT_BE_EDITED = "Bad Request: message can't be edited"
NO_TEXT_TO_EDIT = "Bad Request: there is no text in the message to edit"
INLINE_KEYBOARD_EXPECTED = "Bad Request: inline keyboard expected"
# A request the fake carried out from a webhook's response, not one the bot sent.
FROM_WEBHOOK_RESPONSE = "x-fake-from-webhook-response"
BAD_GATEWAY_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>"
)
ALLOWED_TAGS = frozenset({"b", "i", "u", "s", "code", "pre", "a"})
# Telegram's documentation: every <, > and & outside a tag or an entity must be escaped.
_SPECIAL = re.compile(r"[<>&]")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>")
# html.escape() writes &#x27; for quotes, and Telegram accepts numeric references too.
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
_ATTRIBUTES = {"a": re.compile(r"""\s+href\s*=\s*("[^"]*"|'[^']*')\s*""")}
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?")


class ApiError(Exception):
    def __init__(
        self,
        code: int,
        description: str,
        retry_after: int | None = None,
        *,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        parameters = {
            "retry_after": self.retry_after,
            "migrate_to_chat_id": self.migrate_to_chat_id,
        }
        if any(value is not None for value in parameters.values()):
            body["parameters"] = {k: v for k, v in parameters.items() if v is not None}
        return body


def _too_many(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


@dataclass(frozen=True)
class FakeUser:
    id: int
    first_name: str
    language_code: str | None = "nl"
    username: str | None = None

    def to_json(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        optional = {"username": self.username, "language_code": self.language_code}
        return data | {key: value for key, value in optional.items() if value is not None}


@dataclass
class RequestRecord:
    method: str
    params: Params
    at: float  # time.monotonic()
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 0  # HTTP status answered; stays 0 while pending and for dropped connections


@dataclass
class SentMessage:
    """A message the bot sent; the same object is updated in place by later edits."""

    chat_id: int
    message_id: int
    text: str
    parse_mode: str | None
    reply_markup: JSON | None
    protect_content: bool
    date: int
    edits: int = 0
    edit_date: int | None = None
    deleted: bool = False
    media: SentMedia | None = None  # a voice note or document (``text`` is its caption)

    def buttons(self) -> list[tuple[str, str]]:
        """(text, callback_data) of the inline callback buttons, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [
            (b["text"], b["callback_data"]) for row in rows for b in row if "callback_data" in b
        ]

    def contact_button(self) -> str | None:
        """The label of a reply keyboard's button that shares the user's number, if any."""
        rows = (self.reply_markup or {}).get("keyboard", [])
        labels = [b["text"] for row in rows for b in row if b.get("request_contact")]
        return labels[0] if labels else None

    @property
    def removes_keyboard(self) -> bool:
        return bool((self.reply_markup or {}).get("remove_keyboard"))

    @property
    def plain_text(self) -> str:
        """The text as the user sees it (HTML tags removed, entities decoded)."""
        return _plain(self.text, self.parse_mode)


@dataclass
class _Fault:
    method: str | None
    mode: FailMode
    remaining: int
    retry_after: int


def _is_html(parse_mode: str | None) -> bool:
    return (parse_mode or "").lower() == "html"


def _plain(text: str, parse_mode: str | None) -> str:
    return html.unescape(_TAG.sub("", text)) if _is_html(parse_mode) else text


def _check_html(text: str) -> None:
    open_tags: list[str] = []
    pos = 0
    while (special := _SPECIAL.search(text, pos)) is not None:
        where = f"at byte offset {len(text[: special.start()].encode())}"
        if entity := _ENTITY.match(text, special.start()):
            pos = entity.end()
            continue
        if text[special.start()] in "&>":
            reserved = text[special.start()]
            raise _parse_error(f"Character '{reserved}' is reserved and must be escaped {where}")
        tag = _TAG.match(text, special.start())
        if tag is None:
            raise _parse_error(f"Unexpected character '<' {where}; use &lt; to escape it")
        closing, name, attributes = tag.group(1) == "/", tag.group(2).lower(), tag.group(3) or ""
        if name not in ALLOWED_TAGS:
            raise _parse_error(f'Unsupported {"end" if closing else "start"} tag "{name}" {where}')
        if closing:
            if not open_tags or open_tags.pop() != name:
                raise _parse_error(f'Unmatched end tag "{name}" {where}')
        elif name in _ATTRIBUTES and not _ATTRIBUTES[name].fullmatch(attributes):
            raise _parse_error(f'Tag "{name}" must have an attribute href {where}')
        # <code class="language-x"> is the one attribute Telegram allows beyond <a href>.
        elif name not in _ATTRIBUTES and attributes.strip() and name != "code":
            raise _parse_error(f'Tag "{name}" must have no attributes {where}')
        else:
            open_tags.append(name)
        pos = tag.end()
    if open_tags:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')


def _parse_error(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {detail}")


def _checked_text(params: Params) -> tuple[str, str | None]:
    text, parse_mode = params.get("text", ""), params.get("parse_mode")
    text = text if isinstance(text, str) else ""
    parse_mode = parse_mode if isinstance(parse_mode, str) and parse_mode else None
    if _is_html(parse_mode):
        _check_html(text)
    # Telegram measures the text as users will see it and ignores surrounding white space.
    plain = _plain(text, parse_mode).strip()
    if not plain:
        raise ApiError(400, "Bad Request: message text is empty")
    if len(plain) > MAX_TEXT:
        raise ApiError(400, "Bad Request: message is too long")
    return text, parse_mode


def _checked_markup(params: Params) -> JSON | None:
    markup = params.get("reply_markup")
    if markup is not None and not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in (markup or {}).get("keyboard", []):
        for button in row:  # a reply keyboard's button: a text, or an object with one
            text = button if isinstance(button, str) else button.get("text", "")
            if not str(text).strip():
                raise ApiError(400, "Bad Request: keyboard button text must be non-empty")
    if markup is not None and "remove_keyboard" in markup and markup["remove_keyboard"] is not True:
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            if not str(button.get("text", "")).strip():
                raise ApiError(400, BUTTON_TEXT_EMPTY)
        for data in (button["callback_data"] for button in row if "callback_data" in button):
            if not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def _int(params: Params, name: str, default: int) -> int:
    value = params.get(name, default)
    if not isinstance(value, int):
        raise ApiError(400, f"Bad Request: invalid {name} specified")
    return value


def _text_content(text: str) -> JSON:
    content: JSON = {"text": text}
    if command := _COMMAND.match(text):
        length = len(command.group().encode("utf-16-le")) // 2  # offsets count UTF-16 units
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return content


class FakeTelegram(FakeHttpServer, FilesApi):
    """``async with FakeTelegram() as fake: Bot(fake.token, base_url=fake.base_url)``.

    Bot API methods are the ``_api_<methodName>`` coroutines; Telegram matches method names
    case-insensitively, and so does the fake.
    """

    def __init__(
        self,
        token: str = "123:TEST",
        *,
        enforce_limits: bool = True,
        groups: dict[int, str] | None = None,
    ) -> None:
        super().__init__()
        self.token, self.enforce_limits = token, enforce_limits
        # The groups the bot is a member of (chat id -> "group" or "supergroup"), the ones
        # it was removed from (-> "kicked" or "left"), and basic groups that became
        # supergroups (old id -> new id).
        self.groups: dict[int, str] = dict(groups or {})
        self.removed: dict[int, str] = {}
        self.migrated: dict[int, int] = {}
        self.started: set[int] = set()  # users who started the bot (wrote to it privately)
        self.deactivated: set[int] = set()
        self._kinds: dict[int, str] = dict(self.groups)
        self.requests: list[RequestRecord] = []
        self.blocked: set[int] = set()
        self.failures_injected = self.rate_limited = self.updates_offered = 0
        self.last_offset: int | None = None
        self.allowed_updates: list[str] = []
        self.webhook: Params | None = None
        self.commands: dict[tuple[str, str], list[JSON]] = {}  # (scope type, language) → list
        self.chat_actions: list[tuple[int, str]] = []
        self.answered_callbacks: dict[str, Params] = {}
        self._messages: dict[int, list[SentMessage]] = {}
        self._next_ids: dict[int, int] = {}
        self._cursors: dict[int, int] = {}
        self._pending: list[JSON] = []
        self._redeliver: list[JSON] = []
        self._last_update_id = 0
        self._polls = 0
        self._serial = itertools.count(1)
        self._open_callbacks: dict[str, float] = {}  # query id -> when it was pressed
        self._users: dict[int, FakeUser] = {}
        self._faults: list[_Fault] = []
        self._outage: _Fault | None = None
        self._send_times: deque[float] = deque()
        self._group_times: dict[int, deque[float]] = {}
        self._private_buckets: dict[int, tuple[float, float]] = {}  # chat -> (tokens, at)
        self._files_init()
        self._methods = {n[5:].lower(): n[5:] for n in dir(self) if n.startswith("_api_")}

    name = "Telegram server"

    @property
    def api_url(self) -> str:
        """What a client appends "/bot" to."""
        return self.url

    @property
    def base_url(self) -> str:
        """What ``telegram.Bot(base_url=...)`` takes."""
        return f"{self.url}/bot"

    @property
    def file_url(self) -> str:
        """What ``telegram.Bot(base_file_url=...)`` takes (SIGNAALPUNT_TELEGRAM_FILE_URL)."""
        return f"{self.url}/file/bot"

    # --- HTTP ------------------------------------------------------------------------------

    async def respond(self, request: HttpRequest) -> bytes | None:
        """The HTTP response, or None to drop the connection without one."""
        if request.path.startswith("/file/bot"):
            self.requests.append(RequestRecord("download", {}, time.monotonic(), request.headers))
            return self.download(request)
        bot_token, _, name = request.path.removeprefix("/bot").partition("/")
        method = self._methods.get(name.lower(), name)
        record = RequestRecord(method, {}, time.monotonic(), request.headers)
        self.requests.append(record)
        try:
            if not request.path.startswith("/bot"):
                raise ApiError(404, "Not Found")
            if bot_token != self.token:
                raise ApiError(401, "Unauthorized")
            if name.lower() not in self._methods:
                raise ApiError(404, "Not Found")
            try:
                record.params = decode_params(request)
            except ValueError as error:
                raise ApiError(400, f"Bad Request: can't parse parameters: {error}") from None
            self._notify()  # tests may wait for a request to arrive (a long poll), not only end
            if (fault := self._take_fault(method)) is not None:
                self.failures_injected += 1
                if fault.mode == "drop":
                    return None
                if fault.mode == "502":
                    record.status = 502
                    return encode_response(502, BAD_GATEWAY_PAGE, content_type="text/html")
                raise (
                    _too_many(fault.retry_after) if fault.mode == "429" else ApiError(403, BLOCKED)
                )
            if self.enforce_limits and method in SENDING_METHODS:
                self._check_limits(method, record.params)
            result = await getattr(self, f"_api_{method}")(record.params)
            record.status = 200
            return json_response(200, {"ok": True, "result": result})
        except ApiError as error:
            record.status = error.code
            return json_response(error.code, error.payload())
        except Exception as error:
            self.crashes.append(error)
            record.status = 500
            description = f"Internal Server Error: the fake crashed: {error!r}"
            return json_response(500, {"ok": False, "error_code": 500, "description": description})
        finally:
            self._notify()

    def _take_fault(self, method: str) -> _Fault | None:
        sending = method in SENDING_METHODS
        if self._outage is not None and sending:
            return self._outage
        for fault in self._faults:
            if fault.method == method or (fault.method is None and sending):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _check_limits(self, method: str, params: Params) -> None:
        now, chat_id = time.monotonic(), params.get("chat_id")
        windows = [(self._send_times, 1.0, 30)]
        message = method == "sendMessage" or method in MEDIA_METHODS
        if message and isinstance(chat_id, int) and chat_id < 0:
            windows.append((self._group_times.setdefault(chat_id, deque()), 60.0, 20))
        for times, span, limit in windows:
            while times and times[0] <= now - span:
                times.popleft()
            if len(times) >= limit:
                self.rate_limited += 1
                raise _too_many(max(1, math.ceil(times[0] + span - now)))
        if message and isinstance(chat_id, int) and chat_id > 0:
            tokens, at = self._private_buckets.get(chat_id, (float(PRIVATE_BURST), now))
            tokens = min(float(PRIVATE_BURST), tokens + (now - at))  # one a second
            if tokens < 1:
                self.rate_limited += 1
                raise _too_many(max(1, math.ceil(1 - tokens)))
            self._private_buckets[chat_id] = (tokens - 1, now)
        for times, _, _ in windows:
            times.append(now)

    # --- Bot API methods -------------------------------------------------------------------

    async def _api_getMe(self, params: Params) -> JSON:
        return BOT_USER | {"can_join_groups": True, "can_read_all_group_messages": False}

    async def _api_getUpdates(self, params: Params) -> list[JSON]:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset, timeout = _int(params, "offset", 0), _int(params, "timeout", 0)
        limit = min(max(_int(params, "limit", 100), 1), 100)
        if isinstance(allowed := params.get("allowed_updates"), list):
            self.allowed_updates = [str(kind) for kind in allowed]
        if "offset" in params:
            self.last_offset = offset

        def available() -> bool:
            # Updates below the offset are acknowledged and gone for good, as are the kinds
            # the bot did not ask for.
            self._pending = [
                u
                for u in self._pending
                if u["update_id"] >= offset
                and (not self.allowed_updates or set(u) & set(self.allowed_updates))
            ]
            return bool(self._redeliver or self._pending)

        # Like Telegram, a new poll ends the one still waiting (a restarted bot would otherwise
        # leave an orphaned poll that swallows updates meant for its successor).
        self._polls += 1
        poll = self._polls
        if not available() and timeout > 0:
            await self._wait(lambda: available() or poll != self._polls, timeout)
        if poll != self._polls:
            raise ApiError(409, "Conflict: terminated by other getUpdates request")
        batch = self._redeliver[:limit]
        del self._redeliver[: len(batch)]
        batch += self._pending[: limit - len(batch)]
        self.updates_offered += len(batch)
        return batch

    async def _api_sendMessage(self, params: Params) -> JSON:
        chat_id = self._chat(params)
        text, parse_mode = _checked_text(params)
        protect = params.get("protect_content") in (True, "true")
        message = SentMessage(
            chat_id,
            self._new_message_id(chat_id),
            text,
            parse_mode,
            _checked_markup(params),
            protect,
            int(time.time()),
        )
        self._messages.setdefault(chat_id, []).append(message)
        return self._message_json(message)

    async def _api_editMessageText(self, params: Params) -> JSON:
        message = self._find(params, "edit")
        if message.media is not None:  # a caption is edited with editMessageCaption
            raise ApiError(400, NO_TEXT_TO_EDIT)
        return self._edit(message, *_checked_text(params), _checked_markup(params))

    async def _api_editMessageReplyMarkup(self, params: Params) -> JSON:
        message = self._find(params, "edit")
        return self._edit(message, message.text, message.parse_mode, _checked_markup(params))

    def _record_media(
        self, chat_id: int, caption: str, parse_mode: str | None, media: SentMedia
    ) -> JSON:
        message = SentMessage(
            chat_id,
            self._new_message_id(chat_id),
            caption,
            parse_mode,
            None,
            media.protect_content,
            int(time.time()),
            media=media,
        )
        self._messages.setdefault(chat_id, []).append(message)
        return self._message_json(message)

    def _edit(
        self, message: SentMessage, text: str, parse_mode: str | None, markup: JSON | None
    ) -> JSON:
        # "it is currently only possible to edit messages without reply_markup or with
        # inline keyboards" (Bot API, Updating messages); an edit carries inline ones only.
        if message.reply_markup and "inline_keyboard" not in message.reply_markup:
            raise ApiError(400, CANT_BE_EDITED)
        if markup is not None and "inline_keyboard" not in markup:
            raise ApiError(400, INLINE_KEYBOARD_EXPECTED)

        # Telegram compares what users would see, so the same words with other markup differ.
        def content(text: str, parse_mode: str | None) -> tuple[str, list[Any]]:
            return _plain(text, parse_mode), _TAG.findall(text) if _is_html(parse_mode) else []

        old = (content(message.text, message.parse_mode), message.reply_markup)
        if (content(text, parse_mode), markup) == old:
            raise ApiError(400, NOT_MODIFIED)
        message.text, message.parse_mode, message.reply_markup = text, parse_mode, markup
        message.edits += 1
        message.edit_date = int(time.time())
        return self._message_json(message)

    async def _api_deleteMessage(self, params: Params) -> bool:
        self._find(params, "delete").deleted = True
        return True

    async def _api_answerCallbackQuery(self, params: Params) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        pressed = self._open_callbacks.get(query_id)
        if pressed is None or time.monotonic() - pressed > CALLBACK_ANSWER_WINDOW:
            raise ApiError(400, QUERY_TOO_OLD)
        if len(str(params.get("text", ""))) > MAX_CALLBACK_TEXT:
            raise ApiError(400, CALLBACK_TEXT_TOO_LONG)
        del self._open_callbacks[query_id]
        self.answered_callbacks[query_id] = params
        return True

    async def _api_setMyCommands(self, params: Params) -> bool:
        commands, scope = params.get("commands"), params.get("scope")
        if not isinstance(commands, list) or not all(
            isinstance(c, dict) and re.fullmatch(r"[a-z0-9_]{1,32}", str(c.get("command")))
            for c in commands
        ):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        scope_type = str(scope.get("type", "default")) if isinstance(scope, dict) else "default"
        self.commands[(scope_type, str(params.get("language_code", "")))] = commands
        return True

    async def _api_setWebhook(self, params: Params) -> bool:
        self.webhook = params if params.get("url") else None
        return True

    async def _api_deleteWebhook(self, params: Params) -> bool:
        self.webhook = None
        if params.get("drop_pending_updates") in (True, "true"):
            self._pending.clear()
        return True

    async def _api_getWebhookInfo(self, params: Params) -> JSON:
        hook = self.webhook or {}
        info = {"url": hook.get("url", ""), "has_custom_certificate": False}
        if "allowed_updates" in hook:
            info["allowed_updates"] = hook["allowed_updates"]
        return info | {"pending_update_count": len(self._pending)}

    async def _api_sendChatAction(self, params: Params) -> bool:
        self.chat_actions.append((self._chat(params), str(params.get("action", ""))))
        return True

    async def _api_close(self, params: Params) -> bool:
        return True

    async def _api_logOut(self, params: Params) -> bool:
        return True

    # --- state helpers ---------------------------------------------------------------------

    def _chat(self, params: Params) -> int:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if not isinstance(chat_id, int):
            raise ApiError(400, CHAT_NOT_FOUND)
        if chat_id < 0:
            if chat_id in self.migrated:
                raise ApiError(400, MIGRATED, migrate_to_chat_id=self.migrated[chat_id])
            if chat_id in self.removed:
                kind = self.groups_ever.get(chat_id, "supergroup")
                if self.removed[chat_id] == "kicked":
                    raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
                raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
            if chat_id not in self.groups:
                raise ApiError(400, CHAT_NOT_FOUND)
            return chat_id
        if chat_id in self.deactivated:
            raise ApiError(403, DEACTIVATED)
        if chat_id in self.blocked:
            raise ApiError(403, BLOCKED)
        if chat_id not in self.started:
            raise ApiError(403, NOT_STARTED)
        return chat_id

    def _find(self, params: Params, action: str) -> SentMessage:
        if "inline_message_id" in params:
            raise ApiError(400, "Bad Request: the fake does not support inline messages")
        chat_id, message_id = self._chat(params), params.get("message_id")
        for message in self._messages.get(chat_id, []):
            if message.message_id == message_id and not message.deleted:
                return message
        raise ApiError(400, f"Bad Request: message to {action} not found")

    def _new_message_id(self, chat_id: int) -> int:
        # One sequence per chat, shared by the bot and the users, as in Telegram.
        self._next_ids[chat_id] = self._next_ids.get(chat_id, 0) + 1
        return self._next_ids[chat_id]

    @property
    def groups_ever(self) -> dict[int, str]:
        """Every group's kind, the ones the bot left included."""
        return self._kinds

    def _chat_json(self, chat_id: int) -> JSON:
        if chat_id < 0:
            kind = self.groups.get(chat_id) or self._kinds.get(chat_id, "supergroup")
            return {"id": chat_id, "type": kind, "title": GROUP_TITLE}
        user = self._users.get(chat_id)
        return {"id": chat_id, "type": "private", "first_name": user.first_name if user else "?"}

    def _message_json(self, message: SentMessage) -> JSON:
        data: JSON = {
            "message_id": message.message_id,
            "from": BOT_USER,
            "chat": self._chat_json(message.chat_id),
            "date": message.date,
        }
        if message.media is None:
            data["text"] = message.plain_text
        elif message.plain_text:
            data["caption"] = message.plain_text
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        # Telegram echoes inline keyboards only; reply keyboards are not part of the message.
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if message.protect_content:
            data["has_protected_content"] = True
        return data

    # --- for tests: observing ---------------------------------------------------------------

    def messages(self, chat_id: int) -> list[SentMessage]:
        """Everything the bot sent to the chat, deleted ones included (see ``deleted``)."""
        return list(self._messages.get(chat_id, []))

    def calls(self, method: str) -> list[RequestRecord]:
        return [record for record in self.requests if record.method == method]

    # A timeout parameter rather than asyncio.timeout() around the call: on expiry the test
    # needs an AssertionError that shows what the bot did, not a bare TimeoutError.
    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        what: str = "the condition",
    ) -> None:
        if await self._wait(predicate, timeout):
            return
        recent = [f"{r.method}→{r.status}" for r in self.requests[-8:]]
        sent = {chat: len(messages) for chat, messages in self._messages.items()}
        raise AssertionError(
            f"timed out after {timeout}s waiting for {what}; last requests {recent};"
            f" messages per chat {sent};"
            f" undelivered updates {len(self._pending) + len(self._redeliver)}"
        )

    async def next_message(
        self,
        chat_id: int,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> SentMessage:
        """The first message to the chat that no earlier next_message call returned."""
        cursor = self._cursors.get(chat_id, 0)
        what = f"message #{cursor + 1} to chat {chat_id}"
        await self.wait_for(
            lambda: len(self._messages.get(chat_id, [])) > cursor, timeout, what=what
        )
        self._cursors[chat_id] = cursor + 1
        return self._messages[chat_id][cursor]

    # --- for tests: faults ------------------------------------------------------------------

    def fail_next(
        self, method: str | None, mode: FailMode, count: int = 1, *, retry_after: int = 3
    ) -> None:
        """Fail the next ``count`` calls of ``method`` (None: of any sending method)."""
        self._faults.append(_Fault(method, mode, count, retry_after))

    def outage(self, mode: FailMode, *, retry_after: int = 3) -> None:
        """Fail every sending request until ``recover()``; polling keeps working."""
        self._outage = _Fault(None, mode, 0, retry_after)

    def recover(self) -> None:
        self._outage = None

    # --- for tests: chats as Telegram knows them ---------------------------------------------

    def add_group(self, chat_id: int, kind: str = "supergroup") -> None:
        """The bot is a member of this group."""
        self.groups[chat_id] = kind
        self._kinds[chat_id] = kind
        self.removed.pop(chat_id, None)

    def remove_bot(self, chat_id: int, *, kicked: bool = True) -> None:
        """Someone removed the bot from the group (or it left)."""
        self.groups.pop(chat_id, None)
        self.removed[chat_id] = "kicked" if kicked else "left"

    def user_starts(self, user: FakeUser) -> None:
        """The user opened the bot and pressed Start (without a message the test waits for)."""
        self._users[user.id] = user
        self.started.add(user.id)

    def migrate_group(self, old: int, new: int, by: FakeUser) -> tuple[JSON, JSON]:
        """An administrator upgraded the basic group ``old`` to the supergroup ``new`` (as
        Telegram does, e.g. when the group is made public or gets many members). Messages
        to ``old`` fail with ``migrate_to_chat_id`` from now on; both chats get the service
        message. Returns the two updates."""
        self.groups.pop(old, None)
        self.migrated[old] = new
        self.add_group(new, "supergroup")
        self._users[by.id] = by
        told = self.queue_update(
            {"message": self._service_message(by, old, {"migrate_to_chat_id": new})}
        )
        moved = self.queue_update(
            {"message": self._service_message(by, new, {"migrate_from_chat_id": old})}
        )
        return told, moved

    def _service_message(self, user: FakeUser, chat_id: int, content: JSON) -> JSON:
        kind = self._kinds.get(chat_id, "group")
        chat = {"id": chat_id, "type": kind, "title": GROUP_TITLE}
        message = {"message_id": self._new_message_id(chat_id), "from": user.to_json()}
        return message | {"chat": chat, "date": int(time.time())} | content

    def expire_callbacks(self) -> None:
        """Every button press so far is too old to be answered now."""
        for query_id in self._open_callbacks:
            self._open_callbacks[query_id] = time.monotonic() - CALLBACK_ANSWER_WINDOW - 1

    # --- for tests: acting as users ----------------------------------------------------------

    def queue_update(self, raw: JSON) -> JSON:
        update = dict(raw)
        update.setdefault("update_id", self._last_update_id + 1)
        self._last_update_id = max(self._last_update_id, update["update_id"])
        self._pending.append(update)
        self._notify()
        return update

    def redeliver(self, update: JSON) -> None:
        """Offer the update once more even though the bot acknowledged it (a duplicate)."""
        self._redeliver.append(update)
        self._notify()

    def _user_message(self, user: FakeUser, chat_id: int | None, content: JSON) -> JSON:
        self._users[user.id] = user
        chat = user.id if chat_id is None else chat_id
        if chat == user.id:
            self.started.add(user.id)  # writing to the bot starts it (and unblocks it)
            self.blocked.discard(user.id)
        message = {"message_id": self._new_message_id(chat), "from": user.to_json()}
        message |= {"chat": self._chat_json(chat), "date": int(time.time())} | content
        return self.queue_update({"message": message})

    def _file(self, prefix: str, **details: object) -> JSON:
        serial = next(self._serial)
        return {
            "file_id": f"{prefix}{serial:08d}",
            "file_unique_id": f"U{prefix}{serial}",
        } | details

    def user_sends(self, user: FakeUser, text: str, chat_id: int | None = None) -> JSON:
        return self._user_message(user, chat_id, _text_content(text))

    def user_replies(self, user: FakeUser, to: SentMessage, text: str) -> JSON:
        """A text sent as a reply to one of the bot's messages (what ForceReply asks for)."""
        content = _text_content(text) | {"reply_to_message": self._message_json(to)}
        return self._user_message(user, to.chat_id, content)

    def user_edits(self, user: FakeUser, original_update: JSON, new_text: str) -> JSON:
        original = original_update["message"]
        assert original["from"]["id"] == user.id, "users can only edit their own messages"
        edited = {k: v for k, v in original.items() if k not in ("text", "entities")}
        edited |= _text_content(new_text) | {"edit_date": int(time.time())}
        return self.queue_update({"edited_message": edited})

    def user_sends_photo(
        self, user: FakeUser, caption: str | None = None, chat_id: int | None = None
    ) -> JSON:
        sizes = [self._file("AgAD", width=w, height=h) for w, h in ((90, 67), (1280, 960))]
        return self._user_message(
            user, chat_id, {"photo": sizes} | ({"caption": caption} if caption else {})
        )

    def user_sends_voice(
        self,
        user: FakeUser,
        chat_id: int | None = None,
        *,
        audio: bytes | None = None,
        duration: int = 4,
        mime_type: str = "audio/ogg",
        kind: str = "voice",
        reported_size: int | None = None,
    ) -> JSON:
        """A voice note (``kind="audio"``: an audio file). With ``audio``, Telegram keeps
        the bytes and a bot can get them (getFile, then the file URL); ``duration`` and
        ``reported_size`` are what the message says, not checked by anyone."""
        if audio is None:
            media = self._file("AwAC", file_size=9000)
        else:
            media = self.store_file(audio, kind, reported_size=reported_size)
        media |= {"duration": duration, "mime_type": mime_type}
        return self._user_message(user, chat_id, {kind: media})

    def user_sends_sticker(self, user: FakeUser, chat_id: int | None = None) -> JSON:
        sticker = self._file("CAAC", type="regular", width=512, height=512, emoji="👍")
        sticker |= {"is_animated": False, "is_video": False}
        return self._user_message(user, chat_id, {"sticker": sticker})

    def user_sends_location(
        self, user: FakeUser, latitude: float = 52.3676, longitude: float = 4.9041
    ) -> JSON:
        location = {"latitude": latitude, "longitude": longitude}
        return self._user_message(user, None, {"location": location})

    def user_sends_contact(
        self, user: FakeUser, phone_number: str = "+31612345678", *, own: bool = True
    ) -> JSON:
        """A contact: the user's own (what the contact button shares), or (``own=False``)
        someone else's card."""
        contact: JSON = {"phone_number": phone_number, "first_name": user.first_name}
        if own:
            contact["user_id"] = user.id
        return self._user_message(user, None, {"contact": contact})

    def user_presses(self, user: FakeUser, message: SentMessage, callback_data: str) -> JSON:
        self._users[user.id] = user
        query_id = str(4_200_000_000_000_000_000 + next(self._serial))
        self._open_callbacks[query_id] = time.monotonic()
        query = {"id": query_id, "from": user.to_json(), "message": self._message_json(message)}
        query |= {"chat_instance": str(abs(message.chat_id) * 7919 + 1), "data": callback_data}
        return self.queue_update({"callback_query": query})

    def user_presses_label(self, user: FakeUser, message: SentMessage, label: str) -> JSON:
        matches = [data for text, data in message.buttons() if label in text]
        assert len(matches) == 1, f"{len(matches)} buttons contain {label!r}: {message.buttons()}"
        return self.user_presses(user, message, matches[0])

    # --- for tests: webhooks ------------------------------------------------------------------

    async def post_webhook(self, url: str, update: JSON, secret: str | None = None) -> int:
        """POST ``update`` as Telegram does; a method in a 2xx JSON response is carried out
        as Telegram does ("Making requests when getting updates"), recorded with the header
        ``FROM_WEBHOOK_RESPONSE``; its result or error reaches nobody."""
        headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
        async with httpx.AsyncClient() as client:
            response = await client.post(url, json=update, headers=headers)
        if response.is_success and "json" in response.headers.get("content-type", ""):
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("method"), str):
                await self._carry_out(body)
        return response.status_code

    async def _carry_out(self, body: JSON) -> None:
        name = str(body["method"])
        method = self._methods.get(name.lower(), name)
        params = {key: value for key, value in body.items() if key != "method"}
        record = RequestRecord(method, params, time.monotonic(), {FROM_WEBHOOK_RESPONSE: "1"})
        self.requests.append(record)
        try:
            if name.lower() not in self._methods:
                raise ApiError(404, "Not Found")
            if self.enforce_limits and method in SENDING_METHODS:
                self._check_limits(method, params)
            await getattr(self, f"_api_{method}")(params)
            record.status = 200
        except ApiError as error:
            record.status = error.code
        finally:
            self._notify()
