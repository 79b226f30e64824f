"""Web chat transcripts, changed one at a time, and the messenger that puts the loket's
messages to a resident (check-ins, questions) into their transcript.

A transcript is read and written in one transaction with its row locked (PostgreSQL) and,
within a process, under a lock per chat (SQLite has no row locks): the resident's replies
and a message from the loket arriving at the same moment never overwrite each other.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.outbox.reporter_mail import NOTICE
from bot.ports import DeliveryError, Messenger, Outgoing
from storage.uow import Store
from storage.webchat import WEB_CHANNEL

from .transcript import LOKET, Choice, Entry, Transcript

CHANNEL = WEB_CHANNEL


class ChatTranscripts:
    def __init__(self, store: Store, default_language: str = "nl") -> None:
        self._store = store
        self.default_language = default_language
        self._writing: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self._residents: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    def resident(self, user_id: str) -> asyncio.Lock:
        """Held while one of the resident's requests is handled: their messages go into
        the conversation and the transcript in the order they came."""
        return _lock(self._residents, user_id)

    async def change(
        self,
        user_id: str,
        change: Callable[[Transcript], Transcript],
        *,
        resident_at: datetime | None = None,
    ) -> Transcript | None:
        """Apply ``change`` to the chat's transcript and store it; None when the chat is
        gone. ``resident_at``: the resident did this (their chat lives on from then)."""
        async with _lock(self._writing, user_id), self._store.unit_of_work() as uow:
            chat = await uow.webchat.by_user(user_id, lock=True)
            if chat is None:
                return None
            changed = change(Transcript.from_json(chat.transcript, self.default_language))
            await uow.webchat.save(user_id, changed.to_json(), now=resident_at)
            await uow.commit()
        return changed


def _lock(locks: weakref.WeakValueDictionary[str, asyncio.Lock], key: str) -> asyncio.Lock:
    found = locks.get(key)
    if found is None:
        found = asyncio.Lock()
        locks[key] = found
    return found


class WebChatMessenger:
    """The outbox's port for reporters on the web: a message lands in their transcript,
    shown the next time they open (or reload) the page, and the chat is kept while it
    waits there (``waits``); a notice of it goes by mail (``notices``, when mail is set up).
    """

    def __init__(
        self,
        transcripts: ChatTranscripts,
        *,
        notices: Messenger | None = None,
        waits: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self._transcripts = transcripts
        self._notices = notices
        self._waits = waits

    async def deliver(self, message: Outgoing) -> str:
        if message.channel != CHANNEL:
            raise DeliveryError(f"not a web chat message: {message.channel}", permanent=True)
        if message.template is not None and message.template.name == NOTICE:
            if self._notices is None:
                raise DeliveryError("mail is not set up (SIGNAALPUNT_SMTP_URL)", permanent=True)
            return await self._notices.deliver(message)
        language = (
            message.template.language if message.template else self._transcripts.default_language
        )
        entry = Entry(
            0,
            LOKET,
            message.text,
            language,
            choices=tuple(Choice(b.data, b.label) for b in message.buttons),
            reference=message.reference,
            question=message.force_reply,
        )
        changed = await self._transcripts.change(message.target, lambda t: t.from_loket(entry))
        if changed is None:
            # Erased, or gone after the retention period: the loket learns it, as with a
            # reporter who blocked the bot.
            raise DeliveryError("the web chat is gone", permanent=True)
        if self._waits is not None:
            await self._waits(message.target)
        return f"web:{changed.entries[-1].n}"
