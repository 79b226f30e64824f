"""The web chat assembled: its page's routes and the "web" channel's messenger (the loket's
messages into the transcripts), sharing one ``ChatTranscripts`` and so its per-chat locks.
``bot.bootstrap.web`` serves it next to the dashboard."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.app import App
from bot.channels.channel import Channel
from bot.web.templating import Pages

from .chat import ChatPage, routes
from .messenger import CHANNEL, ChatTranscripts, WebChatMessenger


@dataclass(frozen=True)
class WebChatParts:
    messenger: WebChatMessenger
    channel: Channel


def webchat_parts(app: App, clock: Callable[[], datetime], pages: Pages) -> WebChatParts:
    transcripts = ChatTranscripts(app.store, app.settings.default_language)
    messenger = WebChatMessenger(transcripts)
    page = ChatPage(app, clock, pages, transcripts)
    return WebChatParts(messenger, Channel(CHANNEL, messenger, routers=(routes(page),)))
