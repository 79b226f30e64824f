"""The monitoring figures as the page and the CSV files show them: every category with its
label in the staff language, in a fixed order (the order of the flows' choices, the
configured neighbourhoods, partners by name), and the same rows for chart, table and CSV.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from bot.dashboard.signal_texts import CHANNEL_LABELS
from core.dialog.flows import REPORT_OTHER, REPORT_SELF
from core.dialog.model import Flow, Place
from core.lifecycle import table as lc
from core.monitoring import figures as fg
from core.monitoring.figures import Figures, Weekly
from core.monitoring.period import Week
from core.monitoring.timing import Timing
from core.text.msgids import N_
from storage.records import PartnerRecord

Gettext = Callable[[str], str]

SELF_REPORT = N_("Self-report")
NO_PARTNER = N_("No partner")
NOTHING_CHOSEN = N_("Nothing chosen")
UNKNOWN = N_("Unknown")
POSTCODE = N_("Postcode %(digits)s")
NO_OUTCOME = N_("Closed without outcome")
STILL_OPEN = N_("Still open: %(status)s")

TITLES: dict[str, str] = {
    "role": N_("Signals per week, by who reported"),
    "partner": N_("Signals per week, by partner"),
    "channel": N_("Signals per week, by channel"),
    "area": N_("Signals per neighbourhood"),
    "age_group": N_("Signals per age group"),
    "observation": N_("What reporters noticed"),
    "help_wanted": N_("What self-reporters would like help with"),
    "claim": N_("Time to pick up"),
    "contact": N_("Time to first contact"),
    "outcome": N_("Outcomes"),
}
WEEKLY = ("role", "partner", "channel")
CATEGORIES = ("area", "age_group", "observation", "help_wanted", "outcome")
TIMINGS = ("claim", "contact")
FIGURE_IDS: tuple[str, ...] = (*WEEKLY, *CATEGORIES[:4], "timing", "outcome")


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class Series:
    code: str
    label: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class WeeklyView:
    id: str
    title: str
    weeks: tuple[Week, ...]
    series: tuple[Series, ...]
    totals: tuple[int, ...]  # per week


@dataclass(frozen=True)
class CategoryView:
    id: str
    title: str
    categories: tuple[Category, ...]


@dataclass(frozen=True)
class TimingView:
    id: str
    title: str
    timing: Timing
    statuses: tuple[Category, ...]  # within, late, missed, pending


@dataclass(frozen=True)
class Labels:
    """Everything that names a category, in the staff language."""

    gettext: Gettext
    places: Sequence[Place]
    partners: Sequence[PartnerRecord]


def _choices(flow: Flow, step_id: str) -> list[tuple[str, str]]:
    """(choice id, staff label msgid) of a step, without "Done"."""
    step = flow.step(step_id)
    return [(c.id, c.shown_label(staff=True)) for c in step.choices if c.id != "done"]


def _ordered(
    counts: Mapping[str, int], known: Iterable[tuple[str, str]], label: Callable[[str], str]
) -> tuple[Category, ...]:
    """Known codes in their order (with zeros), then any other code found, by label."""
    found = [Category(code, text or label(code), counts.get(code, 0)) for code, text in known]
    seen = {c.code for c in found}
    others = sorted((c for c in counts if c not in seen), key=lambda c: label(c).casefold())
    return (*found, *(Category(code, label(code), counts[code]) for code in others))


class FigureViews:
    """Labels and orders the figures of one page or file."""

    def __init__(self, labels: Labels) -> None:
        self._ = labels.gettext
        self._places = labels.places
        self._partners = labels.partners

    def _special(self, code: str) -> str:
        """The label of a code that is not a known choice, place or partner."""
        _ = self._
        if code == fg.SELF:
            return _(SELF_REPORT)
        if code == fg.NONE:
            return _(NOTHING_CHOSEN)
        if code == fg.UNKNOWN:
            return _(UNKNOWN)
        if code.startswith(fg.POSTCODE_PREFIX):
            return _(POSTCODE) % {"digits": code.removeprefix(fg.POSTCODE_PREFIX)}
        return code

    def _known(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(code, self._(label)) for code, label in pairs]

    def order(self, figure: str, counts: Mapping[str, int]) -> tuple[Category, ...]:
        _ = self._
        special = self._special
        if figure == "role":
            known = self._known(_choices(REPORT_OTHER, "role"))
            return _ordered(counts, [*known, (fg.SELF, _(SELF_REPORT))], special)
        if figure == "partner":
            known = [(p.code, p.name) for p in sorted(self._partners, key=lambda p: p.name)]
            return _ordered(counts, [*known, (fg.NONE, _(NO_PARTNER))], special)
        if figure == "channel":
            return _ordered(counts, self._known(CHANNEL_LABELS.items()), special)
        if figure == "area":
            known = [(p.id, p.name) for p in self._places]
            postcodes = sorted(c for c in counts if c.startswith(fg.POSTCODE_PREFIX))
            known += [(c, special(c)) for c in postcodes]
            return _ordered(counts, [*known, (fg.UNKNOWN, _(UNKNOWN))], special)
        if figure == "age_group":
            known = self._known(_choices(REPORT_OTHER, "age_group"))
            known += [(fg.UNKNOWN, _(UNKNOWN)), (fg.SELF, _(SELF_REPORT))]
            return _ordered(counts, known, special)
        if figure == "observation":
            known = self._known(_choices(REPORT_OTHER, "observations"))
            return _ordered(counts, [*known, (fg.NONE, _(NOTHING_CHOSEN))], special)
        if figure == "help_wanted":
            known = self._known(_choices(REPORT_SELF, "help_wanted"))
            return _ordered(counts, [*known, (fg.NONE, _(NOTHING_CHOSEN))], special)
        raise KeyError(figure)

    def weekly(self, figure: str, weekly: Weekly) -> WeeklyView:
        totals = weekly.totals()
        zero = (0,) * len(weekly.weeks)
        series = tuple(
            Series(c.code, c.label, weekly.counts.get(c.code, zero))
            for c in self.order(figure, totals)
            if c.count or figure != "partner"  # a partner without signals: left out
        )
        return WeeklyView(
            figure, self._(TITLES[figure]), weekly.weeks, series, weekly.week_totals()
        )

    def category(self, figure: str, counts: Mapping[str, int]) -> CategoryView:
        return CategoryView(figure, self._(TITLES[figure]), self.order(figure, counts))

    def outcomes(self, figures: Figures) -> CategoryView:
        """Finished signals by outcome, then the open ones by status ("open:<status>")."""
        _ = self._
        known = [(code, _(label)) for code, label in lc.OUTCOMES.items()]
        known.append((fg.UNKNOWN, _(NO_OUTCOME)))
        known.append((lc.CANNOT_FOLLOW_UP, _(lc.STATUS_LABELS[lc.CANNOT_FOLLOW_UP])))
        finished = _ordered(figures.outcomes, known, self._special)
        still = tuple(
            Category(
                f"open:{status}",
                _(STILL_OPEN) % {"status": _(label)},
                figures.open_by_status.get(status, 0),
            )
            for status, label in lc.STATUS_LABELS.items()
            if status in lc.OPEN_STATUSES
        )
        return CategoryView("outcome", _(TITLES["outcome"]), (*finished, *still))

    def timing(self, figure: str, timing: Timing) -> TimingView:
        _ = self._
        statuses = (
            Category("within", _(TIMING_LABELS["within"]), timing.within),
            Category("late", _(TIMING_LABELS["late"]), timing.late),
            Category("missed", _(TIMING_LABELS["missed"]), timing.missed),
            Category("pending", _(TIMING_LABELS["pending"]), timing.pending),
        )
        return TimingView(figure, _(TITLES[figure]), timing, statuses)


TIMING_LABELS = {
    "within": N_("On time"),
    "late": N_("Late"),
    "missed": N_("Not yet, too late"),
    "pending": N_("Not yet, still in time"),
}


@dataclass(frozen=True)
class PageViews:
    weekly: tuple[WeeklyView, ...]
    categories: tuple[CategoryView, ...]
    timings: tuple[TimingView, ...]
    outcomes: CategoryView


def page_views(figures: Figures, labels: Labels) -> PageViews:
    views = FigureViews(labels)
    weekly = (
        views.weekly("role", figures.by_role),
        views.weekly("partner", figures.by_partner),
        views.weekly("channel", figures.by_channel),
    )
    categories = (
        views.category("area", figures.by_area),
        views.category("age_group", figures.by_age_group),
        views.category("observation", figures.by_observation),
        views.category("help_wanted", figures.by_help_wanted),
    )
    timings = (views.timing("claim", figures.claim), views.timing("contact", figures.contact))
    return PageViews(weekly, categories, timings, views.outcomes(figures))
