"""Who receives a signal's messages, as typed targets (``core.lifecycle.parties``): the
loket group, a staff member by staff id, a reporter by reporter id. The channel that can
reach them delivers (a staff member's Telegram account, a reporter's own chat app).

Where a message must reach somebody, it goes to the loket group when nobody it names can
be reached by a message (revoked, or with a dashboard login only): so a reminder or an
escalation is never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.lifecycle.parties import LOKET, Reporter, StaffMember, Target, parse_actor
from storage.records import StaffRecord, StoredSignal
from storage.uow import UnitOfWork


def reporter_target(signal: StoredSignal) -> Reporter | None:
    """The reporter's chat, or None when the signal came in without one."""
    return Reporter(signal.reporter_id) if signal.reporter_id is not None else None


def assignee_of(staff: Mapping[int, StaffRecord], assignee_id: int | None) -> Target:
    """The assignee (of ``staff``, by id) when a message can reach them; else the group."""
    found = staff.get(assignee_id) if assignee_id is not None else None
    if found is not None and found.messageable:
        return StaffMember(found.id)
    return LOKET


async def assignee_target(uow: UnitOfWork, signal: StoredSignal) -> Target:
    """The assignee of ``signal``; the loket group when nobody (reachable) has it."""
    if signal.assignee_id is None:
        return LOKET
    staff = await uow.staff.get(signal.assignee_id)
    return assignee_of({staff.id: staff} if staff is not None else {}, signal.assignee_id)


async def actor_target(uow: UnitOfWork, actor: str) -> Target | None:
    """The staff member an event's ``actor`` column names, when a message reaches them."""
    party = parse_actor(actor)
    if not isinstance(party, StaffMember):
        return None
    staff = await uow.staff.get(party.staff_id)
    return StaffMember(staff.id) if staff is not None and staff.messageable else None


async def escalation_targets(uow: UnitOfWork) -> list[Target]:
    """The regisseurs; the admins when no regisseur can be reached; else the loket group,
    so an escalation is never dropped."""
    for role in ("regisseur", "admin"):
        reached: list[Target] = [
            StaffMember(s.id) for s in await uow.staff.active_with_role(role) if s.messageable
        ]
        if reached:
            return reached
    return [LOKET]
