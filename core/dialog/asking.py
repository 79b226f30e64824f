"""Turning a step into a reply: the question, its choices, and the summary."""

from __future__ import annotations

from collections.abc import Sequence

from core.text.languages import LanguageName
from core.text.msgids import SERVICE_NAME, Msg, Param, Token, safety_params

from . import messages as m
from .dialogs import AGAIN, EDIT, EDIT_BACK, WELCOME
from .events import Reply, ReplyChoice
from .model import Choice, Flow, Kind, Place, Step
from .progress import summary_steps
from .state import ConversationState
from .summary import summary_lines, voice_line
from .validation import PHONE_EXAMPLE, POSTCODE_EXAMPLE, display_phone

# The choice that takes the number the reporter writes from (``ConversationState.known_phone``)
# as their own number.
KNOWN_PHONE = "known"


def command_params() -> dict[str, Param]:
    """Commands named in a text: isolated tokens, so "/start" never shows as "start/"."""
    return {name: Token(word) for name, word in m.COMMAND_WORDS.items()}


def prompt_params(step: Step | None = None) -> dict[str, Param]:
    """Every parameter a step's prompt or hint may name (the example fits the step)."""
    example = PHONE_EXAMPLE if step is not None and step.kind == Kind.PHONE else POSTCODE_EXAMPLE
    return {
        **safety_params(),
        **command_params(),
        "example": Token(example),
        "name": Token(SERVICE_NAME),
    }


hint_params = prompt_params


def _label(choice: Choice) -> Msg | LanguageName:
    return LanguageName(choice.endonym, in_itself=True) if choice.endonym else Msg(choice.label)


def _reply_choice(choice: Choice, selected: bool = False) -> ReplyChoice:
    short = Msg(choice.short) if choice.short else None
    return ReplyChoice(choice.id, _label(choice), selected, short)


def shown_choices(step: Step, state: ConversationState) -> tuple[Choice, ...]:
    """The step's choices for this reporter: the welcome offers the other languages."""
    if step.id != WELCOME.id:
        return step.choices
    return tuple(c for c in step.choices if not (c.endonym and c.id == state.language))


def choices_for(
    step: Step, state: ConversationState, places: Sequence[Place]
) -> tuple[ReplyChoice, ...]:
    """The options shown for ``step``, in order (numbers refer to this order)."""
    shown: list[ReplyChoice] = []
    if step.kind == Kind.PLACE:
        shown.extend(ReplyChoice(f"area:{p.id}", p.name) for p in places)
    if offers_known_phone(step, state):
        shown.append(ReplyChoice(KNOWN_PHONE, Msg(m.OWN_PHONE_YES)))
    for choice in shown_choices(step, state):
        selected = step.kind == Kind.MULTI and choice.id in state.selection
        shown.append(_reply_choice(choice, selected))
    return tuple(shown)


def ask(
    step: Step, state: ConversationState, places: Sequence[Place], flow: Flow | None = None
) -> Reply:
    """The message that asks ``step`` (with the selection so far, or the summary)."""
    texts: list[Msg] = []
    if step.kind == Kind.SUMMARY and flow is not None:
        texts.extend(summary_lines(flow, state, places))
        texts.extend(voice_line(state))
    params: dict[str, Param] = {**prompt_params(step), "language": LanguageName(state.language)}
    if offers_known_phone(step, state):
        assert state.known_phone is not None
        params["phone"] = Token(display_phone(state.known_phone))
        texts.append(Msg(m.OWN_PHONE_KNOWN, params))
    else:
        texts.append(Msg(step.prompt, params))
    if step.kind == Kind.MULTI and state.selection:
        count = len(state.selection)
        texts.append(Msg(m.SELECTED, {"count": count}, plural=m.SELECTED_PLURAL, count=count))
    return Reply(
        tuple(texts),
        prompt=step.id,
        choices=choices_for(step, state, places),
        multi=step.kind == Kind.MULTI,
        accepts_text=step.kind in {Kind.TEXT, Kind.PLACE, Kind.PHONE}
        or (step.kind == Kind.SUMMARY and flow is not None and _takes_note(flow)),
        asks_phone=step.kind == Kind.PHONE,
        share_phone=Msg(m.SHARE_PHONE) if step.own_phone and not state.known_phone else None,
    )


def offers_known_phone(step: Step, state: ConversationState) -> bool:
    """Whether ``step`` offers the number the reporter writes from, to confirm."""
    return step.kind == Kind.PHONE and step.own_phone and state.known_phone is not None


def _takes_note(flow: Flow) -> bool:
    return any(s.part_of == "summary" for s in flow.steps)


def ask_dialog(step: Step, state: ConversationState, **params: Param) -> Reply:
    """A question outside the flow (language, confirmations, resume, trouble). In the
    language question the current language is marked."""
    return Reply(
        (Msg(step.prompt, {**prompt_params(), **params}),),
        prompt=step.id,
        choices=tuple(
            _reply_choice(c, selected=bool(c.endonym) and c.id == state.language)
            for c in step.choices
        ),
    )


def edit_dialog(flow: Flow, state: ConversationState) -> Reply:
    """ "Which answer do you want to change?" with one option per shown question."""
    options = [ReplyChoice(s.id, Msg(s.summary_label)) for s in summary_steps(flow, state)]
    options.append(_reply_choice(EDIT_BACK))
    return Reply((Msg(EDIT.prompt),), prompt=EDIT.id, choices=tuple(options))


def again(texts: Sequence[Msg]) -> Reply:
    """``texts`` with a button for a new report (no "type /start": not every channel has
    commands, and a button is one tap)."""
    choice = ReplyChoice("new", Msg(m.NEW_REPORT), short=Msg(m.NEW_REPORT_SHORT))
    return Reply(tuple(texts), prompt=AGAIN, choices=(choice,))
