"""Partner organisations (a supermarket, a library) whose links fill in a report's role and
place."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ._base import SessionRepository
from .models import Partner
from .records import PartnerRecord
from .types import as_utc


def _partner(row: Partner) -> PartnerRecord:
    return PartnerRecord(row.id, row.code, row.name, row.role, row.area, row.postcode)


class PartnerRepository(SessionRepository):
    async def add(
        self,
        code: str,
        name: str,
        now: datetime,
        *,
        role: str | None = None,
        area: str | None = None,
        postcode: str | None = None,
    ) -> PartnerRecord:
        row = Partner(
            code=code, name=name, created_at=as_utc(now), role=role, area=area, postcode=postcode
        )
        self._session.add(row)
        await self._session.flush()
        return _partner(row)

    async def by_code(self, code: str) -> PartnerRecord | None:
        query = select(Partner).where(Partner.code == code)
        row = (await self._session.execute(query)).scalar_one_or_none()
        return _partner(row) if row is not None else None

    async def all(self) -> list[PartnerRecord]:
        rows = (await self._session.execute(select(Partner).order_by(Partner.name))).scalars()
        return [_partner(r) for r in rows.all()]
