"""What a web reporter reads about being reached by mail: the e-mail question in the chat,
the page a mail's link opens, and the notice mail itself (resident texts, every language).

The mail says only that a message waits, never what it is about: a shared mailbox, a
preview on a lock screen or a family member reading along learns nothing, so the subject
does not name loneliness, the signal or the municipality's team (ADR 0103).
"""

from __future__ import annotations

from core.text.msgids import P_

ASK = P_(
    "web chat: asking for an e-mail address after the report",
    "Would you like an e-mail when the municipality has a message for you here? "
    "We use your address only for that.",
)
ADDRESS = P_("web chat: e-mail field", "Your e-mail address")
SEND = P_("web chat: e-mail field", "Send")
SKIP = P_("web chat: e-mail field", "No, thank you")
BAD_ADDRESS = P_(
    "web chat: e-mail field",
    "This does not look like an e-mail address. Please check it, for example: name@example.nl",
)
SAVED = P_(
    "web chat: e-mail field",
    "Thank you. We will send you an e-mail when there is a message for you here.",
)
SKIPPED = P_(
    "web chat: e-mail field",
    "That is fine. A message for you will wait here in the chat.",
)

OPEN_TITLE = P_("web chat: the page a link in an e-mail opens", "Open your chat")
OPEN_TEXT = P_(
    "web chat: the page a link in an e-mail opens",
    "Press the button to open your chat. After that the link no longer works, so nobody "
    "else can use it.",
)
OPEN_BUTTON = P_("web chat: the page a link in an e-mail opens", "Open my chat")
LINK_GONE = P_(
    "web chat: a link in an e-mail that no longer works",
    "This link no longer works. It was used already, or it is older than 7 days. When "
    "there is a new message for you, we will send you a new e-mail.",
)
NEW_CHAT = P_("web chat: a link in an e-mail that no longer works", "Go to the chat")

SUBJECT = P_("e-mail to a resident: subject", "A message for you")
HEADING = P_("e-mail to a resident: heading", "There is a message for you")
BODY = P_(
    "e-mail to a resident",
    "The municipality has written to you in the chat where you made your report. Open the "
    "chat to read the message.",
)
LINK_LABEL = P_("e-mail to a resident: the button", "Open the chat")
LINK_NOTE = P_(
    "e-mail to a resident",
    "The link works once and for 7 days. Please do not forward this e-mail.",
)
FOOTER = P_(
    "e-mail to a resident: footer",
    "You get this e-mail because you gave your address in the chat. Did you not expect it? "
    "Then you can ignore this e-mail.",
)
