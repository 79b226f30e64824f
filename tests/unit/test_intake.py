"""The telephone intake form: its questions come from the flows, its answers are read with
the chat's validation and give the same signal as the chat would."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.dialog import intake as i
from core.dialog.asking import hint_params
from core.dialog.engine import Engine
from core.dialog.flows import REPORT_OTHER, REPORT_SELF
from core.dialog.model import Flow, Kind
from core.dialog.state import Answer
from core.text.catalog import Catalog
from core.text.msgids import Msg
from core.text.render import render
from tests.support.driver import T0, Driver
from tests.unit.conftest import PLACES

Form = dict[str, list[str]]

# A caller who does not want to be called back: the person's details instead.
OTHER_FORM: Form = {
    "danger": ["yes"],
    "role": ["neighbour"],
    "age_group": ["65_74"],
    "observations": ["not_seen", "recent_loss"],
    "place_postcode": ["４５３１ ab"],
    "contact_language": ["tr"],
    "callback": ["no"],
    "person_reach": ["details"],
    "person_contact": ["Mevr. Jansen, Markt 1, 06-12345678"],
    "awareness": ["yes_agrees"],
    "note": ["Ze zit vaak alleen op het bankje."],
    "reporter_name": ["Fatma Yılmaz"],
    "reporter_phone": ["+31 6 1234 5678"],
}
# A caller who may be called back: name and phone count, the person's details do not.
CALLER_FORM: Form = {**OTHER_FORM, "callback": ["yes"]}
SELF_FORM: Form = {
    "danger": ["no"],
    "help_wanted": ["someone_to_talk", "activities"],
    "place": ["area:axel"],
    "reach": ["phone"],
    "self_name": ["Ahmet"],
    "self_phone": ["0612345678"],
    "contact_language": ["tr"],
}


def with_(form: Form, **changes: list[str]) -> Form:
    return {**form, **changes}


def errors_of(form: Form, flow: Flow = REPORT_OTHER) -> dict[str, str]:
    result = i.read_form(flow, form, PLACES, partners={"jumbo"})
    assert isinstance(result, i.Rejected), result
    return {field: error.msgid for field, error in result.errors.items()}


def accepted(form: Form, flow: Flow = REPORT_OTHER) -> i.Accepted:
    result = i.read_form(flow, form, PLACES, partners={"jumbo"})
    assert isinstance(result, i.Accepted), result
    return result


def test_the_form_asks_every_question_but_information_summary_and_chat_only() -> None:
    other = [q.id for q in i.form_questions(REPORT_OTHER, PLACES)]
    assert other == [
        "danger",
        "role",
        "age_group",
        "observations",
        "place",
        "contact_language",
        "language_other",
        "callback",
        "reporter_name",
        "reporter_phone",
        "person_reach",
        "person_contact",
        "awareness",
        "note",
    ]  # no danger_info, no checkin (a caller has no chat to be asked in), no summary
    callback = {q.id: q for q in i.form_questions(REPORT_OTHER, PLACES)}["callback"]
    assert [c.id for c in callback.choices] == ["yes", "no"]  # not "message me here"
    self_questions = {q.id: q for q in i.form_questions(REPORT_SELF, PLACES)}
    assert [c.id for c in self_questions["reach"].choices] == ["phone"]  # not "here"
    assert "done" not in [c.id for c in self_questions["help_wanted"].choices]


def test_widgets_choices_and_conditions_follow_the_steps() -> None:
    questions = {q.id: q for q in i.form_questions(REPORT_OTHER, PLACES)}
    assert questions["role"].widget == i.Widget.RADIO
    assert questions["observations"].widget == i.Widget.CHECKBOX
    assert questions["reporter_phone"].widget == i.Widget.PHONE
    assert questions["reporter_name"].widget == i.Widget.TEXT
    assert questions["note"].widget == i.Widget.TEXTAREA
    assert questions["place"].widget == i.Widget.PLACE
    assert [c.id for c in questions["place"].choices] == [
        "area:centrum",
        "area:axel",
        "area:sluiskil",
        "unknown",
    ]
    assert questions["place"].postcode_field == "place_postcode"
    assert not questions["note"].required
    assert [c.id for c in questions["note"].choices] == []  # "skip" is leaving it empty
    assert questions["role"].required
    # Asked as the loket worker asks it on the phone (issue 22), with the options the
    # signal page shows for the answer.
    assert questions["role"].prompt.msgid == i.PROMPTS["report_other"]["role"]
    role = REPORT_OTHER.step("role")
    assert [c.label for c in questions["role"].choices] == [
        Msg(c.shown_label(staff=True)) for c in role.choices
    ]
    contact = questions["person_contact"]
    assert contact.when == REPORT_OTHER.step("person_contact").when
    assert contact.condition is not None
    assert contact.condition.msgid == i.CONDITION
    assert questions["role"].condition is None


@pytest.mark.parametrize("flow", [REPORT_OTHER, REPORT_SELF])
def test_the_form_asks_without_the_chats_habits(
    flow: Flow, catalogs: Mapping[str, Catalog]
) -> None:
    """No "then choose Done", no "you" as if the caller typed it: every question the form
    asks is in the loket's words."""
    for question in i.form_questions(flow, PLACES):
        assert question.prompt.msgid in i.PROMPTS[flow.id].values(), question.id
        text = render(question.prompt, catalogs["nl"], "nl")
        assert "Klaar" not in text
        assert " je " not in f" {text} ".replace(",", " ")


