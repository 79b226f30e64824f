"""Where the loket group is. Telegram turns a basic group into a supergroup (when it is
made public, gets many members, or an admin changes certain settings) and gives it a new
chat id; a message to the old id is then refused with ``migrate_to_chat_id``.

The service follows: the message goes to the new id at once (nothing is dead-lettered),
the move is remembered in the database (``chat_migrations``), so other instances and the
next start send there directly, and each admin is told once to put the new id in
``SIGNAALPUNT_LOKET_CHAT_ID``. Updates from the new group count as the loket group's.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.outbox.kinds import LOKET_MOVED
from core.lifecycle.parties import LOKET, StaffMember, as_text
from storage.uow import Store

log = logging.getLogger(__name__)


class LoketChat:
    def __init__(self, configured: int, store: Store | None = None) -> None:
        self._configured = configured
        self._store = store
        self._moves: dict[int, int] = {}

    @property
    def id(self) -> int:
        """The chat id to send the loket's messages to now."""
        return self._follow(self._configured)

    def _follow(self, chat_id: int) -> int:
        seen = {chat_id}
        while (chat_id := self._moves.get(chat_id, chat_id)) not in seen:
            seen.add(chat_id)
        return chat_id

    def is_loket(self, chat_id: int) -> bool:
        """The loket group, under its configured id or an id it moved to."""
        return chat_id == self._configured or self._follow(self._configured) == chat_id

    async def load(self) -> None:
        """Read the recorded moves (at start, and when an unknown group speaks)."""
        if self._store is None:
            return
        async with self._store.unit_of_work() as uow:
            self._moves = await uow.chats.migrations()

    async def knows(self, chat_id: int) -> bool:
        """``is_loket``, after reading the moves again for a group not known yet: another
        instance may have learnt of a move this one has not seen."""
        if self.is_loket(chat_id):
            return True
        if chat_id < 0:
            await self.load()
        return self.is_loket(chat_id)

    async def moved(self, old: int, new: int, now: datetime) -> None:
        """``old`` became ``new``: follow it, remember it, and tell the admins (once)."""
        if old == new or self._moves.get(old) == new:
            return
        self._moves[old] = new
        if not self.is_loket(new):
            return  # some other group: nothing of ours goes there
        log.warning(
            "the loket group became a supergroup: messages now go to its new id; set "
            "SIGNAALPUNT_LOKET_CHAT_ID=%s",
            new,
        )
        if self._store is None:
            return
        async with self._store.unit_of_work() as uow:
            if await uow.chats.record_migration(old, new, now):
                payload = {"old": old, "new": new, "target": as_text(LOKET)}
                for admin in await uow.staff.active_with_role("admin"):
                    await uow.outbox.enqueue(
                        LOKET_MOVED, StaffMember(admin.id), now, payload=payload
                    )
            await uow.commit()
