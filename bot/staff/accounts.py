"""Loket staff from any channel: linking an account with an invite code, and the entry to
the actions on signals (``bot.staff.actions``). Every attempt is in the access history.

Chat apps show the returned text as a short confirmation.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from core.lifecycle import staff_texts as t
from core.lifecycle import table as lifecycle
from core.text.msgids import Msg, msg
from core.text.sanitize import clean_text
from storage.uow import Store

log = logging.getLogger(__name__)

INVITE_VALID = timedelta(hours=24)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
CODE_LENGTH = 12
KOPPEL = "koppel"  # the kind of attempt in the access history


def new_invite_code(choose: Callable[[str], str] = secrets.choice) -> str:
    """A random code like ``K7QF-9XMA-2PWE`` (60 bits)."""
    raw = "".join(choose(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def hash_code(code: str) -> str:
    """Codes are stored hashed; typing them with spaces, dashes or lower case is fine."""
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


class StaffAccounts:
    """Inviting and linking staff accounts.

    After ``max_failed_codes`` wrong codes within ``lockout``, a Telegram user's next codes
    are refused unread, until ``lockout`` has passed without an attempt.
    """

    def __init__(
        self,
        store: Store,
        *,
        max_failed_codes: int = 5,
        lockout: timedelta = timedelta(minutes=60),
    ) -> None:
        self._store = store
        self._max_failed_codes = max_failed_codes
        self._lockout = lockout

    async def create_invite(self, role: str, now: datetime, code: str | None = None) -> str:
        if role not in lifecycle.ROLES:
            raise ValueError(f"unknown role {role!r}; choose from {', '.join(lifecycle.ROLES)}")
        code = code or new_invite_code()
        async with self._store.unit_of_work() as uow:
            await uow.staff.add_invite(
                hash_code(code), role, now=now, expires_at=now + INVITE_VALID
            )
            await uow.audit.record(at=now, actor="cli", action="invite", outcome=role)
            await uow.commit()
        return code

    async def link(
        self,
        code: str,
        *,
        telegram_user_id: int,
        name: str,
        now: datetime,
        update_key: str | None = None,
    ) -> Msg | None:
        """Redeem an invite code for this Telegram user. None for a duplicate update."""
        display = clean_text(name).strip()[:64] or str(telegram_user_id)
        actor = f"telegram:{telegram_user_id}"
        async with self._store.unit_of_work() as uow:
            if update_key is not None and not await uow.inbound.record("telegram", update_key, now):
                return None
            staff, locked = None, False
            if code.strip():  # "/koppel" alone guesses nothing: not counted
                subject = uow.keyring.index(f"koppel:{telegram_user_id}")
                # Counted before the code is read (and a refused attempt counts too:
                # guessing on keeps the lock closed), in one step however many arrive at once.
                attempt = await uow.limits.reserve_attempt(
                    KOPPEL,
                    subject,
                    now,
                    since=now - self._lockout,
                    limit=self._max_failed_codes,
                )
                locked = attempt is None
                if attempt is not None:  # a locked-out guesser learns nothing, not "invalid"
                    staff = await uow.staff.redeem(
                        hash_code(code),
                        telegram_user_id=telegram_user_id,
                        display_name=display,
                        now=now,
                    )
                    if staff is not None:
                        await uow.limits.attempt_succeeded(attempt)
            outcome = "ok" if staff else "refused:locked" if locked else "refused:invalid_code"
            await uow.audit.record(at=now, actor=actor, action="link", outcome=outcome)
            await uow.commit()
        if locked:
            log.warning("staff invite codes locked out", extra={"actor": actor})
            minutes = max(1, int(self._lockout.total_seconds() // 60))
            return Msg(
                t.LINK_LOCKED, {"count": minutes}, plural=t.LINK_LOCKED_PLURAL, count=minutes
            )
        if staff is None:
            log.warning("invalid staff invite code used", extra={"actor": actor})
            return msg(t.LINK_INVALID) if code.strip() else msg(t.LINK_USAGE)
        return msg(
            t.LINK_DONE, name=staff.display_name, role=Msg(lifecycle.ROLE_LABELS[staff.role])
        )

    async def is_staff(self, telegram_user_id: int) -> bool:
        async with self._store.unit_of_work() as uow:
            staff = await uow.staff.by_telegram_user(telegram_user_id)
        return staff is not None and staff.active
