"""The access history of a signal as a regisseur reads it: Dutch sentences with names
("Anna de Vries bekeek de gegevens, 7 dec. 14:03"), a run of the same thing by the same
person folded into one line, instead of "staff:2 · view · web_details"."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.lifecycle import table as lc
from core.text.msgids import N_, Msg, Nn_, Param, msg
from storage.uow import UnitOfWork

from . import signal_texts as st

VIEW_DETAILS = N_("%(name)s looked at the details")
VIEW_CARD = N_("%(name)s looked at the summary without personal details")
VIEW_TELEGRAM_DETAILS = N_("%(name)s asked for the details in Telegram")
VIEW_TELEGRAM_CARD = N_("%(name)s asked for the summary in Telegram")
VIEW_REFUSED = N_("%(name)s tried to open the signal, which was refused")
SENT_DETAILS = N_("%(name)s received the details in a private Telegram message")
SENT_REPLY = N_("%(name)s received the reporter's answer")
SENT_VOICE = N_("%(name)s received a voice message in a private Telegram message")
PLAYED = N_("%(name)s listened to voice message %(number)s")
PLAY_REFUSED = N_("%(name)s tried to listen to a voice message, which was refused")
CHOSE = N_("%(name)s chose “%(action)s”")
REFUSED = N_("%(name)s tried “%(action)s”, which was refused")
QUESTION = N_("%(name)s sent the reporter a question")
NOTE = N_("%(name)s wrote an internal note")
INTAKE = N_("%(name)s typed in the report given by telephone")
ERASED = N_("The reporter had their details erased")
OTHER = N_("%(name)s: %(action)s (%(outcome)s)")
NOT_LINKED = N_("someone who is not linked in Telegram")
LINE = N_("%(what)s, %(when)s")
FOLDED = Nn_(
    "%(what)s, %(when)s, and %(count)s more time up to %(last)s",
    "%(what)s, %(when)s, and %(count)s more times up to %(last)s",
)
# What a view showed (the audit log's outcome of "view"), and of a delivered message.
_VIEWS = {
    "web_details": VIEW_DETAILS,
    "web_card": VIEW_CARD,
    "staff_details": VIEW_TELEGRAM_DETAILS,
    "staff_card": VIEW_TELEGRAM_CARD,
}
_SENT = {
    "sent:staff_details": SENT_DETAILS,
    "sent:reporter_reply": SENT_REPLY,
    "sent:voice_note": SENT_VOICE,
}
_SIMPLE = {"question": QUESTION, "note": NOTE, "intake": INTAKE}


@dataclass(frozen=True)
class Run:
    """The same (actor, action, outcome) once or several times in a row."""

    at: datetime
    last: datetime  # the last of the run (``at`` itself for one)
    times: int
    actor: str
    action: str
    outcome: str


@dataclass(frozen=True)
class AccessLine:
    at: datetime
    last: datetime
    times: int
    what: Msg


def describe(name: Param, action: str, outcome: str) -> Msg:
    """One entry of the access history as a sentence about ``name``."""
    refused = outcome.startswith("refused")
    if action == "view":
        return msg(VIEW_REFUSED if refused else _VIEWS.get(outcome, VIEW_DETAILS), name=name)
    if action in _SENT:
        return msg(_SENT[action], name=name)
    if action == "erase":
        return Msg(ERASED)
    if action == "play":  # a voice note played in the dashboard (outcome "voice:N")
        number = outcome.removeprefix("voice:")
        return msg(PLAY_REFUSED, name=name) if refused else msg(PLAYED, name=name, number=number)
    lifecycle = lc.ACTIONS.get(action)
    if lifecycle is not None:
        return msg(REFUSED if refused else CHOSE, name=name, action=Msg(lifecycle.label))
    if action in _SIMPLE and not refused:
        return msg(_SIMPLE[action], name=name)
    return msg(OTHER, name=name, action=action, outcome=outcome)


def fold(entries: Sequence[tuple[datetime, str, str, str]]) -> list[Run]:
    """One run per repeat of the same (actor, action, outcome), oldest first."""
    runs: list[Run] = []
    for at, actor, action, outcome in entries:
        last = runs[-1] if runs else None
        if last is not None and (last.actor, last.action, last.outcome) == (
            actor,
            action,
            outcome,
        ):
            runs[-1] = Run(last.at, at, last.times + 1, actor, action, outcome)
        else:
            runs.append(Run(at, at, 1, actor, action, outcome))
    return runs


async def _name(uow: UnitOfWork, actor: str, names: dict[str, Param]) -> Param:
    if actor in names:
        return names[actor]
    kind, _, rest = actor.partition(":")
    name: Param = Msg(st.ACTOR_UNKNOWN)
    if kind == "staff" and rest.isascii() and rest.isdigit():
        staff = await uow.staff.get(int(rest))
        name = staff.display_name if staff else Msg(st.ACTOR_UNKNOWN)
    elif kind == "telegram":
        name = Msg(NOT_LINKED)
    elif kind == "reporter":
        name = Msg(st.ACTOR_REPORTER)
    names[actor] = name
    return name


async def access_history(uow: UnitOfWork, signal_id: int) -> tuple[AccessLine, ...]:
    """Every access to the signal, as sentences with names, repeats folded."""
    names: dict[str, Param] = {}
    found = []
    for run in fold(await uow.audit.of_signal(signal_id)):
        name = await _name(uow, run.actor, names)
        what = describe(name, run.action, run.outcome)
        found.append(AccessLine(run.at, run.last, run.times, what))
    return tuple(found)


def access_text(line: AccessLine, when: str, last: str) -> Msg:
    """The line with its moment: "…, 7 dec. 14:03" (and how often more, up to when)."""
    if line.times == 1:
        return msg(LINE, what=line.what, when=when)
    more = line.times - 1
    params: dict[str, Param] = {"what": line.what, "when": when, "count": more, "last": last}
    return Msg(FOLDED[0], params, plural=FOLDED[1], count=more)
