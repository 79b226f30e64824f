"""How an answer reads back: in the reporter's summary and in the loket notification."""

from __future__ import annotations

from collections.abc import Sequence

from core.text.languages import LanguageName
from core.text.msgids import Many, Msg, Param, Token, UserText

from . import messages as m
from .model import VOICE_ANSWER, Choice, Flow, Kind, Place, Step
from .progress import summary_steps
from .state import Answer, ConversationState
from .validation import display_phone


def _choice_value(choice: Choice, staff: bool) -> Param:
    if choice.endonym:
        return LanguageName(choice.endonym)
    return Msg(choice.shown_label(staff))


def answer_value(
    step: Step, answer: Answer | None, places: Sequence[Place], *, staff: bool = False
) -> Param:
    """The readable value of ``answer`` to ``step`` (never the raw code).

    ``staff`` reads it as the loket does ("No, anonymous" rather than "No, I stay anonymous").
    """
    if answer is None or answer.choice == "skip":
        return Msg(m.NOT_ANSWERED)
    if answer.choice == VOICE_ANSWER:
        return Msg(m.VOICE_ANSWER)
    by_id = {c.id: c for c in step.choices}
    if step.kind == Kind.MULTI:
        return Many(tuple(_choice_value(by_id[c], staff) for c in answer.choices if c in by_id))
    if step.kind == Kind.PLACE:
        if answer.choice == "postcode" and answer.value:
            return Token(answer.value)
        if answer.choice == "area" and answer.value:
            names = {p.id: p.name for p in places}
            return names.get(answer.value, answer.value)
    if step.kind == Kind.PHONE and answer.value:
        return Token(display_phone(answer.value))
    if answer.choice in by_id:
        return _choice_value(by_id[answer.choice], staff)
    if answer.value is not None:
        return UserText(answer.value)
    return Msg(m.NOT_ANSWERED)


def summary_lines(
    flow: Flow,
    state: ConversationState,
    places: Sequence[Place],
    *,
    staff: bool = False,
    steps: Sequence[Step] | None = None,
) -> list[Msg]:
    """One "label: value" line per question the reporter saw (``staff``: as the loket
    reads), or per question of ``steps``."""
    return [
        Msg(
            m.SUMMARY_LINE,
            {
                "label": Msg(step.shown_label(staff)),
                "value": answer_value(step, state.answers.get(step.id), places, staff=staff),
            },
        )
        for step in (summary_steps(flow, state) if steps is None else steps)
    ]


def voice_line(state: ConversationState) -> list[Msg]:
    """The summary's line for the voice notes kept with the report (none without)."""
    if not state.voices:
        return []
    count = Token(str(len(state.voices)))
    return [Msg(m.SUMMARY_LINE, {"label": Msg(m.VOICE_COUNT_LABEL), "value": count})]
