"""The registry of outbound message kinds: for each kind, the composer that writes its text
when it is sent, who may receive it, and whether it discloses personal data. The outbox
stores a kind with ids only; the worker looks the kind up here.

Composers: ``staff`` (``bot.outbox.loket``: a signal's cards and details, calls for help,
the admins' notices, in Dutch), ``voice`` (``bot.outbox.voice``: a voice note and its
transcript, in Dutch) and ``followup`` (``bot.outbox.followup``: reminders, escalations, the
digest, reporters' answers passed on, in Dutch; check-ins and questions for reporters, in
their language).

Where each is queued: the loket card when a signal is stored (``when_stored``, by the
service that stores it), the card's updates, details, staff cards, calls for help and
questions by the staff actions (``bot.staff.actions``; a voice note with the details it
belongs to), the follow-up's by ``bot.followup.service`` (the check-in kinds are the core's,
``core.followup.rules``), ``loket_moved`` by the Telegram channel, ``admin_alert`` by the
outbox worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.followup.rules import (
    CLAIM_ESCALATION,
    CLAIM_REMINDER,
    CONTACT_REMINDER,
    REFERRAL_CHECK,
    REPORTER_CHECKIN,
)
from core.lifecycle.parties import LOKET, LoketGroup, Reporter, StaffMember, Target
from storage.outbox import MailRouting, NewMessage
from storage.records import StoredSignal

Composer = Literal["staff", "voice", "followup", "reporter_mail"]
# Who may receive a kind: the loket group, a staff member, a reporter.
GROUP: frozenset[type[Target]] = frozenset({LoketGroup})
STAFF: frozenset[type[Target]] = frozenset({StaffMember})
STAFF_OR_GROUP: frozenset[type[Target]] = GROUP | STAFF  # the group when nobody else can
REPORTER: frozenset[type[Target]] = frozenset({Reporter})


@dataclass(frozen=True)
class Kind:
    id: str
    composer: Composer
    receivers: frozenset[type[Target]]
    # Carries a signal's personal details or a reporter's words to staff: its delivery is an
    # access, recorded in the access history.
    discloses: bool = False

    def may_reach(self, target: Target) -> bool:
        return type(target) in self.receivers


# -- a signal's messages to the loket and staff ----------------------------------------------
LOKET_CARD = "loket_card"  # the minimal card of a new signal, to the group
CARD_UPDATE = "loket_card_update"  # the group card edited where it landed
STAFF_DETAILS = "staff_details"  # the full signal, privately, to who may read it
STAFF_CARD = "staff_card"  # the minimal card, privately (``/signaal REF``)
# A voice note and its transcript, privately and protected, to who may read the details:
# the assignee after the claim, a regisseur or an admin (``/signaal REF``).
VOICE_NOTE = "voice_note"
NEEDS_HELP = "needs_help"  # a staff member asked the regisseurs for help
# -- the admins' notices ----------------------------------------------------------------------
ADMIN_ALERT = "admin_alert"  # a message was dead-lettered, or a template refused
LOKET_MOVED = "loket_moved"  # the loket group has a new chat id
# -- the follow-up ----------------------------------------------------------------------------
REPORTER_FLAG = "reporter_flag"  # a reporter's check-in answer that needs the assignee
REPORTER_REPLY = "reporter_reply"  # a reporter's answer to a question, to the asker
DIGEST = "digest"  # the morning digest, to the loket group
REPORTER_QUESTION = "reporter_question"  # staff's question, to the reporter
# A web reporter's mail: "a message waits for you" (``bot.outbox.reporter_mail``).
REPORTER_MAIL = "reporter_mail"

KINDS: dict[str, Kind] = {
    kind.id: kind
    for kind in (
        Kind(LOKET_CARD, "staff", GROUP),
        Kind(CARD_UPDATE, "staff", GROUP),
        Kind(STAFF_DETAILS, "staff", STAFF, discloses=True),
        Kind(STAFF_CARD, "staff", STAFF),
        Kind(VOICE_NOTE, "voice", STAFF, discloses=True),
        Kind(NEEDS_HELP, "staff", STAFF_OR_GROUP),
        Kind(ADMIN_ALERT, "staff", STAFF),
        Kind(LOKET_MOVED, "staff", STAFF),
        Kind(CLAIM_REMINDER, "followup", GROUP),
        Kind(CLAIM_ESCALATION, "followup", STAFF_OR_GROUP),
        Kind(CONTACT_REMINDER, "followup", STAFF_OR_GROUP),
        Kind(REFERRAL_CHECK, "followup", STAFF_OR_GROUP),
        Kind(REPORTER_FLAG, "followup", STAFF_OR_GROUP),
        Kind(REPORTER_REPLY, "followup", STAFF_OR_GROUP, discloses=True),
        Kind(DIGEST, "followup", GROUP),
        Kind(REPORTER_CHECKIN, "followup", REPORTER),
        Kind(REPORTER_QUESTION, "followup", REPORTER),
        Kind(REPORTER_MAIL, "reporter_mail", REPORTER),
    )
}


def when_stored(signal: StoredSignal) -> list[NewMessage]:
    """What a stored signal queues, in the transaction that stores it: its card, for the
    loket group."""
    return [NewMessage(LOKET_CARD, LOKET, signal_id=signal.id)]


# -- by e-mail --------------------------------------------------------------------------------
# What goes by mail too, each copy a row of its own (``storage.outbox.MailRouting``). For the
# group: to the loket's mailbox and every staff member who chose an address. For a staff
# member: to their address. Not by mail: the card's edits (a mail cannot be edited; its
# updates reach whom they concern), ``/signaal``'s card (an answer in Telegram) and the
# loket group's move (Telegram's own business). A kind that discloses goes by mail as a
# notice with the link only (``bot.outbox.by_mail``).
MAIL_TO_GROUP = frozenset(
    {
        LOKET_CARD,
        CLAIM_REMINDER,
        CLAIM_ESCALATION,
        NEEDS_HELP,
        DIGEST,
        CONTACT_REMINDER,
        REFERRAL_CHECK,
        REPORTER_FLAG,
        REPORTER_REPLY,
    }
)
MAIL_TO_STAFF = frozenset(
    {
        STAFF_DETAILS,
        NEEDS_HELP,
        ADMIN_ALERT,
        CLAIM_ESCALATION,
        CONTACT_REMINDER,
        REFERRAL_CHECK,
        REPORTER_FLAG,
        REPORTER_REPLY,
    }
)


def mail_routing(loket_mailbox: bool) -> MailRouting:
    """What goes by mail when mail is on; ``loket_mailbox``: the loket has a mailbox."""
    return MailRouting(group=MAIL_TO_GROUP, personal=MAIL_TO_STAFF, loket_mailbox=loket_mailbox)
