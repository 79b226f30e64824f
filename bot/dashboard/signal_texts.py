"""Texts of the dashboard's signal pages that Python composes (msgids)."""

from __future__ import annotations

from core.text.msgids import N_

WEB_CLAIM_DONE = N_("You picked up %(reference)s. The details are shown below.")
EVENT_CREATED = N_("Received")
EVENT_QUESTION = N_("Question to the reporter")
EVENT_REPORTER_REPLY = N_("Answer from the reporter")
EVENT_REPORTER_ANSWER = N_("Reporter's answer to the check-in")
EVENT_REPORTER_UNREACHABLE = N_("The reporter could not be reached")
ACTOR_REPORTER = N_("the reporter")
ACTOR_SYSTEM = N_("Signaalpunt")
ACTOR_UNKNOWN = N_("unknown")
CHANNEL_LABELS = {
    "telegram": N_("Telegram"),
    "whatsapp": N_("WhatsApp"),
    "web": N_("Web chat"),
    "phone": N_("Telephone"),
    "console": N_("Terminal (test)"),
}
CHECKIN_ANSWERS = {
    "yes": N_("yes, there was contact"),
    "no": N_("no contact yet"),
    "worried": N_("still worried"),
}
DEADLINE_KINDS = {
    "claim": N_("Pick up before %(date)s"),
    "contact": N_("Contact before %(date)s"),
    "check": N_("Check the referral on %(date)s"),
}
OVERDUE = N_("Overdue")
UNKNOWN_SIGNAL = N_("There is no signal with this reference.")
