"""One inbound message, handled once: dedup, load state, advance, store, commit, reply."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from bot.outbox.kinds import when_stored
from bot.rendering import RenderedReply, render_reply
from core import channel_texts
from core.dialog import messages as m
from core.dialog.engine import Engine
from core.dialog.events import (
    CheckSignalLimit,
    EraseReporter,
    Event,
    LookUpPartner,
    Outcome,
    PartnerFound,
    Refused,
    Reply,
    SetLanguage,
    ShowStatus,
    StoreSignal,
    Submitted,
    VoiceIn,
)
from core.dialog.state import ConversationState
from core.followup.texts import status_texts
from core.lifecycle.parties import Reporter
from core.text.catalog import Catalog
from core.text.languages import LANGUAGES
from core.text.msgids import msg
from storage.crypto import KeyringError
from storage.uow import Store, UnitOfWork

from .chat_locks import ChatLocks
from .pace import MessagePace, Pace
from .voice import ReceivedVoice

log = logging.getLogger(__name__)

SIGNAL_WINDOW = timedelta(hours=24)
# A channel's own read in a step's transaction (``handle_step(read_along=...)``): what it
# needs of its own records, without a transaction of its own.
StepRead = Callable[[UnitOfWork], Awaitable[None]]


@dataclass
class _Step:
    """What advancing one event did, for the transaction around it."""

    state: ConversationState
    replies: list[Reply]
    stored: bool = False
    erased: bool = False
    transcribe: bool = False  # voice notes went with the signal, to be transcribed


@dataclass(frozen=True)
class _Arrival:
    """How an event arrived: the channel's id for it and what the channel knows."""

    message_id: str | None
    hint: str | None
    ask_language: bool
    read_along: StepRead | None
    known_phone: str | None


@dataclass(frozen=True)
class StepResult:
    """What handling one event gave the channel: the replies to send, and whether the step
    failed (rolled back: the reporter's answers are as they were, so the question asked
    last still stands)."""

    replies: list[RenderedReply]
    failed: bool = False


@dataclass(frozen=True)
class _Reporter:
    id: int
    key: str  # survives erasure, so erasing does not reset the signal limit
    channel: str


