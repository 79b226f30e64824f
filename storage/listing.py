"""The dashboard's list of signals: filtered, newest first, one page at a time.

Reads only the columns a list shows (no personal field is decrypted for a list), and
counts the matches in the same filter for the pager.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, func, or_, select

from core.lifecycle import table as lifecycle

from ._base import SessionRepository
from .models import Signal, Staff
from .types import as_utc


@dataclass(frozen=True)
class SignalFilter:
    """``status``: a status id, "open" or "finished"; ``ids``: only these;
    ``assignee_id``: picked up by them; ``entered_by``: only signals in one of these
    (status, urgent) that entered it at or before the moment given (the overdue ones:
    ``followup.overdue_cutoffs``)."""

    status: str | None = None
    urgent: bool | None = None
    area: str | None = None
    postcode4: str | None = None
    partner: str | None = None
    channel: str | None = None
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


class ListingRepository(SessionRepository):
    @staticmethod
    def _where(wanted: SignalFilter) -> list[ColumnElement[bool]]:
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
            where.append(Signal.area == wanted.area)
        if wanted.postcode4 is not None:
            where.append(Signal.postcode4 == wanted.postcode4)
        if wanted.partner is not None:
            where.append(Signal.partner == wanted.partner)
        if wanted.channel is not None:
            where.append(Signal.channel == wanted.channel)
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

    async def page(
        self, wanted: SignalFilter, *, offset: int = 0, limit: int = 50
    ) -> tuple[list[SignalRow], int]:
        """One page of matching signals, newest first, and how many match in all."""
        where = self._where(wanted)
        total = (
            await self._session.execute(select(func.count()).select_from(Signal).where(*where))
        ).scalar_one()
        newest_first = (Signal.created_at.desc(), Signal.id.desc())
        # The page's ids first (from the created_at index alone when nothing else is
        # filtered), then only those rows and their assignee: a deep page skips ids,
        # not joined rows (page 1,000 of 100,000: 170 ms to 5 ms on SQLite).
        chosen = (
            select(Signal.id)
            .where(*where)
            .order_by(*newest_first)
            .offset(offset)
            .limit(limit)
            .subquery()
        )
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
                Staff.display_name,
            )
            .join(chosen, chosen.c.id == Signal.id)
            .outerjoin(Staff, Staff.id == Signal.assignee_id)
            .order_by(*newest_first)
        )
        rows = [
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
            )
            for row in (await self._session.execute(query)).all()
        ]
        return rows, int(total)
