"""The web chat assembled: its page's routes and the "web" channel's messenger (the loket's
messages into the transcripts), sharing one ``ChatTranscripts`` and so its per-chat locks.
``bot.bootstrap.web`` serves it next to the dashboard."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.app import App
from bot.channels.channel import Channel
from bot.staff.partners import public_base
from bot.web.templating import Pages

from .chat import ChatPage, routes
from .chat_link import ChatLinks, link_routes
from .messenger import CHANNEL, ChatTranscripts, WebChatMessenger
from .notice import NoticeMailer
from .reach import ChatReach


@dataclass(frozen=True)
class WebChatParts:
    messenger: WebChatMessenger
    channel: Channel


def webchat_parts(app: App, clock: Callable[[], datetime], pages: Pages) -> WebChatParts:
    settings = app.settings
    transcripts = ChatTranscripts(app.store, settings.default_language)
    mailer = notice_mailer(app, clock)
    reach = ChatReach(
        app.store,
        mail=mailer is not None,
        checkin_after=timedelta(days=settings.reporter_checkin_days),
        keep=timedelta(days=settings.retain_draft_days),
    )

    async def waits(user_id: str) -> None:
        await reach.message_waits(user_id, clock())

    messenger = WebChatMessenger(transcripts, notices=mailer, waits=waits)
    page = ChatPage(app, clock, pages, transcripts, reach)
    links = ChatLinks(app, clock, pages)
    return WebChatParts(
        messenger, Channel(CHANNEL, messenger, routers=(link_routes(links), routes(page)))
    )


def notice_mailer(app: App, clock: Callable[[], datetime]) -> NoticeMailer | None:
    """The reporters' notice mails, when an SMTP server is configured (else the chat never
    asks for an address)."""
    settings = app.settings
    if app.mail is None or not settings.mail_from:
        return None
    base = public_base(settings.public_url, settings.http_host, settings.http_port)
    return NoticeMailer(app.store, app.catalogs, app.mail.send, settings.mail_from, base, clock)
