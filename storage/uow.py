"""The store and its unit of work: one session, one transaction, explicit commit."""

from __future__ import annotations

import asyncio
from datetime import datetime
from types import TracebackType

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
    erasure: ErasureRepository
    limits: LimitsRepository
    figures: FiguresRepository
    logins: LoginRepository
    listing: ListingRepository
    webchat: WebChatRepository
    reporter_mail: ReporterMailRepository
    chats: ChatRepository
    telegram_accounts: TelegramAccountRepository
    email_accounts: EmailAccountRepository
    sso_accounts: SsoAccountRepository
    sso_logins: SsoLoginRepository
    changes: ChangeRepository
    voice: VoiceRepository

    def __init__(
        self,
        session: AsyncSession,
        dialect_name: str,
        keyring: Keyring,
        mail: MailRouting | None = None,
    ) -> None:
        self._session = session
        self.keyring = keyring
        self.reporters = ReporterRepository(session, dialect_name, keyring)
        self.conversations = ConversationRepository(session, dialect_name, keyring)
        self.signals = SignalRepository(session, dialect_name, keyring)
        self.outbox = OutboxRepository(session, dialect_name, keyring)
        self.outbox.mail = mail
        self.inbound = InboundRepository(session, dialect_name, keyring)
        self.staff = StaffRepository(session, dialect_name, keyring)
        self.partners = PartnerRepository(session, dialect_name, keyring)
        self.audit = AuditRepository(session, dialect_name, keyring)
        self.keyboards = KeyboardRepository(session, dialect_name, keyring)
        self.followup = FollowUpRepository(session, dialect_name, keyring)
        self.inbox = InboxRepository(session, dialect_name, keyring)
        self.erasure = ErasureRepository(session, dialect_name, keyring)
        self.limits = LimitsRepository(session, dialect_name, keyring)
        self.figures = FiguresRepository(session, dialect_name, keyring)
        self.logins = LoginRepository(session, dialect_name, keyring)
        self.listing = ListingRepository(session, dialect_name, keyring)
        self.webchat = WebChatRepository(session, dialect_name, keyring)
        self.reporter_mail = ReporterMailRepository(session, dialect_name, keyring)
        self.chats = ChatRepository(session, dialect_name, keyring)
        self.telegram_accounts = TelegramAccountRepository(session, dialect_name, keyring)
        self.email_accounts = EmailAccountRepository(session, dialect_name, keyring)
        # A staff member's address reaches them only while mail is configured.
        self.staff.by_mail = self.logins.by_mail = mail is not None
        self.sso_accounts = SsoAccountRepository(session, dialect_name, keyring)
        self.sso_logins = SsoLoginRepository(session, dialect_name, keyring)
        self.changes = ChangeRepository(session, dialect_name, keyring)
        self.voice = VoiceRepository(session, dialect_name, keyring)

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
