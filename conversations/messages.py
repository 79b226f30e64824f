"""Texts that belong to no single step: hints, help, privacy, confirmations."""

from __future__ import annotations

from .text import N_, Nn_

NOT_UNDERSTOOD = N_("Sorry, I did not understand that. Please choose an option or type its number.")
OUT_OF_RANGE = N_("There is no option %(number)s. Please choose a number from 1 to %(max)s.")
EMPTY = N_("Your message is empty. Please type your answer.")
TOO_LONG, TOO_LONG_PLURAL = Nn_(
    "Your message is %(count)d character too long. Please make it shorter.",
    "Your message is %(count)d characters too long. Please make it shorter.",
)
NO_SUBSTANCE = N_("Please use letters or digits, not only symbols or emoji.")
SELECTED, SELECTED_PLURAL = Nn_(
    "%(count)d option chosen. Choose more, or choose Done.",
    "%(count)d options chosen. Choose more, or choose Done.",
)
STALE = N_("That button is no longer active. Here is the current question again.")
SAFETY = N_(
    "This is not an emergency service. In acute danger, call %(emergency)s. Thoughts of "
    "suicide? Call %(suicide)s or %(suicide_free)s (free). Worried about confused or "
    "worrying behaviour? Call %(worry)s."
)
PRIVACY = N_(
    "How we use your data: we only ask what the loket needs to follow up your signal. "
    "Only the loket of the municipality reads it, and treats it confidentially. You may "
    "report anonymously. We never tell you what help the person gets, only that your "
    "signal was picked up. Contact details are deleted when they are no longer needed. "
    "You have the right to have your details deleted sooner: type /verwijder at any time."
)
HELP = N_(
    "How it works: choose an answer with a button, or type its number. Commands: "
    "/start begins again, /taal changes the language (your answers are kept), /privacy "
    "tells how we use your data, /verwijder deletes your details, stop ends your report."
)
LANGUAGE_SET = N_("Okay, we continue in English.")
STOPPED = N_(
    "Your report has been stopped and your answers are deleted. Type /start to begin again."
)
NOTHING_TO_STOP = N_("There is no report in progress.")
URGENT_NOTED = N_("Because the person has not been seen for days, your report is marked urgent.")
DONE_OTHER = N_(
    "Thank you! Your report has been sent. Your reference is %(reference)s. "
    "The loket will look at it within one working day."
)
DONE_SELF = N_(
    "Thank you for letting us know. Your reference is %(reference)s. "
    "The loket will look at your message within one working day."
)
DONE_CALLBACK = N_("Someone from the loket will call you, usually within three working days.")
DONE_MESSAGE_HERE = N_("The loket will send you a message here, usually within three working days.")
DONE_CHECKIN = N_("In about two weeks we will ask you whether there was contact.")
DONE_AGAIN = N_("Type /start to make another report.")
SUMMARY_LINE = N_("%(label)s: %(value)s")
NOT_ANSWERED = N_("(skipped)")
SAVE_FAILED = N_(
    "Sorry, something went wrong while saving. Your answers are kept. Please try again in a moment."
)
UNREADABLE = N_(
    "I can only read text and buttons, not photos, voice messages, stickers, locations or "
    "contacts. Please type your answer or press a button."
)
EDITED = N_("I do not read changed messages. Please send your answer as a new message.")
ERASED = N_(
    "Your details have been deleted. Signals you sent stay with the loket, without your "
    "details. Type /start to make a new report."
)
# Says nothing about the person or earlier signals: only that this reporter must wait.
SIGNAL_LIMIT = N_(
    "You have already sent several signals today. You can send a new one tomorrow. Is it "
    "urgent? Call the loket of the municipality. In acute danger, call %(emergency)s."
)
SIGNAL_LIMIT_KEPT = N_("Your answers are kept, so you can send this report later.")
SLOW_DOWN = N_(
    "You are sending many messages in a short time. Please wait a minute. Messages sent "
    "in the meantime are not read, so send your answer again after that."
)

# The command menu of chat apps (Telegram's "/" list), one description per command.
COMMAND_START = N_("Make a new report")
COMMAND_LANGUAGE = N_("Change the language")
COMMAND_HELP = N_("How it works")
COMMAND_PRIVACY = N_("How we use your data")
COMMAND_STATUS = N_("What happened to my signals")
COMMAND_ERASE = N_("Delete my details")
COMMAND_MENU: tuple[tuple[str, str], ...] = (
    ("start", COMMAND_START),
    ("taal", COMMAND_LANGUAGE),
    ("help", COMMAND_HELP),
    ("privacy", COMMAND_PRIVACY),
    ("status", COMMAND_STATUS),
    ("verwijder", COMMAND_ERASE),
)