def test_condition_note_renders_in_dutch(catalogs: Mapping[str, Catalog]) -> None:
    questions = {q.id: q for q in i.form_questions(REPORT_OTHER, PLACES)}
    condition = questions["reporter_phone"].condition
    assert condition is not None
    text = render(condition, catalogs["nl"], "nl")
    callback = REPORT_OTHER.step("callback")
    assert catalogs["nl"].gettext(callback.shown_label(staff=True)) in text
    assert catalogs["nl"].gettext(callback.choices[0].shown_label(staff=True)) in text


def test_a_full_form_gives_the_same_signal_as_the_chat(
    engine: Engine, catalogs: Mapping[str, Catalog]
) -> None:
    chat = Driver(engine, catalogs, "nl")
    for choice in ("danger", "continue", "neighbour", "65_74"):
        chat.tap(choice)
    chat.type("8, 3")
    chat.type("４５３１ ab")
    chat.tap("tr")
    chat.tap("no")
    chat.tap("details")
    chat.type("Mevr. Jansen, Markt 1, 06-12345678")
    chat.tap("yes_agrees")
    chat.type("Ze zit vaak alleen op het bankje.")  # the note, at the summary
    chat.tap("send")
    [by_chat] = chat.drafts
    by_phone = i.intake_draft(REPORT_OTHER, accepted(OTHER_FORM), T0)
    assert by_phone.submitted_at == T0
    assert by_phone.urgent
    assert by_phone.postcode == "4531 AB"
    assert by_phone.reporter_phone is None  # no call back: not kept
    codes = {k: v for k, v in by_chat.codes.items() if k != "checkin"}
    assert dataclasses.replace(by_phone, submitted_at=by_chat.submitted_at) == (
        dataclasses.replace(by_chat, codes=codes)
    )


def test_self_report_by_phone() -> None:
    draft = i.intake_draft(REPORT_SELF, accepted(SELF_FORM, REPORT_SELF), T0)
    assert draft.kind == "self"
    assert draft.language == "nl"
    assert draft.codes == {"danger": "no", "reach": "phone", "contact_language": "tr"}
    assert draft.multi == {"help_wanted": ("someone_to_talk", "activities")}
    assert draft.area == "axel"
    assert (draft.reporter_name, draft.reporter_phone) == ("Ahmet", "+31612345678")
    assert not draft.urgent


