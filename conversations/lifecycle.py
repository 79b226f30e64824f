"""The signal lifecycle as data: statuses, staff actions, and the one function that checks
whether an action is allowed.

The Follow-up issue extends the tables (referral, closing with an outcome, reopening); the
Telegram buttons and the dashboard read them, so a new action needs no new channel code.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import N_

NEW = "new"
CLAIMED = "claimed"
IN_CONTACT = "in_contact"

STATUS_LABELS: dict[str, str] = {
    NEW: N_("New"),
    CLAIMED: N_("Picked up"),
    IN_CONTACT: N_("In contact with the reporter"),
}

ROLES: tuple[str, ...] = ("loket", "regisseur", "admin")
ROLE_LABELS: dict[str, str] = {
    "loket": N_("loket staff"),
    "regisseur": N_("coordinator (regisseur)"),
    "admin": N_("administrator"),
}


@dataclass(frozen=True)
class Action:
    """A staff action on a signal: from which statuses, to which status, by which roles.

    ``assignee_only``: only the staff member who picked the signal up (or an admin or
    regisseur) may do it.
    """

    id: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str] = frozenset(ROLES)
    assignee_only: bool = True


ACTIONS: dict[str, Action] = {
    action.id: action
    for action in (
        Action("claim", N_("Pick up"), frozenset({NEW}), CLAIMED, assignee_only=False),
        Action("contact", N_("Contact made"), frozenset({CLAIMED}), IN_CONTACT),
        Action("release", N_("Release"), frozenset({CLAIMED}), NEW),
    )
}


@dataclass(frozen=True)
class Refusal:
    """Why an action was refused; ``reason`` is one of the REFUSED_* ids below."""

    reason: str


NOT_STAFF = "not_staff"
NOT_ALLOWED = "not_allowed"
WRONG_STATUS = "wrong_status"
NOT_ASSIGNEE = "not_assignee"
UNKNOWN_ACTION = "unknown_action"


def check_action(
    action_id: str,
    status: str,
    *,
    role: str | None,
    is_assignee: bool,
) -> Action | Refusal:
    """The only place that decides whether a staff member may take ``action_id`` now."""
    action = ACTIONS.get(action_id)
    if action is None:
        return Refusal(UNKNOWN_ACTION)
    if role is None:
        return Refusal(NOT_STAFF)
    if role not in action.roles:
        return Refusal(NOT_ALLOWED)
    if status not in action.sources:
        return Refusal(WRONG_STATUS)
    if action.assignee_only and not is_assignee and role == "loket":
        return Refusal(NOT_ASSIGNEE)
    return action


def next_actions(status: str) -> tuple[Action, ...]:
    """The actions offered on a signal in ``status`` (claiming is offered on the group card)."""
    return tuple(a for a in ACTIONS.values() if status in a.sources and a.id != "claim")
