"""Who takes part in a signal's life, as values: who receives its messages (the loket group,
a staff member, a reporter: a ``Target``) and who acted on it (those, a program, or an
account on a channel that is no staff member: an ``Actor``).

The database holds them as text: the outbox's ``target`` column, the ``actor`` columns of
the access history and of a signal's events. ``as_text``, ``parse_target`` and
``parse_actor`` are the one place that writes and reads that text:

=========================  ============================================================
``loket``                  the loket group (wherever a channel keeps it)
``staff:<id>``             a staff member, by staff id (whichever way they are reached)
``reporter:<id>``          a reporter, by reporter id (through the channel they wrote on)
``reporter:anonymous``     a reporter we keep no id of (an anonymous report, an erasure)
``system``, ``cli``,       the follow-up's sweep; the command line; someone at the
``web``                    dashboard's login page, not signed in
``<channel>:<account>``    an account on a channel that is not a linked staff member
                           (``telegram:<user id>``: who pressed a button, tried a code)
``mail:loket``,            the same message by e-mail: the loket's mailbox, a staff
``mail:staff:<id>``        member's own address (a row of its own, retried on its own)
=========================  ============================================================

A staff member is addressed by staff id only; how they are reached (a Telegram account, a
web login, later an e-mail address) is their channel's business.
"""

from __future__ import annotations

from dataclasses import dataclass

LOKET_TEXT = "loket"
STAFF_PREFIX = "staff:"
REPORTER_PREFIX = "reporter:"
MAIL_PREFIX = "mail:"
ANONYMOUS = "anonymous"
PROGRAMS = frozenset({"system", "cli", "web"})
# The channels whose accounts can act (press, post a code) before they are linked staff.
ACCOUNT_CHANNELS = frozenset({"telegram", "web", "whatsapp"})


@dataclass(frozen=True)
class LoketGroup:
    """The loket's shared chat (the Telegram group, the terminal without one)."""


LOKET = LoketGroup()


@dataclass(frozen=True)
class StaffMember:
    staff_id: int


@dataclass(frozen=True)
class Reporter:
    """A reporter; ``reporter_id`` None is one we keep no id of (only ever an actor)."""

    reporter_id: int | None


@dataclass(frozen=True)
class Program:
    """Nobody by name: ``system`` (the follow-up), ``cli`` (the command line), ``web``
    (someone at the dashboard's login page)."""

    name: str


SYSTEM = Program("system")
CLI = Program("cli")
WEB_VISITOR = Program("web")


@dataclass(frozen=True)
class Account:
    """An account on a channel (``telegram``, its user id), before or without a link to a
    staff member: what a channel knows of whoever pressed or typed something."""

    channel: str
    id: str


@dataclass(frozen=True)
class ByMail:
    """A message to the loket or a staff member delivered by e-mail (the loket's mailbox,
    the staff member's address): an outbox row of its own beside the chat's, so each
    channel is retried, postponed and marked on its own."""

    to: LoketGroup | StaffMember


Target = LoketGroup | StaffMember | Reporter | ByMail
Actor = LoketGroup | StaffMember | Reporter | ByMail | Program | Account


def as_text(party: Actor) -> str:
    """The column text of a target or an actor."""
    if isinstance(party, LoketGroup):
        return LOKET_TEXT
    if isinstance(party, StaffMember):
        return f"{STAFF_PREFIX}{party.staff_id}"
    if isinstance(party, Reporter):
        return f"{REPORTER_PREFIX}{ANONYMOUS if party.reporter_id is None else party.reporter_id}"
    if isinstance(party, Program):
        return party.name
    if isinstance(party, ByMail):
        return f"{MAIL_PREFIX}{as_text(party.to)}"
    return f"{party.channel}:{party.id}"


def _number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


def parse_actor(text: str) -> Actor | None:
    """The actor a column's text names; None for text of no known form."""
    if text == LOKET_TEXT:
        return LOKET
    if text in PROGRAMS:
        return Program(text)
    head, colon, rest = text.partition(":")
    if not colon:
        return None
    if f"{head}:" == MAIL_PREFIX:
        to = parse_actor(rest)
        return ByMail(to) if isinstance(to, LoketGroup | StaffMember) else None
    if f"{head}:" == STAFF_PREFIX:
        number = _number(rest)
        return StaffMember(number) if number is not None else None
    if f"{head}:" == REPORTER_PREFIX:
        if rest == ANONYMOUS:
            return Reporter(None)
        number = _number(rest)
        return Reporter(number) if number is not None else None
    if head in ACCOUNT_CHANNELS and rest:
        return Account(head, rest)
    return None


def parse_target(text: str) -> Target | None:
    """The recipient an outbox row's ``target`` names; None for text of no known form."""
    party = parse_actor(text)
    if isinstance(party, LoketGroup | StaffMember | ByMail):
        return party
    if isinstance(party, Reporter) and party.reporter_id is not None:
        return party
    return None


# -- how a staff member is reached ------------------------------------------------------------
# The ways a staff member can be reached (``StaffRecord.reach``): an account on a chat app,
# a dashboard login, an e-mail address they chose (sign-on is a login of another kind).
TELEGRAM = "telegram"
WEB_LOGIN = "web"
EMAIL = "email"
# The ways an outbox message can reach a staff member: a staff member with none of these
# is a recipient still, but their messages are marked undeliverable rather than retried.
MESSAGE_REACH = frozenset({TELEGRAM, EMAIL})


def reached_by_message(reach: frozenset[str]) -> bool:
    """Whether a message queued for a staff member with ``reach`` can be delivered."""
    return bool(reach & MESSAGE_REACH)