def test_the_chat_only_choice_is_refused_with_the_hint() -> None:
    assert errors_of(with_(SELF_FORM, reach=["here"]), REPORT_SELF) == {"reach": i.NOT_AN_OPTION}


def test_conditional_questions_only_count_when_they_apply() -> None:
    anonymous = with_(OTHER_FORM, reporter_phone=["not a number"])
    draft = i.intake_draft(REPORT_OTHER, accepted(anonymous), T0)
    assert (draft.reporter_name, draft.reporter_phone) == (None, None)  # ignored, not stored
    called = i.intake_draft(REPORT_OTHER, accepted(CALLER_FORM), T0)
    assert (called.reporter_name, called.reporter_phone) == ("Fatma Yılmaz", "+31612345678")
    assert (called.person_contact, called.codes.get("awareness")) == (None, None)
    via_me = with_(OTHER_FORM, person_reach=["via_me"], person_contact=[""])
    assert i.intake_draft(REPORT_OTHER, accepted(via_me), T0).person_contact is None
    assert errors_of(with_(OTHER_FORM, person_contact=[""])) == {"person_contact": i.REQUIRED_TEXT}


def test_an_empty_note_is_skipped_and_unknown_fields_are_ignored() -> None:
    form = with_(OTHER_FORM, note=["  "], csrf=["x"], checkin=["yes"], anything=["1"])
    result = accepted(form)
    assert result.answers["note"] == Answer(choice="skip")
    draft = i.intake_draft(REPORT_OTHER, result, T0)
    assert draft.note is None
    assert "checkin" not in draft.codes


def test_every_missing_answer_is_named_at_once() -> None:
    assert errors_of({}) == {
        "danger": i.REQUIRED_CHOICE,
        "role": i.REQUIRED_CHOICE,
        "age_group": i.REQUIRED_CHOICE,
        "observations": i.REQUIRED_CHOICE,
        "place": i.REQUIRED_PLACE,
        "contact_language": i.REQUIRED_CHOICE,
        "callback": i.REQUIRED_CHOICE,
    }


@pytest.mark.parametrize(
    ("changes", "field", "msgid"),
    [
        ({"role": ["king"]}, "role", i.NOT_AN_OPTION),  # forged choice id
        ({"role": ["shop", "neighbour"]}, "role", i.NOT_AN_OPTION),  # two for one
        (
            {"observations": ["often_alone", "done"]},
            "observations",
            REPORT_OTHER.step("observations").hint,
        ),
        ({"place_postcode": ["0531 AB"]}, "place", REPORT_OTHER.step("place").hint),
        (
            {"place": ["area:nowhere"], "place_postcode": [""]},
            "place",
            REPORT_OTHER.step("place").hint,
        ),
        ({"place": ["unknown"]}, "place", i.PLACE_BOTH),
        (
            {"reporter_phone": ["0800-FLOWERS"]},
            "reporter_phone",
            REPORT_OTHER.step("reporter_phone").hint,
        ),
        (
            {"reporter_name": ["🙂🙂"]},
            "reporter_name",
            "Please use letters or digits, not only symbols or emoji.",
        ),
        ({"reporter_name": ["x" * 101]}, "reporter_name", i.TOO_LONG),
        ({"reporter_name": ["\u202e\u0000"]}, "reporter_name", i.REQUIRED_TEXT),
        ({"partner": ["aldi"]}, "partner", i.UNKNOWN_PARTNER),
    ],
)
def test_a_wrong_answer_gets_the_message_for_its_field(
    changes: dict[str, list[str]], field: str, msgid: str
) -> None:
    assert errors_of(with_(CALLER_FORM, **changes)) == {field: msgid}


def test_hints_carry_their_example() -> None:
    result = i.read_form(
        REPORT_OTHER, with_(CALLER_FORM, reporter_phone=["12"]), PLACES, partners=()
    )
    assert isinstance(result, i.Rejected)
    error = result.errors["reporter_phone"]
    assert error.params["example"] == hint_params(REPORT_OTHER.step("reporter_phone"))["example"]


