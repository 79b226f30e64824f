"""The steps both report flows ask, and the choices they share (see ``flows``)."""

from __future__ import annotations

from core.text.languages import LANGUAGES
from core.text.msgids import N_, P_

from .model import Choice, Kind, Step, When

NOTE_MAX_LENGTH = 1000
CONTACT_MAX_LENGTH = 300
NAME_MAX_LENGTH = 100
LANGUAGE_MAX_LENGTH = 40

SKIP = Choice("skip", P_("button", "Skip"))
UNKNOWN = Choice("unknown", P_("button", "I don't know"))
DONE = Choice("done", P_("button: end a multiple choice", "Done"), chat_only=True)

OTHER_DANGER = Step(
    "danger",
    Kind.CHOICE,
    P_("question: danger", "Is someone in danger right now?"),
    P_("summary label", "Danger now"),
    (
        Choice("yes", P_("answer: danger", "Yes, there is danger")),
        Choice("no", P_("answer: danger", "No")),
    ),
)
SELF_DANGER = Step(
    "danger",
    Kind.CHOICE,
    P_(
        "question: danger, the reporter about themselves",
        "Are you in danger right now, or are you thinking about ending your life?",
    ),
    P_("summary label", "Danger now"),
    (Choice("yes", P_("answer: danger", "Yes")), Choice("no", P_("answer: danger", "No"))),
)
DANGER_INFO = Step(
    "danger_info",
    Kind.INFO,
    P_(
        "message: after danger was reported",
        "Please call %(emergency)s now. Thoughts of suicide? Call %(suicide_free)s (free) or "
        "%(suicide)s (standard call charges), day and night. Please do that first. Then you can "
        "continue here if you want to.",
    ),
    choices=(
        Choice(
            "continue",
            P_("button: after danger", "Continue my report"),
            short=P_("short button (max 20 characters): after danger", "Continue"),
        ),
        Choice("stop", P_("button", "Stop"), stops=True),
    ),
    when=When("danger", frozenset({"yes"})),
)


def place(prompt: str) -> Step:
    return Step(
        "place",
        Kind.PLACE,
        prompt,
        P_("summary label", "Where"),
        (UNKNOWN,),
        staff_label=N_("Postcode or neighbourhood"),
        hint=P_(
            "hint: a wrong postcode",
            "That does not look like a Dutch postcode. A postcode has 4 digits and 2 letters, for "
            "example %(example)s. You can also type only the 4 digits, or choose a neighbourhood.",
        ),
    )


def phone(step_id: str, when: When, staff_label: str = "") -> Step:
    return Step(
        step_id,
        Kind.PHONE,
        # Translators: "Sanne" may be a common first name in your language.
        P_(
            "question: phone number and name, in one message",
            "What is your phone number? You can add your name too, for example: Sanne %(example)s.",
        ),
        P_("summary label", "Phone number"),
        hint=P_(
            "hint: no phone number found",
            "I could not find a phone number in your message. Please type it in digits, for "
            "example %(example)s.",
        ),
        when=when,
        staff_label=staff_label,
    )


def name(step_id: str, when: When, phone_step: str, staff_label: str = "") -> Step:
    return Step(
        step_id,
        Kind.TEXT,
        P_("question: name (asked only when the reporter changes it)", "What is your name?"),
        P_("summary label", "Name"),
        hint=P_("hint: name", "Please type your name."),
        when=when,
        max_length=NAME_MAX_LENGTH,
        staff_label=staff_label,
        part_of=phone_step,
    )


def contact_language(prompt: str, summary: str, staff: str, *extra: Choice) -> tuple[Step, ...]:
    """The language for contact, and which one when it is "another language"."""
    return (
        Step(
            "contact_language",
            Kind.CHOICE,
            prompt,
            summary,
            staff_label=staff,
            choices=(
                *(Choice(code, "", endonym=code) for code in LANGUAGES),
                Choice("other", P_("button", "Another language")),
                *extra,
            ),
        ),
        Step(
            "language_other",
            Kind.TEXT,
            P_("question: which other language", "Which language? Please type its name."),
            P_("summary label", "Other language"),
            staff_label=N_("Other language"),
            hint=P_("hint: which other language", "Please type the name of the language."),
            when=When("contact_language", frozenset({"other"})),
            max_length=LANGUAGE_MAX_LENGTH,
        ),
    )


def summary(prompt: str) -> Step:
    return Step(
        "summary",
        Kind.SUMMARY,
        prompt,
        choices=(
            Choice("send", P_("button: summary", "Send")),
            Choice("change", P_("button: summary", "Change something")),
            Choice("cancel", P_("button: summary", "Stop")),
        ),
    )
