"""Running the real WhatsApp channel (pywa, our webhook, the inbox) against the fake Graph
API, and acting as WhatsApp users who post signed webhooks to it over HTTP."""

from __future__ import annotations

import contextlib
import gc
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from bot.app import App
from bot.bootstrap.build import build_app
from bot.bootstrap.serving import Service, serving
from bot.channels.whatsapp.channel import WhatsAppParts, whatsapp_parts
from bot.channels.whatsapp.templates import SPECS, template_text
from bot.i18n import load_catalogs
from bot.settings import Settings
from bot.voice.config import VoiceSettings
from core.text.languages import LANGUAGES
from tests.fakes import whatsapp_payloads as wa
from tests.fakes.graph_api import FakeGraphAPI, SentWhatsApp
from tests.fakes.messenger import RecordingMessenger, staff_channel
from tests.support.telegram_harness import Clock, no_transcripts

APP_SECRET = "test-app-secret-0123456789"
VERIFY_TOKEN = "test-verify-token"
PATH = "/whatsapp/webhook"


@dataclass
class Running:
    app: App
    whatsapp: WhatsAppParts
    service: Service
    staff: RecordingMessenger  # the staff channel (Telegram's loket group in production)
    http: httpx.AsyncClient
    clock: Clock
    graph: FakeGraphAPI

    async def post(
        self, payload: dict[str, Any], *, signature: str | None = "sign", body: bytes | None = None
    ) -> httpx.Response:
        """POST a webhook body as Meta does; ``signature=None`` leaves the header out. The
        users whose messages it carries wrote now: Meta opens their 24-hour window."""
        wrote_now(self.graph, payload, self.clock())
        raw = body if body is not None else wa.body_bytes(payload)
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            headers["X-Hub-Signature-256"] = wa.sign(raw, APP_SECRET)
        elif signature is not None:
            headers["X-Hub-Signature-256"] = signature
        return await self.http.post(PATH, content=raw, headers=headers)

    async def settle(self) -> None:
        """Process what the webhooks kept, then send what the outbox holds."""
        await self.whatsapp.inbox.drain()
        await self.service.worker.drain(self.clock())


def settings_for(graph: FakeGraphAPI, tmp_path: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'signaalpunt.db'}",
        "whatsapp_phone_id": graph.phone_id,
        "whatsapp_token": SecretStr(graph.token),
        "whatsapp_app_secret": SecretStr(APP_SECRET),
        "whatsapp_verify_token": SecretStr(VERIFY_TOKEN),
        "whatsapp_api_version": graph.api_version,
        "whatsapp_api_url": graph.url,
    }
    return Settings(_env_file=None, **(values | extra))  # type: ignore[call-arg]


def wrote_now(graph: FakeGraphAPI, payload: object, now: datetime) -> None:
    """Tell the fake Graph API who wrote in this webhook body (by number and user id)."""
    for entry in payload.get("entry", []) if isinstance(payload, dict) else []:
        for change in entry.get("changes", []) if isinstance(entry, dict) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            for message in value.get("messages") or []:
                if isinstance(message, dict):
                    users = (message.get("from"), message.get("from_user_id"))
                    graph.user_wrote(*(u for u in users if isinstance(u, str) and u), at=now)
            for contact in value.get("contacts") or []:
                if isinstance(contact, dict) and isinstance(contact.get("user_id"), str):
                    graph.user_wrote(contact["user_id"], at=now)


def register_templates(graph: FakeGraphAPI, settings: Settings) -> None:
    """The templates of docs/whatsapp-templates.md, registered in every language as a
    municipality does in the WhatsApp Manager (under the configured names)."""
    catalogs = load_catalogs()
    names = {
        "checkin": settings.whatsapp_checkin_template,
        "question": settings.whatsapp_question_template,
    }
    for spec in SPECS:
        for language in LANGUAGES:
            text = template_text(spec, catalogs[language], language)
            params = len(set(re.findall(r"\{\{(\d+)\}\}", text.body)))
            graph.register_template(names[spec.key], language, params, len(text.buttons))


@contextlib.asynccontextmanager
async def running_whatsapp(
    graph: FakeGraphAPI,
    tmp_path: Path,
    clock: Clock,
    *,
    background: bool = False,
    voice: VoiceSettings | None = None,
    **extra: Any,
) -> AsyncIterator[Running]:
    """The WhatsApp channel with its HTTP server on a free port. Without ``background`` the
    test drives the inbox, the outbox and the transcripts itself (``settle``,
    ``app.transcript_sweep``); ``voice``: the transcript's model (none by default)."""
    settings = settings_for(graph, tmp_path, **extra)
    graph.clock = clock  # the 24-hour window is counted on the bot's clock
    register_templates(graph, settings)
    app = await build_app(settings, voice or no_transcripts())
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)  # connections wait in the backlog until uvicorn accepts them
    port = sock.getsockname()[1]
    staff = staff_channel()
    try:
        async with (
            whatsapp_parts(app, clock, run_inbox_worker=background) as parts,
            serving(
                app,
                clock,
                [parts.channel],
                staff,
                run_outbox=background,
                run_scheduler=False,
                sock=sock,
            ) as service,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http,
        ):
            yield Running(app, parts, service, staff, http, clock, graph)
    finally:
        sock.close()
        await app.close()
        gc.collect()  # a leaked connection warns here, in the test that leaked it


@dataclass
class Resident:
    """A WhatsApp user talking to the bot: each message is a signed webhook."""

    run: Running
    graph: FakeGraphAPI
    number: str | None = "31612345678"
    bsuid: str | None = None
    seen: int = field(default=0)

    @property
    def address(self) -> str:
        """How the bot addresses this user (the business-scoped id when there is one)."""
        address = self.bsuid or self.number
        assert address is not None
        return address

    @property
    def chat(self) -> list[SentWhatsApp]:
        return self.graph.messages_to(self.address)

    def _sender(self) -> dict[str, Any]:
        return {"wa_id": self.number, "bsuid": self.bsuid, "timestamp": self.run.clock()}

    async def sends(self, item: wa.MessageItem) -> list[SentWhatsApp]:
        """Post ``item``, let the bot process it; the messages it sent meanwhile."""
        response = await self.run.post(wa.envelope(item))
        assert response.status_code == 200, response.text
        await self.run.settle()
        new = self.chat[self.seen :]
        self.seen = len(self.chat)
        return new

    async def says(self, text: str, *, replying_to: str | None = None) -> list[SentWhatsApp]:
        return await self.sends(
            wa.text_message(text=text, context_id=replying_to, **self._sender())
        )

    def question(self) -> SentWhatsApp:
        """The latest message with buttons or a list."""
        return next(m for m in reversed(self.chat) if m.buttons or m.rows)

    async def taps(self, prompt: str, choice: str) -> list[SentWhatsApp]:
        """Press the button (or pick the list row) for ``choice`` of question ``prompt``."""
        return await self.presses(f"r|{prompt}|{choice}")

    async def presses(self, data: str) -> list[SentWhatsApp]:
        message = self.question()
        buttons = dict(message.buttons)
        rows = {id_: title for id_, title, _ in message.rows}
        if data in buttons:
            item = wa.button_reply(
                button_id=data, title=buttons[data], context_id=message.wamid, **self._sender()
            )
        else:
            assert data in rows, (data, message.buttons, message.rows)
            item = wa.list_reply(
                row_id=data, title=rows[data], context_id=message.wamid, **self._sender()
            )
        return await self.sends(item)
