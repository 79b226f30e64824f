"""Turning a step into a reply: the question, its choices, and the summary."""

from __future__ import annotations

from collections.abc import Sequence

from . import messages as m
from .dialogs import EDIT, EDIT_BACK
from .events import Reply, ReplyChoice
from .matching import Place
from .model import Choice, Flow, Kind, Step
from .progress import summary_steps
from .state import ConversationState
from .summary import summary_lines
from .text import LanguageName, Msg, Param, Token, safety_params
from .validation import PHONE_EXAMPLE, POSTCODE_EXAMPLE


def prompt_params() -> dict[str, Param]:
    """Every parameter a step prompt or hint may name."""
    return {**safety_params(), "example": Token(POSTCODE_EXAMPLE)}


def hint_params(step: Step) -> dict[str, Param]:
    example = PHONE_EXAMPLE if step.kind == Kind.PHONE else POSTCODE_EXAMPLE
    return {**safety_params(), "example": Token(example)}


def _label(choice: Choice) -> Msg | LanguageName:
    return LanguageName(choice.endonym, in_itself=True) if choice.endonym else Msg(choice.label)


def choices_for(
    step: Step, state: ConversationState, places: Sequence[Place]
) -> tuple[ReplyChoice, ...]:
    """The options shown for ``step``, in order (numbers refer to this order)."""
    shown: list[ReplyChoice] = []
    if step.kind == Kind.PLACE:
        shown.extend(ReplyChoice(f"area:{p.id}", p.name) for p in places)
    for choice in step.choices:
        selected = step.kind == Kind.MULTI and choice.id in state.selection
        shown.append(ReplyChoice(choice.id, _label(choice), selected))
    return tuple(shown)


def ask(
    step: Step, state: ConversationState, places: Sequence[Place], flow: Flow | None = None
) -> Reply:
    """The message that asks ``step`` (with the selection so far, or the summary)."""
    texts: list[Msg] = []
    if step.kind == Kind.SUMMARY and flow is not None:
        texts.extend(summary_lines(flow, state, places))
    texts.append(Msg(step.prompt, prompt_params()))
    if step.kind == Kind.MULTI and state.selection:
        count = len(state.selection)
        texts.append(Msg(m.SELECTED, {"count": count}, plural=m.SELECTED_PLURAL, count=count))
    return Reply(
        tuple(texts),
        prompt=step.id,
        choices=choices_for(step, state, places),
        multi=step.kind == Kind.MULTI,
        accepts_text=step.kind in {Kind.TEXT, Kind.PLACE, Kind.PHONE},
    )


def ask_dialog(step: Step, state: ConversationState, **params: Param) -> Reply:
    """A question outside the flow (language, confirmations, resume, trouble). In the
    language question the current language is marked."""
    return Reply(
        (Msg(step.prompt, {**prompt_params(), **params}),),
        prompt=step.id,
        choices=tuple(
            ReplyChoice(c.id, _label(c), selected=bool(c.endonym) and c.id == state.language)
            for c in step.choices
        ),
    )


def edit_dialog(flow: Flow, state: ConversationState) -> Reply:
    """ "Which answer do you want to change?" with one option per shown question."""
    options = [ReplyChoice(s.id, Msg(s.summary_label)) for s in summary_steps(flow, state)]
    options.append(ReplyChoice(EDIT_BACK.id, Msg(EDIT_BACK.label)))
    return Reply((Msg(EDIT.prompt),), prompt=EDIT.id, choices=tuple(options))
