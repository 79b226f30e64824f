"""The scripted reports the tests drive, one list for every channel: (prompt on screen,
choice to press). The report about someone else follows the express path; variants
differ only in the contact answer. bench/interactions.py counts the same path."""

from __future__ import annotations

# Up to the contact question: a shopkeeper, two observations (one urgent), a
# neighbourhood, the person speaks Dutch.
UNTIL_CONTACT: list[tuple[str, str]] = [
    ("welcome", "report"),
    ("role", "shop"),
    ("age_group", "75_plus"),
    ("observations", "often_alone"),
    ("observations", "not_seen"),
    ("observations", "done"),
    ("place", "area:axel"),
    ("contact_language", "nl"),
]
# No contact, reachable only through the reporter: the combination nobody can follow up,
# explained, and sent as it is.
REPORT: list[tuple[str, str]] = [
    *UNTIL_CONTACT,
    ("callback", "no"),
    ("person_reach", "via_me"),
    ("no_followup", "send"),
    ("summary", "send"),
]
# The municipality may write back in the chat (and asks after 2 weeks: the check-in).
MESSAGE_ME: list[tuple[str, str]] = [*UNTIL_CONTACT, ("callback", "here"), ("summary", "send")]
# The typed answer after "call me": a name with the phone number.
PHONE_WITH_NAME = "Piet Jansen 06 12345678"
