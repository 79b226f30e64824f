"""One CSV file per figure, for Excel as the Dutch municipality has it: UTF-8 with a byte
order mark (so Excel reads the accents), ``;`` between fields and a decimal comma (what
Excel expects with Dutch regional settings; a ``,``-file opens as one column there),
CRLF line ends, a header row. Counts only: the same rows as the page's tables.

Every text cell is neutralised as OWASP describes for CSV injection: a cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return (a partner named
``=HYPERLINK(...)``) gets a ``'`` in front, so Excel shows it as text instead of running
it as a formula, and every text cell is quoted (a quote inside doubled). Numbers stay
numbers.

The files leave the building: counts of 1 to 4 show as "< 5", and what would let one be
worked out is hidden too (``core.monitoring.disclosure``); the page itself shows every
number."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction

from core.monitoring.disclosure import protect_list, protect_table, shown_count, shown_time
from core.monitoring.period import Period
from core.text.msgids import N_

from .views import CategoryView, PageViews, TimingView, WeeklyView

Gettext = Callable[[str], str]

BOM = "\ufeff"
DELIMITER = ";"

WEEK = N_("Week")
FIRST_DAY = N_("First day")
LAST_DAY = N_("Last day")
TOTAL = N_("Total")
CODE = N_("Code")
CATEGORY = N_("Category")
SIGNALS = N_("Signals")
MEASURE = N_("Measure")
MEASURED = N_("Signals measured")
MEDIAN = N_("Median (hours)")
P90 = N_("90th percentile (hours)")
SHARE = N_("Share on time (%)")


def decimal(value: Fraction | None, places: int = 2) -> str:
    """``12,50`` (a decimal comma, rounded half to even); empty for no value."""
    return "" if value is None else f"{float(value):.{places}f}".replace(".", ",")


def share_percent(timing_view: TimingView) -> Fraction | None:
    share = timing_view.timing.share_within
    return share * 100 if share is not None else None


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> object:
    """A cell Excel cannot take for a formula: text starting like one gets a ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(rows: Iterable[Sequence[object]]) -> bytes:
    """Rows as an Excel-ready CSV file (see above), every text cell neutralised."""
    out = io.StringIO()
    out.write(BOM)
    # QUOTE_NONNUMERIC: every text cell in quotes, counts (ints) as they are.
    writer = csv.writer(
        out, delimiter=DELIMITER, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC
    )
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8")


# Figures whose categories are one per signal: their counts add up to the period's total.
ADDING_UP = frozenset({"role", "partner", "channel", "area", "age_group", "outcome"})


def _weekly(view: WeeklyView, _: Gettext) -> list[list[object]]:
    rows: list[list[object]] = [
        [_(WEEK), _(FIRST_DAY), _(LAST_DAY), *(s.label for s in view.series), _(TOTAL)]
    ]
    counts = [[s.counts[index] for s in view.series] for index in range(len(view.weeks))]
    shown = protect_table(counts) if view.series else [[] for _ in view.weeks]
    for index, week in enumerate(view.weeks):
        days = [week.first.isoformat(), week.last.isoformat()]
        rows.append([week.key, *days, *shown[index], shown_count(view.totals[index])])
    return rows


def _categories(view: CategoryView, _: Gettext) -> list[list[object]]:
    rows: list[list[object]] = [[_(CODE), _(CATEGORY), _(SIGNALS)]]
    counts = protect_list([c.count for c in view.categories], adds_up=view.id in ADDING_UP)
    rows += [[c.code, c.label, n] for c, n in zip(view.categories, counts, strict=True)]
    return rows


def _timings(views: Sequence[TimingView], _: Gettext) -> list[list[object]]:
    first = views[0]
    statuses = [c.label for c in first.statuses]
    rows: list[list[object]] = [[_(MEASURE), _(MEASURED), _(MEDIAN), _(P90), *statuses, _(SHARE)]]
    for view in views:
        t = view.timing
        counts = protect_list([c.count for c in view.statuses], adds_up=True)
        hours = [shown_time(decimal(t.median), t.measured), shown_time(decimal(t.p90), t.measured)]
        decided = t.within + t.late + t.missed
        share = shown_time(decimal(share_percent(view), 1), decided)
        rows.append([view.title, shown_count(t.measured), *hours, *counts, share])
    return rows


def figure_csv(figure: str, views: PageViews, gettext: Gettext) -> bytes | None:
    """The file of one figure (see ``views.FIGURE_IDS``); None for an unknown one."""
    for weekly in views.weekly:
        if weekly.id == figure:
            return write_csv(_weekly(weekly, gettext))
    for category in (*views.categories, views.outcomes):
        if category.id == figure:
            return write_csv(_categories(category, gettext))
    if figure == "timing":
        return write_csv(_timings(views.timings, gettext))
    return None


def file_name(figure: str, period: Period) -> str:
    return f"signaalpunt-{figure}-{period.slug}.csv"
