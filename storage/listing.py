"""The dashboard's list of signals: filtered, searched, sorted, one page at a time.

Reads only the columns a list shows (no personal field is decrypted for a list; a phone
number or postcode is searched by its keyed hash), and counts the matches in the same
filter for the pager.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, UnaryExpression, and_, false, func, or_, select

from core.followup.rules import SignalClock
from core.lifecycle import table as lifecycle
from core.lifecycle.search import SearchQuery

from ._base import SessionRepository
from .models import SearchKey, Signal, SignalEvent, Staff
from .types import as_utc

# How the list can be ordered in SQL (the deadline is computed: ``clocks`` then ``ids``).
ORDERS: dict[str, tuple[UnaryExpression[Any], ...]] = {
    "newest": (Signal.created_at.desc(), Signal.id.desc()),
    "oldest": (Signal.created_at.asc(), Signal.id.asc()),
    "changed": (Signal.status_at.desc(), Signal.id.desc()),
}
# The reporter's events that mark a signal "answered" until staff act on it again.
REPORTER_EVENTS = ("reporter_reply", "reporter_answer")


@dataclass(frozen=True)
class SignalFilter:
    """``status``: a status id, "open" or "finished"; ``area``: a neighbourhood, with the
    ``area_postcodes`` that lie in it (a typed postcode counts for its neighbourhood);
    ``search``: a reference, postcode or phone number; ``ids``: only these;
    ``assignee_id``: picked up by them; ``entered_by``: only signals in one of these
    (status, urgent) that entered it at or before the moment given (the overdue ones:
    ``followup.overdue_cutoffs``)."""

    status: str | None = None
    urgent: bool | None = None
    area: str | None = None
    area_postcodes: tuple[str, ...] = ()
    postcode4: str | None = None
    partner: str | None = None
    channel: str | None = None
    search: SearchQuery | None = None
    ids: Collection[int] | None = None
    assignee_id: int | None = None
    entered_by: Mapping[tuple[str, bool], datetime] | None = None


@dataclass(frozen=True)
class SignalRow:
    id: int
    reference: str
    kind: str
    status: str
    urgent: bool
    created_at: datetime
    status_at: datetime
    area: str | None
    postcode4: str | None
    partner: str | None
    channel: str
    age_group: str | None
    assignee_name: str | None
    language: str = "nl"
    observations: tuple[str, ...] = ()
    help_wanted: tuple[str, ...] = ()
    assignee_id: int | None = None
    outcome: str | None = None
    answered: bool = False  # the reporter answered since staff last acted on it


class ListingRepository(SessionRepository):
    def _where(self, wanted: SignalFilter) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if wanted.status == "open":
            where.append(Signal.status.in_(sorted(lifecycle.OPEN_STATUSES)))
        elif wanted.status == "finished":
            where.append(Signal.status.in_(sorted(lifecycle.FINISHED_STATUSES)))
        elif wanted.status is not None:
            where.append(Signal.status == wanted.status)
        if wanted.urgent is not None:
            where.append(Signal.urgent.is_(wanted.urgent))
        if wanted.area is not None:
            where.append(self._in_area(wanted.area, wanted.area_postcodes))
        if wanted.postcode4 is not None:
            where.append(Signal.postcode4 == wanted.postcode4)
        if wanted.partner is not None:
            where.append(Signal.partner == wanted.partner)
        if wanted.channel is not None:
            where.append(Signal.channel == wanted.channel)
        if wanted.search is not None:
            where.append(self._found(wanted.search))
        if wanted.assignee_id is not None:
            where.append(Signal.assignee_id == wanted.assignee_id)
        if wanted.ids is not None:
            where.append(Signal.id.in_(sorted(wanted.ids)))
        if wanted.entered_by is not None:
            entered = [
                and_(
                    Signal.status == status,
                    Signal.urgent.is_(urgent),
                    Signal.status_at <= as_utc(at),
                )
                for (status, urgent), at in wanted.entered_by.items()
            ]
            where.append(or_(false(), *entered))
        return where

    @staticmethod
    def _in_area(area: str, postcodes: Sequence[str]) -> ColumnElement[bool]:
        chosen = Signal.area == area
        if not postcodes:
            return chosen
        typed = and_(Signal.area.is_(None), Signal.postcode4.in_(sorted(postcodes)))
        return or_(chosen, typed)

    def _found(self, search: SearchQuery) -> ColumnElement[bool]:
        """Any meaning of the search: the reference, the four postcode digits, or a
        phone number or full postcode by its keyed hash."""
        found: list[ColumnElement[bool]] = [false()]
        if search.reference:
            found.append(Signal.reference == search.reference)
        if search.postcode4:
            found.append(Signal.postcode4 == search.postcode4)
        if search.values:
            keys = sorted(self._keys.index(f"search:{value}") for value in search.values)
            found.append(Signal.id.in_(select(SearchKey.signal_id).where(SearchKey.key.in_(keys))))
        return or_(*found)

    async def count(self, wanted: SignalFilter) -> int:
        query = select(func.count()).select_from(Signal).where(*self._where(wanted))
        return int((await self._session.execute(query)).scalar_one())

    async def page(
        self, wanted: SignalFilter, *, offset: int = 0, limit: int = 50, order: str = "newest"
    ) -> tuple[list[SignalRow], int]:
        """One page of matching signals in ``order`` (see ``ORDERS``), and how many match."""
        where = self._where(wanted)
        total = await self.count(wanted)
        ordered = ORDERS[order]
        # The page's ids first (from the created_at index alone when nothing else is
        # filtered), then only those rows and their assignee: a deep page skips ids,
        # not joined rows (page 1,000 of 100,000: 170 ms to 5 ms on SQLite).
        chosen = (
            select(Signal.id).where(*where).order_by(*ordered).offset(offset).limit(limit)
        ).subquery()
        rows = await self._rows(Signal.id.in_(select(chosen.c.id)), ordered)
        return rows, total

    async def rows(self, ids: Sequence[int]) -> list[SignalRow]:
        """The rows of ``ids``, in that order."""
        found = {row.id: row for row in await self._rows(Signal.id.in_(list(ids)), ())}
        return [found[i] for i in ids if i in found]

    async def clocks(self, wanted: SignalFilter) -> list[SignalClock]:
        """Every matching signal's deadline inputs (a few columns), to sort by deadline."""
        query = select(
            Signal.id,
            Signal.reference,
            Signal.status,
            Signal.urgent,
            Signal.created_at,
            Signal.status_at,
        ).where(*self._where(wanted))
        return [
            SignalClock(r.id, r.reference, r.status, r.urgent, r.created_at, r.status_at)
            for r in (await self._session.execute(query)).all()
        ]

    async def _rows(
        self, which: ColumnElement[bool], ordered: Sequence[UnaryExpression[Any]]
    ) -> list[SignalRow]:
        query = (
            select(
                Signal.id,
                Signal.reference,
                Signal.kind,
                Signal.status,
                Signal.urgent,
                Signal.created_at,
                Signal.status_at,
                Signal.area,
                Signal.postcode4,
                Signal.partner,
                Signal.channel,
                Signal.age_group,
                Signal.language,
                Signal.observations,
                Signal.help_wanted,
                Signal.assignee_id,
                Signal.outcome,
                Staff.display_name,
            )
            .where(which)
            .outerjoin(Staff, Staff.id == Signal.assignee_id)
            .order_by(*ordered)
        )
        found = (await self._session.execute(query)).all()
        answered = await self._answered([row.id for row in found])
        return [
            SignalRow(
                id=row.id,
                reference=row.reference,
                kind=row.kind,
                status=row.status,
                urgent=row.urgent,
                created_at=row.created_at,
                status_at=row.status_at,
                area=row.area,
                postcode4=row.postcode4,
                partner=row.partner,
                channel=row.channel,
                age_group=row.age_group,
                assignee_name=row.display_name,
                language=row.language,
                observations=tuple(str(c) for c in row.observations or ()),
                help_wanted=tuple(str(c) for c in row.help_wanted or ()),
                assignee_id=row.assignee_id,
                outcome=row.outcome,
                answered=row.id in answered,
            )
            for row in found
        ]

    async def _answered(self, ids: Sequence[int]) -> set[int]:
        """Of ``ids``, the signals whose reporter answered (a question or the check-in)
        after staff last did something with them."""
        if not ids:
            return set()
        mine = or_(SignalEvent.action.in_(REPORTER_EVENTS), SignalEvent.actor.like("staff:%"))
        query = select(SignalEvent.signal_id, SignalEvent.action, SignalEvent.at).where(
            SignalEvent.signal_id.in_(list(ids)), mine
        )
        reporter: dict[int, datetime] = {}
        staff: dict[int, datetime] = {}
        for signal_id, action, at in (await self._session.execute(query)).all():
            latest = reporter if action in REPORTER_EVENTS else staff
            latest[signal_id] = max(at, latest.get(signal_id, at))
        return {i for i, at in reporter.items() if i not in staff or at > staff[i]}
