"""The telephone intake: a flow's questions as one form, and a submitted form read back
into answers with the chat's validation (staff type what a caller tells them)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from core.text.languages import STAFF_LANGUAGE, LanguageName
from core.text.msgids import N_, Many, Msg, Nn_, Param
from core.text.sanitize import clean_text, has_substance

from . import messages as m
from .asking import choices_for, hint_params, prompt_params
from .draft import SignalDraft, build_draft
from .events import ReplyChoice
from .model import Flow, Kind, Place, Step, When
from .progress import applicable, prune
from .state import Answer, ConversationState
from .validation import parse_phone, parse_postcode

PARTNER_FIELD = "partner"
POSTCODE_SUFFIX = "_postcode"  # a place step's typed postcode: "place_postcode"
AREA_PREFIX = "area:"  # a neighbourhood, as the chat's choices name it: "area:axel"
TEXTAREA_FROM = 200  # free text allowed longer than this gets a multi-line field

REQUIRED_CHOICE = N_("Please choose an answer.")
REQUIRED_TEXT = N_("Please fill this in.")
REQUIRED_PLACE = N_("Please type a postcode or choose a neighbourhood.")
PLACE_BOTH = N_("Please type a postcode or choose a neighbourhood, not both.")
NOT_AN_OPTION = N_("Please choose one of the options shown.")
EXCLUSIVE = N_("“%(choice)s” cannot be combined with other answers.")
UNKNOWN_PARTNER = N_("Please choose a partner from the list, or none.")
TOO_LONG, TOO_LONG_PLURAL = Nn_(
    "This text is %(count)d character too long. Please make it shorter.",
    "This text is %(count)d characters too long. Please make it shorter.",
)
CONDITION = N_("Only when the answer to “%(question)s” is “%(answer)s”.")

# The questions as the loket worker asks them on the phone: about "the caller", without the
# chat's habits ("then choose Done"), answered with the labels the signal page shows.
# A question not named here keeps the chat's words.
PROMPTS: dict[str, dict[str, str]] = {
    "report_other": {
        "danger": N_("Is someone in danger right now?"),
        "role": N_("How does the caller know the person?"),
        "age_group": N_("How old is the person, about?"),
        "observations": N_("What did the caller notice? Tick everything that fits."),
        "place": N_(
            "Where does the person live? A postcode (or only its 4 digits), or the neighbourhood."
        ),
        "contact_language": N_("Which language does the person speak best?"),
        "language_other": N_("Which other language?"),
        "callback": N_("May the loket call the caller back about this report?"),
        "reporter_name": N_("The caller's name"),
        "reporter_phone": N_("The caller's phone number"),
        "person_reach": N_("How can the loket reach the person?"),
        "person_contact": N_(
            "Name, address or phone number of the person: only what the loket needs to reach them"
        ),
        "awareness": N_("Does the person know about this report?"),
        "note": N_("Anything else the loket should know? Nothing about health or illness."),
    },
    "report_self": {
        "danger": N_("Is the caller in danger right now, or thinking about ending their life?"),
        "help_wanted": N_("What would help the caller? Tick everything that fits."),
        "place": N_(
            "Where does the caller live? A postcode (or only its 4 digits), or the neighbourhood."
        ),
        "reach": N_("How can the loket reach the caller?"),
        "self_name": N_("The caller's name"),
        "self_phone": N_("The caller's phone number"),
        "contact_language": N_("In which language would the caller like to talk?"),
        "language_other": N_("Which other language?"),
    },
}


class Widget(StrEnum):
    RADIO = "radio"
    CHECKBOX = "checkbox"
    TEXT = "text"
    TEXTAREA = "textarea"
    PHONE = "phone"
    PLACE = "place"  # a postcode field and a neighbourhood select


@dataclass(frozen=True)
class Question:
    """One question of the form. ``id`` is the step id and the field's name."""

    id: str
    widget: Widget
    prompt: Msg
    choices: tuple[ReplyChoice, ...]  # neither chat-only choices nor "done"
    required: bool
    max_length: int = 0
    when: When | None = None  # shown only when this earlier answer was given
    condition: Msg | None = None  # the same, as a note next to the question

    @property
    def postcode_field(self) -> str:
        return self.id + POSTCODE_SUFFIX


