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
    """Drop answers to steps that no longer apply (e.g. a phone after "no contact")."""
    kept: dict[str, Answer] = {}
    for step in flow.steps:  # conditions name earlier steps only (``model.When``)
        if step.id in answers and applicable(step, kept):
            kept[step.id] = answers[step.id]
    return kept


def _waiting(step: Step, answers: Mapping[str, Answer]) -> bool:
    """An unanswered question the chat asks on its own (not one answered within another)."""
    return not step.part_of and step.id not in answers and applicable(step, answers)


def first_step(flow: Flow, state: ConversationState) -> Step:
    """The first question still to ask (answers given in advance are passed by)."""
    return next(s for s in flow.steps if s.kind == Kind.SUMMARY or _waiting(s, state.answers))


def after_answer(flow: Flow, state: ConversationState, step: Step) -> Step:
    """The first question that still waits for an answer, in the flow's order, else the
    summary. On the way through a report that is the next one (answers filled in
    beforehand are passed by); after a change from the summary, it is a question the change
    made necessary; and an answer that answers an earlier question (the choice that nobody
    can be reached, changed to "call me") leads to the question that follows from it."""
    del step  # the answers say it all: every question before the current one is answered
    return first_step(flow, state)


def summary_steps(flow: Flow, state: ConversationState) -> list[Step]:
    """The answered or applicable questions, in order, that a summary shows."""
    return [
        s
        for s in flow.steps
        if s.kind not in {Kind.INFO, Kind.SUMMARY} and applicable(s, state.answers)
    ]


def stored_steps(flow: Flow, answers: Mapping[str, Answer]) -> list[Step]:
    """The questions a stored signal shows the loket: every one answered (a signal stored
    by an older version of the flows keeps all its answers) or applicable now."""
    return [
        s
        for s in flow.steps
        if s.kind not in {Kind.INFO, Kind.SUMMARY} and (s.id in answers or applicable(s, answers))
    ]
