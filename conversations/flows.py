"""The reporter conversations as data. Step and choice ids are stored: never rename them."""

from __future__ import annotations

from .model import Choice, Flow, Kind, Step, When
from .text import LANGUAGES, N_

NOTE_MAX_LENGTH = 1000
CONTACT_MAX_LENGTH = 300
NAME_MAX_LENGTH = 100

SKIP = Choice("skip", N_("Skip"))
UNKNOWN = Choice("unknown", N_("I don't know"))
DONE = Choice("done", N_("Done"), chat_only=True)

OTHER_DANGER = Step(
    "danger",
    Kind.CHOICE,
    N_("First: is someone in acute danger right now?"),
    N_("Danger right now"),
    (Choice("yes", N_("Yes, there is danger")), Choice("no", N_("No"))),
)
SELF_DANGER = Step(
    "danger",
    Kind.CHOICE,
    N_("First: are you in danger right now, or do you have thoughts of ending your life?"),
    N_("Danger right now"),
    (Choice("yes", N_("Yes")), Choice("no", N_("No"))),
)
DANGER_INFO = Step(
    "danger_info",
    Kind.INFO,
    N_(
        "Please call %(emergency)s now. Thoughts of suicide? Call %(suicide)s or "
        "%(suicide_free)s: free, anonymous, day and night. Do that first. "
        "After that you can continue here if you want."
    ),
    choices=(
        Choice("continue", N_("Continue")),
        Choice("stop", N_("Stop"), stops=True),
    ),
    when=When("danger", frozenset({"yes"})),
)


def _place(prompt: str) -> Step:
    return Step(
        "place",
        Kind.PLACE,
        prompt,
        N_("Where"),
        (UNKNOWN,),
        staff_label=N_("Postcode or neighbourhood"),
        hint=N_(
            "That is not a Dutch postcode. A postcode has 4 digits and 2 letters, "
            "like %(example)s. You may also type only the 4 digits, or choose a neighbourhood."
        ),
    )


def _phone(step_id: str, when: When, staff_label: str = "") -> Step:
    return Step(
        step_id,
        Kind.PHONE,
        N_("What is your phone number?"),
        N_("Phone number"),
        hint=N_(
            "That phone number does not look right. Please use digits, for example %(example)s."
        ),
        when=when,
        staff_label=staff_label,
    )


def _name(step_id: str, when: When, staff_label: str = "") -> Step:
    return Step(
        step_id,
        Kind.TEXT,
        N_("What is your name?"),
        N_("Name"),
        hint=N_("Please type your name."),
        when=when,
        max_length=NAME_MAX_LENGTH,
        staff_label=staff_label,
    )


def _summary() -> Step:
    return Step(
        "summary",
        Kind.SUMMARY,
        N_("Please check your report. Is everything correct?"),
        choices=(
            Choice("send", N_("Send")),
            Choice("change", N_("Change an answer")),
            Choice("cancel", N_("Cancel")),
        ),
    )