@dataclass(frozen=True)
class Accepted:
    """A valid form: the answers (to the questions that apply) and the partner code."""

    answers: Mapping[str, Answer]
    partner: str | None = None


@dataclass(frozen=True)
class Rejected:
    """An invalid form: a message per field name, in the order of the form."""

    errors: Mapping[str, Msg]


def intake_steps(flow: Flow) -> tuple[Step, ...]:
    """The questions a caller can answer: no information, summary or chat-only steps."""
    return tuple(
        s for s in flow.steps if s.kind not in {Kind.INFO, Kind.SUMMARY} and not s.chat_only
    )


def _widget(step: Step) -> Widget:
    if step.kind == Kind.CHOICE:
        return Widget.RADIO
    if step.kind == Kind.MULTI:
        return Widget.CHECKBOX
    if step.kind == Kind.PHONE:
        return Widget.PHONE
    if step.kind == Kind.PLACE:
        return Widget.PLACE
    return Widget.TEXTAREA if step.max_length > TEXTAREA_FROM else Widget.TEXT


def _optional(step: Step) -> bool:
    """A free-text question the chat lets one skip: left empty on the form."""
    return step.kind == Kind.TEXT and any(c.id == "skip" for c in step.choices)


def _condition(flow: Flow, when: When) -> Msg:
    step = flow.step(when.step)
    labels: tuple[Param, ...] = tuple(
        Msg(c.shown_label(staff=True)) for c in step.choices if c.id in when.choices
    )
    answer: Param = labels[0] if len(labels) == 1 else Many(labels)
    return Msg(CONDITION, {"question": Msg(step.shown_label(staff=True)), "answer": answer})


def _staff_choice(step: Step, shown: ReplyChoice) -> ReplyChoice:
    """An option with the label the loket reads (and the signal page shows)."""
    for choice in step.choices:
        if choice.id == shown.id:
            if choice.endonym:  # a language, named in Dutch
                return replace(shown, label=LanguageName(choice.endonym))
            return replace(shown, label=Msg(choice.shown_label(staff=True)), short=None)
    return shown  # a neighbourhood: its name


def _prompt(flow: Flow, step: Step) -> Msg:
    asked = PROMPTS.get(flow.id, {}).get(step.id)
    return Msg(asked) if asked else Msg(step.prompt, prompt_params())


def form_questions(flow: Flow, places: Sequence[Place]) -> tuple[Question, ...]:
    """Every question of ``flow`` for the form, in the chat's order."""
    questions = []
    for step in intake_steps(flow):
        chat_only = {c.id for c in step.choices if c.chat_only}
        skipped = chat_only | ({"skip"} if _optional(step) else set())
        shown = choices_for(step, ConversationState(flow=flow.id), places)
        questions.append(
            Question(
                id=step.id,
                widget=_widget(step),
                prompt=_prompt(flow, step),
                choices=tuple(_staff_choice(step, c) for c in shown if c.id not in skipped),
                required=not _optional(step),
                max_length=step.max_length,
                when=step.when,
                condition=_condition(flow, step.when) if step.when else None,
            )
        )
    return tuple(questions)


def _hint(step: Step) -> Msg:
    return Msg(step.hint or NOT_AN_OPTION, hint_params(step))


def _filled(form: Mapping[str, Sequence[str]], name: str) -> list[str]:
    values = form.get(name, ())
    if isinstance(values, str):  # a plain mapping of one value per field
        values = (values,)
    return [v for v in values if isinstance(v, str) and v.strip()]


def _one_choice(step: Step, question: Question, values: list[str]) -> Answer | Msg:
    if not values:
        return Msg(REQUIRED_CHOICE)
    ids = {c.id for c in question.choices}
    if len(set(values)) > 1 or values[0] not in ids:
        return _hint(step)
    return Answer(choice=values[0])


