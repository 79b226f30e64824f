"""What loket staff read in chat apps: the minimal group card, the private details (the
whole notification of a signal) and the answers to staff commands and buttons. Staff read
Dutch (``STAFF_LANGUAGE``).

The group card is minimal on purpose: everybody in the loket group sees it, so it carries no
personal data and no free text; the postcode is cut to its four digits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.dialog import messages as m
from core.dialog.areas import AreaMap
from core.dialog.draft import SignalDraft, signal_lines
from core.dialog.flows import FLOW_OF_KIND, REPORT_OTHER
from core.dialog.model import Place
from core.dialog.state import Answer
from core.dialog.summary import answer_value
from core.text.languages import LanguageName
from core.text.msgids import N_, Msg, Nn_, Param, Token, When, msg

from . import table as lifecycle
from . import voice
from .voice import VoiceNoteView

NEW_SIGNAL = N_("New signal %(reference)s, received %(date)s.")
NEW_URGENT_SIGNAL = N_("URGENT: new signal %(reference)s, received %(date)s.")
KIND_OTHER = N_("About someone else.")
KIND_SELF = N_("A report about themselves.")
KIND_VOICE = N_("A report by voice message: what it is about is in the voice message.")
REPORTER_LANGUAGE = N_("The reporter wrote in %(language)s.")
REPORTER_CALLED = N_("The reporter called the loket: a telephone report.")
REPORTER_SPOKE = N_("The reporter spoke a voice message; their chat is in %(language)s.")
PHONE_CHANNEL = "phone"  # a report taken by telephone and typed in by staff
PARTNER = N_("Via partner: %(partner)s")

CARD_NEIGHBOURHOOD = N_("Neighbourhood: %(place)s")
CARD_NEIGHBOURHOOD_UNKNOWN = N_("Neighbourhood: unknown")
CARD_NEIGHBOURHOOD_POSTCODE = N_("Neighbourhood: %(place)s (postcode %(postcode)s)")
CARD_STATUS = N_("Status: %(status)s")
CARD_CLAIMED_BY = N_("Picked up by %(name)s on %(date)s.")
CARD_OPEN = N_("Not picked up yet. Press the button to take it on.")

DETAILS_HEADER = N_(
    "Confidential: details of %(reference)s for you only. Do not forward or copy them."
)
DETAILS_NEXT = N_("Status: %(status)s. Choose the next step when it is done.")

CLAIM_DONE = N_("You picked up %(reference)s. The details are in your private chat with the bot.")
CLAIM_TAKEN = N_("%(reference)s was already picked up by %(name)s.")
CLAIM_ALREADY_YOURS = N_("You already picked up %(reference)s.")
TAKE_OVER_DONE = N_("You took over %(reference)s. It is yours now.")
NOTE_SAVED = N_("Your internal note on %(reference)s is saved.")
ACTION_DONE = N_("%(reference)s: %(status)s.")
ACTION_DONE_WITH = N_("%(reference)s: %(status)s (%(option)s).")
RECORDED = N_("%(reference)s: recorded: %(action)s.")
OPTIONS_BACK = N_("Back")
NEEDS_HELP = N_("%(name)s asks for help with %(reference)s (status: %(status)s).")
ASK_PROMPT = N_(
    "Type your question for the reporter of %(reference)s as a reply to this message. "
    "Never ask for or give phone numbers."
)
ASK_SENT = N_("Your question about %(reference)s was sent to the reporter.")
ASK_NO_PHONE = N_("Phone numbers cannot be sent through the bot. Please rephrase your question.")
ASK_NO_REPORTER = N_("The reporter of %(reference)s cannot be reached through the bot.")
VIEW_UNKNOWN = N_("No signal with that reference. Use it like this: /signaal SP-2026-0001")
REFUSED_NOT_STAFF = N_("Only linked loket staff can do this. Ask an administrator for a code.")
REFUSED_NOT_ALLOWED = N_("Your role does not allow this.")
REFUSED_WRONG_STATUS = N_("This step no longer applies: the status of %(reference)s is %(status)s.")
REFUSED_NOT_ASSIGNEE = N_("Only the staff member who picked up %(reference)s can do this.")
REFUSED_UNKNOWN = N_("This button is no longer valid.")

LINK_DONE = N_("Welcome, %(name)s. You are linked as %(role)s and can pick up signals.")
LINK_INVALID = N_(
    "This code is not valid, already used or expired. Ask an administrator for a new code."
)
LINK_USAGE = N_("Send /koppel followed by your code, in a private chat with the bot.")
LINK_PRIVATE_ONLY = N_("Link your account in a private chat with the bot, not in a group.")
LINK_LOCKED, LINK_LOCKED_PLURAL = Nn_(
    "Too many wrong codes. Wait %(count)d minute before you try again, or ask an "
    "administrator for a new code.",
    "Too many wrong codes. Wait %(count)d minutes before you try again, or ask an "
    "administrator for a new code.",
)

DELIVERY_FAILED = N_(
    "A notification about %(reference)s could not be delivered to %(target)s: %(reason)s. "
    "Check that the bot is still a member of that chat and not blocked."
)
TARGET_LOKET_GROUP = N_("the loket group")
TARGET_STAFF = N_("a staff member's private chat")
MAIL_REFUSED = N_(
    "A mail about %(reference)s to %(target)s was refused by the mail server: %(reason)s. "
    "Check the address. The signal is in the dashboard."
)
MAIL_SETUP = N_(
    "Mail to %(target)s cannot be sent: %(reason)s. Check SIGNAALPUNT_SMTP_URL (the "
    "server, user and password, TLS). The mails wait and go out once it works."
)
TARGET_LOKET_MAILBOX = N_("the loket's mailbox")
TARGET_STAFF_MAIL = N_("a staff member's e-mail address")
TEMPLATE_REFUSED = N_(
    "WhatsApp refused the message template for %(reference)s: %(reason)s. Register the "
    "templates exactly as in docs/whatsapp-templates.md. This message was not sent."
)
LOKET_MOVED = N_(
    "The loket group became a supergroup in Telegram and got a new id: %(new)s. Signaalpunt "
    "now sends the cards there; nothing was lost. Please set "
    "SIGNAALPUNT_LOKET_CHAT_ID=%(new)s in the configuration."
)

CARD_STEPS = ("role", "age_group")


def _place(draft: SignalDraft, places: Sequence[Place], areas: AreaMap | None = None) -> Msg:
    names = {p.id: p.name for p in places}
    if draft.area:
        return msg(CARD_NEIGHBOURHOOD, place=names.get(draft.area, draft.area))
    if draft.postcode:
        # The four digits name the district; the letters would narrow it to a street.
        digits = Token(draft.postcode[:4])
        area = areas.area_of(None, draft.postcode[:4]) if areas else None
        if area is not None:
            return msg(CARD_NEIGHBOURHOOD_POSTCODE, place=names.get(area, area), postcode=digits)
        return msg(CARD_NEIGHBOURHOOD, place=digits)
    return msg(CARD_NEIGHBOURHOOD_UNKNOWN)


def status_label(status: str) -> Msg:
    return Msg(lifecycle.STATUS_LABELS.get(status, status))


def loket_card(
    reference: str,
    draft: SignalDraft,
    received_at: datetime,
    places: Sequence[Place],
    *,
    status: str,
    partner_name: str | None = None,
    assignee_name: str | None = None,
    claimed_at: datetime | None = None,
    channel: str | None = None,
    areas: AreaMap | None = None,
) -> tuple[Msg, ...]:
    """The group card: reference, urgency, role, age group, neighbourhood, language, partner,
    and who picked it up. Nothing that identifies the person or the reporter."""
    flow = FLOW_OF_KIND.get(draft.kind, REPORT_OTHER)
    header = NEW_URGENT_SIGNAL if draft.urgent else NEW_SIGNAL
    texts: list[Msg] = [
        msg(header, reference=Token(reference), date=When(received_at)),
        kind_line(draft),
    ]
    for step in flow.steps:
        code = draft.codes.get(step.id)
        if step.id in CARD_STEPS and code is not None:
            value: Param = answer_value(step, Answer(choice=code), places, staff=True)
            texts.append(msg(m.SUMMARY_LINE, label=Msg(step.shown_label(True)), value=value))
    texts.append(_place(draft, places, areas))
    texts.append(reporter_line(draft, channel))
    texts.extend(voice.card_lines(draft))
    if draft.partner:
        texts.append(msg(PARTNER, partner=partner_name or draft.partner))
    if assignee_name is not None and claimed_at is not None:
        texts.append(msg(CARD_CLAIMED_BY, name=assignee_name, date=When(claimed_at)))
    elif status == lifecycle.NEW:
        texts.append(msg(CARD_OPEN))
    else:
        texts.append(msg(CARD_STATUS, status=status_label(status)))
    return tuple(texts)


def kind_line(draft: SignalDraft) -> Msg:
    """Whom the signal is about: someone else, the reporter, or said in a voice note."""
    if draft.kind == "voice":
        return msg(KIND_VOICE)
    return msg(KIND_OTHER if draft.kind == "other" else KIND_SELF)


def reporter_line(draft: SignalDraft, channel: str | None) -> Msg:
    """How the report came in: by telephone, by voice message, or written in the reporter's
    language."""
    if channel == PHONE_CHANNEL:
        return msg(REPORTER_CALLED)
    if draft.kind == "voice":  # someone who may not write at all
        return msg(REPORTER_SPOKE, language=LanguageName(draft.language))
    return msg(REPORTER_LANGUAGE, language=LanguageName(draft.language))


def loket_notification(
    reference: str,
    draft: SignalDraft,
    received_at: datetime,
    places: Sequence[Place],
    partner_name: str | None = None,
    channel: str | None = None,
) -> tuple[Msg, ...]:
    """Everything the loket needs to start the follow-up of one signal."""
    flow = FLOW_OF_KIND.get(draft.kind, REPORT_OTHER)
    header = NEW_URGENT_SIGNAL if draft.urgent else NEW_SIGNAL
    texts: list[Msg] = [
        msg(header, reference=Token(reference), date=When(received_at)),
        kind_line(draft),
        reporter_line(draft, channel),
    ]
    if draft.partner:
        texts.append(msg(PARTNER, partner=partner_name or draft.partner))
    texts.extend(signal_lines(flow, draft, places))
    return tuple(texts)


def staff_details(
    reference: str,
    draft: SignalDraft,
    received_at: datetime,
    places: Sequence[Place],
    *,
    status: str,
    partner_name: str | None = None,
    channel: str | None = None,
    voice_notes: Sequence[VoiceNoteView] = (),
) -> tuple[Msg, ...]:
    """The private message for the staff member who picked the signal up: everything,
    the voice notes' transcripts included (the audio goes apart)."""
    return (
        msg(DETAILS_HEADER, reference=Token(reference)),
        *loket_notification(reference, draft, received_at, places, partner_name, channel),
        *voice.detail_lines(draft, voice_notes),
        msg(DETAILS_NEXT, status=status_label(status)),
    )
