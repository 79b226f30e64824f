"""A finished report as language-independent codes (``SignalDraft``), built from a finished
conversation (``build_draft``), and read back as lines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from core.text.msgids import Msg, Token, msg

from . import messages as m
from .model import VOICE_ANSWER, Flow, Kind, Place
from .progress import prune, stored_steps
from .state import Answer, ConversationState
from .summary import summary_lines


@dataclass(frozen=True)
class SignalDraft:
    """What the shell stores when a reporter presses "send".

    Codes are the stable step/choice ids of the flows. Personal fields (names, phone
    numbers, free text) are kept apart so storage can protect them.
    """

    kind: str  # "other" | "self"
    language: str  # the reporter's language; staff read the signal in Dutch
    urgent: bool
    submitted_at: datetime
    codes: dict[str, str | None] = field(default_factory=dict)  # step id -> choice id
    multi: dict[str, tuple[str, ...]] = field(default_factory=dict)  # step id -> choice ids
    postcode: str | None = None
    area: str | None = None
    person_contact: str | None = None
    note: str | None = None
    language_other: str | None = None  # the language typed after "another language"
    reporter_name: str | None = None
    reporter_phone: str | None = None
    partner: str | None = None
    # The voice notes sent with the report, in order: (the shell's id, the step the note
    # answers, or None when it was kept with the report).
    voice_notes: tuple[tuple[int, str | None], ...] = ()

    @property
    def role(self) -> str | None:
        return self.codes.get("role")

    @property
    def age_group(self) -> str | None:
        return self.codes.get("age_group")


_NAME_STEPS = ("reporter_name", "self_name")
_PHONE_STEPS = ("reporter_phone", "self_phone")


def is_urgent(flow: Flow, answers: dict[str, Answer]) -> bool:
    """Urgent when danger was reported or an urgent observation was picked."""
    if answers.get("danger", Answer()).choice == "yes":
        return True
    for step in flow.steps:
        answer = answers.get(step.id)
        if answer is None:
            continue
        picked = {answer.choice, *answer.choices}
        if any(c.urgent and c.id in picked for c in step.choices):
            return True
    return False


def build_draft(flow: Flow, state: ConversationState, now: datetime) -> SignalDraft:
    """The signal as codes; only answers to questions that still apply are kept."""
    answers = prune(flow, state.answers)
    codes: dict[str, str | None] = {}
    multi: dict[str, tuple[str, ...]] = {}
    for step in flow.steps:
        answer = answers.get(step.id)
        if answer is None:
            continue
        if step.kind == Kind.CHOICE:
            codes[step.id] = answer.choice
        elif step.kind == Kind.MULTI:
            multi[step.id] = answer.choices
    place = answers.get("place", Answer())

    def text(*step_ids: str) -> str | None:
        for step_id in step_ids:
            answer = answers.get(step_id)
            if answer is not None and answer.choice is None and answer.value:
                return answer.value
        return None

    answered_by = {
        int(answer.value): step_id
        for step_id, answer in answers.items()
        if answer.choice == VOICE_ANSWER and answer.value is not None and answer.value.isdigit()
    }
    return SignalDraft(
        kind=flow.signal_kind,
        language=state.language,
        urgent=is_urgent(flow, answers),
        submitted_at=now,
        codes=codes,
        multi=multi,
        postcode=place.value if place.choice == "postcode" else None,
        area=place.value if place.choice == "area" else None,
        person_contact=text("person_contact"),
        note=text("note"),
        language_other=text("language_other"),
        reporter_name=text(*_NAME_STEPS),
        reporter_phone=text(*_PHONE_STEPS),
        partner=state.partner,
        voice_notes=tuple((voice.id, answered_by.get(voice.id)) for voice in state.voices),
    )


def answers_of(flow: Flow, draft: SignalDraft) -> dict[str, Answer]:
    """The inverse of ``build_draft``: answers to render a stored signal's lines."""
    answers: dict[str, Answer] = {}
    for step_id, code in draft.codes.items():
        if code is not None:
            answers[step_id] = Answer(choice=code)
    for step_id, codes in draft.multi.items():
        answers[step_id] = Answer(choices=codes)
    if draft.postcode:
        answers["place"] = Answer(choice="postcode", value=draft.postcode)
    elif draft.area:
        answers["place"] = Answer(choice="area", value=draft.area)
    else:
        answers["place"] = Answer(choice="unknown")
    fields = {
        "person_contact": draft.person_contact,
        "note": draft.note,
        "language_other": draft.language_other,
        "reporter_name": draft.reporter_name,
        "self_name": draft.reporter_name,
        "reporter_phone": draft.reporter_phone,
        "self_phone": draft.reporter_phone,
    }
    for step_id, value in fields.items():
        if value:
            answers[step_id] = Answer(value=value)
    for _, answered in draft.voice_notes:
        if answered is not None:
            answers[answered] = Answer(choice=VOICE_ANSWER)
    if "note" in [s.id for s in flow.steps] and "note" not in answers and not draft.note:
        answers["note"] = Answer(choice="skip")
    # Not pruned: a signal stored by an older version of the flows keeps every answer (it
    # was asked "does the person know" whatever the contact answer was then).
    return answers


def signal_lines(flow: Flow, draft: SignalDraft, places: Sequence[Place]) -> list[Msg]:
    """The "label: value" lines of a stored signal (for the loket, in Dutch)."""
    answers = answers_of(flow, draft)
    state = ConversationState(flow=flow.id, answers=answers)
    return summary_lines(flow, state, places, staff=True, steps=stored_steps(flow, answers))


def done_texts(flow: Flow, state: ConversationState, reference: str) -> tuple[Msg, ...]:
    """What the reporter reads after sending: reference, what happens next, when."""
    answers = state.answers
    done = m.DONE_SELF if flow.signal_kind == "self" else m.DONE_OTHER
    texts = [msg(done, reference=Token(reference))]
    observations = answers.get("observations", Answer()).choices
    if "not_seen" in observations:
        texts.append(msg(m.URGENT_NOTED))
    contact = answers.get("callback", answers.get("reach", Answer())).choice
    if contact in {"yes", "phone"}:
        texts.append(msg(m.DONE_CALLBACK))
    elif contact == "here":
        texts.append(msg(m.DONE_MESSAGE_HERE))
    elif contact == "no":
        texts.append(msg(m.DONE_NO_CONTACT))
    if answers.get("checkin", Answer()).choice == "yes":
        texts.append(msg(m.DONE_CHECKIN))
    return tuple(texts)