def _many_choices(step: Step, question: Question, values: list[str]) -> Answer | Msg:
    if not values:
        return Msg(REQUIRED_CHOICE)
    order = [c.id for c in question.choices]
    if any(v not in order for v in values):
        return _hint(step)
    picked = sorted(set(values), key=order.index)
    for choice in step.choices:
        if choice.exclusive and choice.id in picked and len(picked) > 1:
            return Msg(EXCLUSIVE, {"choice": Msg(choice.label)})
    return Answer(choices=tuple(picked))


def _text(step: Step, question: Question, values: list[str]) -> Answer | Msg | None:
    cleaned = [c for c in (clean_text(v) for v in values) if c]
    if not cleaned:
        return None if not question.required else Msg(REQUIRED_TEXT)
    if len(cleaned) > 1:
        return _hint(step)
    text = cleaned[0]
    if step.kind == Kind.PHONE:
        phone = parse_phone(text)
        return _hint(step) if phone is None else Answer(value=phone)
    if not has_substance(text):
        return Msg(m.NO_SUBSTANCE)
    if step.max_length and len(text) > step.max_length:
        over = len(text) - step.max_length
        return Msg(TOO_LONG, {"count": over}, plural=TOO_LONG_PLURAL, count=over)
    return Answer(value=text)


def _place(step: Step, question: Question, form: Mapping[str, Sequence[str]]) -> Answer | Msg:
    picked = _filled(form, question.id)
    typed = [c for c in (clean_text(v) for v in _filled(form, question.postcode_field)) if c]
    if not picked and not typed:
        return Msg(REQUIRED_PLACE)
    if picked and typed:
        return Msg(PLACE_BOTH)
    if typed:
        postcode = parse_postcode(typed[0]) if len(typed) == 1 else None
        return _hint(step) if postcode is None else Answer(choice="postcode", value=postcode)
    chosen = _one_choice(step, question, picked)
    if isinstance(chosen, Answer) and chosen.choice and chosen.choice.startswith(AREA_PREFIX):
        return Answer(choice="area", value=chosen.choice.removeprefix(AREA_PREFIX))
    return chosen


def _read(step: Step, question: Question, form: Mapping[str, Sequence[str]]) -> Answer | Msg | None:
    if question.widget == Widget.PLACE:
        return _place(step, question, form)
    values = _filled(form, question.id)
    if question.widget == Widget.RADIO:
        return _one_choice(step, question, values)
    if question.widget == Widget.CHECKBOX:
        return _many_choices(step, question, values)
    return _text(step, question, values)


def read_form(
    flow: Flow,
    form: Mapping[str, Sequence[str]],
    places: Sequence[Place],
    partners: Collection[str] = (),
) -> Accepted | Rejected:
    """The answers a submitted form gives, or what is wrong with it, field by field.

    Field names are step ids (several values for a multi-select); unknown fields are
    ignored. A question whose condition does not hold is ignored too, whatever was sent;
    one whose condition's answer is itself wrong is judged when that answer is fixed.
    """
    answers: dict[str, Answer] = {}
    errors: dict[str, Msg] = {}
    for question in form_questions(flow, places):
        step = flow.step(question.id)
        if not applicable(step, answers):
            continue
        result = _read(step, question, form)
        if isinstance(result, Msg):
            errors[question.id] = result
        elif isinstance(result, Answer):
            answers[question.id] = result
        else:
            answers[question.id] = Answer(choice="skip")
    partner = next(iter(_filled(form, PARTNER_FIELD)), None)
    if partner is not None and (partner not in partners or len(_filled(form, PARTNER_FIELD)) > 1):
        errors[PARTNER_FIELD] = Msg(UNKNOWN_PARTNER)
    if errors:
        return Rejected(errors)
    return Accepted(prune(flow, answers), partner)


def intake_draft(
    flow: Flow, accepted: Accepted, now: datetime, language: str = STAFF_LANGUAGE
) -> SignalDraft:
    """The signal of an accepted form, built exactly as a chat report's is."""
    state = ConversationState(
        language=language,
        flow=flow.id,
        prompt="summary",
        answers=accepted.answers,
        partner=accepted.partner,
        started_at=now,
        updated_at=now,
    )
    return build_draft(flow, state, now)
