"""Texts that belong to no single step: hints, help, privacy, confirmations.

Residents read these in their own language: words as in docs/glossary.md (the
municipality, a report, the person), commands and numbers as parameters (isolated for
right-to-left text). Where a channel has no such habit (the web chat has buttons, not
commands), ``channel_texts.CHANNEL_TEXTS`` names the text it shows instead.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.text.msgids import P_, Pn_

NOT_UNDERSTOOD = P_(
    "hint: input not understood (chat apps)",
    "Sorry, I did not understand that. Please choose an answer, or type its number.",
)
NOT_UNDERSTOOD_WEB = P_(
    "hint: input not understood (web chat)",
    "Sorry, I did not understand that. Please choose one of the buttons.",
)
OUT_OF_RANGE = P_(
    "hint: a typed number that is no option",
    "There is no answer %(number)s. Please choose a number from 1 to %(max)s.",
)
EMPTY = P_("hint: empty message", "Your message is empty. Please type your answer.")
TOO_LONG, TOO_LONG_PLURAL = Pn_(
    "hint: message too long",
    "Your message is %(count)d character too long. Please make it shorter.",
    "Your message is %(count)d characters too long. Please make it shorter.",
)
NO_SUBSTANCE = P_("hint: only symbols", "Please use letters or digits, not only symbols or emoji.")
SELECTED, SELECTED_PLURAL = Pn_(
    "message: answers chosen so far in a multiple choice",
    "%(count)d answer chosen. Choose more, or choose Done.",
    "%(count)d answers chosen. Choose more, or choose Done.",
)
STALE = P_(
    "message: an old button was pressed",
    "That button no longer works. Here is the current question again.",
)
YOUR_ANSWER = P_(
    "message: under a question the reporter answered with a button, what they chose (Telegram"
    " keeps the question and the answer in the chat, then asks the next question below them)",
    "Your answer: %(answer)s",
)
SAFETY = P_(
    "message: safety numbers, shown before the first answer",
    "This is not an emergency service. Danger right now? Call %(emergency)s. Thoughts of suicide? "
    "Call %(suicide_free)s (free) or %(suicide)s (standard call charges). Worried about someone's "
    "confused or strange behaviour? Call %(worry)s.",
)
PRIVACY = P_(
    "message: how we use your data (chat apps)",
    "How we use your data: we only ask for what the municipality needs to act on your report. "
    "Only the municipality's team that handles reports reads it, and they keep it confidential. "
    "You can report without giving your name. We never tell you what help the person gets, only "
    "that the municipality is working on your report. We delete contact details when they are no "
    "longer needed. You can ask us to delete your details sooner: type %(erase)s at any time.",
)
PRIVACY_WEB = P_(
    "message: how we use your data (web chat)",
    "How we use your data: we only ask for what the municipality needs to act on your report. "
    "Only the municipality's team that handles reports reads it, and they keep it confidential. "
    "You can report without giving your name. We never tell you what help the person gets, only "
    "that the municipality is working on your report. We delete contact details when they are no "
    "longer needed. You can ask us to delete your details sooner: choose “Delete my details” at "
    "the bottom of this page.",
)
HELP = P_(
    "message: help (chat apps)",
    "How it works: choose an answer with a button, or type its number. You can also type: "
    "%(start)s to start again, %(language)s for another language (your answers are kept), "
    "%(privacy)s to read how we use your data, %(erase)s to delete your details, %(stop)s "
    "to end your report.",
)
HELP_WEB = P_(
    "message: help (web chat)",
    "How it works: choose an answer with a button, or type your answer in the box at the "
    "bottom. At the top you can choose another language; your answers are kept. At the "
    "bottom you can read how we use your data, see your reports, or delete your details.",
)
LANGUAGE_SET = P_(
    "message: the language was changed (name your own language)",
    "OK, we will continue in English.",
)
STOPPED = P_("message: the report was stopped", "You have stopped. Your answers have been deleted.")
NOTHING_TO_STOP = P_("message: nothing to stop", "You are not making a report right now.")
URGENT_NOTED = P_(
    "message: after sending, the person was not seen for days",
    "Because the person has not been seen for days, the municipality will treat your report as "
    "urgent.",
)
DONE_OTHER = P_(
    "message: after sending a report about someone",
    "Thank you! Your report has been sent. The report number is %(reference)s. The municipality "
    "will look at it within 1 working day.",
)
DONE_SELF = P_(
    "message: after sending a report about yourself",
    "Thank you for telling us. Your report number is %(reference)s. The municipality will look at "
    "it within 1 working day.",
)
DONE_CALLBACK = P_(
    "message: after sending, the municipality will call",
    "Someone from the municipality will call you, usually within 3 working days.",
)
DONE_MESSAGE_HERE = P_(
    "message: after sending, the municipality will write in this chat",
    "The municipality will send you a message here, usually within 3 working days.",
)
# Translators: the check-in, in the words of docs/glossary.md.
DONE_CHECKIN = P_(
    "message: after sending, the check-in",
    "In about 2 weeks we will ask you whether the municipality has been in touch.",
)
DONE_NO_CONTACT = P_(
    "message: after sending, without contact",
    "You chose not to be contacted, so the municipality will not ask you anything about this "
    "report.",
)
SUMMARY_LINE = P_("summary line: label and answer", "%(label)s: %(value)s")
NOT_ANSWERED = P_("summary: a question without an answer", "(not given)")
SAVE_FAILED = P_(
    "message: saving failed",
    "Sorry, something went wrong while saving. Your answers are kept. Please try again in a "
    "moment.",
)
UNREADABLE = P_(
    "message: a photo, sticker, location or contact was sent",
    "I can only read text, buttons and voice messages, not photos, stickers, locations or "
    "contacts. Please type your answer or press a button.",
)
EDITED = P_(
    "message: a sent message was changed",
    "I cannot read edited messages. Please send your answer again as a new message.",
)
ERASED = P_(
    "message: the reporter's details were deleted",
    "Your details have been deleted. Reports you sent stay with the municipality, without "
    "your details. Send a message if you want to make a new report.",
)
# Says nothing about the person or earlier reports: only that this reporter must wait.
# Translators: %(phone)s is the municipality's own number, like "14 0115".
SIGNAL_LIMIT = P_(
    "message: too many reports today",
    "You have already sent several reports today. You can send a new one tomorrow. Is it "
    "urgent? Call the municipality on %(phone)s. Danger right now? Call %(emergency)s.",
)
# The same where the municipality has not set its number (SIGNAALPUNT_MUNICIPALITY_PHONE).
SIGNAL_LIMIT_NO_NUMBER = P_(
    "message: too many reports today",
    "You have already sent several reports today. You can send a new one tomorrow. Is it "
    "urgent? Call the municipality. Danger right now? Call %(emergency)s.",
)
SIGNAL_LIMIT_KEPT = P_(
    "message: too many reports today, the answers are kept",
    "Your answers are kept, so you can send this report later.",
)
SLOW_DOWN = P_(
    "message: too many messages in a short time",
    "You are sending a lot of messages very quickly. Please wait 1 minute. Messages sent during "
    "that minute will not be read, so please send your answer again afterwards.",
)
# -- voice messages (a reporter who speaks rather than types) ---------------------------
VOICE_START = P_(
    "message: a voice message starts a report",
    "Thank you for your voice message. Someone from the municipality will listen to it.",
)
VOICE_KEPT = P_(
    "message: a voice message sent at a question that needs a button",
    "Thank you for your voice message. We keep it with your report. Please also answer "
    "this question.",
)
VOICE_THANKS = P_(
    "message: a voice message answers a question", "Thank you for your voice message."
)
# Translators: %(count)d is the most voice messages one report may have (3).
VOICE_LIMIT, VOICE_LIMIT_PLURAL = Pn_(
    "message: too many voice messages for one report",
    "You sent %(count)d voice message for this report. That is the most we can take. "
    "Please answer with the buttons.",
    "You sent %(count)d voice messages for this report. That is the most we can take. "
    "Please answer with the buttons.",
)
# Translators: %(count)d is the most minutes a voice message may last (2).
VOICE_TOO_LONG, VOICE_TOO_LONG_PLURAL = Pn_(
    "message: a voice message that is too long",
    "Your voice message is too long. It can be %(count)d minute at most. Please send a "
    "shorter one.",
    "Your voice message is too long. It can be %(count)d minutes at most. Please send a "
    "shorter one.",
)
VOICE_TOO_LARGE = P_(
    "message: a voice message that is too big",
    "Your voice message is too big. Please send a shorter one.",
)
VOICE_UNPLAYABLE = P_(
    "message: a voice message that cannot be played",
    "Sorry, we could not play your voice message. Please send it again, or answer with "
    "the buttons.",
)
# Translators: shown in the summary in place of an answer the reporter spoke.
VOICE_ANSWER = P_("summary: an answer given as a voice message", "(voice message)")
VOICE_COUNT_LABEL = P_("summary label", "Voice messages")
# The reporter's own number, asked for a call back: typed, shared with one tap
# (Telegram), or the number they write from, confirmed (WhatsApp).
OWN_PHONE = P_(
    "question: phone number for a call back",
    "Which phone number can we call? Please type it, like %(example)s.",
)
# Translators: under this text Telegram shows the button "Share my phone number".
OWN_PHONE_SHARE = P_(
    "question: phone number for a call back (Telegram, with a button to share it)",
    "Which phone number can we call? Press the button below to share your number. Or "
    "type it, like %(example)s.",
)
# Translators: %(phone)s is the number the reporter writes from on WhatsApp; under this
# text is one button, "Yes, this number".
OWN_PHONE_KNOWN = P_(
    "question: may we call the number the reporter writes from",
    "Can we call you on %(phone)s? Then choose the button. Or type another number.",
)
OWN_PHONE_YES = P_("button: call the number the reporter writes from", "Yes, this number")
SHARE_PHONE = P_("button (Telegram): share your phone number", "Share my phone number")

NEW_REPORT = P_("button: start a new report", "Make a new report")
NEW_REPORT_SHORT = P_("short button (max 20 characters): start a new report", "New report")

# The command menu of chat apps (Telegram's "/" list), one description per command.
COMMAND_START = P_("command menu", "Make a new report")
COMMAND_LANGUAGE = P_("command menu", "Choose another language")
COMMAND_HELP = P_("command menu", "How it works")
COMMAND_PRIVACY = P_("command menu", "How we use your data")
COMMAND_STATUS = P_("command menu", "See my reports")
COMMAND_ERASE = P_("command menu", "Delete my details")
COMMAND_MENU: tuple[tuple[str, str], ...] = (
    ("start", COMMAND_START),
    ("taal", COMMAND_LANGUAGE),
    ("help", COMMAND_HELP),
    ("privacy", COMMAND_PRIVACY),
    ("status", COMMAND_STATUS),
    ("verwijder", COMMAND_ERASE),
)
# Commands inside texts, as typed in every language (isolated tokens, never translated).
COMMAND_WORDS: Mapping[str, str] = {
    "start": "/start",
    "language": "/taal",
    "privacy": "/privacy",
    "erase": "/verwijder",
    "stop": "stop",
}
