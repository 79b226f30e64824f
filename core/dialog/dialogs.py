"""Questions outside the flows: the welcome menu, language, confirmations (restart, stop,
erase), resume, trouble."""

from __future__ import annotations

from collections.abc import Mapping

from core.text.languages import LANGUAGES
from core.text.msgids import P_

from .model import Choice, Kind, Step

# Menus and questions outside the flows, keyed by the prompt id a button carries.
WELCOME = Step(
    "welcome",
    Kind.INFO,
    # Translators: %(name)s is the service's name, "Signaalpunt
    # Eenzaamheid" (a Dutch proper noun, kept as it is); explain it as the
    # English does ("the municipality's service for worries about
    # loneliness"). The welcome invites both: people worried about someone
    # else and people who feel lonely themselves ("It is about me").
    P_(
        "welcome message",
        "Hello! This is %(name)s, the municipality's service for worries about loneliness. Are "
        "you worried that someone is lonely? Or do you feel lonely yourself? Tell us here. It "
        "takes about 2 minutes. We keep your report confidential.",
    ),
    choices=(
        Choice(
            "report",
            P_("welcome button", "I am worried about someone"),
            short=P_("short welcome button (max 20 characters)", "Report a worry"),
            sets=(("danger", "no"),),
        ),
        Choice(
            "danger",
            P_("welcome button", "Someone is in danger now"),
            short=P_("short welcome button (max 20 characters)", "Someone in danger"),
            sets=(("danger", "yes"),),
        ),
        Choice("self", P_("welcome button", "It is about me")),
        Choice("privacy", P_("welcome button", "How we use your data")),
        # The other languages, each named in itself: a way out before anything is read.
        *(Choice(code, "", endonym=code) for code in LANGUAGES),
    ),
)
# Which flow a welcome choice starts.
STARTS: Mapping[str, str] = {
    "report": "report_other",
    "danger": "report_other",
    "self": "report_self",
}
LANGUAGE = Step(
    "language",
    Kind.INFO,
    P_("question: choose a language", "Choose your language."),
    choices=tuple(Choice(code, "", endonym=code) for code in LANGUAGES),
)
CONFIRM_RESTART = Step(
    "confirm_restart",
    Kind.INFO,
    P_(
        "question: start again with an unfinished report",
        "You have a report that is not finished. Do you want to start again? Your answers so far "
        "will be deleted.",
    ),
    choices=(
        Choice("yes", P_("button: start again", "Yes, start again")),
        Choice("no", P_("button: go on", "No, continue")),
    ),
)
CONFIRM_STOP = Step(
    "confirm_stop",
    Kind.INFO,
    P_("question: stop the report", "Do you want to stop? Your answers will be deleted."),
    choices=(
        Choice("yes", P_("button: stop", "Yes, stop")),
        Choice("no", P_("button: go on", "No, continue")),
    ),
)
CONFIRM_ERASE = Step(
    "confirm_erase",
    Kind.INFO,
    P_(
        "question: delete my details",
        "Do you want us to delete your details? We will delete your contact details and any "
        "unfinished report. Reports you have already sent stay with the municipality, but without "
        "your details. The municipality will then no longer be able to contact you about them.",
    ),
    choices=(
        Choice(
            "yes",
            P_("button: delete my details", "Yes, delete my details"),
            short=P_("short button (max 20 characters): delete my details", "Yes, delete"),
        ),
        Choice("no", P_("button: go on", "No, continue")),
    ),
)
RESUME = Step(
    "resume",
    Kind.INFO,
    P_(
        "question: go on with an old report",
        "Welcome back. You started a report on %(date)s. Do you want to continue it?",
    ),
    choices=(
        Choice("continue", P_("button: go on", "Continue")),
        Choice("restart", P_("button: start again", "Start again")),
    ),
)
TROUBLE = Step(
    "trouble",
    Kind.INFO,
    P_(
        "question: after 3 answers that were not understood",
        "This does not seem to be working. What would you like to do?",
    ),
    choices=(
        Choice("retry", P_("button: after answers not understood", "Try again")),
        Choice("help", P_("button: after answers not understood", "Show help")),
        Choice("stop", P_("button: stop", "Stop")),
    ),
)
EDIT = Step(
    "edit", Kind.INFO, P_("question: which answer to change", "Which answer do you want to change?")
)
EDIT_BACK = Choice(
    "back",
    P_("button: which answer to change", "Back to the summary"),
    short=P_("short button (max 20 characters): which answer to change", "To the summary"),
)
# The button under the message after a report is sent or stopped, or details deleted
# (any answer to it shows the welcome).
AGAIN = "again"

DIALOGS: dict[str, Step] = {
    step.id: step
    for step in (
        WELCOME,
        LANGUAGE,
        CONFIRM_RESTART,
        CONFIRM_STOP,
        CONFIRM_ERASE,
        RESUME,
        TROUBLE,
        EDIT,
    )
}
