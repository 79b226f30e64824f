"""Which message of a Telegram chat still has live buttons, so it can be disabled once the
reporter answers by typing (a tap names the pressed message itself).

The message id is Telegram's answer to sendMessage, so it is known only after the step's
transaction has committed (that transaction must commit before anything is sent). Rather
than a transaction of its own after every send, it is kept here and written for a whole
polling batch in one transaction (``flush``); until then this process answers from memory.
Only one process polls (Telegram refuses a second getUpdates), so nothing else needs it
sooner; after a crash mid-batch a question may keep its buttons, and pressing them later is
a stale press, answered as such.
"""

from __future__ import annotations

import asyncio
import logging

from storage.uow import Store, UnitOfWork

log = logging.getLogger(__name__)


class RecordedKeyboard:
    """The chat's recorded message with live buttons, read in a conversation step's own
    transaction (``ConversationService.handle_step(read_along=...)``)."""

    def __init__(self, chat_id: str, channel: str = "telegram") -> None:
        self._chat_id = chat_id
        self._channel = channel
        self.message_id: str | None = None

    async def __call__(self, uow: UnitOfWork) -> None:
        self.message_id = await uow.keyboards.get(self._channel, self._chat_id)


class KeyboardStore:
    def __init__(self, store: Store, channel: str = "telegram") -> None:
        self._store = store
        self._channel = channel
        self._unwritten: dict[str, str | None] = {}
        # The batch being written: still answered from memory until it is committed, so a
        # step running meanwhile never reads the older record from the database.
        self._writing: dict[str, str | None] = {}
        self._one_at_a_time = asyncio.Lock()

    def known(self, chat_id: str) -> bool:
        """Whether ``latest`` answers for this chat without asking the database."""
        return chat_id in self._unwritten or chat_id in self._writing

    def latest(self, chat_id: str) -> str | None:
        if chat_id in self._unwritten:
            return self._unwritten[chat_id]
        return self._writing.get(chat_id)

    def remember(self, chat_id: str, message_id: str | None) -> None:
        """``message_id`` now has the chat's live buttons (None: no message has)."""
        self._unwritten[chat_id] = message_id

    async def flush(self) -> None:
        """Write what was remembered since the last flush, in one transaction. A failure
        is logged and kept for the next flush: the replies were sent all the same."""
        async with self._one_at_a_time:  # an older batch never lands after a newer one
            if not self._unwritten:
                return
            batch = self._writing = self._unwritten
            self._unwritten = {}
            try:
                async with self._store.unit_of_work() as uow:
                    await uow.keyboards.set_many(self._channel, batch)
                    await uow.commit()
            except Exception:  # never into the polling loop; the replies were sent anyway
                log.exception("recording the chats' live buttons failed")
                for chat_id, message_id in batch.items():
                    self._unwritten.setdefault(chat_id, message_id)  # unless superseded
            finally:
                self._writing = {}
