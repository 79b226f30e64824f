"""Validation of the typed answers that are not free text: postcodes and phone numbers."""

from __future__ import annotations

import re

import phonenumbers

from core.text.sanitize import ascii_digits

# These letter pairs were never issued by PostNL.
_UNUSED_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})
_POSTCODE = re.compile(r"([1-9][0-9]{3})([A-Z]{2})?")
_PHONE_CHARS = re.compile(r"[0-9+()\-.\s/]+")
DEFAULT_REGION = "NL"
POSTCODE_EXAMPLE = "4531 AB"
PHONE_EXAMPLE = "06 12345678"


def parse_postcode(text: str) -> str | None:
    """Return the postcode as ``1234 AB`` or ``1234``, or None if it is not a Dutch one."""
    compact = re.sub(r"[\s\-]", "", ascii_digits(text)).upper()
    match = _POSTCODE.fullmatch(compact)
    if match is None:
        return None
    digits, letters = match.group(1), match.group(2)
    if letters is None:
        return digits
    if letters in _UNUSED_POSTCODE_LETTERS:
        return None
    return f"{digits} {letters}"


def parse_phone(text: str) -> str | None:
    """Return the number in E.164 (``+31612345678``), or None if it is not a valid one.

    Letters are refused outright: phonenumbers would read ``0800-FLOWERS`` as digits.
    """
    digits = ascii_digits(text).strip()
    if not digits or not _PHONE_CHARS.fullmatch(digits):
        return None
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    try:
        number = phonenumbers.parse(digits, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def display_phone(e164: str) -> str:
    """Dutch numbers in national format, others internationally."""
    number = phonenumbers.parse(e164, None)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 31
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return str(phonenumbers.format_number(number, fmt))


def find_phone(text: str) -> tuple[str, str] | None:
    """The phone number in ``text`` (E.164) and what is left around it (a name, when the
    reporter typed one with it: "Sanne 06 12345678"); None when there is no valid number.

    A text that is only a number is read as ``parse_phone`` reads it; otherwise
    libphonenumber's matcher finds the number (it does not read letters as digits)."""
    whole = parse_phone(text)
    if whole is not None:
        return whole, ""
    digits = ascii_digits(text)
    for match in phonenumbers.PhoneNumberMatcher(digits, DEFAULT_REGION):
        number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        rest = f"{digits[: match.start]} {digits[match.end :]}".replace(",", " ")
        return str(number), " ".join(rest.split()).strip(" .;:-()")
    return None
