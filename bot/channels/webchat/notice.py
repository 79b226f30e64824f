"""The notice mail to a web reporter (queued by ``bot.outbox.reporter_mail``): "a message
waits for you", in their language, with a single-use link that opens their chat.

The link's token is 32 random bytes; the database keeps its SHA-256, with the chat it
opens, its language and when it expires (``storage.reporter_mail``). A retried send
carries the same Message-ID (made of the outbox item's id), so a mail server that took it
once and a mailbox that shows it see one mail.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from email.utils import parseaddr

from bot.mail.message import Link, MailContent, MailRenderer, Threading, message_id
from bot.outbox.by_mail import MailSend
from bot.ports import DeliveryError, Outgoing
from core.text.catalog import Catalog
from core.text.languages import RTL_LANGUAGES
from storage.uow import Store
from storage.webchat import token_hash

from . import reach_texts as t

LINK_LIFE = timedelta(days=7)  # the texts say "7 days"
OPEN_PATH = "/chat/open"


def notice_content(catalog: Catalog, language: str, url: str) -> MailContent:
    """The mail in ``language``: nothing but that a message waits, and the link."""
    return MailContent(
        language=language,
        subject=catalog.gettext(t.SUBJECT),
        heading=catalog.gettext(t.HEADING),
        paragraphs=(
            catalog.gettext(t.BODY),
            catalog.gettext(t.LINK_NOTE),
        ),
        link=Link(url, catalog.gettext(t.LINK_LABEL)),
        footer=catalog.gettext(t.FOOTER),
        direction="rtl" if language in RTL_LANGUAGES else "ltr",
    )


class NoticeMailer:
    def __init__(
        self,
        store: Store,
        catalogs: Mapping[str, Catalog],
        send: MailSend,
        mail_from: str,
        public_base: str,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._catalogs = catalogs
        self._send = send
        self._from = mail_from
        self._base = public_base.rstrip("/")
        self._clock = clock
        self._renderer = MailRenderer()
        self._domain = parseaddr(mail_from)[1].rpartition("@")[2] or "signaalpunt.invalid"

    async def deliver(self, message: Outgoing) -> str:
        template = message.template
        if template is None or len(template.params) != 2:
            raise DeliveryError("not a notice mail", permanent=True)
        user_id, key = template.params
        language = template.language if template.language in self._catalogs else "nl"
        now = self._clock()
        token = secrets.token_urlsafe(32)
        async with self._store.unit_of_work() as uow:
            if await uow.webchat.by_user(user_id) is None:
                raise DeliveryError("the web chat is gone", permanent=True)
            await uow.reporter_mail.add_link(
                token_hash(token), user_id, language, now, now + LINK_LIFE
            )
            await uow.commit()
        content = notice_content(
            self._catalogs[language], language, f"{self._base}{OPEN_PATH}?t={token}"
        )
        mail = self._renderer.render(
            content,
            sender=self._from,
            recipient=message.target,
            threading=Threading(message_id(self._domain, "bericht", key)),
            now=now,
        )
        result = await self._send(mail)
        if result.status == "sent":
            return f"mail:{key}"
        raise DeliveryError(result.reason, permanent=result.status == "permanent")
