"""The reporter conversations as data. Step and choice ids are stored: never rename them.

The order is the express path (docs/adr/0058-the-express-path.md): what the
municipality needs to act comes first; what only matters when nobody can be asked later
(how to reach the person, whether they know) is asked only then. Steps with ``part_of``
are answered within another step in a chat and asked on their own in the telephone intake
(and when the reporter changes them from the summary). Contexts (``P_``) tell translators
where a text appears; docs/glossary.md has the words every language uses.
"""

from __future__ import annotations

from dataclasses import replace

from core.text.msgids import N_, P_

from . import messages as m
from .model import Choice, Flow, Kind, Step, When
from .steps import (
    CONTACT_MAX_LENGTH,
    DANGER_INFO,
    DONE,
    NOTE_MAX_LENGTH,
    OTHER_DANGER,
    SELF_DANGER,
    SKIP,
    UNKNOWN,
    contact_language,
    name,
    phone,
    place,
    summary,
)

__all__ = [
    "DANGER_INFO",
    "DONE",
    "FLOWS",
    "FLOW_OF_KIND",
    "OTHER_DANGER",
    "REPORT_OTHER",
    "REPORT_SELF",
    "REPORT_VOICE",
    "VOICE_FLOW",
]

CALL_ME = Choice(
    "yes",
    P_("answer: may the municipality contact you", "Yes, call me"),
    staff_label=N_("Yes, by phone"),
    sets=(("checkin", "yes"),),
)
MESSAGE_ME = Choice(
    "here",
    P_("answer: may the municipality contact you", "Yes, send me a message here"),
    short=P_("short button (max 20 characters): contact", "Yes, message me"),
    staff_label=N_("Yes, by message in the chat"),
    chat_only=True,
    sets=(("checkin", "yes"),),
)
NO_CONTACT = Choice(
    "no",
    P_("answer: may the municipality contact you", "No"),
    staff_label=N_("No contact"),
    sets=(("checkin", "no"),),
)
REPORTER_CALLED = When("callback", frozenset({"yes"}))
NO_CALLBACK = When("callback", frozenset({"no"}))