REPORT_OTHER = Flow(
    "report_other",
    "other",
    (
        OTHER_DANGER,
        DANGER_INFO,
        Step(
            "role",
            Kind.CHOICE,
            N_("Who are you? This helps the loket understand your signal."),
            N_("You are"),
            staff_label=N_("Reporter's role"),
            choices=(
                Choice("shop", N_("Shop or supermarket staff")),
                Choice("neighbour", N_("Neighbour")),
                Choice("family", N_("Family or friend")),
                Choice("professional", N_("Professional or volunteer")),
                Choice("other", N_("Other")),
            ),
        ),
        Step(
            "age_group",
            Kind.CHOICE,
            N_("How old is the person, roughly?"),
            N_("Age"),
            (
                Choice("under_25", N_("Under 25")),
                Choice("25_64", N_("25 to 64")),
                Choice("65_74", N_("65 to 74")),
                Choice("75_plus", N_("75 or older")),
                UNKNOWN,
            ),
        ),
        Step(
            "observations",
            Kind.MULTI,
            N_("What did you notice? Choose everything that fits, then choose Done."),
            N_("Noticed"),
            staff_label=N_("Observed"),
            choices=(
                Choice("often_alone", N_("Often alone, few or no visitors")),
                Choice("says_lonely", N_("Says they feel lonely")),
                Choice("recent_loss", N_("Recently lost a partner or someone close")),
                Choice("self_neglect", N_("Neglects themselves or their home")),
                Choice("daily_chat", N_("Comes by every day just for a chat")),
                Choice("overloaded_carer", N_("Overloaded as a carer")),
                Choice("gloomy_confused", N_("Seems gloomy or confused")),
                Choice(
                    "not_seen",
                    N_("Not seen for days, curtains closed, mail piling up"),
                    urgent=True,
                ),
                Choice("other", N_("Something else")),
                DONE,
            ),
            hint=N_("Choose at least one thing you noticed, then choose Done."),
        ),
        Step(
            "awareness",
            Kind.CHOICE,
            N_("Does the person know that you report this?"),
            N_("Person knows"),
            staff_label=N_("Person knows about the report"),
            choices=(
                Choice("yes_agrees", N_("Yes, and agrees")),
                Choice("yes_prefers_not", N_("Yes, but prefers not")),
                Choice("no", N_("No")),
                UNKNOWN,
            ),
        ),
        _place(
            N_(
                "Where does the person live? Type the postcode (like %(example)s, or only "
                "the 4 digits) or choose the neighbourhood."
            )
        ),
        Step(
            "person_reach",
            Kind.CHOICE,
            N_("How can the loket reach the person?"),
            N_("Reach the person"),
            (
                Choice(
                    "details",
                    N_("I will give name, address or phone"),
                    staff_label=N_("Details given"),
                ),
                Choice("via_me", N_("Only through me"), staff_label=N_("Only via the reporter")),
                UNKNOWN,
            ),
        ),
        Step(
            "person_contact",
            Kind.TEXT,
            N_(
                "Type the name, address or phone number of the person. "
                "Only what the loket needs to reach them."
            ),
            N_("Details of the person"),
            staff_label=N_("Contact details of the person"),
            hint=N_("Please type the details in one message."),
            when=When("person_reach", frozenset({"details"})),
            max_length=CONTACT_MAX_LENGTH,
        ),
        Step(
            "note",
            Kind.TEXT,
            N_(
                "Is there anything else the loket should know? Keep it short. "
                "Please do not write medical details."
            ),
            N_("Anything else"),
            (SKIP,),
            staff_label=N_("Note from the reporter"),
            hint=N_("Type your message, or choose Skip."),
            max_length=NOTE_MAX_LENGTH,
        ),
        Step(
            "callback",
            Kind.CHOICE,
            N_(
                "May the loket call you about this signal? You may also stay anonymous, "
                "but then the loket cannot ask you anything, so follow-up is harder."
            ),
            N_("Loket may call you"),
            (
                Choice("yes", N_("Yes, you may call me"), staff_label=N_("Yes")),
                Choice("no", N_("No, I stay anonymous"), staff_label=N_("No, anonymous")),
            ),
            staff_label=N_("Reporter may be called"),
        ),
        _name("reporter_name", When("callback", frozenset({"yes"})), N_("Reporter's name")),
        _phone("reporter_phone", When("callback", frozenset({"yes"})), N_("Reporter's phone")),
        Step(
            "checkin",
            Kind.CHOICE,
            N_("May we ask you in about two weeks whether there was contact?"),
            N_("Check-in after two weeks"),
            (Choice("yes", N_("Yes")), Choice("no", N_("No"))),
            staff_label=N_("Ask the reporter after two weeks"),
            chat_only=True,  # asked in the reporter's chat; a caller has none
        ),
        _summary(),
    ),
)

REPORT_SELF = Flow(
    "report_self",
    "self",
    (
        SELF_DANGER,
        DANGER_INFO,
        Step(
            "help_wanted",
            Kind.MULTI,
            N_("What would help you? Choose everything that fits, then choose Done."),
            N_("What would help"),
            (
                Choice("someone_to_talk", N_("Someone to talk to")),
                Choice("activities", N_("Activities nearby")),
                Choice("practical", N_("Practical help")),
                Choice("grief", N_("Help with grief")),
                Choice("unknown", N_("I don't know yet"), exclusive=True),
                DONE,
            ),
            hint=N_("Choose at least one option, then choose Done."),
        ),
        _place(
            N_(
                "Where do you live? Type your postcode (like %(example)s, or only the "
                "4 digits) or choose your neighbourhood."
            )
        ),
        Step(
            "reach",
            Kind.CHOICE,
            N_("How can the loket reach you?"),
            N_("Contact"),
            (
                Choice("phone", N_("By phone")),
                Choice(
                    "here",
                    N_("Send me a message here"),
                    staff_label=N_("Message via the chat"),
                    chat_only=True,
                ),
            ),
            staff_label=N_("Contact via"),
        ),
        _name("self_name", When("reach", frozenset({"phone"}))),
        _phone("self_phone", When("reach", frozenset({"phone"}))),
        Step(
            "contact_language",
            Kind.CHOICE,
            N_("In which language would you like to talk?"),
            N_("Language for contact"),
            staff_label=N_("Preferred language for contact"),
            choices=(
                *(Choice(code, "", endonym=code) for code in LANGUAGES),
                Choice("other", N_("Another language")),
            ),
        ),
        _summary(),
    ),
)

FLOWS: dict[str, Flow] = {flow.id: flow for flow in (REPORT_OTHER, REPORT_SELF)}