class ConversationService:
    """Handles reporters' events; a reporter's events are handled one at a time, in order.

    ``max_signals_per_day``: signals one reporter may send in 24 hours.
    ``max_messages_per_minute``: messages one reporter may send a minute; more are dropped.
    ``transcribe_voice``: a sent signal's voice notes wait for their transcript (a model
    is configured); ``on_voice`` is called once such notes are committed.
    """

    def __init__(
        self,
        store: Store,
        engine: Engine,
        catalogs: Mapping[str, Catalog],
        default_language: str = "nl",
        on_signal: Callable[[], None] = lambda: None,
        *,
        max_signals_per_day: int = 3,
        max_messages_per_minute: int = 30,
        transcribe_voice: bool = False,
        on_voice: Callable[[], None] = lambda: None,
    ) -> None:
        self._on_signal = on_signal
        self._on_voice = on_voice
        self._transcribe = transcribe_voice
        self._default_language = default_language if default_language in LANGUAGES else "nl"
        self._store = store
        self._engine = engine
        self._catalogs = catalogs
        self._max_signals = max_signals_per_day
        self._pace = MessagePace(max_messages_per_minute)
        self._locks = ChatLocks()

    async def handle(
        self,
        channel: str,
        user_id: str,
        event: Event | ReceivedVoice,
        now: datetime,
        *,
        message_id: str | None = None,
        language_hint: str | None = None,
        ask_language: bool = False,
        known_phone: str | None = None,
    ) -> list[RenderedReply]:
        """Process one event; returns the rendered replies (empty for a duplicate or a
        dropped message). ``ask_language``: a first conversation starts by asking the
        language (the chat app does not tell it; ``language_hint`` is only a guess).
        ``known_phone``: the number the reporter writes from (E.164), when the chat app
        tells it: offered when their own number is asked."""
        step = await self.handle_step(
            channel,
            user_id,
            event,
            now,
            message_id=message_id,
            language_hint=language_hint,
            ask_language=ask_language,
            known_phone=known_phone,
        )
        return step.replies

    async def handle_step(
        self,
        channel: str,
        user_id: str,
        event: Event | ReceivedVoice,
        now: datetime,
        *,
        message_id: str | None = None,
        language_hint: str | None = None,
        ask_language: bool = False,
        read_along: StepRead | None = None,
        known_phone: str | None = None,
    ) -> StepResult:
        """``handle``, telling also whether the step failed. ``read_along`` is the channel's
        own read, done in the step's transaction once the reporter is locked (so a channel
        needs no transaction of its own for it). A ``ReceivedVoice`` is stored in the step's
        transaction and reaches the engine as a ``VoiceIn``."""
        hint = language_hint if language_hint in LANGUAGES else None
        arrival = _Arrival(message_id, hint, ask_language, read_along, known_phone)
        async with self._locks.hold((channel, user_id)):
            try:
                return await self._handle(channel, user_id, event, now, arrival)
            except (SQLAlchemyError, KeyringError):
                # The transaction rolled back: the reporter's answers are as they were. (A
                # KeyringError is an operator's missing key: the reporter is not to blame.)
                log.exception("storing a conversation step failed")
                failed = Reply((msg(m.SAVE_FAILED),))
                language = hint or self._default_language
                return StepResult([render_reply(failed, self._catalogs, language)], failed=True)

    async def _handle(
        self,
        channel: str,
        user_id: str,
        event: Event | ReceivedVoice,
        now: datetime,
        arrival: _Arrival,
    ) -> StepResult:
        message_id, hint, read_along = arrival.message_id, arrival.hint, arrival.read_along
        async with self._store.unit_of_work() as uow:
            if message_id is not None and not await uow.inbound.record(channel, message_id, now):
                return StepResult([])
            # Counted in memory, per process: losing a minute's count costs nothing, and a
            # write per message is the load this limit caps (more in bot/reporting/pace.py).
            pace = self._pace.check((channel, user_id), now)
            if pace is not Pace.OK:
                # Recorded as processed all the same: a redelivery is dropped as well.
                known = await uow.reporters.find(channel, user_id)
                if read_along is not None:
                    await read_along(uow)
                await uow.commit()
                if pace is Pace.DROP:
                    return StepResult([])
                language = known.language if known is not None else hint
                slow = Reply((msg(m.SLOW_DOWN),))
                rendered = render_reply(slow, self._catalogs, language or self._default_language)
                return StepResult([rendered])
            # Found or made, locked (this chat, one message at a time) and heard from.
            record = await uow.reporters.arrived(
                channel, user_id, language=hint or self._default_language, now=now
            )
            reporter = _Reporter(record.id, uow.reporters.user_key(channel, user_id), channel)
            raw = await uow.conversations.load(reporter.id)
            if read_along is not None:
                await read_along(uow)
            state = (
                ConversationState.from_json(raw)
                if raw is not None
                else self._engine.new_state(record.language, ask_language=arrival.ask_language)
            )
            if arrival.known_phone is not None and state.known_phone != arrival.known_phone:
                state = state.with_(known_phone=arrival.known_phone)
            kept = {voice.id for voice in state.voices}
            if isinstance(event, ReceivedVoice):
                note = await uow.voice.add_draft(
                    reporter.id,
                    event.audio,
                    mime_type=event.note.mime_type,
                    seconds=event.note.duration_seconds,
                    now=now,
                )
                kept.add(note)
                event = VoiceIn(note, event.note.duration_seconds)
            step = await self._advance(uow, reporter, state, event, now)
            if not step.erased:  # nothing of an erased reporter is kept, not even a new state
                await uow.conversations.save(reporter.id, step.state.to_json(), now)
                # Notes the conversation no longer keeps (stopped, over the limit) go; those
                # sent with the signal went with it.
                await uow.voice.discard(reporter.id, kept - {v.id for v in step.state.voices})
            await uow.commit()
        if step.stored:
            self._on_signal()  # committed: the outbox worker may send the loket card now
        if step.transcribe:
            self._on_voice()  # committed: the transcripts may be made now
        language, variants = step.state.language, channel_texts.variants(channel)
        replies = [render_reply(r, self._catalogs, language, variants) for r in step.replies]
        return StepResult(replies)

    async def _advance(
        self,
        uow: UnitOfWork,
        reporter: _Reporter,
        state: ConversationState,
        event: Event,
        now: datetime,
    ) -> _Step:
        outcome = self._engine.advance(state, event, now)
        step = _Step(outcome.state, list(outcome.replies))
        for effect in outcome.effects:
            if isinstance(effect, ShowStatus):
                signals = await uow.signals.of_reporter(reporter.id)
                listed = [(s.reference, s.created_at, s.status) for s in signals]
                step.replies.insert(0, Reply(status_texts(listed)))
            elif isinstance(effect, SetLanguage):
                await uow.reporters.set_language(reporter.id, effect.language)
            elif isinstance(effect, LookUpPartner):
                partner = await uow.partners.by_code(effect.code, active=True)
                if partner is not None:
                    found = PartnerFound(partner.code, partner.role, partner.area, partner.postcode)
                    step.state = self._engine.advance(step.state, found, now).state
            elif isinstance(effect, CheckSignalLimit):
                if await self._at_limit(uow, reporter, now):
                    self._follow(step, self._engine.advance(step.state, Refused("limit"), now))
            elif isinstance(effect, StoreSignal):
                if await self._at_limit(uow, reporter, now):
                    # Nothing is stored; the draft stays at the summary to be sent later.
                    self._follow(step, self._engine.advance(step.state, Refused("limit"), now))
                    continue
                reference = await self._store_signal(uow, reporter, effect, now)
                step.stored = True
                step.transcribe = self._transcribe and bool(effect.draft.voice_notes)
                follow = self._engine.advance(step.state, Submitted(reference), now)
                step.state = follow.state
                step.replies.extend(follow.replies)
            elif isinstance(effect, EraseReporter):
                erased = await uow.erasure.erase_reporter(reporter.id, now)
                step.erased = True
                # That a request was honoured is accountable; who asked is not kept.
                await uow.audit.record(
                    at=now, actor=Reporter(None), action="erase", outcome=f"signals:{erased}"
                )
                log.info("reporter erased", extra={"signals": erased})
        return step

    @staticmethod
    def _follow(step: _Step, refused: Outcome) -> None:
        step.state = refused.state
        step.replies = list(refused.replies)  # in place of the replies it refused

    async def _at_limit(self, uow: UnitOfWork, reporter: _Reporter, now: datetime) -> bool:
        sent = await uow.limits.submissions_since(reporter.key, now - SIGNAL_WINDOW)
        return sent >= self._max_signals

    async def _store_signal(
        self, uow: UnitOfWork, reporter: _Reporter, effect: StoreSignal, now: datetime
    ) -> str:
        draft = effect.draft
        if draft.partner and await uow.partners.by_code(draft.partner, active=True) is None:
            # An unknown or mistyped deep link must not invent a partner in the figures (nor
            # the link of a partner that no longer takes part attribute a new signal to it).
            draft = replace(draft, partner=None)
        stored = await uow.signals.add(
            draft, reporter_id=reporter.id, channel=reporter.channel, now=now
        )
        await uow.outbox.enqueue_many(when_stored(stored), now)
        if draft.voice_notes:
            await uow.voice.attach(
                stored.id,
                draft.voice_notes,
                reporter_id=reporter.id,
                language=draft.language,
                transcribe=self._transcribe,
            )
        await uow.limits.record_submission(reporter.key, now)
        log.info("signal stored", extra={"reference": stored.reference})
        return stored.reference
