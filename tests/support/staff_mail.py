"""Staff who chose e-mail, and the outbox worker that sends their mail to a real SMTP server
on loopback: what the mail tests and the mail benchmark share."""

from __future__ import annotations

import ssl
from datetime import datetime

from bot.bootstrap.serving import RoutingMessenger
from bot.i18n import load_catalogs
from bot.mail.sender import SmtpSender
from bot.mail.settings import parse_smtp_url
from bot.outbox.by_mail import CHANNEL, MailComposer, MailMessenger
from bot.outbox.kinds import mail_routing
from bot.outbox.worker import OutboxWorker
from bot.settings import Settings
from storage.uow import Store
from tests.fakes.messenger import RecordingMessenger

FROM = "Signaalpunt Terneuzen <signaalpunt@terneuzen.test>"
LOKET_MAILBOX = "loket@terneuzen.test"
PUBLIC_URL = "https://signaalpunt.terneuzen.test"


async def staff_by_mail(
    store: Store, name: str, role: str, address: str, now: datetime, username: str | None = None
) -> int:
    """A staff member with a dashboard login who chose ``address`` for their mail."""
    async with store.unit_of_work() as uow:
        record = await uow.logins.add_account(
            username or name.lower(), display_name=name, role=role, password_hash="x", now=now
        )
        assert record is not None
        await uow.email_accounts.link(address, record.id, now)
        await uow.commit()
    return record.id


def mail_worker(
    store: Store,
    port: int,
    chat: RecordingMessenger,
    *,
    scheme: str = "smtp",
    tls_context: ssl.SSLContext | None = None,
    loket_mailbox: str | None = LOKET_MAILBOX,
    credentials: str = "",
) -> OutboxWorker:
    """An outbox worker whose mail goes to 127.0.0.1:``port`` (``credentials``:
    ``user:password@``); ``chat`` takes the rest."""
    store.mail = mail_routing(loket_mailbox=loket_mailbox is not None)
    catalogs = load_catalogs()
    composer = MailComposer(
        catalogs["nl"], sender=FROM, loket_address=loket_mailbox, public_url=PUBLIC_URL
    )
    sender = SmtpSender(
        parse_smtp_url(f"{scheme}://{credentials}127.0.0.1:{port}"),
        tls_context=tls_context,
        timeout=5.0,
        local_hostname="sp.test",
    )
    # As the service routes: mail to the mail messenger, the rest to the staff chat.
    routed = RoutingMessenger(chat, {CHANNEL: MailMessenger(sender.send)})
    places = Settings(_env_file=None).places()  # type: ignore[call-arg]
    return OutboxWorker(store, routed, catalogs, places, mail=composer)
