"""Files in the fake Telegram Bot API: what users send (voice notes, audio) and how a bot
gets them, and what a bot sends (voice notes, documents), as the Bot API documents it:

- ``getFile`` answers a file's ``file_path``; "bots can download files of up to 20MB in
  size" (larger: 400 "Bad Request: file is too big"); an unknown id is 400 "Bad Request:
  wrong file_id or the file is temporarily unavailable";
- the file is downloaded from ``/file/bot<token>/<file_path>``; "it is guaranteed that the
  link will be valid for at least 1 hour" (``expire_file_links`` ends them, as time would:
  then 404, and a new ``getFile`` gives a new link); a wrong token is 404 too;
- ``sendVoice``, ``sendAudio`` and ``sendDocument`` take an upload (multipart) or a known
  file id; a caption is 0-1024 characters after entity parsing ("Bad Request: message
  caption is too long"); uploads over 50 MB are refused (413).
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.http_server import HttpRequest, encode_response, json_response

JSON = dict[str, Any]
Params = dict[str, object]
MAX_DOWNLOAD = 20 * 1024 * 1024
MAX_UPLOAD = 50 * 1024 * 1024
MAX_CAPTION = 1024
FILE_TOO_BIG = "Bad Request: file is too big"
WRONG_FILE_ID = "Bad Request: wrong file_id or the file is temporarily unavailable"
CAPTION_TOO_LONG = "Bad Request: message caption is too long"
MEDIA_METHODS = {"sendVoice": "voice", "sendAudio": "audio", "sendDocument": "document"}
EXTENSIONS = {"voice": "oga", "audio": "mp3", "document": "bin"}


@dataclass
class StoredFile:
    """A file Telegram keeps: its bytes, and the links getFile handed out for it."""

    file_id: str
    unique_id: str
    data: bytes
    kind: str
    size: int  # what Telegram reports (the bytes' length unless a test says otherwise)
    links: set[str] = field(default_factory=set)


@dataclass
class SentMedia:
    """A voice note or document the bot sent."""

    chat_id: int
    method: str
    data: bytes
    caption: str
    parse_mode: str | None
    protect_content: bool
    duration: int | None


class FilesApi:
    """Mixed into ``FakeTelegram``: the files users send, getFile, downloads, and sending
    media. Uses the fake's ``token``, ``_chat``, ``_file`` and message helpers."""

    token: str
    files: dict[str, StoredFile]
    downloads: list[str]
    media: list[SentMedia]
    _links: itertools.count[int]

    def _chat(self, params: Params) -> int:
        raise NotImplementedError  # the fake's: the chat a request names, checked

    def _record_media(
        self, chat_id: int, caption: str, parse_mode: str | None, media: SentMedia
    ) -> JSON:
        raise NotImplementedError  # the fake's: the message as Telegram returns it

    def _files_init(self) -> None:
        self.files = {}
        self.downloads = []  # the file paths downloaded, in order
        self.media = []
        self._links = itertools.count(1)

    # --- for tests -----------------------------------------------------------------------

    def store_file(self, data: bytes, kind: str, *, reported_size: int | None = None) -> JSON:
        """Keep a file a user sends; the part of the message that names it."""
        serial = next(self._links)
        file_id = f"AwAC{serial:08d}{secrets.token_hex(4)}"
        size = len(data) if reported_size is None else reported_size
        self.files[file_id] = StoredFile(file_id, f"AgAD{serial}", data, kind, size)
        return {"file_id": file_id, "file_unique_id": f"AgAD{serial}", "file_size": size}

    def expire_file_links(self) -> None:
        """Every download link handed out so far has expired."""
        for stored in self.files.values():
            stored.links.clear()

    # --- Bot API methods -----------------------------------------------------------------

    async def _api_getFile(self, params: Params) -> JSON:
        from tests.fakes.telegram_api import ApiError

        stored = self.files.get(str(params.get("file_id", "")))
        if stored is None:
            raise ApiError(400, WRONG_FILE_ID)
        if stored.size > MAX_DOWNLOAD:
            raise ApiError(400, FILE_TOO_BIG)
        path = f"{stored.kind}/file_{next(self._links)}.{EXTENSIONS.get(stored.kind, 'bin')}"
        stored.links.add(path)
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": stored.size,
            "file_path": path,
        }

    async def _api_sendVoice(self, params: Params) -> JSON:
        return self._send_media("sendVoice", params)

    async def _api_sendAudio(self, params: Params) -> JSON:
        return self._send_media("sendAudio", params)

    async def _api_sendDocument(self, params: Params) -> JSON:
        return self._send_media("sendDocument", params)

    def _send_media(self, method: str, params: Params) -> JSON:
        from tests.fakes.telegram_api import ApiError, _check_html, _is_html, _plain

        chat_id = self._chat(params)
        field_name = MEDIA_METHODS[method]
        given = params.get(field_name)
        if isinstance(given, bytes):
            if not given:
                raise ApiError(400, "Bad Request: file must be non-empty")
            if len(given) > MAX_UPLOAD:
                raise ApiError(413, "Request Entity Too Large")
            data = given
        elif isinstance(given, str) and given in self.files:
            data = self.files[given].data
        else:
            raise ApiError(400, f"Bad Request: there is no {field_name} in the request")
        caption = params.get("caption", "")
        caption = caption if isinstance(caption, str) else ""
        parse_mode = params.get("parse_mode")
        parse_mode = parse_mode if isinstance(parse_mode, str) and parse_mode else None
        if _is_html(parse_mode):
            _check_html(caption)
        if len(_plain(caption, parse_mode).strip()) > MAX_CAPTION:
            raise ApiError(400, CAPTION_TOO_LONG)
        duration = params.get("duration")
        sent = SentMedia(
            chat_id,
            method,
            data,
            caption,
            parse_mode,
            params.get("protect_content") in (True, "true"),
            int(duration) if isinstance(duration, int | str) and str(duration).isdigit() else None,
        )
        self.media.append(sent)
        message = self._record_media(chat_id, caption, parse_mode, sent)
        content = self.store_file(data, field_name)
        if field_name != "document":
            content["duration"] = sent.duration or 1
        return message | {field_name: content}

    # --- HTTP: downloads -----------------------------------------------------------------

    def download(self, request: HttpRequest) -> bytes:
        """``GET /file/bot<token>/<file_path>``: the file, while its link is valid."""
        token, _, path = request.path.removeprefix("/file/bot").partition("/")
        not_found = json_response(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        if request.method != "GET" or token != self.token:
            return not_found
        for stored in self.files.values():
            if path in stored.links:
                self.downloads.append(path)
                return encode_response(200, stored.data, content_type="application/octet-stream")
        return not_found
