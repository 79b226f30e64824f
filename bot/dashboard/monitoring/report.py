"""The period's figures for the council and for an evaluation in the way of Movisie's
(reach, sources and partners, follow-up, outcomes): one printable page, every count under
5 hidden (``core.monitoring.disclosure``), and the same figures as one ZIP of CSV files.

Reach and sources are the period's totals per category (not per week): what a council
reads; the weekly tables are in the files and on the monitoring page.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from core.monitoring.disclosure import Shown, protect_list, shown_count, shown_time
from core.monitoring.period import Period
from core.text.msgids import N_

from .csv_files import ADDING_UP, figure_csv, file_name
from .sections import HOURS, PERCENT, SectionMaker
from .views import FIGURE_IDS, CategoryView, PageViews, TimingView, WeeklyView

Gettext = Callable[[str], str]

REACH = N_("Reach: who was reported, and where")
SOURCES = N_("Where the signals came from")
FOLLOW_UP = N_("Follow-up")
OUTCOMES = N_("Outcomes")
ABOUT = N_(
    "Counts of the signals received in the period, whatever happened to them later. Counts "
    "from 1 to 4 are shown as “< 5”, and where a total would give one away another count "
    "is hidden as “×”: in a small neighbourhood a small number can point at a person. Times "
    "measured over fewer than 5 signals are left out for the same reason."
)
# The weekly figures as the report shows them: the period's total per category.
TOTAL_TITLES = {
    "role": N_("Who reported"),
    "channel": N_("How the signals came in"),
    "partner": N_("Through which partner"),
}
README = N_(
    "Signaalpunt: the figures of %(first)s up to and including %(last)s, one CSV file per "
    "figure (for Excel: semicolons, decimal commas). Every figure counts the signals "
    "received in this period. Counts from 1 to 4 are shown as “< 5”; “×” is a count hidden "
    "so that a small one cannot be worked out from a total."
)


@dataclass(frozen=True)
class ReportTable:
    id: str
    title: str
    note: str
    rows: tuple[tuple[str, Shown], ...]


@dataclass(frozen=True)
class TimingRow:
    title: str
    note: str
    measured: Shown
    median: str
    p90: str
    share: str
    statuses: tuple[tuple[str, Shown], ...]


@dataclass(frozen=True)
class Report:
    total: Shown
    still_open: Shown
    groups: tuple[tuple[str, tuple[ReportTable, ...]], ...]
    timings: tuple[TimingRow, ...]


def _table(view: CategoryView, note: str) -> ReportTable:
    shown = [c for c in view.categories if c.count]  # a council need not read the zeros
    counts = protect_list([c.count for c in shown], adds_up=view.id in ADDING_UP)
    rows = tuple((c.label, n) for c, n in zip(shown, counts, strict=True))
    return ReportTable(view.id, view.title, note, rows)


def _totals(view: WeeklyView, note: str, gettext: Gettext) -> ReportTable:
    """A weekly figure as the period's total per category."""
    categories = [(s.label, s.total) for s in view.series if s.total]
    counts = protect_list([n for _, n in categories], adds_up=view.id in ADDING_UP)
    rows = tuple((label, n) for (label, _), n in zip(categories, counts, strict=True))
    return ReportTable(view.id, gettext(TOTAL_TITLES[view.id]), note, rows)


def _timing(view: TimingView, maker: SectionMaker, note: str) -> TimingRow:
    t = view.timing
    decided = t.within + t.late + t.missed
    share = t.share_within * 100 if t.share_within is not None else None
    statuses = protect_list([c.count for c in view.statuses], adds_up=True)
    return TimingRow(
        title=view.title,
        note=note,
        measured=shown_count(t.measured),
        median=shown_time(maker.figure(HOURS, "hours", t.median), t.measured),
        p90=shown_time(maker.figure(HOURS, "hours", t.p90), t.measured),
        share=shown_time(maker.figure(PERCENT, "percent", share), decided),
        statuses=tuple((c.label, n) for c, n in zip(view.statuses, statuses, strict=True)),
    )


def council_report(
    views: PageViews, total: int, still_open: int, maker: SectionMaker, notes: dict[str, str]
) -> Report:
    """The report's tables; ``notes`` per figure id (what it counts)."""
    _ = maker._
    weekly = {v.id: v for v in views.weekly}
    categories = {v.id: v for v in views.categories}
    reach = tuple(
        _table(categories[name], notes.get(name, ""))
        for name in ("area", "age_group", "observation", "help_wanted")
    )
    sources = tuple(
        _totals(weekly[name], notes.get(name, ""), _) for name in ("role", "channel", "partner")
    )
    return Report(
        total=shown_count(total),
        still_open=shown_count(still_open),
        groups=(
            (_(REACH), reach),
            (_(SOURCES), sources),
            (_(OUTCOMES), (_table(views.outcomes, notes.get("outcome", "")),)),
        ),
        timings=tuple(_timing(v, maker, notes.get(v.id, "")) for v in views.timings),
    )


def all_files(views: PageViews, period: Period, gettext: Gettext, readme: str) -> bytes:
    """Every figure's CSV file, and a short text about them, as one ZIP file."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("toelichting.txt", readme.replace("\n", "\r\n") + "\r\n")
        for figure in FIGURE_IDS:
            body = figure_csv(figure, views, gettext)
            assert body is not None
            archive.writestr(file_name(figure, period), body)
    return out.getvalue()
