"""Signals: reference allocation and the append-only event log."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, case, func, literal, or_, select, update

from core.dialog.draft import SignalDraft
from core.lifecycle.parties import Actor, Reporter, as_text
from core.lifecycle.search import search_values

from ._base import SessionRepository, insert_for
from .models import (
    CODE_COLUMNS,
    MULTI_COLUMNS,
    ReferenceCounter,
    SearchKey,
    Signal,
    SignalEvent,
    VoiceNote,
)
from .records import SignalEventRecord, StoredSignal
from .types import Bound, UTCDateTime, as_utc, bound, reveal

REFERENCE_TIMEZONE = ZoneInfo("Europe/Amsterdam")
REFERENCE_PREFIX = "SP"
# The events whose earliest moment is also kept on the signal row (``Signal.first_*``).
FIRST_MOMENTS = {"claim": "first_claimed_at", "contact": "first_contacted_at"}


def format_reference(year: int, number: int) -> str:
    return f"{REFERENCE_PREFIX}-{year}-{number:04d}"


class SignalRepository(SessionRepository):
    async def add(
        self,
        draft: SignalDraft,
        *,
        reporter_id: int | None,
        channel: str,
        now: datetime,
        actor: Actor | None = None,
    ) -> StoredSignal:
        """Store a finished report with a fresh reference and a "created" event. What it
        queues is the caller's (the service's) decision.

        ``actor`` names who entered it when that is not the reporter (a staff member for a
        telephone report). Everything happens in the caller's transaction; nothing is
        committed here.
        """
        now = as_utc(now)
        reference = format_reference(*await self._next_number(now))
        row = Signal(
            reference=reference,
            kind=draft.kind,
            status="new",
            urgent=draft.urgent,
            language=draft.language,
            channel=channel,
            reporter_id=reporter_id,
            partner=draft.partner,
            submitted_at=as_utc(draft.submitted_at),
            created_at=now,
            status_at=now,
            observations=list(draft.multi.get("observations", ())),
            help_wanted=list(draft.multi.get("help_wanted", ())),
            postcode=bound(draft.postcode, reference),
            postcode4=draft.postcode[:4] if draft.postcode else None,
            area=draft.area,
            person_contact=bound(draft.person_contact, reference),
            note=bound(draft.note, reference),
            language_other=bound(draft.language_other, reference),
            reporter_name=bound(draft.reporter_name, reference),
            reporter_phone=bound(draft.reporter_phone, reference),
            **{name: draft.codes.get(name) for name in CODE_COLUMNS},
        )
        self._session.add(row)
        await self._session.flush()
        values = search_values(draft.reporter_phone, draft.person_contact, draft.postcode)
        for whose, value in values:
            key = self._keys.index(f"search:{value}")
            self._session.add(SearchKey(signal_id=row.id, whose=whose, key=key))
        who = as_text(actor if actor is not None else Reporter(reporter_id))
        self._session.add(SignalEvent(signal_id=row.id, at=now, actor=who, action="created"))
        await self._session.flush()
        return _stored(row)

    async def _next_number(self, now: datetime) -> tuple[int, int]:
        """Take the next number of the Amsterdam calendar year of ``now``.

        The UPDATE takes a row lock on PostgreSQL (a rival transaction waits for our commit
        and then sees our value); SQLite has one writer at a time.
        """
        year = now.astimezone(REFERENCE_TIMEZONE).year
        await self._session.execute(
            insert_for(self._dialect, ReferenceCounter)
            .values(year=year, last=0)
            .on_conflict_do_nothing(index_elements=["year"])
        )
        result = await self._session.execute(
            update(ReferenceCounter)
            .where(ReferenceCounter.year == year)
            .values(last=ReferenceCounter.last + 1)
            .returning(ReferenceCounter.last)
            .execution_options(synchronize_session=False)
        )
        return year, int(result.scalar_one())

    async def get(self, signal_id: int) -> StoredSignal | None:
        row = await self._session.get(Signal, signal_id, populate_existing=True)
        return _stored(row, await self._voice_notes(row.id)) if row is not None else None

    async def get_by_reference(self, reference: str) -> StoredSignal | None:
        query = (
            select(Signal)
            .where(Signal.reference == reference)
            .execution_options(populate_existing=True)
        )
        row = (await self._session.execute(query)).scalar_one_or_none()
        return _stored(row, await self._voice_notes(row.id)) if row is not None else None

    async def _voice_notes(self, signal_id: int) -> tuple[tuple[int, str | None], ...]:
        """(id, step) of the signal's voice notes that still have their audio."""
        query = (
            select(VoiceNote.id, VoiceNote.step)
            .where(VoiceNote.signal_id == signal_id, VoiceNote.erased_at.is_(None))
            .order_by(VoiceNote.id)
        )
        return tuple((row.id, row.step) for row in (await self._session.execute(query)).all())

    async def events(self, signal_id: int) -> list[SignalEventRecord]:
        query = (
            select(SignalEvent)
            .where(SignalEvent.signal_id == signal_id)
            .order_by(SignalEvent.at, SignalEvent.id)
        )
        rows = (await self._session.execute(query)).scalars().all()
        return [_event(r) for r in rows]

    async def event(self, event_id: int) -> tuple[int, SignalEventRecord] | None:
        """One event and the id of its signal."""
        row = await self._session.get(SignalEvent, event_id)
        return (row.signal_id, _event(row)) if row is not None else None

    async def has_event(self, signal_id: int, action: str) -> bool:
        query = select(SignalEvent.id).where(
            SignalEvent.signal_id == signal_id, SignalEvent.action == action
        )
        return (await self._session.execute(query.limit(1))).first() is not None

    async def add_event(
        self,
        signal_id: int,
        *,
        at: datetime,
        actor: Actor,
        action: str,
        note: str | None = None,
        detail: str | None = None,
    ) -> int:
        """Append to a signal's history; returns the event id. Events are never changed
        (but for the retention job erasing a note)."""
        row = SignalEvent(
            signal_id=signal_id, at=at, actor=as_text(actor), action=action, detail=detail
        )
        self._session.add(row)
        await self._session.flush()
        first = FIRST_MOMENTS.get(action)
        if first is not None:  # kept with the event, for the figures: the earliest one
            column = getattr(Signal, first)
            moment = literal(as_utc(at), UTCDateTime())
            await self._session.execute(
                update(Signal)
                .where(Signal.id == signal_id)
                .values(
                    {first: case((or_(column.is_(None), column > moment), moment), else_=column)}
                )
                .execution_options(synchronize_session=False)
            )
        if note is not None:  # bound to the event id, which the insert just assigned
            row.note = Bound(note, str(row.id))
            await self._session.flush()
        return row.id

    async def of_reporter(self, reporter_id: int, limit: int = 10) -> list[StoredSignal]:
        """The reporter's latest signals, newest first."""
        query = (
            select(Signal)
            .where(Signal.reporter_id == reporter_id)
            .order_by(Signal.created_at.desc(), Signal.id.desc())
            .limit(limit)
        )
        return [_stored(row) for row in (await self._session.execute(query)).scalars()]

    async def transition(
        self,
        signal_id: int,
        *,
        sources: frozenset[str],
        target: str,
        assignee_id: int | None,
        claimed_at: datetime | None,
        at: datetime,
        **recorded: str | None,
    ) -> bool:
        """Move the signal to ``target`` if it is still in one of ``sources``.

        A conditional UPDATE, so of two staff members pressing "pick up" at once exactly
        one wins. The lifecycle decides what is allowed; this only makes it atomic.
        ``recorded``: ``referred_to`` or ``outcome`` to keep on the row for the figures.
        """
        result = await self._session.execute(
            update(Signal)
            .where(Signal.id == signal_id, Signal.status.in_(sorted(sources)))
            .values(
                status=target,
                assignee_id=assignee_id,
                claimed_at=as_utc(claimed_at) if claimed_at is not None else None,
                status_at=as_utc(at),
                **recorded,
            )
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def reassign(
        self,
        signal_id: int,
        *,
        sources: frozenset[str],
        previous: int | None,
        assignee_id: int,
        at: datetime,
    ) -> bool:
        """Give the signal to ``assignee_id`` if ``previous`` still has it (and it is still
        in one of ``sources``): of two colleagues taking it over at once, one wins. The
        status and its deadline stay as they are."""
        has_it = (
            Signal.assignee_id.is_(None) if previous is None else Signal.assignee_id == previous
        )
        result = await self._session.execute(
            update(Signal)
            .where(Signal.id == signal_id, Signal.status.in_(sorted(sources)), has_it)
            .values(assignee_id=assignee_id, claimed_at=as_utc(at))
            .execution_options(synchronize_session=False)
        )
        assert isinstance(result, CursorResult)
        return result.rowcount == 1

    async def count(self) -> int:
        query = select(func.count()).select_from(Signal)
        return int((await self._session.execute(query)).scalar_one())


def _stored(row: Signal, voice_notes: tuple[tuple[int, str | None], ...] = ()) -> StoredSignal:
    codes: dict[str, str | None] = {}
    for name in CODE_COLUMNS:
        value = getattr(row, name)
        if value is not None:
            codes[name] = value
    multi: dict[str, tuple[str, ...]] = {}
    for name in MULTI_COLUMNS:
        values: list[Any] = getattr(row, name) or []
        if values:
            multi[name] = tuple(str(v) for v in values)
    draft = SignalDraft(
        kind=row.kind,
        language=row.language,
        urgent=row.urgent,
        submitted_at=row.submitted_at,
        codes=codes,
        multi=multi,
        postcode=reveal(row.postcode, row.reference),
        area=row.area,
        person_contact=reveal(row.person_contact, row.reference),
        note=reveal(row.note, row.reference),
        language_other=reveal(row.language_other, row.reference),
        reporter_name=reveal(row.reporter_name, row.reference),
        reporter_phone=reveal(row.reporter_phone, row.reference),
        partner=row.partner,
        voice_notes=voice_notes,
    )
    return StoredSignal(
        id=row.id,
        reference=row.reference,
        status=row.status,
        channel=row.channel,
        created_at=row.created_at,
        draft=draft,
        assignee_id=row.assignee_id,
        claimed_at=row.claimed_at,
        status_at=row.status_at,
        reporter_id=row.reporter_id,
        referred_to=row.referred_to,
        outcome=row.outcome,
    )


def _event(row: SignalEvent) -> SignalEventRecord:
    return SignalEventRecord(
        at=row.at,
        actor=row.actor,
        action=row.action,
        note=reveal(row.note, str(row.id)),
        detail=row.detail,
        id=row.id,
    )
