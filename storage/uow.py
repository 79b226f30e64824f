"""The store and its unit of work: one session, one transaction, explicit commit."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from .followup import FollowUpRepository
from .inbox import InboxRepository
from .repositories import (
    ConversationRepository,
    InboundRepository,
    OutboxRepository,
    ReporterRepository,
)
from .signals import SignalRepository
from .staff import AuditRepository, KeyboardRepository, PartnerRepository, StaffRepository


class UnitOfWork:
    """One transaction over all repositories.

    Use as ``async with store.unit_of_work() as uow: ...; await uow.commit()``. Leaving the
    block rolls back whatever was not committed (also after an exception).
    """

    reporters: ReporterRepository
    conversations: ConversationRepository
    signals: SignalRepository
    outbox: OutboxRepository
    inbound: InboundRepository
    staff: StaffRepository
    partners: PartnerRepository
    audit: AuditRepository
    keyboards: KeyboardRepository
    followup: FollowUpRepository
    inbox: InboxRepository

    def __init__(self, session: AsyncSession, dialect_name: str) -> None:
        self._session = session
        self.reporters = ReporterRepository(session, dialect_name)
        self.conversations = ConversationRepository(session, dialect_name)
        self.signals = SignalRepository(session, dialect_name)
        self.outbox = OutboxRepository(session, dialect_name)
        self.inbound = InboundRepository(session, dialect_name)
        self.staff = StaffRepository(session, dialect_name)
        self.partners = PartnerRepository(session, dialect_name)
        self.audit = AuditRepository(session, dialect_name)
        self.keyboards = KeyboardRepository(session, dialect_name)
        self.followup = FollowUpRepository(session, dialect_name)
        self.inbox = InboxRepository(session, dialect_name)

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            await self._session.rollback()
        finally:
            await self._session.close()

    async def commit(self) -> None:
        await self._session.commit()

    async def rollback(self) -> None:
        await self._session.rollback()


class Store:
    """Entry point of the storage layer; owns nothing but a session factory."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._dialect = engine.dialect.name
        self._sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=True)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self._sessions(), self._dialect)
