"""One inbound message, handled once: dedup, load state, advance, store, commit, reply."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from conversations import messages as m
from conversations.engine import Engine
from conversations.events import Event, Reply, SetLanguage, ShowStatus, StoreSignal, Submitted
from conversations.followup_texts import status_texts
from conversations.matching import Catalog
from conversations.state import ConversationState
from conversations.text import LANGUAGES, msg
from storage.uow import Store, UnitOfWork

from .rendering import RenderedReply, render_reply

log = logging.getLogger(__name__)


class ConversationService:
    """Handles reporters' events; a reporter's events are handled one at a time, in order."""

    def __init__(
        self,
        store: Store,
        engine: Engine,
        catalogs: Mapping[str, Catalog],
        default_language: str = "nl",
        on_signal: Callable[[], None] = lambda: None,
    ) -> None:
        self._on_signal = on_signal
        self._default_language = default_language if default_language in LANGUAGES else "nl"
        self._store = store
        self._engine = engine
        self._catalogs = catalogs
        self._locks: defaultdict[tuple[str, str], asyncio.Lock] = defaultdict(asyncio.Lock)

    async def handle(
        self,
        channel: str,
        user_id: str,
        event: Event,
        now: datetime,
        *,
        message_id: str | None = None,
        language_hint: str | None = None,
        ask_language: bool = False,
    ) -> list[RenderedReply]:
        """Process one event; returns the rendered replies (empty for a duplicate).
        ``ask_language``: a first conversation starts by asking the language (the chat app
        does not tell it; ``language_hint`` is only a guess)."""
        async with self._locks[(channel, user_id)]:
            try:
                return await self._handle(
                    channel, user_id, event, now, message_id, language_hint, ask_language
                )
            except SQLAlchemyError:
                # The transaction rolled back: the reporter's answers are as they were.
                log.exception("storing a conversation step failed")
                language = language_hint if language_hint in LANGUAGES else self._default_language
                failed = Reply((msg(m.SAVE_FAILED),))
                return [render_reply(failed, self._catalogs, language or self._default_language)]

    async def _handle(
        self,
        channel: str,
        user_id: str,
        event: Event,
        now: datetime,
        message_id: str | None,
        language_hint: str | None,
        ask_language: bool,
    ) -> list[RenderedReply]:
        async with self._store.unit_of_work() as uow:
            if message_id is not None and not await uow.inbound.record(channel, message_id, now):
                return []
            hint = language_hint if language_hint in LANGUAGES else None
            reporter = await uow.reporters.get_or_create(
                channel, user_id, language=hint or self._default_language, now=now
            )
            await uow.reporters.heard_from(reporter.id, now)
            raw = await uow.conversations.load(reporter.id)
            state = (
                ConversationState.from_json(raw)
                if raw is not None
                else self._engine.new_state(reporter.language, ask_language=ask_language)
            )
            state, replies, stored = await self._advance(
                uow, reporter.id, channel, state, event, now
            )
            await uow.conversations.save(reporter.id, state.to_json(), now)
            await uow.commit()
        if stored:
            self._on_signal()  # committed: the outbox worker may send the loket card now
        return [render_reply(r, self._catalogs, state.language) for r in replies]

    async def _advance(
        self,
        uow: UnitOfWork,
        reporter_id: int,
        channel: str,
        state: ConversationState,
        event: Event,
        now: datetime,
    ) -> tuple[ConversationState, list[Reply], bool]:
        outcome = self._engine.advance(state, event, now)
        state, replies, stored_any = outcome.state, list(outcome.replies), False
        for effect in outcome.effects:
            if isinstance(effect, ShowStatus):
                signals = await uow.signals.of_reporter(reporter_id)
                listed = [(s.reference, s.created_at, s.status) for s in signals]
                replies.insert(0, Reply(status_texts(listed)))
            elif isinstance(effect, SetLanguage):
                await uow.reporters.set_language(reporter_id, effect.language)
            elif isinstance(effect, StoreSignal):
                draft = effect.draft
                if draft.partner and await uow.partners.by_code(draft.partner) is None:
                    # An unknown or mistyped deep link must not invent a partner in the figures.
                    draft = replace(draft, partner=None)
                stored = await uow.signals.add(
                    draft, reporter_id=reporter_id, channel=channel, now=now
                )
                stored_any = True
                log.info("signal stored", extra={"reference": stored.reference})
                follow = self._engine.advance(state, Submitted(stored.reference), now)
                state = follow.state
                replies.extend(follow.replies)
        return state, replies, stored_any
