"""The signal list: what a query asks for (filters, a search, the order), the page of rows
with what each shows (deadline, neighbourhood, who reported in which language, what was
seen), and the same list as a CSV file of non-personal columns."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from starlette.datastructures import QueryParams

from bot.staff.partners import CODE_PATTERN
from core.dialog.areas import AreaMap
from core.dialog.flows import REPORT_OTHER, REPORT_SELF
from core.dialog.model import Place
from core.followup import rules as f
from core.followup.rules import SignalClock
from core.followup.workdays import WorkingHours
from core.lifecycle import table as lc
from core.lifecycle.search import parse_search
from core.text.languages import LanguageName
from core.text.msgids import N_, Msg, Param, Token, msg
from storage.listing import SignalFilter, SignalRow
from storage.uow import UnitOfWork

from . import signal_texts as st

PAGE_SIZE = 50
MAX_PAGE = 10_000
ORDER_LABELS = {
    "newest": N_("Newest first"),
    "oldest": N_("Oldest first"),
    "deadline": N_("First deadline first"),
    "changed": N_("Last changed first"),
}
SEARCH_NOT_UNDERSTOOD = N_(
    "Search for a reference (SP-2026-0042), a postcode (4531 or 4531 AB) or a phone number."
)
UNKNOWN_PLACE = N_("unknown")
POSTCODE_ONLY = N_("postcode %(postcode)s")
TELEPHONE = N_("by telephone")
_OBSERVED = {c.id: c.short or c.label for c in REPORT_OTHER.step("observations").choices}
_HELP = {c.id: c.label for c in REPORT_SELF.step("help_wanted").choices}
_AGES = {c.id: c.shown_label(staff=True) for c in REPORT_OTHER.step("age_group").choices}
# Whom a signal is about, as the list says it (a voice report: only the note says).
_ABOUT = {"self": st.ABOUT_SELF, "other": st.ABOUT_OTHER, "voice": st.ABOUT_VOICE}


def ascii_number(text: str) -> bool:
    """Only 0-9 (``str.isdigit`` also takes "²", "①" and other scripts' digits)."""
    return text.isascii() and text.isdigit()


def _choice(value: str | None, allowed: set[str] | Mapping[str, object]) -> str | None:
    return value if value in allowed else None


@dataclass(frozen=True)
class ListQuery:
    """What the list was asked for: the filter, the page, the order; ``search_error``
    when the typed search is none of a reference, a postcode or a phone number."""

    wanted: SignalFilter
    status: str
    page: int
    order: str
    overdue_only: bool
    postcode: str
    search: str
    search_error: str | None
    shown: dict[str, str]  # the query without the page, for the pager's links


def read_query(
    query: QueryParams, *, places: Sequence[Place], areas: AreaMap, staff_id: int
) -> ListQuery:
    statuses = {*lc.STATUS_LABELS, "open", "finished", "all"}
    status = _choice(query.get("status"), statuses) or "open"
    postcode = (query.get("postcode") or "").strip()[:16]
    area = _choice(query.get("area"), {p.id for p in places})
    partner = query.get("partner")
    typed = (query.get("q") or "").strip()[:64]
    search = parse_search(typed) if typed else None
    wanted = SignalFilter(
        status=None if status == "all" else status,
        urgent={"yes": True, "no": False}.get(query.get("urgent") or ""),
        area=area,
        area_postcodes=areas.postcodes_of(area) if area else (),
        postcode4=postcode if ascii_number(postcode) and len(postcode) == 4 else None,
        partner=partner if partner and CODE_PATTERN.fullmatch(partner) else None,
        channel=_choice(query.get("channel"), set(st.CHANNEL_LABELS)),
        search=search if search and search.understood else None,
        assignee_id=staff_id if query.get("mine") == "1" else None,
    )
    number = query.get("page") or "1"
    # Digits 0-9 only: "²" or "①" pass str.isdigit() but not int(), and a page of a
    # thousand digits is no page either.
    page = int(number) if ascii_number(number) and len(number) <= 6 else 1
    return ListQuery(
        wanted=wanted,
        status=status,
        page=min(max(page, 1), MAX_PAGE),
        order=_choice(query.get("order"), ORDER_LABELS) or "newest",
        overdue_only=query.get("overdue") == "1",
        postcode=postcode,
        search=typed,
        search_error=SEARCH_NOT_UNDERSTOOD if search and not search.understood else None,
        shown={k: v for k, v in query.items() if k != "page" and v},
    )


def clock_of(row: SignalRow) -> SignalClock:
    return SignalClock(
        id=row.id,
        reference=row.reference,
        status=row.status,
        urgent=row.urgent,
        created_at=row.created_at,
        status_at=row.status_at,
    )


@dataclass(frozen=True)
class ListPage:
    rows: list[SignalRow]
    total: int
    overdue: set[int]  # the ids of the shown rows that are past their deadline


async def list_page(
    uow: UnitOfWork,
    wanted: SignalFilter,
    *,
    page: int,
    overdue_only: bool,
    now: datetime,
    hours: WorkingHours,
    rules: f.FollowUpRules,
    order: str = "newest",
    size: int = PAGE_SIZE,
) -> ListPage:
    """What the signal list shows (also what ``bench.scale`` times)."""
    if overdue_only:  # in SQL: per status, who entered it before its deadline ran out
        wanted = replace(wanted, entered_by=f.overdue_cutoffs(now, hours, rules))
    offset = (page - 1) * size
    if order == "deadline":  # computed: every match's few columns, then one page's rows
        clocks = await uow.listing.clocks(wanted)

        def due(clock: SignalClock) -> tuple[bool, datetime, int]:
            owed = f.deadline(clock, hours, rules)
            return owed is None, owed[1] if owed else clock.created_at, clock.id

        ids = [c.id for c in sorted(clocks, key=due)[offset : offset + size]]
        rows, total = await uow.listing.rows(ids), len(clocks)
    else:
        rows, total = await uow.listing.page(wanted, offset=offset, limit=size, order=order)
    # The badges: the shown rows carry what the follow-up rules need.
    overdue = {r.id for r in rows if f.is_overdue(clock_of(r), now, hours, rules)}
    return ListPage(rows, total, overdue)


@dataclass(frozen=True)
class ShownRow:
    """A row as the list shows it (texts as messages for the template's ``text``)."""

    row: SignalRow
    overdue: bool
    deadline: Msg | None
    deadline_at: datetime | None
    place: Param
    about: Msg
    age: Msg | None
    seen: tuple[Msg, ...]
    reporter: Param
    partner: str | None


def _place(row: SignalRow, names: Mapping[str, str], areas: AreaMap) -> Param:
    area = areas.area_of(row.area, row.postcode4)
    if area is not None:
        return names.get(area, area)
    if row.postcode4:
        return msg(POSTCODE_ONLY, postcode=Token(row.postcode4))
    return Msg(UNKNOWN_PLACE)


def shown_rows(
    page: ListPage,
    *,
    places: Sequence[Place],
    areas: AreaMap,
    partner_names: Mapping[str, str],
    hours: WorkingHours,
    rules: f.FollowUpRules,
) -> list[ShownRow]:
    names = {p.id: p.name for p in places}
    shown = []
    for row in page.rows:
        owed = f.deadline(clock_of(row), hours, rules)
        self_report = row.kind == "self"
        codes = row.help_wanted if self_report else row.observations
        labels = _HELP if self_report else _OBSERVED
        shown.append(
            ShownRow(
                row=row,
                overdue=row.id in page.overdue,
                deadline=Msg(st.DEADLINE_SHORT[owed[0]]) if owed else None,
                deadline_at=owed[1] if owed else None,
                place=_place(row, names, areas),
                about=Msg(_ABOUT.get(row.kind, st.ABOUT_OTHER)),
                age=Msg(_AGES[row.age_group]) if row.age_group in _AGES else None,
                seen=tuple(Msg(labels[c]) for c in codes if c in labels and c != "done"),
                reporter=Msg(TELEPHONE) if row.channel == "phone" else LanguageName(row.language),
                partner=partner_names.get(row.partner or "", row.partner),
            )
        )
    return shown


EXPORT_LIMIT = 20_000  # rows in one file: years of signals for a municipality
EXPORT_HEAD = (
    N_("Reference"),
    N_("Received"),
    N_("Status"),
    N_("Urgent"),
    N_("Deadline"),
    N_("About"),
    N_("Age"),
    N_("Seen"),
    N_("Neighbourhood"),
    N_("Channel"),
    N_("Reporter's language"),
    N_("Partner"),
    N_("Outcome"),
)


def export_rows(
    rows: Sequence[ShownRow],
    text: Callable[[Msg | Param], str],
    day: Callable[[datetime], str],
) -> list[list[object]]:
    """The list as rows of a CSV file: codes and labels, no personal data (no names,
    numbers, addresses, full postcodes or free text; who has a signal is left out too)."""
    table: list[list[object]] = [[text(Msg(label)) for label in EXPORT_HEAD]]
    for shown in rows:
        row = shown.row
        outcome = row.outcome if row.status == lc.CLOSED else None
        table.append(
            [
                row.reference,
                day(row.created_at),
                text(Msg(lc.STATUS_LABELS.get(row.status, row.status))),
                text(Msg(st.YES if row.urgent else st.NO)),
                day(shown.deadline_at) if shown.deadline_at else "",
                text(shown.about),
                text(shown.age) if shown.age else "",
                ", ".join(text(s) for s in shown.seen),
                text(shown.place),
                text(Msg(st.CHANNEL_LABELS.get(row.channel, row.channel))),
                "" if row.channel == "phone" else text(shown.reporter),
                shown.partner or "",
                text(Msg(lc.OUTCOMES[outcome])) if outcome in lc.OUTCOMES else "",
            ]
        )
    return table
