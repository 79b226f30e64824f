"""Which neighbourhood (kern) a postcode lies in: the municipality's table of four-digit
postcodes and ranges, so a typed "4531 AB" is counted and listed with Terneuzen-Centrum
rather than as a bar of its own.

The table is configuration (``SIGNAALPUNT_POSTCODE_AREAS`` or a file), read here:
one entry a line or separated by commas, ``4531=Terneuzen-Centrum`` or a range
``4530-4539=Terneuzen-Centrum``; the name (or the id) of a configured neighbourhood;
``#`` starts a comment. A neighbourhood the reporter chose always wins over the postcode.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .model import Place

_ENTRY = re.compile(r"([1-9][0-9]{3})(?:\s*-\s*([1-9][0-9]{3}))?\s*[=:;]\s*(.+)")


class AreaTableError(ValueError):
    """A line of the table that cannot be used (the message names it)."""


@dataclass(frozen=True)
class AreaMap:
    """Four postcode digits to the id of a configured neighbourhood."""

    by_postcode: Mapping[str, str] = field(default_factory=dict)

    def area_of(self, area: str | None, postcode4: str | None) -> str | None:
        """The neighbourhood of a signal: the chosen one, else its postcode's (or None)."""
        if area:
            return area
        return self.by_postcode.get(postcode4) if postcode4 else None

    def postcodes_of(self, area: str) -> tuple[str, ...]:
        """The four-digit postcodes that lie in ``area``, in order."""
        return tuple(sorted(pc for pc, a in self.by_postcode.items() if a == area))

    def __bool__(self) -> bool:
        return bool(self.by_postcode)


def _place_id(name: str, places: Sequence[Place]) -> str | None:
    wanted = name.strip().casefold()
    for place in places:
        if wanted in (place.id.casefold(), place.name.casefold()):
            return place.id
    return None


def parse_area_table(text: str, places: Sequence[Place]) -> AreaMap:
    """The table in ``text``; ``AreaTableError`` names the first entry that will not do
    (not a postcode or range, a neighbourhood that is not configured, a postcode given
    to two neighbourhoods)."""
    found: dict[str, str] = {}
    lines = (line.split("#", 1)[0] for line in text.splitlines())
    entries = [part.strip() for line in lines for part in line.split(",") if part.strip()]
    for entry in entries:
        match = _ENTRY.fullmatch(entry)
        if match is None:
            raise AreaTableError(
                f"{entry!r} is not like 4531=Terneuzen-Centrum or 4530-4539=Terneuzen-Centrum"
            )
        first, last, name = match.group(1), match.group(2) or match.group(1), match.group(3)
        if int(last) < int(first) or int(last) - int(first) > 999:
            raise AreaTableError(f"{entry!r}: the range runs backwards or is too wide")
        area = _place_id(name, places)
        if area is None:
            known = ", ".join(p.name for p in places)
            raise AreaTableError(f"{entry!r}: {name.strip()!r} is not a neighbourhood ({known})")
        for number in range(int(first), int(last) + 1):
            postcode = str(number)
            if found.get(postcode, area) != area:
                raise AreaTableError(f"{entry!r}: {postcode} is already in another neighbourhood")
            found[postcode] = area
    return AreaMap(found)
