"""Texts of the dashboard's signal pages that Python composes (msgids)."""

from __future__ import annotations

from core.text.msgids import N_

WEB_CLAIM_DONE = N_("You picked up %(reference)s. The details are shown below.")
EVENT_CREATED = N_("Received")
EVENT_TYPED_IN = N_("Typed in from a telephone call")
EVENT_NOTE = N_("Internal note")
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
DEADLINE_SHORT = {
    "claim": N_("pick up by"),
    "contact": N_("contact by"),
    "check": N_("check the referral on"),
}
ABOUT_OTHER = N_("Someone else")
ABOUT_SELF = N_("Themselves")
ABOUT_VOICE = N_("Said in a voice message")
YES = N_("Yes")
NO = N_("No")
CHOOSE_FIRST = N_("Please choose a reason first.")
CONFIRM_FIRST = N_("Please confirm that this signal cannot be followed up.")
TYPE_QUESTION = N_("Please type your question.")
TYPE_NOTE = N_("Please type your note.")
TOO_LONG = N_("This is too long: at most %(max)s characters.")
OVERDUE = N_("Overdue")
UNKNOWN_SIGNAL = N_("There is no signal with this reference.")
