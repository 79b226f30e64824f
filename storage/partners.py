"""Partner organisations (a supermarket, a library) whose links fill in a report's role and
place."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, select, update

from ._base import SessionRepository
from .models import Partner
from .records import PartnerRecord
from .types import as_utc


def _partner(row: Partner) -> PartnerRecord:
    return PartnerRecord(
        row.id, row.code, row.name, row.role, row.area, row.postcode, row.deactivated_at
    )


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

    async def by_code(self, code: str, *, active: bool = False) -> PartnerRecord | None:
        """The partner with ``code``; with ``active``, only while it takes part (a new
        report through a deactivated partner's link is not attributed to it)."""
        query = select(Partner).where(Partner.code == code)
        if active:
            query = query.where(Partner.deactivated_at.is_(None))
        row = (await self._session.execute(query)).scalar_one_or_none()
        return _partner(row) if row is not None else None

    async def all(self, *, active: bool = False) -> list[PartnerRecord]:
        """Every partner by name (``active``: only those that take part now)."""
        query = select(Partner).order_by(Partner.name)
        if active:
            query = query.where(Partner.deactivated_at.is_(None))
        rows = (await self._session.execute(query)).scalars()
        return [_partner(r) for r in rows.all()]

    async def change(
        self,
        code: str,
        *,
        name: str,
        role: str | None,
        area: str | None,
        postcode: str | None,
    ) -> bool:
        """A partner's name, role and place (its code, and so its links, stay)."""
        return await self._update(code, name=name, role=role, area=area, postcode=postcode)

    async def set_active(self, code: str, active: bool, now: datetime) -> bool:
        """Deactivate a partner (or take it back); its signals keep counting for it."""
        return await self._update(code, deactivated_at=None if active else as_utc(now))

    async def _update(self, code: str, **values: object) -> bool:
        result = await self._session.execute(
            update(Partner)
            .where(Partner.code == code)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1
