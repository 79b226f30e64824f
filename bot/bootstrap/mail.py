"""Mail for staff, from the settings: the SMTP sender, the composer of mails and what goes
by mail (``storage.outbox.MailRouting``, set on the store). Off without
``SIGNAALPUNT_SMTP_URL``."""

from __future__ import annotations

import ssl

from bot.mail.sender import SmtpSender
from bot.outbox.by_mail import MailChannel, MailComposer, MailMessenger
from bot.outbox.kinds import mail_routing
from bot.settings import Settings
from core.text.catalog import Catalog
from storage.uow import Store


def mail_channel(
    settings: Settings,
    store: Store,
    staff_catalog: Catalog,
    *,
    tls_context: ssl.SSLContext | None = None,
) -> MailChannel | None:
    """The mail channel when mail is configured (and the store told what goes by mail);
    ``tls_context``: what the server's certificate is checked against (the system's CAs)."""
    server = settings.smtp_server()
    if server is None or settings.mail_from is None or settings.public_url is None:
        return None
    store.mail = mail_routing(loket_mailbox=settings.loket_email is not None)
    composer = MailComposer(
        staff_catalog,
        sender=settings.mail_from,
        loket_address=settings.loket_email,
        public_url=settings.public_url,
    )
    sender = SmtpSender(server, tls_context=tls_context)
    return MailChannel(composer, MailMessenger(sender.send), sender.send)
