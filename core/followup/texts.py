"""Texts of the follow-up: reminders and the digest for staff (rendered in Dutch), the
check-in, questions and ``/status`` for reporters (in their own language).

A reporter learns only received / picked up / closed, never what care the person got.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.dialog.events import Reply, ReplyChoice
from core.lifecycle import table as lc
from core.text.msgids import N_, P_, Msg, Token, UserText, When, msg

from .rules import ANSWER_NO, ANSWER_WORRIED, ANSWER_YES

# -- staff (Dutch) -------------------------------------------------------------------
REMINDER_CLAIM = N_(
    "Reminder: %(reference)s has not been picked up yet. It should have been picked up by %(date)s."
)
ESCALATION_CLAIM = N_(
    "Escalation: %(reference)s is still not picked up, long after its deadline of %(date)s. "
    "Please make sure someone takes it on."
)
URGENT_MARK = N_("This signal is marked urgent.")
REMINDER_CONTACT = N_(
    "Reminder: no contact with the reporter of %(reference)s is logged yet. It was due by "
    "%(date)s. Press Contact made when it is done."
)
REFERRAL_CHECK = N_("%(reference)s was referred on %(date)s. Is the follow-up on track?")
NEEDS_HELP = N_("%(name)s asks for help with %(reference)s (status: %(status)s).")
REPORTER_SAYS_NO = N_("The reporter of %(reference)s says the loket has not contacted them.")
REPORTER_STILL_WORRIED = N_("The reporter of %(reference)s is still worried.")
REOPENED_BY_REPORTER = N_("The signal was reopened.")
REPORTER_REPLY = N_("Answer from the reporter of %(reference)s:")
DIGEST_HEADER = N_("Good morning. The signals on %(date)s:")
DIGEST_COUNTS = N_(
    "New since the last overview: %(new)s. Not picked up: %(unclaimed)s. "
    "Past their deadline: %(overdue)s."
)
DIGEST_BY_DEADLINE = N_("First deadlines:")
DIGEST_LINE = N_("%(reference)s: %(status)s, %(what)s %(date)s")
DIGEST_NOTHING = N_("No open signals.")
OWED_LABELS: dict[str, str] = {
    "claim": N_("pick up by"),
    "contact": N_("contact by"),
    "check": N_("check on"),
}

# -- reporters (their language) ---------------------------------------------------------
CHECKIN_PROMPT = "checkin"
CHECKIN_QUESTION = P_(
    "check-in question, about 2 weeks after a report",
    "Some time ago you sent us a report (%(reference)s). Has the municipality been in touch with "
    "you about it?",
)
CHECKIN_CHOICES: dict[str, str] = {
    ANSWER_YES: P_("check-in answer", "Yes"),
    ANSWER_NO: P_("check-in answer", "No"),
    ANSWER_WORRIED: P_("check-in answer", "I am still worried"),
}
CHECKIN_SHORT: dict[str, str] = {
    ANSWER_WORRIED: P_("short check-in answer (max 20 characters)", "Still worried"),
}
CHECKIN_THANKS = P_("message: check-in answered", "Thank you for letting us know.")
CHECKIN_PASSED_ON = P_(
    "message: check-in answered, no contact or still worried",
    "Thank you. We have passed this on to the municipality, and someone will look at it again.",
)
CHECKIN_ALREADY = P_(
    "message: check-in answered twice", "You have already answered this question. Thank you."
)
CHECKIN_UNKNOWN = P_("message: an old check-in", "This question is no longer open.")
# Translators: an answer reaches the municipality only when it is sent
# with the app's reply function (it quotes this message). "Reply" is that
# function's name in WhatsApp and Telegram: use the name in your language.
QUESTION_FROM_LOKET = P_(
    "message: the municipality asks the reporter a question (chat apps)",
    "The municipality has a question about your report %(reference)s. Do you want to answer? "
    "Press and hold this message and choose Reply (or swipe the message to the side). Then type "
    "your answer. Please do not send phone numbers.",
)
QUESTION_FROM_LOKET_WEB = P_(
    "message: the municipality asks the reporter a question (web chat)",
    "The municipality has a question about your report %(reference)s. Type your answer in "
    "the box at the bottom. Please do not send phone numbers.",
)
QUOTED = P_("the municipality's question, quoted", "“%(text)s”")
QUESTION_ANSWER_SENT = P_(
    "message: answer passed on", "Thank you, we have passed your answer on to the municipality."
)
QUESTION_NUMBER_REMOVED = P_(
    "message: a phone number was left out of an answer",
    "We left out the phone number: phone numbers are not passed on through this chat.",
)
STATUS_HEADER = P_("status: heading", "Your reports:")
STATUS_LINE = P_("status: one report", "%(reference)s (sent %(date)s): %(status)s")
STATUS_NONE = P_("status: no reports", "You have not sent any reports through this chat yet.")
REPORTER_STATUS_LABELS: dict[str, str] = {
    lc.RECEIVED: P_("status of a report", "received"),
    lc.PICKED_UP: P_("status of a report", "the municipality is working on it"),
    lc.CLOSED: P_("status of a report", "finished"),
}


def checkin_reply(reference: str) -> Reply:
    """The reporter check-in: did the loket contact you? (yes · no · still worried)."""
    return Reply(
        (msg(CHECKIN_QUESTION, reference=Token(reference)),),
        CHECKIN_PROMPT,
        tuple(
            ReplyChoice(
                key, Msg(label), short=Msg(CHECKIN_SHORT[key]) if key in CHECKIN_SHORT else None
            )
            for key, label in CHECKIN_CHOICES.items()
        ),
    )


def question_texts(reference: str, question: str) -> tuple[Msg, ...]:
    """The loket's question as the reporter sees it; the question itself stays inert."""
    return (
        msg(QUESTION_FROM_LOKET, reference=Token(reference)),
        msg(QUOTED, text=UserText(question)),
    )


def status_texts(signals: Sequence[tuple[str, datetime, str]]) -> tuple[Msg, ...]:
    """``/status``: (reference, received at, lifecycle status) per signal, limited."""
    if not signals:
        return (msg(STATUS_NONE),)
    lines = tuple(
        msg(
            STATUS_LINE,
            reference=Token(reference),
            date=When(at),
            status=Msg(REPORTER_STATUS_LABELS[lc.REPORTER_STATUS.get(status, lc.RECEIVED)]),
        )
        for reference, at, status in signals
    )
    return (msg(STATUS_HEADER), *lines)
