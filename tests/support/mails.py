"""Mails as the outbox will compose them, for the tests."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

from bot.mail.message import MailRenderer, signal_threading
from bot.mail.notices import SignalNotice, Translate, signal_notice

FROM = "Signaalpunt Terneuzen <signaalpunt@terneuzen.test>"
LOKET = "loket@terneuzen.test"
DOMAIN = "terneuzen.test"
SENT_AT = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)
LINK = "https://signaalpunt.terneuzen.test/loket/signalen/SP-2026-0042"


def notice(**changes: object) -> SignalNotice:
    values: dict[str, object] = {
        "kind": "new_signal",
        "reference": "SP-2026-0042",
        "urgent": True,
        "link": LINK,
        "reason": "loket_mailbox",
        "neighbourhood": "Sas van Gent",
        "postcode_area": "4551",
        "deadline": "vandaag 11:15",
    }
    values.update(changes)
    return SignalNotice(**values)  # type: ignore[arg-type]


def signal_mail(
    translate: Translate,
    key: str | None = None,
    *,
    recipient: str = LOKET,
    **changes: object,
) -> EmailMessage:
    """The mail of ``notice(**changes)``; ``key`` None: the signal's first mail."""
    return MailRenderer().render(
        signal_notice(notice(**changes), translate),
        sender=FROM,
        recipient=recipient,
        threading=signal_threading(DOMAIN, "SP-2026-0042", key),
        now=SENT_AT,
    )
