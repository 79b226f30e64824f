"""Which step comes next: conditions, order and the return to the summary."""

from __future__ import annotations

from collections.abc import Mapping

from .model import Flow, Kind, Step
from .state import Answer, ConversationState


def applicable(step: Step, answers: Mapping[str, Answer]) -> bool:
    """A step is asked when it has no condition or its condition's answer matches."""
    if step.when is None:
        return True
    answer = answers.get(step.when.step)
    return answer is not None and answer.choice in step.when.choices


def prune(flow: Flow, answers: Mapping[str, Answer]) -> dict[str, Answer]:
    """Drop answers to steps that no longer apply (e.g. a phone after "stay anonymous")."""
    kept: dict[str, Answer] = {}
    for step in flow.steps:
        if step.id in answers and applicable(step, kept):
            kept[step.id] = answers[step.id]
    return kept


def first_step(flow: Flow, state: ConversationState) -> Step:
    return next(s for s in flow.steps if applicable(s, state.answers))


def after_answer(flow: Flow, state: ConversationState, step: Step) -> Step:
    """The step after ``step``; when editing, the first unanswered one, else the summary."""
    if state.editing:
        for candidate in flow.steps:
            if candidate.kind == Kind.SUMMARY:
                return candidate
            if applicable(candidate, state.answers) and candidate.id not in state.answers:
                return candidate
    index = flow.index(step.id)
    for candidate in flow.steps[index + 1 :]:
        if applicable(candidate, state.answers):
            return candidate
    return flow.steps[-1]


def summary_steps(flow: Flow, state: ConversationState) -> list[Step]:
    """The answered or applicable questions, in order, that a summary shows."""
    return [
        s
        for s in flow.steps
        if s.kind not in {Kind.INFO, Kind.SUMMARY} and applicable(s, state.answers)
    ]
