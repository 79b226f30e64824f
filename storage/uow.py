"""The store and its unit of work: one session, one transaction, explicit commit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, Self, TypeVar, overload

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.followup.rules import FollowUpRules
from core.followup.workdays import WorkingHours
from core.lifecycle.parties import Account
from core.monitoring.period import Period
from core.monitoring.timing import Timing
from storage.monitoring.figures import FigureCounts, FigureRows, FiguresRepository

from .audit import AuditRepository
from .changes import ChangeRepository
from .crypto import Keyring
from .erasure import ErasureRepository
from .followup import FollowUpRepository
from .inbox import InboxRepository
from .limits import LimitsRepository
from .listing import ListingRepository
from .logins import LoginRepository
from .outbox import MailRouting, OutboxRepository
from .partners import PartnerRepository
from .reporter_mail import ReporterMailRepository
from .repositories import (
    ConversationRepository,
    InboundRepository,
    ReporterRepository,
)
from .signals import SignalRepository
from .sso import SsoAccountRepository, SsoLoginRepository
from .staff import AccountBook, StaffRepository
from .staff_mail import EmailAccountRepository
from .telegram import ChatRepository, KeyboardRepository, TelegramAccountRepository
from .types import attach_keyring
from .voice import VoiceRepository
from .webchat import WebChatRepository

R = TypeVar("R")


class _Repository(Generic[R]):
    """A unit of work's repository, made when first used: a step uses 3 of the 25, and making
    them all was 4 % of the bot's CPU per update (docs/perf-plan.md, item 6). Kept in the
    instance's ``__dict__`` afterwards, so later reads are plain attribute reads."""

    def __init__(self, kind: Callable[[AsyncSession, str, Keyring], R]) -> None:
        self._kind = kind

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, uow: None, owner: type) -> Self: ...
    @overload
    def __get__(self, uow: UnitOfWork, owner: type) -> R: ...
    def __get__(self, uow: UnitOfWork | None, owner: type) -> R | Self:
        if uow is None:
            return self
        repository = self._kind(uow._session, uow._dialect, uow.keyring)
        uow._made(repository)
        uow.__dict__[self._name] = repository
        return repository


class UnitOfWork:
    """One transaction over all repositories.

    Use as ``async with store.unit_of_work() as uow: ...; await uow.commit()``. Leaving the
    block rolls back whatever was not committed (also after an exception).
    """

    reporters = _Repository(ReporterRepository)
    conversations = _Repository(ConversationRepository)
    signals = _Repository(SignalRepository)
    outbox = _Repository(OutboxRepository)
    inbound = _Repository(InboundRepository)
    staff = _Repository(StaffRepository)
    partners = _Repository(PartnerRepository)
    audit = _Repository(AuditRepository)
    keyboards = _Repository(KeyboardRepository)
    followup = _Repository(FollowUpRepository)
    inbox = _Repository(InboxRepository)
    erasure = _Repository(ErasureRepository)
    limits = _Repository(LimitsRepository)
    figures = _Repository(FiguresRepository)
    logins = _Repository(LoginRepository)
    listing = _Repository(ListingRepository)
    webchat = _Repository(WebChatRepository)
    reporter_mail = _Repository(ReporterMailRepository)
    chats = _Repository(ChatRepository)
    telegram_accounts = _Repository(TelegramAccountRepository)
    email_accounts = _Repository(EmailAccountRepository)
    sso_accounts = _Repository(SsoAccountRepository)
    sso_logins = _Repository(SsoLoginRepository)
    changes = _Repository(ChangeRepository)
    voice = _Repository(VoiceRepository)

    def __init__(
        self,
        session: AsyncSession,
        dialect_name: str,
        keyring: Keyring,
        mail: MailRouting | None = None,
    ) -> None:
        self._session = session
        self._dialect = dialect_name
        self._mail = mail
        self.keyring = keyring

    def _made(self, repository: Any) -> None:
        """What a repository learns of the unit of work's mail set-up, when it is made."""
        if isinstance(repository, OutboxRepository):
            repository.mail = self._mail
        elif isinstance(repository, StaffRepository | LoginRepository):
            # A staff member's address reaches them only while mail is configured.
            repository.by_mail = self._mail is not None

    def account_book(self, channel: str) -> AccountBook | None:
        """Where ``channel`` records which of its accounts is which staff member."""
        books: dict[str, AccountBook] = {
            "telegram": self.telegram_accounts,
            "email": self.email_accounts,
            "sso": self.sso_accounts,
        }
        return books.get(channel)

    async def staff_of(self, account: Account) -> int | None:
        """The staff member whose account this is (linked, whether active or not)."""
        book = self.account_book(account.channel)
        return await book.staff_of(account.id) if book is not None else None

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

    @property
    def session(self) -> AsyncSession:
        """The session itself, for storage maintenance that spans tables (key rotation)."""
        return self._session

    async def commit(self) -> None:
        await self._session.commit()

    async def rollback(self) -> None:
        await self._session.rollback()


class Store:
    """Entry point of the storage layer: a session factory and the keys of the personal
    fields (attached to the engine, so every encrypted column finds them)."""

    def __init__(self, engine: AsyncEngine, keyring: Keyring) -> None:
        self.engine = engine
        self.keyring = keyring
        attach_keyring(engine.dialect, keyring)
        self._dialect = engine.dialect.name
        self._sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=True)
        # Which messages also go by e-mail (``storage.outbox.MailRouting``); None: no mail.
        self.mail: MailRouting | None = None

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self._sessions(), self._dialect, self.keyring, self.mail)

    async def figure_rows(
        self, period: Period, *, now: datetime, hours: WorkingHours, rules: FollowUpRules
    ) -> FigureRows:
        """``FiguresRepository.rows``, the times read on a connection of their own at the
        same time as the counts (ADR 0115): two scans of the period that both databases
        run in parallel, each of its statements reading committed data as before."""

        async def times() -> tuple[Timing, Timing]:
            async with self.unit_of_work() as uow:
                return await uow.figures.timings(period, now=now, hours=hours, rules=rules)

        async def counts() -> FigureCounts:
            async with self.unit_of_work() as uow:
                return await uow.figures.counts(period)

        (claim, contact), counted = await asyncio.gather(times(), counts())
        return counted.with_times(claim, contact)