REPORT_OTHER = Flow(
    "report_other",
    "other",
    (
        OTHER_DANGER,
        DANGER_INFO,
        Step(
            "role",
            Kind.CHOICE,
            P_("question: how the reporter knows the person", "How do you know the person?"),
            P_("summary label", "How you know them"),
            staff_label=N_("Reporter's role"),
            choices=(
                Choice(
                    "shop",
                    P_("answer: how you know the person", "I work in a shop"),
                    staff_label=N_("Shop or supermarket staff"),
                ),
                Choice(
                    "neighbour",
                    P_("answer: how you know the person", "I am a neighbour"),
                    staff_label=N_("Neighbour"),
                ),
                Choice(
                    "family",
                    P_("answer: how you know the person", "Family or friend"),
                    staff_label=N_("Family or friend"),
                ),
                Choice(
                    "professional",
                    P_("answer: how you know the person", "Through my work or as a volunteer"),
                    short=P_(
                        "short button (max 20 characters): how you know the person",
                        "Work or volunteering",
                    ),
                    staff_label=N_("Professional or volunteer"),
                ),
                Choice(
                    "other",
                    P_("answer: how you know the person", "In another way"),
                    staff_label=N_("Other"),
                ),
            ),
        ),
        Step(
            "age_group",
            Kind.CHOICE,
            P_("question: age of the person", "About how old is the person?"),
            P_("summary label", "Age"),
            (
                Choice("under_25", P_("answer: age", "Under 25")),
                Choice("25_64", P_("answer: age", "25 to 64")),
                Choice("65_74", P_("answer: age", "65 to 74")),
                Choice("75_plus", P_("answer: age", "75 or older")),
                UNKNOWN,
            ),
        ),
        Step(
            "observations",
            Kind.MULTI,
            P_(
                "question: what the reporter noticed",
                "What did you notice? Choose all that apply, then choose Done.",
            ),
            P_("summary label", "Noticed"),
            staff_label=N_("Observed"),
            choices=(
                Choice(
                    "often_alone",
                    P_("answer: noticed", "Often alone, few or no visitors"),
                    short=P_("short button (max 20 characters): noticed", "Often alone"),
                ),
                Choice(
                    "says_lonely",
                    P_("answer: noticed", "Says they feel lonely"),
                    short=P_("short button (max 20 characters): noticed", "Says they're lonely"),
                ),
                Choice(
                    "recent_loss",
                    P_("answer: noticed", "Recently lost a partner or someone close"),
                    short=P_("short button (max 20 characters): noticed", "Lost someone"),
                ),
                Choice(
                    "self_neglect",
                    P_("answer: noticed", "Does not look after themselves or their home"),
                    short=P_("short button (max 20 characters): noticed", "Neglects self & home"),
                ),
                Choice(
                    "daily_chat",
                    P_("answer: noticed", "Comes by every day just for a chat"),
                    short=P_("short button (max 20 characters): noticed", "Comes daily to chat"),
                ),
                Choice(
                    "overloaded_carer",
                    P_("answer: noticed", "Cares for someone and finds it too much"),
                    short=P_("short button (max 20 characters): noticed", "Caring is too much"),
                ),
                Choice(
                    "gloomy_confused",
                    P_("answer: noticed", "Seems gloomy or confused"),
                    short=P_("short button (max 20 characters): noticed", "Gloomy or confused"),
                ),
                Choice(
                    "not_seen",
                    P_("answer: noticed", "Not seen for days, curtains closed, post piling up"),
                    short=P_("short button (max 20 characters): noticed", "Not seen for days"),
                    urgent=True,
                ),
                Choice("other", P_("answer: noticed", "Something else")),
                DONE,
            ),
            hint=P_("hint: noticed", "Choose at least 1 thing you noticed. Then choose Done."),
        ),
        place(
            P_(
                "question: where the person lives",
                "Where does the person live? Type the postcode (like %(example)s, or only "
                "the 4 digits). Or choose the neighbourhood.",
            )
        ),
        *contact_language(
            P_(
                "question: language of the person",
                "Which language does the person speak best? This tells the municipality whether "
                "an interpreter is needed.",
            ),
            P_("summary label", "Their language"),
            N_("Language of the person"),
            UNKNOWN,
        ),
        Step(
            "callback",
            Kind.CHOICE,
            # Translators: the check-in, in the words of docs/glossary.md.
            P_(
                "question: may the municipality contact you",
                "May the municipality contact you about your report? If yes, we will also ask you "
                "in 2 weeks whether the municipality has been in touch.",
            ),
            P_("summary label", "Contact with you"),
            (CALL_ME, MESSAGE_ME, NO_CONTACT),
            staff_label=N_("Contact with the reporter"),
        ),
        name("reporter_name", REPORTER_CALLED, "reporter_phone", N_("Reporter's name")),
        phone("reporter_phone", REPORTER_CALLED, N_("Reporter's phone")),
        Step(
            "checkin",
            Kind.CHOICE,
            # Translators: the check-in, in the words of docs/glossary.md.
            P_(
                "question: check-in (asked only when the reporter changes it)",
                "May we ask you in 2 weeks whether the municipality has been in touch?",
            ),
            P_("summary label", "Question after 2 weeks"),
            (Choice("yes", P_("button", "Yes")), Choice("no", P_("button", "No"))),
            staff_label=N_("Ask the reporter after two weeks"),
            chat_only=True,  # asked in the reporter's chat; a caller has none
            part_of="callback",
        ),
        Step(
            "person_reach",
            Kind.CHOICE,
            P_(
                "question: how to reach the person (the reporter wants no contact)",
                "How can the municipality reach the person?",
            ),
            P_("summary label", "How to reach them"),
            (
                Choice(
                    "details",
                    P_(
                        "answer: reach the person",
                        "I will give their name, address or phone number",
                    ),
                    short=P_("short button (max 20 characters): reach", "I'll give details"),
                    staff_label=N_("Details given"),
                ),
                Choice(
                    "via_me",
                    P_("answer: reach the person", "Only through me"),
                    staff_label=N_("Only via the reporter"),
                ),
                UNKNOWN,
            ),
            when=NO_CALLBACK,
        ),
        Step(
            "person_contact",
            Kind.TEXT,
            P_(
                "question: contact details of the person",
                "Type the name, address or phone number of the person. Please give only what the "
                "municipality needs to reach them.",
            ),
            P_("summary label", "Their details"),
            staff_label=N_("Contact details of the person"),
            hint=P_("hint: contact details", "Please type the details in 1 message."),
            when=When("person_reach", frozenset({"details"})),
            max_length=CONTACT_MAX_LENGTH,
        ),
        Step(
            "awareness",
            Kind.CHOICE,
            P_(
                "question: does the person know",
                "Does the person know that you are reporting this?",
            ),
            P_("summary label", "Person knows"),
            staff_label=N_("Person knows about the report"),
            choices=(
                Choice("yes_agrees", P_("answer: does the person know", "Yes, and they agree")),
                Choice(
                    "yes_prefers_not",
                    P_("answer: does the person know", "Yes, but they would rather not"),
                    short=P_(
                        "short button (max 20 characters): does the person know", "Yes, prefers not"
                    ),
                ),
                Choice("no", P_("answer: does the person know", "No")),
                UNKNOWN,
            ),
            when=When("person_reach", frozenset({"details"})),
        ),
        Step(
            "no_followup",
            Kind.INFO,
            P_(
                "message: nobody can be reached",
                "In that case, the municipality cannot reach you or the person. It can only count "
                "your report, not act on it. You can get a message in this chat without giving "
                "your name. What would you like to do?",
            ),
            choices=(
                Choice(
                    "here",
                    P_("answer: nobody can be reached", "Send me a message here"),
                    short=P_(
                        "short button (max 20 characters): nobody can be reached", "Message me here"
                    ),
                    sets=(("callback", "here"), ("checkin", "yes")),
                ),
                Choice(
                    "call",
                    P_("answer: nobody can be reached", "Call me"),
                    sets=(("callback", "yes"), ("checkin", "yes")),
                ),
                Choice(
                    "send",
                    P_("answer: nobody can be reached", "Send it as it is"),
                    short=P_(
                        "short button (max 20 characters): nobody can be reached", "Send as it is"
                    ),
                ),
            ),
            # Only asked after "no contact" (person_reach is), so nobody can be reached.
            when=When("person_reach", frozenset({"via_me", "unknown"})),
        ),
        Step(
            "note",
            Kind.TEXT,
            P_(
                "question: a note (asked only when the reporter changes it)",
                "Is there anything else the municipality should know? Keep it short. "
                "Please do not write about health or illness.",
            ),
            P_("summary label", "Note"),
            (SKIP,),
            staff_label=N_("Note from the reporter"),
            hint=P_("hint: note", "Type your note, or choose Skip."),
            max_length=NOTE_MAX_LENGTH,
            part_of="summary",
        ),
        summary(
            P_(
                "question: summary of a report about someone",
                "Please check your report. Do you want to add something? Type it here in a few "
                "words (nothing about health or illness). If everything is correct, choose Send.",
            )
        ),
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
            P_(
                "question: what would help (the reporter about themselves)",
                "What would help you? Choose all that apply, then choose Done.",
            ),
            P_("summary label", "What would help"),
            (
                Choice("someone_to_talk", P_("answer: what would help", "Someone to talk to")),
                Choice("activities", P_("answer: what would help", "Activities nearby")),
                Choice("practical", P_("answer: what would help", "Practical help")),
                Choice("grief", P_("answer: what would help", "Help with grief")),
                Choice(
                    "unknown",
                    P_("answer: what would help", "I don't know yet"),
                    exclusive=True,
                ),
                DONE,
            ),
            hint=P_("hint: what would help", "Choose at least 1 answer. Then choose Done."),
        ),
        place(
            P_(
                "question: where the reporter lives",
                "Where do you live? Type your postcode (like %(example)s, or only the 4 "
                "digits). Or choose your neighbourhood.",
            )
        ),
        Step(
            "reach",
            Kind.CHOICE,
            P_("question: how to reach the reporter", "How can the municipality reach you?"),
            P_("summary label", "Contact"),
            (
                Choice("phone", P_("answer: how to reach you", "By phone")),
                Choice(
                    "here",
                    P_("answer: how to reach you", "Send me a message here"),
                    short=P_(
                        "short button (max 20 characters): how to reach you", "Message me here"
                    ),
                    staff_label=N_("Message via the chat"),
                    chat_only=True,
                ),
            ),
            staff_label=N_("Contact via"),
        ),
        name("self_name", When("reach", frozenset({"phone"})), "self_phone"),
        phone("self_phone", When("reach", frozenset({"phone"}))),
        *contact_language(
            P_(
                "question: language for contact (the reporter about themselves)",
                "In which language would you like to talk?",
            ),
            P_("summary label", "Language"),
            N_("Preferred language for contact"),
        ),
        summary(
            P_(
                "question: summary of a report about yourself",
                "Please check your answers. If everything is correct, choose Send.",
            )
        ),
    ),
)

