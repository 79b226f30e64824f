"""The scripted reports the tests and the benchmarks drive, in one place.

``REPORT`` and its variants are (prompt on screen, choice to press), for every channel: the
report about someone else on the express path; variants differ only in the contact
answer. The engine events after them are the paths ``bench.interactions`` counts (and
``bench.engine_steps`` times): the shortest by buttons, from a partner's link, and a
typical cashier's report that types where a reporter types (``typical_report``; the log
privacy test types personal details into the same path)."""

from __future__ import annotations

from core.dialog.events import Event, Pick, TextIn

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

# Every answer a button tap: the shortest report the loket can act on (it may write back
# in the chat, without the reporter's name).
SHORTEST_TAPS: list[Event] = [
    Pick("welcome", "report"),
    Pick("role", "other"),
    Pick("age_group", "unknown"),
    Pick("observations", "often_alone"),
    Pick("observations", "done"),
    Pick("place", "unknown"),
    Pick("contact_language", "unknown"),
    Pick("callback", "here"),
    Pick("summary", "send"),
]
# The same from a partner's link or QR code: the shop's role and place are filled in.
PARTNER_TAPS: list[Event] = [
    e for e in SHORTEST_TAPS if not (isinstance(e, Pick) and e.prompt in {"role", "place"})
]
# Terminal or WhatsApp, typing numbers: "1, 8" answers a multi-select in one message.
SHORTEST_TYPED = ["1", "5", "5", "1, 10", "2", "8", "2", "1"]


def typical_report(
    *,
    observations: tuple[str, ...] = ("often_alone", "daily_chat"),
    postcode: str = "4531 AB",
    name_and_phone: str = "Sanne 06 12345678",
    note: str = "Komt elke dag alleen voor een praatje bij de kassa.",
) -> list[Event]:
    """A typical cashier's report: observations, a postcode, may be called (a name with the
    phone number), a short note typed at the summary, then "send"."""
    return [
        Pick("welcome", "report"),
        Pick("role", "shop"),
        Pick("age_group", "75_plus"),
        *(Pick("observations", code) for code in observations),
        Pick("observations", "done"),
        TextIn(postcode),
        Pick("contact_language", "nl"),
        Pick("callback", "yes"),
        TextIn(name_and_phone),
        TextIn(note),
        Pick("summary", "send"),
    ]
