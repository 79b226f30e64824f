"""A signal's details as the dashboard shows them: in sections (the person, what was seen,
the reporter) rather than one list of chat sentences, each answer with the label the loket
reads, phone numbers marked so the page can make them ``tel:`` links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import phonenumbers

from core.dialog.areas import AreaMap
from core.dialog.draft import SignalDraft, answers_of
from core.dialog.flows import FLOW_OF_KIND, REPORT_OTHER
from core.dialog.model import Kind, Place, Step
from core.dialog.progress import stored_steps
from core.dialog.summary import answer_value
from core.dialog.validation import DEFAULT_REGION, display_phone
from core.text.msgids import N_, Msg, Param, Token, msg
from core.text.sanitize import ascii_digits

PERSON, SEEN, REPORTER = "person", "seen", "reporter"
TITLES = {
    PERSON: N_("The person"),
    SEEN: N_("What was seen"),
    REPORTER: N_("The reporter"),
}
SELF_TITLE = N_("The person (reporting about themselves)")
PLACE_IN_AREA = N_("%(postcode)s, in %(area)s")
# Where each question's answer belongs (questions not named are left out: "done", ...).
SECTION_OF: dict[str, str] = {
    "age_group": PERSON,
    "place": PERSON,
    "contact_language": PERSON,
    "language_other": PERSON,
    "person_reach": PERSON,
    "person_contact": PERSON,
    "awareness": PERSON,
    "danger": SEEN,
    "observations": SEEN,
    "help_wanted": SEEN,
    "note": SEEN,
    "role": REPORTER,
    "callback": REPORTER,
    "reporter_name": REPORTER,
    "reporter_phone": REPORTER,
    "checkin": REPORTER,
    "reach": PERSON,
    "self_name": PERSON,
    "self_phone": PERSON,
}
# A self-report: the reporter is the person; their contact goes with the person.
_SELF_SECTIONS = (PERSON, SEEN)
# A report by voice message: what was seen is in the notes (the page puts them there); the
# call back, its number and its language are the reporter's.
_VOICE_SECTIONS = (SEEN, REPORTER)
VOICE_SEEN_TITLE = N_("What the reporter said")
_VOICE_SECTION_OF = {"contact_language": REPORTER, "language_other": REPORTER}


@dataclass(frozen=True)
class Field:
    """One answer: its label and value; ``phone`` (E.164) when the value is a number to
    call, ``text`` when it is free text (whose phone numbers become links)."""

    label: Msg
    value: Param
    phone: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    fields: tuple[Field, ...]


def phone_parts(text: str) -> tuple[tuple[str, str | None], ...]:
    """``text`` cut around the phone numbers in it: (piece, E.164 of a number, or None)."""
    digits = ascii_digits(text)
    if len(digits) != len(text):  # other digits than 0-9 changed the length: no links
        return ((text, None),)
    parts: list[tuple[str, str | None]] = []
    at = 0
    for match in phonenumbers.PhoneNumberMatcher(digits, DEFAULT_REGION):
        if match.start > at:
            parts.append((text[at : match.start], None))
        number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        parts.append((text[match.start : match.end], str(number)))
        at = match.end
    if at < len(text):
        parts.append((text[at:], None))
    return tuple(parts)


def _place(draft: SignalDraft, places: Sequence[Place], areas: AreaMap) -> Param | None:
    names = {p.id: p.name for p in places}
    if draft.area:
        return names.get(draft.area, draft.area)
    if not draft.postcode:
        return None
    area = areas.area_of(None, draft.postcode[:4])
    if area is None:
        return Token(draft.postcode)
    return msg(PLACE_IN_AREA, postcode=Token(draft.postcode), area=names.get(area, area))


def _field(step: Step, draft: SignalDraft, places: Sequence[Place], areas: AreaMap) -> Field:
    answers = answers_of(FLOW_OF_KIND.get(draft.kind, REPORT_OTHER), draft)
    answer = answers.get(step.id)
    label = Msg(step.shown_label(staff=True))
    if step.kind == Kind.PLACE:
        place = _place(draft, places, areas)
        if place is not None:
            return Field(label, place)
    if step.kind == Kind.PHONE and answer is not None and answer.value:
        return Field(label, Token(display_phone(answer.value)), phone=answer.value)
    value = answer_value(step, answer, places, staff=True)
    is_text = step.kind == Kind.TEXT and answer is not None and answer.value is not None
    return Field(label, value, text=answer.value if is_text and answer else None)


def signal_sections(
    draft: SignalDraft, places: Sequence[Place], areas: AreaMap | None = None
) -> tuple[Section, ...]:
    """The person, what was seen, the reporter (a self-report: the person and what they
    would like; a report by voice message: what the reporter said and the reporter), each
    with the answers that belong there, in the flow's order."""
    flow = FLOW_OF_KIND.get(draft.kind, REPORT_OTHER)
    areas = areas or AreaMap()
    steps = stored_steps(flow, answers_of(flow, draft))
    section_of = SECTION_OF
    order: tuple[str, ...] = (PERSON, SEEN, REPORTER)
    if draft.kind == "self":
        order = _SELF_SECTIONS
    elif draft.kind == "voice":
        order, section_of = _VOICE_SECTIONS, {**SECTION_OF, **_VOICE_SECTION_OF}
    sections = []
    for section in order:
        fields = tuple(
            _field(step, draft, places, areas)
            for step in steps
            if section_of.get(step.id) == section
        )
        sections.append(Section(section, _title(draft.kind, section), fields))
    return tuple(sections)


def _title(kind: str, section: str) -> str:
    if kind == "self" and section == PERSON:
        return SELF_TITLE
    if kind == "voice" and section == SEEN:
        return VOICE_SEEN_TITLE
    return TITLES[section]
