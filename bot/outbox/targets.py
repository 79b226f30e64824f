"""Who receives a staff or reporter message, as outbox targets (the addresses themselves
are the outbox table's, ``storage.outbox``).

Staff chats are Telegram user ids; ``LOKET`` is the group. A reporter is addressed as
``reporter:<id>`` and resolved when sending, through their own channel.
"""

from __future__ import annotations

from storage.outbox import LOKET_TARGET, REPORTER_TARGET
from storage.records import StoredSignal
from storage.uow import UnitOfWork

LOKET = LOKET_TARGET  # the loket group, resolved by each messenger
REPORTER_PREFIX = REPORTER_TARGET


def reporter_target(signal: StoredSignal) -> str | None:
    """The reporter's chat, or None when the signal came in without one."""
    return f"{REPORTER_PREFIX}{signal.reporter_id}" if signal.reporter_id is not None else None


def reporter_id_of(target: str) -> int | None:
    head, _, rest = target.partition(":")
    if f"{head}:" != REPORTER_PREFIX or not rest.isdigit():
        return None
    return int(rest)


async def assignee_target(uow: UnitOfWork, signal: StoredSignal) -> str:
    """The assignee's private chat; the loket group when nobody (reachable) has it."""
    if signal.assignee_id is not None:
        staff = await uow.staff.get(signal.assignee_id)
        if staff is not None and staff.active and staff.telegram_user_id is not None:
            return str(staff.telegram_user_id)
    return LOKET


async def escalation_targets(uow: UnitOfWork) -> list[str]:
    """The regisseurs' private chats; the admins' when there is no regisseur; else the
    loket group, so an escalation is never dropped."""
    for role in ("regisseur", "admin"):
        chats = [
            str(s.telegram_user_id)
            for s in await uow.staff.active_with_role(role)
            if s.telegram_user_id is not None
        ]
        if chats:
            return chats
    return [LOKET]
