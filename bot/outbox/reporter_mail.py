"""The ``reporter_mail`` composer (``bot.outbox.kinds``): a web reporter who left an
e-mail address is told by mail that a check-in or a question waits in their chat.

The notice is queued in the transaction that marks the check-in or question delivered
into the chat (``queue_notice``, called by the worker), so it is queued exactly once and
only after the message is there to be read; like every outbox item it is then delivered
at least once, with retries. The mail itself is written and sent by the web channel
(``bot.channels.webchat.notice``), which also makes the single-use link: the outbox row
and the ``Outgoing`` carry the address only in memory, never a text of the conversation.
"""

from __future__ import annotations

from datetime import datetime

from bot.ports import Outgoing, TemplateCall
from core.followup.rules import REPORTER_CHECKIN
from core.lifecycle.parties import Reporter
from storage.records import OutboxItem
from storage.uow import UnitOfWork
from storage.webchat import WEB_CHANNEL

from .kinds import REPORTER_MAIL, REPORTER_QUESTION

NOTICE = "mail_notice"  # the web channel's ``TemplateCall`` name for the notice mail
NOTICED = frozenset({REPORTER_CHECKIN, REPORTER_QUESTION})


async def queue_notice(uow: UnitOfWork, item: OutboxItem, sent: Outgoing, now: datetime) -> None:
    """After a check-in or a question landed in a web chat whose reporter left an
    address: queue its notice (in the caller's transaction)."""
    if item.kind not in NOTICED or sent.channel != WEB_CHANNEL or item.signal_id is None:
        return
    if not isinstance(item.target, Reporter):
        return
    if await uow.reporter_mail.email_of(item.signal_id) is None:
        return
    await uow.outbox.enqueue(
        REPORTER_MAIL, item.target, now, signal_id=item.signal_id, payload={"of": item.kind}
    )


class ReporterMailComposer:
    async def compose(self, uow: UnitOfWork, item: OutboxItem) -> Outgoing | None:
        """The notice to the address on the signal now; None when the address or the
        reporter was erased meanwhile (nothing to send)."""
        if item.signal_id is None or not isinstance(item.target, Reporter):
            return None
        address = await uow.reporter_mail.email_of(item.signal_id)
        reporter_id = item.target.reporter_id
        reporter = await uow.reporters.get(reporter_id) if reporter_id is not None else None
        if address is None or reporter is None or reporter.channel != WEB_CHANNEL:
            return None
        return Outgoing(
            address,
            "",
            channel=WEB_CHANNEL,
            template=TemplateCall(
                NOTICE, reporter.language, (reporter.channel_user_id, str(item.id))
            ),
        )
