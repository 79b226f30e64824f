"""A web reporter reached while away: their chat is kept as long as its check-in (and any
message of the loket) waits in it, and, where mail is set up, the chat asks once for an
e-mail address after a report that can bring a message (a check-in agreed to, or "answer
me here"). The address is stored on the signal like the reporter's phone number
(``storage.reporter_mail``) and erased with it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from storage.uow import Store

MAX_ADDRESS = 254  # RFC 5321's limit on a path
# Something@something.tld, no spaces, one "@": what a person mistypes is caught here; what
# does not exist is learnt from the mail server (the notice is dead-lettered, the chat
# still holds the message).
_ADDRESS = re.compile(
    r"[^@\s\"<>(),;:\\\[\]]{1,64}@[^@\s\"<>(),;:\\\[\]_]+\.[^@\s\"<>(),;:\\\[\]._0-9]{2,}"
)


def parse_address(typed: str) -> str | None:
    """The address typed, tidied (spaces around, a "mailto:", the domain's case); None
    when it cannot be one."""
    text = unicodedata.normalize("NFC", typed).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:].strip()
    if not text or len(text) > MAX_ADDRESS or any(unicodedata.category(c)[0] == "C" for c in text):
        return None
    if not _ADDRESS.fullmatch(text) or ".." in text or text.startswith("."):
        return None
    local, _, domain = text.rpartition("@")
    if local.endswith(".") or domain.startswith(".") or domain.startswith("-"):
        return None
    return f"{local}@{domain.lower()}"


class ChatReach:
    def __init__(self, store: Store, *, mail: bool, checkin_after: timedelta, keep: timedelta):
        self._store = store
        self.mail = mail  # an SMTP server is configured: the e-mail question may be asked
        self._checkin_after = checkin_after
        self._keep = keep  # how long a chat lives after the resident was last there

    async def after_step(self, user_id: str, step_at: datetime) -> None:
        """After the resident's step at ``step_at``: if it sent a signal, keep the chat
        while its check-in waits, and ask for an address where a message may come."""
        async with self._store.unit_of_work() as uow:
            latest = await uow.reporter_mail.latest_signal(user_id, since=step_at)
            if latest is None:
                return
            if latest.checkin:
                await uow.reporter_mail.keep(
                    user_id, latest.created_at + self._checkin_after + self._keep
                )
            if self.mail and (latest.checkin or latest.message_here) and not latest.has_email:
                await uow.reporter_mail.offer(user_id, latest.id)
            await uow.commit()

    async def message_waits(self, user_id: str, now: datetime) -> None:
        """A message of the loket landed in the chat: it waits there ``keep`` from now."""
        async with self._store.unit_of_work() as uow:
            await uow.reporter_mail.keep(user_id, now + self._keep)
            await uow.commit()

    async def answered(self, user_id: str, address: str | None) -> bool:
        """The e-mail question answered (None: skipped). False when nothing was asked."""
        async with self._store.unit_of_work() as uow:
            signal_id = await uow.reporter_mail.offered(user_id)
            if signal_id is None:
                return False
            if address is not None:
                await uow.reporter_mail.set_email(signal_id, address)
            await uow.reporter_mail.offer(user_id, None)
            await uow.commit()
        return True
