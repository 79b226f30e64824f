"""The staff notices by mail, in Dutch, from plain values.

A notice carries what the Telegram group card shows (reference, urgency, neighbourhood, the
postcode's four digits, a deadline) and never personal data: the caller feeds it only those
values, and texts it rendered from the same msgids as the Telegram message (a reminder's
sentence, a digest's lines). Details are behind the link, in the dashboard, after sign-in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from .message import Link, MailContent

Translate = Callable[[str], str]  # the staff catalog's gettext


def N_(msgid: str) -> str:
    """Marks a msgid for extraction (``make pot``); translated when the mail is composed."""
    return msgid


NoticeKind = Literal[
    "new_signal", "reminder", "escalation", "needs_help", "update", "claimed", "answered"
]
Reason = Literal["loket_mailbox", "staff_choice"]

HEADINGS: dict[NoticeKind, str] = {
    "new_signal": N_("New signal"),
    "reminder": N_("Reminder"),
    "escalation": N_("Escalation: a deadline has passed"),
    "needs_help": N_("A colleague asks for help"),
    "update": N_("The signal was updated"),
    "claimed": N_("You picked up this signal"),
    "answered": N_("The reporter answered a question"),
}
REASONS: dict[Reason, str] = {
    "loket_mailbox": N_(
        "You receive this mail because this address is the loket's mailbox in Signaalpunt."
    ),
    "staff_choice": N_(
        "You receive this mail because you chose to be notified by e-mail in Signaalpunt. "
        "You can change that in the dashboard."
    ),
}
SUBJECT = N_("Signal %(reference)s")
DIGEST_SUBJECT = N_("Signaalpunt: overview of %(date)s")
ADMIN_SUBJECT = N_("Signaalpunt: a notice for administrators")
URGENT = N_("Urgent")
LABEL_REFERENCE = N_("Reference")
LABEL_NEIGHBOURHOOD = N_("Neighbourhood")
LABEL_POSTCODE = N_("Postcode area")
LABEL_DEADLINE = N_("Deadline")
OPEN_SIGNAL = N_("Open the signal in the dashboard")
OPEN_DASHBOARD = N_("Open the dashboard")
NO_DETAILS = N_(
    "This mail holds no personal details. Sign in to the dashboard to see them and to act."
)


@dataclass(frozen=True)
class SignalNotice:
    """A notice about one signal. ``lines`` are Dutch sentences the caller rendered (the
    reminder or escalation text of the Telegram message); ``deadline`` is rendered too
    ("vandaag 16:00")."""

    kind: NoticeKind
    reference: str
    urgent: bool
    link: str
    reason: Reason
    neighbourhood: str | None = None
    postcode_area: str | None = None
    deadline: str | None = None
    lines: Sequence[str] = ()


def signal_notice(notice: SignalNotice, translate: Translate) -> MailContent:
    """The mail for ``notice``; every signal's mails share its subject, so they thread."""
    _ = translate
    facts = [(_(LABEL_REFERENCE), notice.reference)]
    if notice.neighbourhood:
        facts.append((_(LABEL_NEIGHBOURHOOD), notice.neighbourhood))
    if notice.postcode_area:
        facts.append((_(LABEL_POSTCODE), _four_digits(notice.postcode_area)))
    if notice.deadline:
        facts.append((_(LABEL_DEADLINE), notice.deadline))
    return MailContent(
        language="nl",
        subject=_(SUBJECT) % {"reference": notice.reference},
        heading=_(HEADINGS[notice.kind]),
        facts=tuple(facts),
        paragraphs=(*notice.lines, _(NO_DETAILS)),
        link=Link(notice.link, _(OPEN_SIGNAL)),
        footer=_(REASONS[notice.reason]),
        urgent=notice.urgent,
        urgent_label=_(URGENT),
    )


def digest(
    date: str, lines: Sequence[str], link: str, reason: Reason, translate: Translate
) -> MailContent:
    """The morning overview: ``lines`` are the Telegram digest's lines, rendered in Dutch."""
    return general(translate(DIGEST_SUBJECT) % {"date": date}, lines, link, reason, translate)


def admin_notice(
    lines: Sequence[str], link: str, reason: Reason, translate: Translate
) -> MailContent:
    """A notice for administrators (a message that could not be delivered): ``lines`` are
    the Telegram alert's, rendered in Dutch."""
    return general(translate(ADMIN_SUBJECT), lines, link, reason, translate)


def general(
    title: str, lines: Sequence[str], link: str, reason: Reason, translate: Translate
) -> MailContent:
    """A mail about no one signal: ``title``, the lines and a link to the dashboard."""
    _ = translate
    return MailContent(
        language="nl",
        subject=title,
        heading=title,
        paragraphs=tuple(lines),
        link=Link(link, _(OPEN_DASHBOARD)),
        footer=_(REASONS[reason]),
    )


def _four_digits(postcode: str) -> str:
    """The group card's rule, kept here too: a postcode never travels beyond its area."""
    digits = "".join(ch for ch in postcode if ch.isdigit())[:4]
    if len(digits) != 4:
        raise ValueError("a postcode area is the postcode's four digits")
    return digits
