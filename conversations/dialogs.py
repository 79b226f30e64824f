"""Questions outside the flows: the welcome menu, language, confirmations (restart, stop,
erase), resume, trouble."""

from __future__ import annotations

from .model import Choice, Kind, Step
from .text import LANGUAGES, N_

# Menus and questions outside the flows, keyed by the prompt id a button carries.
WELCOME = Step(
    "welcome",
    Kind.INFO,
    N_(
        "Hello! This is the Signaalpunt Eenzaamheid. Are you worried that someone is "
        "lonely? Tell us here, it takes about two minutes. Your report is treated "
        "confidentially."
    ),
    choices=(
        Choice("report", N_("Report a concern about someone")),
        Choice("self", N_("It is about me")),
        Choice("privacy", N_("How we use your data")),
        Choice("language", N_("Language")),
    ),
)
LANGUAGE = Step(
    "language",
    Kind.INFO,
    N_("Choose your language."),
    choices=tuple(Choice(code, "", endonym=code) for code in LANGUAGES),
)
CONFIRM_RESTART = Step(
    "confirm_restart",
    Kind.INFO,
    N_("You have a report that is not finished. Start over? Your answers will be deleted."),
    choices=(Choice("yes", N_("Yes, start over")), Choice("no", N_("No, continue"))),
)
CONFIRM_STOP = Step(
    "confirm_stop",
    Kind.INFO,
    N_("Do you want to stop? Your answers will be deleted."),
    choices=(Choice("yes", N_("Yes, stop")), Choice("no", N_("No, continue"))),
)
CONFIRM_ERASE = Step(
    "confirm_erase",
    Kind.INFO,
    N_(
        "Do you want us to delete your details? We delete your contact details and your "
        "unfinished report. Signals you already sent stay with the loket, so they can still "
        "be followed up, but without your details. The loket can then no longer contact you "
        "about them."
    ),
    choices=(Choice("yes", N_("Yes, delete my details")), Choice("no", N_("No, continue"))),
)
RESUME = Step(
    "resume",
    Kind.INFO,
    N_("Welcome back. You started a report on %(date)s. Do you want to continue it?"),
    choices=(Choice("continue", N_("Continue")), Choice("restart", N_("Start over"))),
)
TROUBLE = Step(
    "trouble",
    Kind.INFO,
    N_("This does not seem to work well. What would you like to do?"),
    choices=(
        Choice("retry", N_("Try again")),
        Choice("help", N_("Show help")),
        Choice("stop", N_("Stop")),
    ),
)
EDIT = Step("edit", Kind.INFO, N_("Which answer do you want to change?"))
EDIT_BACK = Choice("back", N_("Back to the summary"))

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
