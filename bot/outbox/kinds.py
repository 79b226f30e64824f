"""Every kind of outbound message, in one place. The outbox stores a kind with ids only;
the composer of its kind writes the text when it is sent (``loket``: the staff messages of
a signal and the admins' alerts; ``followup``: reminders, escalations, the digest, and
the check-ins and questions for reporters).

Where each is queued: the loket card with the signal it announces (``storage.signals``),
the card's updates, details, voice notes, staff cards, calls for help and questions by the
staff actions (``bot.staff.actions``), the follow-up's by ``bot.followup.service`` (the
check-in kinds are the core's, ``core.followup.rules``), ``loket_moved`` by the Telegram
channel, ``admin_alert`` by the outbox worker.
"""

from __future__ import annotations

from core.followup.rules import (
    CLAIM_ESCALATION,
    CLAIM_REMINDER,
    CONTACT_REMINDER,
    REFERRAL_CHECK,
    REPORTER_CHECKIN,
)
from storage.signals import LOKET_CARD

# -- to the loket group and staff (composed in Dutch by ``bot.outbox.loket``) ----------------
CARD_UPDATE = "loket_card_update"  # the group card edited where it landed
STAFF_DETAILS = "staff_details"  # the full signal, privately, to who may read it
STAFF_CARD = "staff_card"  # the minimal card, privately (``/signaal REF``)
ADMIN_ALERT = "admin_alert"  # a message was dead-lettered, or a template refused
LOKET_MOVED = "loket_moved"  # an admin told that the loket group has a new chat id
# A voice note and its transcript, privately and protected, to who may read the details
# (composed by ``bot.outbox.voice``): the assignee after the claim, a regisseur or an admin.
VOICE_NOTE = "voice_note"
LOKET_KINDS = frozenset(
    {LOKET_CARD, CARD_UPDATE, STAFF_DETAILS, STAFF_CARD, ADMIN_ALERT, LOKET_MOVED, VOICE_NOTE}
)

# -- the follow-up (composed by ``bot.outbox.followup``) -----------------------------------
NEEDS_HELP = "needs_help"  # a staff member asked the regisseurs for help
REPORTER_FLAG = "reporter_flag"  # a reporter's check-in answer that needs the assignee
REPORTER_REPLY = "reporter_reply"  # a reporter's answer to a question, to the asker
DIGEST = "digest"  # the morning digest, to the loket group
REPORTER_QUESTION = "reporter_question"  # staff's question, to the reporter
STAFF_KINDS = frozenset(
    {
        CLAIM_REMINDER,
        CLAIM_ESCALATION,
        CONTACT_REMINDER,
        REFERRAL_CHECK,
        NEEDS_HELP,
        REPORTER_FLAG,
        REPORTER_REPLY,
        DIGEST,
    }
)
REPORTER_KINDS = frozenset({REPORTER_CHECKIN, REPORTER_QUESTION})
FOLLOW_UP_KINDS = STAFF_KINDS | REPORTER_KINDS

# Messages that carry a signal's personal details or a reporter's words to staff: their
# delivery is an access, recorded in the access history.
DISCLOSING = frozenset({STAFF_DETAILS, REPORTER_REPLY, VOICE_NOTE})
