"""The dashboard's list of signals: filtered, newest first, one page at a time.

Reads only the columns a list shows (no personal field is decrypted for a list), and
counts the matches in the same filter for the pager.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select

from conversations import lifecycle

from ._base import SessionRepository
from .models import Signal, Staff


@dataclass(frozen=True)
class SignalFilter:
    """``status``: a status id, "open" or "finished"; ``ids``: only these (the overdue
    ones, worked out by the follow-up rules); ``assignee_id``: picked up by them."""

    status: str | None = None
    urgent: bool | None = None
    area: str | None = None
    postcode4: str | None = None
    partner: str | None = None
    channel: str | None = None
    ids: Collection[int] | None = None
    assignee_id: int | None = None


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
        return where

    async def page(
        self, wanted: SignalFilter, *, offset: int = 0, limit: int = 50
    ) -> tuple[list[SignalRow], int]:
        """One page of matching signals, newest first, and how many match in all."""
        where = self._where(wanted)
        total = (
            await self._session.execute(select(func.count()).select_from(Signal).where(*where))
        ).scalar_one()
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
            .outerjoin(Staff, Staff.id == Signal.assignee_id)
            .where(*where)
            .order_by(Signal.created_at.desc(), Signal.id.desc())
            .offset(offset)
            .limit(limit)
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
