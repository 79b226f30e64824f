"""Finding a signal by what a caller or colleague tells the loket: its reference, the
postcode, or the reporter's or the person's phone number.

Phone numbers and full postcodes are personal data, stored encrypted: they are found by a
keyed hash of the value (as chat ids are), never by decrypting. ``search_values`` gives
the values of a signal to hash when it is stored; ``parse_search`` what a typed search may
mean (a reference, a postcode, a phone number), each turned into the same values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from core.dialog.validation import DEFAULT_REGION, parse_phone, parse_postcode
from core.text.sanitize import ascii_digits, clean_text

REPORTER = "reporter"  # erased with the reporter's details
PERSON = "person"  # erased with the person's details
MAX_SEARCH = 64
_REFERENCE = (
    re.compile(r"SP[\s\-]*([0-9]{4})[\s\-]*([0-9]{1,9})"),
    re.compile(r"([0-9]{4})[\s\-]+([0-9]{1,9})"),
)


def phone_numbers(text: str | None) -> tuple[str, ...]:
    """Every phone number in ``text``, in E.164, in order, once each."""
    if not text:
        return ()
    whole = parse_phone(text)
    if whole is not None:
        return (whole,)
    found: list[str] = []
    for match in phonenumbers.PhoneNumberMatcher(ascii_digits(text), DEFAULT_REGION):
        number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        if number not in found:
            found.append(str(number))
    return tuple(found)


def _postcode_value(postcode: str) -> str:
    return "postcode:" + postcode.replace(" ", "")


def search_values(
    reporter_phone: str | None, person_contact: str | None, postcode: str | None
) -> tuple[tuple[str, str], ...]:
    """(whose, value) for every value of a signal to find it by: the reporter's phone,
    the phone numbers in the person's contact details, and a full postcode."""
    values = [(REPORTER, f"phone:{n}") for n in phone_numbers(reporter_phone)]
    values += [(PERSON, f"phone:{n}") for n in phone_numbers(person_contact)]
    full = parse_postcode(postcode) if postcode else None
    if full is not None and " " in full:
        values.append((PERSON, _postcode_value(full)))
    return tuple(dict.fromkeys(values))


@dataclass(frozen=True)
class SearchQuery:
    """What a typed search may mean; a signal matches any of it."""

    text: str
    reference: str | None = None
    postcode4: str | None = None
    values: tuple[str, ...] = ()  # to be hashed and looked up

    @property
    def understood(self) -> bool:
        return bool(self.reference or self.postcode4 or self.values)


def parse_search(typed: str) -> SearchQuery:
    """A reference ("SP-2026-0042", "2026-42"), a postcode ("4531", "4531 AB") or a phone
    number in any usual form; a text that is none of these is not ``understood``."""
    text = clean_text(typed)[:MAX_SEARCH].strip()
    upper = ascii_digits(text).upper()
    reference = None
    for pattern in _REFERENCE:
        match = pattern.fullmatch(upper)
        if match:
            reference = f"SP-{match.group(1)}-{int(match.group(2)):04d}"
            break
    postcode = parse_postcode(text)
    values = [_postcode_value(postcode)] if postcode and " " in postcode else []
    phone = parse_phone(text)
    if phone is not None:
        values.append(f"phone:{phone}")
    # Four digits find every signal there; a full postcode only those with that postcode.
    four = postcode if postcode and " " not in postcode else None
    return SearchQuery(text=text, reference=reference, postcode4=four, values=tuple(values))
