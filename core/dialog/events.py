"""What goes into the engine (events) and what comes out (replies and effects)."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.text.languages import LanguageName
from core.text.msgids import Msg

from .draft import SignalDraft
from .state import ConversationState


@dataclass(frozen=True)
class TextIn:
    """Text the reporter typed (commands, numbers and labels included)."""

    text: str


@dataclass(frozen=True)
class Pick:
    """A button press: the prompt the button belonged to and the choice id."""

    prompt: str
    choice: str


@dataclass(frozen=True)
class Submitted:
    """The shell stored the signal (after ``StoreSignal``) under this reference."""

    reference: str


@dataclass(frozen=True)
class Refused:
    """The shell did not do what the last effect asked (``StoreSignal`` or
    ``CheckSignalLimit``): ``reason="limit"``, the reporter sent the most signals allowed
    in a day."""

    reason: str = "limit"


@dataclass(frozen=True)
class Reopen:
    """The reporter (re)opened the chat: show where they are, count nothing as an answer."""


@dataclass(frozen=True)
class Unreadable:
    """Something the bot cannot read: a photo, voice note, sticker, location, contact
    (``kind="media"``) or an edited message (``kind="edited"``)."""

    kind: str = "media"


@dataclass(frozen=True)
class PartnerFound:
    """What the shell knows of the partner whose link started the chat (``LookUpPartner``):
    what it is (a role of the report flow, "shop") and where (a neighbourhood id or a
    postcode). A partner that is not known sends nothing back."""

    code: str
    role: str | None = None
    area: str | None = None
    postcode: str | None = None


@dataclass(frozen=True)
class VoiceIn:
    """A voice note within the bounds, stored by the shell as ``note`` (its audio is kept
    only if the outcome's state lists it: the shell drops a note the engine did not keep)."""

    note: int
    seconds: float


@dataclass(frozen=True)
class VoiceRefused:
    """A voice note the shell did not take: ``reason`` is "too_long" (over ``limit``
    seconds), "too_large" or "unplayable"."""

    reason: str
    limit: float = 0.0


@dataclass(frozen=True)
class ContactShared:
    """The reporter shared their own phone number with one tap (Telegram's contact
    button); ``phone`` as the chat app gives it."""

    phone: str


Event = (
    TextIn
    | Pick
    | Submitted
    | Refused
    | Reopen
    | Unreadable
    | PartnerFound
    | VoiceIn
    | VoiceRefused
    | ContactShared
)


@dataclass(frozen=True)
class ReplyChoice:
    """An option. ``short``: the label where room is scarce (a WhatsApp button or list
    row), when it differs from ``label``."""

    id: str
    label: Msg | LanguageName | str
    selected: bool = False
    short: Msg | None = None


@dataclass(frozen=True)
class Reply:
    """One message to the reporter. ``prompt`` names the question its choices answer."""

    texts: tuple[Msg, ...]
    prompt: str | None = None
    choices: tuple[ReplyChoice, ...] = ()
    multi: bool = False
    accepts_text: bool = False
    # The question asks for a phone number: a page shows a telephone field.
    asks_phone: bool = False
    # The question asks for the reporter's own number: a chat app that can share it with
    # one tap (Telegram) shows a button with this label.
    share_phone: Msg | None = None


@dataclass(frozen=True)
class StoreSignal:
    """Store this signal and its loket notification in one transaction, then send
    ``Submitted(reference)`` back to the engine; or, when the reporter may send no more
    signals now, store nothing and send ``Refused("limit")``."""

    draft: SignalDraft


@dataclass(frozen=True)
class CheckSignalLimit:
    """A report starts. When the reporter may send no more signals now, send
    ``Refused("limit")`` back to the engine: its replies take the place of these."""


@dataclass(frozen=True)
class EraseReporter:
    """Erase the reporter (their details on their signals, their draft, the reporter
    itself) in this transaction, and keep nothing of the conversation afterwards: the
    state of this outcome is not to be saved."""


@dataclass(frozen=True)
class SetLanguage:
    """Remember the reporter's language beyond this conversation."""

    language: str


@dataclass(frozen=True)
class ShowStatus:
    """Show the reporter their signals (received / picked up / closed) before the
    replies of this outcome."""


@dataclass(frozen=True)
class LookUpPartner:
    """The chat was started from partner ``code``'s link: send back ``PartnerFound`` with
    what the partner's record says (nothing when there is no such partner)."""

    code: str


Effect = StoreSignal | CheckSignalLimit | EraseReporter | SetLanguage | ShowStatus | LookUpPartner


@dataclass(frozen=True)
class Outcome:
    state: ConversationState
    replies: tuple[Reply, ...] = ()
    effects: tuple[Effect, ...] = field(default_factory=tuple)
