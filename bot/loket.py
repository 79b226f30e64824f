"""Loket staff actions from any channel: linking an account with an invite code and acting
on signals (pick up, contact made, release). Every attempt is in the access history.

Each call is one transaction: the inbound update is recorded (so a duplicate is ignored), the
lifecycle is checked, the signal changes, and the messages that follow are queued in the
outbox. Chat apps show the returned text as a short confirmation.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from conversations import lifecycle
from conversations import loket_texts as t
from conversations.loket_texts import status_label
from conversations.sanitize import clean_text
from conversations.text import Msg, Token, msg
from storage.records import StaffRecord, StoredSignal
from storage.uow import Store, UnitOfWork

from .ports import LOKET

log = logging.getLogger(__name__)

INVITE_VALID = timedelta(hours=24)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
CODE_LENGTH = 12

# Outbox kinds composed by ``bot.loket_messages``.
CARD_UPDATE = "loket_card_update"
STAFF_DETAILS = "staff_details"


def new_invite_code(choose: Callable[[str], str] = secrets.choice) -> str:
    """A random code like ``K7QF-9XMA-2PWE`` (60 bits)."""
    raw = "".join(choose(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def hash_code(code: str) -> str:
    """Codes are stored hashed; typing them with spaces, dashes or lower case is fine."""
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


@dataclass(frozen=True)
class ActionResult:
    """What to tell the staff member, and the signal's state after the action."""

    text: Msg
    done: bool
    signal: StoredSignal | None = None
    status: str | None = None


class LoketService:
    def __init__(self, store: Store, on_queued: Callable[[], None] = lambda: None) -> None:
        self._store = store
        self._on_queued = on_queued

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
            staff = None
            if code.strip():
                staff = await uow.staff.redeem(
                    hash_code(code),
                    telegram_user_id=telegram_user_id,
                    display_name=display,
                    now=now,
                )
            outcome = "ok" if staff is not None else "refused:invalid_code"
            await uow.audit.record(at=now, actor=actor, action="link", outcome=outcome)
            await uow.commit()
        if staff is None:
            log.warning("invalid staff invite code used", extra={"actor": actor})
            return msg(t.LINK_INVALID) if code.strip() else msg(t.LINK_USAGE)
        return msg(
            t.LINK_DONE, name=staff.display_name, role=Msg(lifecycle.ROLE_LABELS[staff.role])
        )

    async def act(
        self,
        action_id: str,
        signal_id: int,
        *,
        telegram_user_id: int,
        now: datetime,
        update_key: str | None = None,
    ) -> ActionResult | None:
        """Take a staff action on a signal; None for a duplicate update."""
        async with self._store.unit_of_work() as uow:
            if update_key is not None and not await uow.inbound.record("telegram", update_key, now):
                return None
            staff = await uow.staff.by_telegram_user(telegram_user_id)
            if staff is not None and not staff.active:
                staff = None
            actor = f"staff:{staff.id}" if staff else f"telegram:{telegram_user_id}"
            result = await self._act(uow, action_id, signal_id, staff, actor, now)
            await uow.commit()
        if result.done:
            self._on_queued()
        return result

    async def _act(
        self,
        uow: UnitOfWork,
        action_id: str,
        signal_id: int,
        staff: StaffRecord | None,
        actor: str,
        now: datetime,
    ) -> ActionResult:
        signal = await uow.signals.get(signal_id)
        if signal is None:
            await uow.audit.record(at=now, actor=actor, action=action_id, outcome="refused:unknown")
            return ActionResult(msg(t.REFUSED_UNKNOWN), done=False)
        checked = lifecycle.check_action(
            action_id,
            signal.status,
            role=staff.role if staff else None,
            is_assignee=staff is not None and signal.assignee_id == staff.id,
        )
        if isinstance(checked, lifecycle.Refusal):
            await uow.audit.record(
                at=now,
                actor=actor,
                action=action_id,
                outcome=f"refused:{checked.reason}",
                signal_id=signal.id,
            )
            return ActionResult(await self._refusal(uow, checked, signal, staff), False, signal)
        assert staff is not None
        claiming, releasing = checked.id == "claim", checked.target == lifecycle.NEW
        assignee_id, claimed_at = signal.assignee_id, signal.claimed_at
        if claiming:
            assignee_id, claimed_at = staff.id, now
        elif releasing:
            assignee_id, claimed_at = None, None
        moved = await uow.signals.transition(
            signal.id,
            sources=checked.sources,
            target=checked.target,
            assignee_id=assignee_id,
            claimed_at=claimed_at,
        )
        if not moved:  # somebody else changed it between our read and our write
            await uow.audit.record(
                at=now, actor=actor, action=action_id, outcome="refused:race", signal_id=signal.id
            )
            current = await uow.signals.get(signal.id)
            assert current is not None
            refusal = lifecycle.Refusal(lifecycle.WRONG_STATUS)
            return ActionResult(await self._refusal(uow, refusal, current, staff), False, current)
        await uow.signals.add_event(signal.id, at=now, actor=actor, action=action_id)
        await uow.audit.record(
            at=now, actor=actor, action=action_id, outcome="ok", signal_id=signal.id
        )
        await uow.outbox.enqueue(CARD_UPDATE, LOKET, now, signal_id=signal.id)
        if claiming and staff.telegram_user_id is not None:
            await uow.outbox.enqueue(
                STAFF_DETAILS,
                str(staff.telegram_user_id),
                now,
                signal_id=signal.id,
                payload={"staff_id": staff.id},
            )
        text = (
            msg(t.CLAIM_DONE, reference=Token(signal.reference))
            if claiming
            else msg(
                t.ACTION_DONE,
                reference=Token(signal.reference),
                status=status_label(checked.target),
            )
        )
        return ActionResult(text, True, signal, checked.target)

    async def _refusal(
        self,
        uow: UnitOfWork,
        refusal: lifecycle.Refusal,
        signal: StoredSignal,
        staff: StaffRecord | None,
    ) -> Msg:
        reference = Token(signal.reference)
        if refusal.reason == lifecycle.NOT_STAFF:
            return msg(t.REFUSED_NOT_STAFF)
        if refusal.reason == lifecycle.NOT_ALLOWED:
            return msg(t.REFUSED_NOT_ALLOWED)
        if refusal.reason == lifecycle.NOT_ASSIGNEE:
            return msg(t.REFUSED_NOT_ASSIGNEE, reference=reference)
        if refusal.reason == lifecycle.UNKNOWN_ACTION:
            return msg(t.REFUSED_UNKNOWN)
        if signal.status == lifecycle.CLAIMED and signal.assignee_id is not None:
            if staff is not None and signal.assignee_id == staff.id:
                return msg(t.CLAIM_ALREADY_YOURS, reference=reference)
            assignee = await uow.staff.get(signal.assignee_id)
            name = assignee.display_name if assignee else "?"
            return msg(t.CLAIM_TAKEN, reference=reference, name=name)
        return msg(t.REFUSED_WRONG_STATUS, reference=reference, status=status_label(signal.status))
