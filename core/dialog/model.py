"""The vocabulary flows are written in: steps, choices and the conditions between them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# The choice id of an answer given as a voice note (its value: the note's id).
VOICE_ANSWER = "voice"


class Kind(StrEnum):
    CHOICE = "choice"  # pick exactly one
    MULTI = "multi"  # pick one or more, then "done"
    TEXT = "text"  # free text, optionally with choices such as "skip"
    PLACE = "place"  # Dutch postcode or a configured neighbourhood
    PHONE = "phone"  # a Dutch (or international) phone number
    INFO = "info"  # information with choices; never part of the summary
    SUMMARY = "summary"


@dataclass(frozen=True)
class Choice:
    """One option of a step. ``id`` is stored; ``label`` is a msgid."""

    id: str
    label: str
    urgent: bool = False  # picking it marks the signal urgent
    exclusive: bool = False  # in a multi-select, clears the others ("don't know")
    stops: bool = False  # ends the conversation (after the info step "stop")
    endonym: str | None = None  # label is the language's own name, via Babel
    staff_label: str = ""  # how the loket reads this answer, when it differs
    chat_only: bool = False  # means nothing outside a chat (the telephone intake leaves it out)
    # A label that fits a WhatsApp reply button (20 characters) and a list row (24, with a
    # "✓ "), in every language; the full ``label`` then goes to the row's description.
    short: str = ""
    # Picking it also answers these steps (step id, choice id): the consent to a check-in
    # comes with the contact answer, a choice on the welcome answers the danger question.
    sets: tuple[tuple[str, str], ...] = ()

    def shown_label(self, staff: bool) -> str:
        """The label msgid for the reporter, or for the loket when ``staff``."""
        return self.staff_label if staff and self.staff_label else self.label


@dataclass(frozen=True)
class When:
    """Ask a step only when an earlier step has one of these answers (a step whose own
    condition fails has no answer: conditions chain)."""

    step: str
    choices: frozenset[str]


@dataclass(frozen=True)
class Step:
    """A question. Steps are asked in order, skipping those whose condition fails."""

    id: str
    kind: Kind
    prompt: str
    summary_label: str = ""
    choices: tuple[Choice, ...] = ()
    hint: str = ""
    when: When | None = None
    max_length: int = 0  # for TEXT steps
    min_length: int = 1
    staff_label: str = ""  # the label in the loket's notification, when it differs
    chat_only: bool = False  # asked only in a chat (the telephone intake leaves it out)
    # In a chat this question is answered within step ``part_of`` (a name typed with the
    # phone number, a note typed at the summary, the check-in with the contact answer): it
    # is not asked on its own on the way, only when the reporter changes it from the
    # summary. The telephone intake asks it like any other.
    part_of: str = ""
    # A PHONE step that asks the reporter's own number: a chat app that knows it offers it
    # (WhatsApp), one that can share it offers a button (Telegram).
    own_phone: bool = False

    def shown_label(self, staff: bool) -> str:
        """The summary label msgid for the reporter, or for the loket when ``staff``."""
        return self.staff_label if staff and self.staff_label else self.summary_label


@dataclass(frozen=True)
class Flow:
    """A named, ordered list of steps ending in a summary."""

    id: str
    # "other" (about someone else), "self", or "voice" (what it is about is in the voice
    # note: nobody typed it)
    signal_kind: str
    steps: tuple[Step, ...]

    def step(self, step_id: str) -> Step:
        for candidate in self.steps:
            if candidate.id == step_id:
                return candidate
        raise KeyError(step_id)

    def index(self, step_id: str) -> int:
        return [s.id for s in self.steps].index(step_id)


@dataclass(frozen=True)
class Place:
    """A neighbourhood from the municipality's list; names are proper nouns."""

    id: str
    name: str
