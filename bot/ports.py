"""The shell's ports: what the outbox worker and the services talk to."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # a staff action, see ``bot.buttons``
    short: str = ""  # the label where room is scarce (a WhatsApp reply button)


@dataclass(frozen=True)
class TemplateCall:
    """The pre-approved form of a reporter message, for chat apps that allow free text only
    for a while after the reporter last wrote (WhatsApp: 24 hours). ``name`` is ours
    ("checkin", "question"); each channel maps it to its registered template."""

    name: str
    language: str
    params: tuple[str, ...]
    button_data: tuple[str, ...] = ()


@dataclass(frozen=True)
class Audio:
    """A voice note sent with a message (to staff: privately, protected); ``caption`` is
    what goes with it, ``filename`` how a chat app that wants one names it."""

    data: bytes
    mime_type: str
    seconds: float
    caption: str
    filename: str


@dataclass(frozen=True)
class Outgoing:
    """One outgoing message. ``edit`` is where an earlier message landed (to replace it);
    ``protect`` asks the chat app to prevent forwarding and saving; ``force_reply`` opens
    the reply field (the answer is matched to this message). ``channel`` is set for a
    reporter's chat (their channel), and ``target`` is their id on it; None means the staff
    channel, and ``target`` is a ``core.lifecycle.parties.Target`` as text (``loket``,
    ``staff:<id>``), which the staff channel resolves to its own chat. ``last_inbound_at`` and
    ``template`` let a channel with a reply window choose between free text and template.
    ``mail``: the composed e-mail of a message by mail (``channel`` "email").
    ``audio``: a voice note, sent first (its caption first), then ``text`` when there is
    any."""

    target: str
    text: str
    reference: str | None = None
    buttons: tuple[Button, ...] = ()
    protect: bool = False
    edit: str | None = None
    force_reply: bool = False
    channel: str | None = None
    last_inbound_at: datetime | None = None
    template: TemplateCall | None = None
    mail: EmailMessage | None = field(default=None, compare=False)
    audio: Audio | None = None


class Messenger(Protocol):
    """Delivers outgoing messages (terminal, Telegram, ...)."""

    async def deliver(self, message: Outgoing) -> str:
        """Send or edit; returns where the message landed (for later edits)."""
        ...


class DeliveryError(Exception):
    """A message could not be delivered.

    ``permanent`` ones are not retried (bot removed, chat gone); ``retry_after`` is the
    wait the chat app asked for (Telegram's 429). ``configuration``: our set-up is wrong
    (a WhatsApp template not registered as it is sent), so admins must hear of it even for
    a reporter's message. ``unreachable``: no channel can reach the recipient (a staff
    member without an account on any chat channel): the message is marked undeliverable.
    ``operator``: retried, but an administrator must mend the set-up (they are told).
    """

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        configuration: bool = False,
        unreachable: bool = False,
        operator: bool = False,
    ) -> None:
        super().__init__(reason)
        self.permanent = permanent or unreachable
        self.retry_after = retry_after
        self.configuration = configuration
        # Will not heal by waiting (a mail server's wrong password, an untrusted
        # certificate): still retried, and an admin is told.
        self.operator = operator
        self.unreachable = unreachable
