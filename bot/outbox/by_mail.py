"""Staff messages by e-mail: the ``ByMail`` rows of the outbox (``storage.outbox.MailRouting``
says which messages get one), composed at send time and sent over SMTP (``bot.mail``).

A mail says what the chat message says, in the same Dutch sentences from the same
composers (so a reminder whose signal moved on is dropped by mail too, and details never
go to someone who released the signal), but only what the group card shows: a kind that
discloses personal data (the details, a reporter's answer) goes by mail as a notice with
the link, never with its text. Every mail links to the signal in the dashboard.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from bot.mail.message import (
    MailContent,
    MailRenderer,
    Threading,
    message_id,
    signal_threading,
)
from bot.mail.notices import NoticeKind, Reason, SignalNotice, admin_notice, digest, signal_notice
from bot.mail.sender import MailResult
from bot.mail.settings import address_of
from bot.ports import DeliveryError, Outgoing
from core.followup import rules as f
from core.lifecycle.parties import LOKET, ByMail, StaffMember, as_text
from core.lifecycle.staff_texts import CARD_OPEN
from core.text.catalog import Catalog
from storage.records import OutboxItem
from storage.uow import UnitOfWork

from .kinds import (
    ADMIN_ALERT,
    DIGEST,
    KINDS,
    LOKET_CARD,
    NEEDS_HELP,
    REPORTER_REPLY,
    STAFF_DETAILS,
    Composer,
)

log = logging.getLogger(__name__)

CHANNEL = "email"  # ``Outgoing.channel`` of a mail: the routing messenger's key
SIGNAL_PATH = "/loket/signalen/"
DASHBOARD_PATH = "/loket/"

HEADINGS: dict[str, NoticeKind] = {
    LOKET_CARD: "new_signal",
    f.CLAIM_REMINDER: "reminder",
    f.CONTACT_REMINDER: "reminder",
    f.REFERRAL_CHECK: "reminder",
    f.CLAIM_ESCALATION: "escalation",
    NEEDS_HELP: "needs_help",
    STAFF_DETAILS: "claimed",
    REPORTER_REPLY: "answered",
}


class ChatComposer(Protocol):
    async def compose(self, uow: UnitOfWork, item: OutboxItem) -> Outgoing | None: ...


class MailComposer:
    """Writes a ``ByMail`` row's mail from what its kind's chat composer writes."""

    def __init__(
        self,
        catalog: Catalog,
        *,
        sender: str,
        loket_address: str | None,
        public_url: str,
    ) -> None:
        self._catalog = catalog
        self._renderer = MailRenderer()
        self._sender = sender
        self._domain = address_of(sender).domain
        self._loket = loket_address
        self._url = public_url.rstrip("/")
        # Lines that speak of the chat's own buttons: a mail has none (its link leads to
        # the dashboard, where the signal is picked up).
        self._chat_only = frozenset({catalog.gettext(CARD_OPEN)})

    async def compose(
        self,
        uow: UnitOfWork,
        item: OutboxItem,
        chat: Mapping[Composer, ChatComposer],
        now: datetime,
    ) -> Outgoing | None:
        """The mail for ``item`` (its target a ``ByMail``); None when there is nothing
        (left) to send: the chat message would not go, or the address was removed."""
        target = item.target
        assert isinstance(target, ByMail)
        to = self._loket if target.to == LOKET else None
        if isinstance(target.to, StaffMember):
            staff = await uow.staff.get(target.to.staff_id)
            if staff is None or not staff.active:
                return None  # revoked since it was queued: no more mail for them
            to = await uow.email_accounts.address_of(staff.id)
        if to is None:
            return None
        kind = KINDS[item.kind]
        said = await chat[kind.composer].compose(uow, replace(item, target=target.to))
        if said is None:
            return None
        reason: Reason = "loket_mailbox" if target.to == LOKET else "staff_choice"
        lines = [] if kind.discloses else said.text.split("\n")
        lines = [line for line in lines if line and line not in self._chat_only]
        _ = self._catalog.gettext
        if item.kind == DIGEST:
            day = datetime.fromisoformat(str(item.payload["date"])).date()
            content = digest(day.strftime("%d-%m-%Y"), lines, self._link(None), reason, _)
            threading = Threading(message_id(self._domain, "overzicht", day.isoformat()))
        elif item.kind == ADMIN_ALERT:
            content = admin_notice(lines, self._link(None), reason, _)
            threading = Threading(message_id(self._domain, "melding", str(item.id)))
        else:
            signal = await uow.signals.get(item.signal_id) if item.signal_id else None
            if signal is None:
                return None
            notice = SignalNotice(
                kind=HEADINGS.get(item.kind, "update"),
                reference=signal.reference,
                urgent=signal.draft.urgent,
                link=self._link(signal.reference),
                reason=reason,
                lines=lines,
            )
            content = signal_notice(notice, _)
            key = None if item.kind == LOKET_CARD else str(item.id)
            threading = signal_threading(self._domain, signal.reference, key)
        mail = self._renderer.render(
            content, sender=self._sender, recipient=to, threading=threading, now=now
        )
        return Outgoing(
            as_text(target), _plain(content), said.reference, channel=CHANNEL, mail=mail
        )

    def _link(self, reference: str | None) -> str:
        if reference is None:
            return f"{self._url}{DASHBOARD_PATH}"
        return f"{self._url}{SIGNAL_PATH}{reference}"


def _plain(content: MailContent) -> str:
    return "\n".join((content.heading, *content.paragraphs))


MailSend = Callable[[EmailMessage], Awaitable[MailResult]]  # ``SmtpSender.send``


class MailMessenger:
    """Delivers a composed mail (``Outgoing.mail``) with ``send`` (``bot.mail.sender``),
    turning the server's answer into what the outbox does: sent; a temporary failure
    retried with backoff; a permanent one dead-lettered (the worker alerts the admins)."""

    def __init__(self, send: MailSend) -> None:
        self._send = send

    async def deliver(self, message: Outgoing) -> str:
        if message.mail is None:
            raise DeliveryError("not a mail", permanent=True)
        result = await self._send(message.mail)
        if result.status == "sent":
            return str(message.mail["Message-ID"])
        reason = f"mail {result.reason}" + (f" {result.code}" if result.code else "")
        if result.enhanced:
            reason += f" ({result.enhanced})"
        if result.needs_operator:
            log.error("mail needs an operator: %s", result.reason)
        raise DeliveryError(
            reason, permanent=result.status == "permanent", operator=result.needs_operator
        )


@dataclass(frozen=True)
class MailChannel:
    """Mail as the outbox uses it: the composer of ``ByMail`` rows and their messenger."""

    composer: MailComposer
    messenger: MailMessenger
    # The sender, shared with the web chat's notices to its residents: one SMTP set-up.
    send: MailSend