def test_too_long_counts_the_characters_over() -> None:
    result = i.read_form(REPORT_OTHER, with_(OTHER_FORM, note=["a" * 1003]), PLACES)
    assert isinstance(result, i.Rejected)
    error = result.errors["note"]
    assert (error.count, error.plural) == (3, i.TOO_LONG_PLURAL)


def test_the_exclusive_answer_stands_alone() -> None:
    form = with_(SELF_FORM, help_wanted=["someone_to_talk", "unknown"])
    assert errors_of(form, REPORT_SELF) == {"help_wanted": i.EXCLUSIVE}
    alone = accepted(with_(SELF_FORM, help_wanted=["unknown"]), REPORT_SELF)
    assert alone.answers["help_wanted"] == Answer(choices=("unknown",))


def test_choices_are_kept_in_the_flow_order_once() -> None:
    form = with_(OTHER_FORM, observations=["other", "often_alone", "other"])
    assert accepted(form).answers["observations"] == Answer(choices=("often_alone", "other"))


def test_place_by_neighbourhood_unknown_or_four_digits() -> None:
    by_area = accepted(with_(OTHER_FORM, place=["area:axel"], place_postcode=[""]))
    assert by_area.answers["place"] == Answer(choice="area", value="axel")
    unknown = accepted(with_(OTHER_FORM, place=["unknown"], place_postcode=[]))
    assert i.intake_draft(REPORT_OTHER, unknown, T0).area is None
    digits = accepted(with_(OTHER_FORM, place_postcode=["4531"]))
    assert i.intake_draft(REPORT_OTHER, digits, T0).postcode == "4531"


def test_partner_is_kept_on_the_signal() -> None:
    draft = i.intake_draft(REPORT_OTHER, accepted(with_(OTHER_FORM, partner=["jumbo"])), T0)
    assert draft.partner == "jumbo"
    assert (
        i.intake_draft(REPORT_OTHER, accepted(with_(OTHER_FORM, partner=[""])), T0).partner is None
    )


def test_a_phone_report_is_not_asked_the_chat_check_in() -> None:
    assert all(not s.chat_only for s in i.intake_steps(REPORT_OTHER))
    assert all(s.kind not in {Kind.INFO, Kind.SUMMARY} for s in i.intake_steps(REPORT_SELF))


FIELD_NAMES = sorted(
    {s.id for f in (REPORT_OTHER, REPORT_SELF) for s in f.steps}
    | {"place_postcode", "partner", "csrf"}
)
VALUES = sorted(
    {c.id for f in (REPORT_OTHER, REPORT_SELF) for s in f.steps for c in s.choices}
    | {"area:axel", "area:nowhere", "jumbo", "4531 AB", "0612345678", "", " "}
)
forms = st.dictionaries(
    st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=12)),
    st.lists(st.one_of(st.sampled_from(VALUES), st.text(max_size=40)), max_size=4),
    max_size=16,
)


@given(form=forms, base=st.sampled_from([OTHER_FORM, SELF_FORM, {}]))
def test_any_form_gives_errors_or_a_valid_draft(form: Form, base: Form) -> None:
    for flow in (REPORT_OTHER, REPORT_SELF):
        result = i.read_form(flow, {**base, **form}, PLACES, partners={"jumbo"})
        if isinstance(result, i.Rejected):
            assert result.errors
            fields = {q.id for q in i.form_questions(flow, PLACES)} | {i.PARTNER_FIELD}
            assert set(result.errors) <= fields
            continue
        draft = i.intake_draft(flow, result, T0)
        assert draft.kind == flow.signal_kind
        for step_id, code in draft.codes.items():
            assert code in {c.id for c in flow.step(step_id).choices if not c.chat_only}
        for step_id, codes in draft.multi.items():
            assert codes
            assert set(codes) <= {c.id for c in flow.step(step_id).choices}
        assert draft.area is None or draft.area in {p.id for p in PLACES}
        assert draft.partner in {None, "jumbo"}
        assert "checkin" not in draft.codes
