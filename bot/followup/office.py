"""The loket's office hours from the settings, with the country's public holidays."""

from __future__ import annotations

from datetime import date

import holidays

from bot.settings import Settings
from core.followup.workdays import WorkingHours


class OfficeHolidays:
    """Public holidays, minus the ones the municipality keeps the loket open on (many
    Dutch municipalities work on Good Friday, which the holidays package lists)."""

    def __init__(self, country: str, open_on: frozenset[str]) -> None:
        self._calendar = holidays.country_holidays(country)  # checked by the settings
        self._open_on = {name.casefold() for name in open_on}

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        name = self._calendar.get(day)
        return name is not None and name.casefold() not in self._open_on


def office_hours(settings: Settings) -> WorkingHours:
    open_on = frozenset(n.strip() for n in settings.office_open_on.split(",") if n.strip())
    return WorkingHours(
        holidays=OfficeHolidays(settings.holidays_country, open_on),
        opens=settings.office_opens,
        closes=settings.office_closes,
    )
