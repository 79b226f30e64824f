"""The sections of the monitoring page: for each figure a chart, the same numbers as a
table (for screen readers, and to read exact values), a note on what is counted, and its
CSV file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from babel.dates import format_date
from babel.numbers import format_decimal
from markupsafe import Markup

from core.followup.rules import FollowUpRules
from core.text.msgids import N_, Nn_

from . import charts
from .views import CategoryView, PageViews, TimingView, WeeklyView

Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]

SIGNALS_AXIS = N_("Signals")
WEEK_AXIS = N_("ISO week (Monday to Sunday)")
WEEK_SHORT = N_("wk %(week)s")
OTHERS = N_("Others")
WEEKLY_DESCRIPTION = N_("%(total)s signals in %(weeks)s weeks; the table below has every number.")
BARS_DESCRIPTION = N_("%(total)s in all; the table below has every number.")
WEEK_COLUMN = N_("Week")
DAYS_COLUMN = N_("Days")
TOTAL_COLUMN = N_("Total")
CATEGORY_COLUMN = N_("Category")
COUNT_COLUMN = N_("Signals")

NOTES: dict[str, str] = {
    "role": N_("Self-reports have no reporter role; they are counted as \u201cSelf-report\u201d."),
    "partner": N_("Signals of reporters who came through a partner's link or QR code."),
    "area": N_(
        "A neighbourhood chosen from the list, or the four digits of the postcode typed; "
        "\u201cUnknown\u201d when the reporter gave neither."
    ),
    "age_group": N_("Self-reports are not asked for an age group."),
    "observation": N_(
        "Reports about someone else. A signal counts once for every thing noticed, so the "
        "numbers add up to more than the signals."
    ),
    "help_wanted": N_("Self-reports; a signal counts once for every kind of help chosen."),
    "outcome": N_(
        "The outcome of closed signals, and the signals received in this period that are "
        "still open (a reopened signal is open again)."
    ),
}
CLAIM_NOTE = Nn_(
    "From receipt to the first pick-up. On time: within %(urgent)s hours for an urgent "
    "signal, otherwise within %(days)s working day.",
    "From receipt to the first pick-up. On time: within %(urgent)s hours for an urgent "
    "signal, otherwise within %(days)s working days.",
)
CONTACT_NOTE = Nn_(
    "From receipt to the first contact with the reporter. On time: within %(days)s "
    "working day after the first pick-up. Only signals that were picked up.",
    "From receipt to the first contact with the reporter. On time: within %(days)s "
    "working days after the first pick-up. Only signals that were picked up.",
)
MEASURED = N_("Signals with a time")
MEDIAN = N_("Median")
P90 = N_("90th percentile")
SHARE = N_("On time")
HOURS = N_("%(hours)s hours")
PERCENT = N_("%(percent)s%%")
NO_VALUE = N_("none yet")


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    note: str
    chart: Markup
    legend: Markup | None
    head: tuple[str, ...]
    rows: tuple[tuple[str | int, ...], ...]
    csv: str  # the figure id of its CSV file
    key_figures: tuple[tuple[str, str], ...] = ()


class SectionMaker:
    def __init__(self, gettext: Gettext, ngettext: Ngettext, language: str) -> None:
        self._ = gettext
        self._n = ngettext
        self.language = language

    def day(self, day: date) -> str:
        return format_date(day, format="long", locale=self.language)

    def number(self, value: Fraction | None, places: int = 1) -> str:
        if value is None:
            return self._(NO_VALUE)
        pattern = "#,##0." + "0" * places
        return format_decimal(round(float(value), places), format=pattern, locale=self.language)

    def figure(self, text: str, name: str, value: Fraction | None) -> str:
        """``text`` with the number filled in, or "none yet"."""
        return self._with(text, name, value)

    def _with(self, text: str, name: str, value: Fraction | None) -> str:
        """``text`` with the number filled in, or "none yet"."""
        if value is None:
            return self._(NO_VALUE)
        return self._(text) % {name: self.number(value)}

    def weekly(self, view: WeeklyView) -> Section:
        _ = self._
        columns, years, previous = [], [], ""
        for week in view.weeks:
            year, number = week.key.split("-W")
            columns.append(_(WEEK_SHORT) % {"week": int(number)})
            years.append(year if year != previous else "")
            previous = year
        stacks = charts.merge_rest(
            [charts.Stack(s.label, s.counts) for s in view.series], _(OTHERS)
        )
        total = sum(view.totals)
        description = _(WEEKLY_DESCRIPTION) % {"total": total, "weeks": len(view.weeks)}
        chart = charts.column_chart(
            f"chart-{view.id}",
            title=view.title,
            description=description,
            columns=columns,
            years=years,
            stacks=stacks,
            totals=view.totals,
            y_label=_(SIGNALS_AXIS),
            x_label=_(WEEK_AXIS),
        )
        rows: tuple[tuple[str | int, ...], ...] = tuple(
            (
                week.key,
                f"{self.day(week.first)} \u2013 {self.day(week.last)}",
                *(s.counts[index] for s in view.series),
                view.totals[index],
            )
            for index, week in enumerate(view.weeks)
        )
        head = (_(WEEK_COLUMN), _(DAYS_COLUMN), *(s.label for s in view.series), _(TOTAL_COLUMN))
        return Section(
            view.id,
            view.title,
            _(NOTES[view.id]) if view.id in NOTES else "",
            chart,
            charts.legend(stacks),
            head,
            rows,
            view.id,
        )

    def categories(self, view: CategoryView) -> Section:
        _ = self._
        bars = [charts.Bar(c.code, c.label, c.count) for c in view.categories]
        total = sum(c.count for c in view.categories)
        chart = charts.bar_chart(
            f"chart-{view.id}",
            title=view.title,
            description=_(BARS_DESCRIPTION) % {"total": total},
            bars=bars,
            x_label=_(SIGNALS_AXIS),
        )
        rows = tuple((c.label, c.count) for c in view.categories)
        head = (_(CATEGORY_COLUMN), _(COUNT_COLUMN))
        note = _(NOTES[view.id]) if view.id in NOTES else ""
        return Section(view.id, view.title, note, chart, None, head, rows, view.id)

    def timing(self, view: TimingView, rules: FollowUpRules) -> Section:
        _ = self._
        section = self.categories(CategoryView(view.id, view.title, view.statuses))
        hours = int(rules.urgent_claim.total_seconds() // 3600)
        if view.id == "claim":
            days = rules.claim_days
            note = self._n(*CLAIM_NOTE, days) % {"urgent": hours, "days": days}
        else:
            days = rules.contact_days
            note = self._n(*CONTACT_NOTE, days) % {"days": days}
        t = view.timing
        share = t.share_within * 100 if t.share_within is not None else None
        key_figures = (
            (_(MEASURED), str(t.measured)),
            (_(MEDIAN), self._with(HOURS, "hours", t.median)),
            (_(P90), self._with(HOURS, "hours", t.p90)),
            (_(SHARE), self._with(PERCENT, "percent", share)),
        )
        return Section(
            view.id,
            view.title,
            note,
            section.chart,
            None,
            section.head,
            section.rows,
            "timing",
            key_figures,
        )


def sections(views: PageViews, maker: SectionMaker, rules: FollowUpRules) -> tuple[Section, ...]:
    return (
        *(maker.weekly(v) for v in views.weekly),
        *(maker.categories(v) for v in views.categories),
        *(maker.timing(v, rules) for v in views.timings),
        maker.categories(views.outcomes),
    )
