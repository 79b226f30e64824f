"""Reading an event as an answer to the current step, with validation per kind of step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.text.msgids import Msg, msg
from core.text.sanitize import clean_text, has_substance

from . import messages as m
from .asking import KNOWN_PHONE, choices_for, hint_params
from .events import Event, Pick, ReplyChoice, TextIn
from .matching import LabelIndex, Miss
from .model import Flow, Kind, Place, Step
from .presets import set_by
from .state import Answer, ConversationState
from .validation import find_phone, parse_postcode

__all__ = ["AnswerResult", "Miss", "interpret"]


@dataclass(frozen=True)
class AnswerResult:
    """Exactly one of: a final answer, a new multi-select selection, or an action."""

    answer: Answer | None = None
    selection: tuple[str, ...] | None = None
    action: str | None = None
    # Typed with a phone number ("Sanne 06 12345678"): the answer to the name question
    # that is part of the phone question.
    name: str | None = None


def _hint(step: Step) -> Miss:
    return Miss(Msg(step.hint or m.NOT_UNDERSTOOD, hint_params(step)))


def interpret(
    step: Step,
    state: ConversationState,
    event: Event,
    labels: LabelIndex,
    places: Sequence[Place],
) -> AnswerResult | Miss:
    """What ``event`` means for ``step``, or the hint to show when it means nothing."""
    shown = choices_for(step, state, places)
    if isinstance(event, Pick):
        if all(c.id != event.choice for c in shown):
            return Miss(msg(m.NOT_UNDERSTOOD))
        return _chosen(step, state, event.choice)
    if not isinstance(event, TextIn):
        return Miss(msg(m.NOT_UNDERSTOOD))
    if step.kind == Kind.MULTI:
        many = labels.numbers(event.text, shown)
        if isinstance(many, Miss):
            return many
        if many is not None:
            return _typed_selection(step, many)
    if step.kind in {Kind.TEXT, Kind.PLACE, Kind.PHONE}:
        return _typed_value(step, state, event.text, shown, labels)
    picked = labels.pick(event.text, shown, state.language)
    return picked if isinstance(picked, Miss) else _chosen(step, state, picked)


def _chosen(step: Step, state: ConversationState, choice_id: str) -> AnswerResult | Miss:
    if step.kind == Kind.SUMMARY:
        return AnswerResult(action=choice_id)
    if step.kind == Kind.MULTI:
        if choice_id == "done":
            if not state.selection:
                return _hint(step)
            return AnswerResult(answer=Answer(choices=state.selection))
        return AnswerResult(selection=_toggle(step, state.selection, choice_id))
    if step.kind == Kind.PHONE and choice_id == KNOWN_PHONE and state.known_phone:
        return AnswerResult(answer=Answer(value=state.known_phone))
    if step.kind == Kind.PLACE and choice_id.startswith("area:"):
        return AnswerResult(answer=Answer(choice="area", value=choice_id.removeprefix("area:")))
    chosen = next((c for c in step.choices if c.id == choice_id), None)
    if chosen is not None and chosen.stops:
        return AnswerResult(action="stop")
    return AnswerResult(answer=Answer(choice=choice_id))


def _toggle(step: Step, selection: tuple[str, ...], choice_id: str) -> tuple[str, ...]:
    exclusive = {c.id for c in step.choices if c.exclusive}
    if choice_id in selection:
        return tuple(c for c in selection if c != choice_id)
    if choice_id in exclusive:
        return (choice_id,)
    kept = [c for c in selection if c not in exclusive]
    order = [c.id for c in step.choices]
    return tuple(sorted({*kept, choice_id}, key=order.index))


def _typed_selection(step: Step, picked: list[str]) -> AnswerResult | Miss:
    selection: tuple[str, ...] = ()
    for choice_id in picked:
        if choice_id != "done" and choice_id not in selection:
            selection = _toggle(step, selection, choice_id)
    if not selection:
        return _hint(step)
    return AnswerResult(answer=Answer(choices=selection))


def _typed_value(
    step: Step,
    state: ConversationState,
    text: str,
    shown: tuple[ReplyChoice, ...],
    labels: LabelIndex,
) -> AnswerResult | Miss:
    cleaned = clean_text(text)
    if not cleaned:
        return Miss(msg(m.EMPTY))
    number = labels.number(cleaned, len(shown)) if shown else None
    if isinstance(number, int):
        return _chosen(step, state, shown[number - 1].id)
    label = labels.by_label(cleaned, shown, state.language)
    if label is not None:
        return _chosen(step, state, label)
    if step.kind == Kind.PLACE:
        postcode = parse_postcode(cleaned)
        if postcode is None:
            return _hint(step)
        return AnswerResult(answer=Answer(choice="postcode", value=postcode))
    if step.kind == Kind.PHONE:
        return _phone(step, cleaned)
    return typed_text(step, cleaned)


def _phone(step: Step, cleaned: str) -> AnswerResult | Miss:
    found = find_phone(cleaned)
    if found is None:
        return _hint(step)
    phone, rest = found
    return AnswerResult(answer=Answer(value=phone), name=rest if has_substance(rest) else None)


def typed_text(step: Step, cleaned: str) -> AnswerResult | Miss:
    """``cleaned`` as the free-text answer to ``step`` (length and substance checked)."""
    if not has_substance(cleaned):
        return Miss(msg(m.NO_SUBSTANCE))
    if step.max_length and len(cleaned) > step.max_length:
        over = len(cleaned) - step.max_length
        return Miss(Msg(m.TOO_LONG, {"count": over}, plural=m.TOO_LONG_PLURAL, count=over))
    return AnswerResult(answer=Answer(value=cleaned))


def answers_given(flow: Flow, step: Step, result: AnswerResult) -> dict[str, Answer] | Miss:
    """Every answer ``result`` gives: to ``step``, to the steps its choice answers too
    (``Choice.sets``), and to the name question when a name came with the phone number."""
    assert result.answer is not None
    given = {step.id: result.answer}
    if result.answer.choice is not None:
        chosen = next((c for c in step.choices if c.id == result.answer.choice), None)
        given.update(set_by(flow, chosen) if chosen is not None else {})
    part = next((s for s in flow.steps if s.part_of == step.id), None)
    if result.name is not None and part is not None:
        named = typed_text(part, result.name)
        if isinstance(named, Miss):
            return named
        assert named.answer is not None
        given[part.id] = named.answer
    return given


def note_at_summary(flow: Flow, text: str) -> dict[str, Answer] | Miss | None:
    """Text typed at the summary as the note offered there; None when the flow has no note
    there or nothing was typed."""
    note = next((s for s in flow.steps if s.part_of == "summary"), None)
    cleaned = clean_text(text)
    if note is None or not cleaned:
        return None
    result = typed_text(note, cleaned)
    if isinstance(result, Miss):
        return result
    assert result.answer is not None
    return {note.id: result.answer}
