"""Answers given before a question is asked: by a partner's link (a shop is a shop, and
it is somewhere), by a welcome choice ("someone is in danger now"), and by a choice that
answers another step too (the check-in comes with the contact answer)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .events import PartnerFound
from .model import Choice, Flow, Place
from .state import Answer
from .validation import parse_postcode

# The flow whose steps a partner's record fills in (a self-report asks its own place).
PARTNER_FLOW = "report_other"


def partner_preset(flow: Flow, found: PartnerFound, places: Sequence[Place]) -> dict[str, Answer]:
    """The answers ``found`` gives: its role when the role question has it as a choice, its
    neighbourhood when configured, else its postcode when it is a Dutch one."""
    preset: dict[str, Answer] = {}
    roles = {c.id for c in flow.step("role").choices} if _has(flow, "role") else set()
    if found.role in roles:
        preset["role"] = Answer(choice=found.role)
    if found.area and any(p.id == found.area for p in places):
        preset["place"] = Answer(choice="area", value=found.area)
    elif found.postcode and (postcode := parse_postcode(found.postcode)) is not None:
        preset["place"] = Answer(choice="postcode", value=postcode)
    return preset


def _has(flow: Flow, step_id: str) -> bool:
    return any(s.id == step_id for s in flow.steps)


def set_by(flow: Flow, choice: Choice) -> dict[str, Answer]:
    """The answers picking ``choice`` gives to other steps of ``flow``."""
    return {
        step_id: Answer(choice=choice_id)
        for step_id, choice_id in choice.sets
        if _has(flow, step_id)
    }


def start_answers(
    flow: Flow, choice: Choice, preset: Mapping[str, Answer], partner_flow: bool
) -> dict[str, Answer]:
    """What a report starts with: the welcome choice's answers, and the partner's for the
    flow they belong to."""
    answers = dict(preset) if partner_flow else {}
    answers.update(set_by(flow, choice))
    return answers
