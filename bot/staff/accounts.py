"""Loket staff from any channel: linking an account with an invite code, and who is staff.
Every attempt is in the access history.

A staff member is a person with a role (``staff``), addressed by staff id everywhere; an
account on a channel (``core.lifecycle.parties.Account``: a Telegram user) is one way to
reach them and to know who pressed a button, kept by that channel's account book
(``UnitOfWork.account_book``). Issue 21 adds e-mail (a way to reach) and sign-on (a way to
sign in) as account books of their own.

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
from core.lifecycle.parties import CLI, Account, as_text
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
            await uow.audit.record(at=now, actor=CLI, action="invite", outcome=role)
            await uow.commit()
        return code

    async def link(
        self,
        code: str,
        *,
        account: Account,
        name: str,
        now: datetime,
        update_key: str | None = None,
    ) -> Msg | None:
        """Redeem an invite code for this account (a Telegram user): a new staff member, or
        the one the account belongs to, with the invite's role. None for a duplicate
        update."""
        display = clean_text(name).strip()[:64] or account.id
        async with self._store.unit_of_work() as uow:
            book = uow.account_book(account.channel)
            if book is None:
                raise ValueError(f"no staff accounts on {account.channel}")
            if update_key is not None and not await uow.inbound.record(
                account.channel, update_key, now
            ):
                return None
            staff, locked = None, False
            if code.strip():  # "/koppel" alone guesses nothing: not counted
                subject = uow.keyring.index(f"koppel:{account.id}")
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
                    known = await book.staff_of(account.id)
                    staff = await uow.staff.redeem(
                        hash_code(code), staff_id=known, display_name=display, now=now
                    )
                    if staff is not None:
                        if known is None:
                            await book.link(account.id, staff.id, now)
                        await uow.limits.attempt_succeeded(attempt)
            outcome = "ok" if staff else "refused:locked" if locked else "refused:invalid_code"
            await uow.audit.record(at=now, actor=account, action="link", outcome=outcome)
            await uow.commit()
        if locked:
            log.warning("staff invite codes locked out", extra={"actor": as_text(account)})
            minutes = max(1, int(self._lockout.total_seconds() // 60))
            return Msg(
                t.LINK_LOCKED, {"count": minutes}, plural=t.LINK_LOCKED_PLURAL, count=minutes
            )
        if staff is None:
            log.warning("invalid staff invite code used", extra={"actor": as_text(account)})
            return msg(t.LINK_INVALID) if code.strip() else msg(t.LINK_USAGE)
        return msg(
            t.LINK_DONE, name=staff.display_name, role=Msg(lifecycle.ROLE_LABELS[staff.role])
        )

    async def is_staff(self, account: Account) -> bool:
        """Whether this account is an active staff member's."""
        async with self._store.unit_of_work() as uow:
            staff_id = await uow.staff_of(account)
            staff = await uow.staff.get(staff_id) if staff_id is not None else None
        return staff is not None and staff.active