# A voice note sent before any report starts one: the reporter said it all, so only what
# the municipality needs to call back is asked, with buttons (the call back's language is
# the chat's, shown at the summary and changed there).
REPORT_VOICE = Flow(
    "report_voice",
    "voice",
    (
        Step(
            "callback",
            Kind.CHOICE,
            # Translators: %(language)s is the name of the reporter's language.
            P_(
                "question: after a voice message, may the municipality call you",
                "Do you want someone from the municipality to call you? You can speak "
                "%(language)s. The municipality can arrange an interpreter.",
            ),
            P_("summary label", "Contact with you"),
            (CALL_ME, NO_CONTACT),
            staff_label=N_("Contact with the reporter"),
        ),
        replace(
            phone("reporter_phone", REPORTER_CALLED, N_("Reporter's phone")),
            prompt=m.OWN_PHONE,
            own_phone=True,
        ),
        *contact_language(
            P_(
                "question: language for contact (the reporter about themselves)",
                "In which language would you like to talk?",
            ),
            P_("summary label", "Language"),
            N_("Language for the call back"),
        ),
        summary(
            P_(
                "question: summary of a report by voice message",
                "Please check. Is everything right? Then choose Send.",
            )
        ),
    ),
)
VOICE_FLOW = REPORT_VOICE.id

FLOWS: dict[str, Flow] = {flow.id: flow for flow in (REPORT_OTHER, REPORT_SELF, REPORT_VOICE)}
# The flow a stored signal's kind was made in.
FLOW_OF_KIND: dict[str, Flow] = {flow.signal_kind: flow for flow in FLOWS.values()}
