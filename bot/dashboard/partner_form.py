"""The form of a partner (to add one, or change it): what was typed, and what is wrong with
it, field by field."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from starlette.datastructures import FormData

from bot.staff.partners import MAX_NAME, partner_name
from core.dialog.flows import REPORT_OTHER
from core.dialog.validation import parse_postcode
from core.text.msgids import N_, Msg, msg
from storage.records import PartnerRecord

NAME_MISSING = N_("Please type the partner's name.")
NAME_TOO_LONG = N_("The name is too long: at most %(max)s characters.")
NAME_TAKEN = N_("There is already a partner with this name.")
POSTCODE_WRONG = N_("That is not a Dutch postcode. A postcode has 4 digits and 2 letters.")
PLACE_BOTH = N_("Please choose a neighbourhood or type a postcode, not both.")
ROLE_UNKNOWN = N_("Please choose what kind of partner it is.")
DEFAULT_ROLE = "shop"
ROLES = tuple((c.id, Msg(c.shown_label(staff=True))) for c in REPORT_OTHER.step("role").choices)


@dataclass(frozen=True)
class Typed:
    """What was typed into a partner's form (shown again after a mistake)."""

    name: str = ""
    role: str = DEFAULT_ROLE
    area: str = ""
    postcode: str = ""

    @classmethod
    def of(cls, partner: PartnerRecord) -> Typed:
        return cls(
            partner.name, partner.role or DEFAULT_ROLE, partner.area or "", partner.postcode or ""
        )

    @classmethod
    def read(cls, form: FormData) -> Typed:
        def field(name: str, limit: int) -> str:
            value = form.get(name)
            return value.strip()[:limit] if isinstance(value, str) else ""

        name = form.get("name")
        return cls(
            name[: MAX_NAME * 2] if isinstance(name, str) else "",  # shown again as typed
            field("role", 32) or DEFAULT_ROLE,
            field("area", 64),
            field("postcode", 16),
        )

    @property
    def clean_name(self) -> str:
        return partner_name(self.name)

    @property
    def clean_postcode(self) -> str | None:
        return parse_postcode(self.postcode) if self.postcode else None


def problem(
    typed: Typed, others: Sequence[PartnerRecord], places: Collection[str]
) -> tuple[str, Msg] | None:
    """(the field, what is wrong) for the first mistake in the form, or None; ``others``
    are the other partners (a name is used once)."""
    name = typed.clean_name
    if not name:
        return "name", Msg(NAME_MISSING)
    if len(name) > MAX_NAME:
        return "name", msg(NAME_TOO_LONG, max=MAX_NAME)
    if any(p.name.casefold() == name.casefold() for p in others):
        return "name", Msg(NAME_TAKEN)
    if typed.role not in dict(ROLES):
        return "role", Msg(ROLE_UNKNOWN)
    if typed.area and (typed.postcode or typed.area not in places):
        return "area", Msg(PLACE_BOTH)
    if typed.postcode and typed.clean_postcode is None:
        return "postcode", Msg(POSTCODE_WRONG)
    return None
