"""The signal lifecycle as data: statuses, staff actions with their options (referral
targets, closing outcomes), and the one function that checks whether an action is allowed.

Telegram buttons, the dashboard and the reporter check-in all go through ``check_action``,
so a new action needs no new channel code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.text.msgids import N_

NEW = "new"
CLAIMED = "claimed"
IN_CONTACT = "in_contact"
REFERRED = "referred"
CLOSED = "closed"
CANNOT_FOLLOW_UP = "cannot_follow_up"
REOPENED = "reopened"

STATUS_LABELS: dict[str, str] = {
    NEW: N_("New"),
    CLAIMED: N_("Picked up"),
    IN_CONTACT: N_("In contact with the reporter"),
    REFERRED: N_("Referred"),
    CLOSED: N_("Closed"),
    CANNOT_FOLLOW_UP: N_("Cannot be followed up"),
    REOPENED: N_("Reopened"),
}
OPEN_STATUSES: frozenset[str] = frozenset({NEW, CLAIMED, IN_CONTACT, REFERRED, REOPENED})
FINISHED_STATUSES: frozenset[str] = frozenset({CLOSED, CANNOT_FOLLOW_UP})

# What a reporter may learn: received, picked up or closed, never which care followed.
RECEIVED = "received"
PICKED_UP = "picked_up"
REPORTER_STATUS: dict[str, str] = {
    NEW: RECEIVED,
    CLAIMED: PICKED_UP,
    IN_CONTACT: PICKED_UP,
    REFERRED: PICKED_UP,
    REOPENED: PICKED_UP,
    CLOSED: CLOSED,
    CANNOT_FOLLOW_UP: CLOSED,
}

ROLES: tuple[str, ...] = ("loket", "regisseur", "admin")
ROLE_LABELS: dict[str, str] = {
    "loket": N_("loket staff"),
    "regisseur": N_("coordinator (regisseur)"),
    "admin": N_("administrator"),
}
# Not a staff role: the reporter's check-in answer "no" or "still worried" may reopen.
REPORTER = "reporter"
STAFF_ROLES: frozenset[str] = frozenset(ROLES)
# Who reads every signal's details (and manages partners, reads the figures).
DETAIL_VIEWERS = frozenset({"regisseur", "admin"})

REFERRALS: dict[str, str] = {
    "team_welzijn": N_("Team welzijn"),
    "team_eenzaamheid": N_("Team eenzaamheid"),
    "volunteer": N_("Trained volunteer"),
    "external": N_("External organisation"),
}
OUTCOMES: dict[str, str] = {
    "help_started": N_("Contact made, help started"),
    "buddy": N_("Buddy or volunteer coupled"),
    "welfare": N_("Referred to welfare"),
    "known": N_("Already known to care"),
    "no_help_wanted": N_("No help wanted"),
    "not_reached": N_("Person not reached"),
    "other": N_("Other"),
}
# Why a signal cannot be followed up: asked before it is closed that way (a code, no text).
NO_FOLLOW_UP_REASONS: dict[str, str] = {
    "unreachable": N_("Neither the reporter nor the person can be reached"),
    "not_reached": N_("Tried several times, nobody reached"),
    "elsewhere": N_("Lives outside the municipality"),
    "duplicate": N_("The same signal as another one"),
    "not_lonely": N_("Not a signal of loneliness"),
    "other": N_("Other"),
}
# Why a colleague or the regisseur takes a signal over from whoever has it.
TAKE_OVER_REASONS: dict[str, str] = {
    "absent": N_("Colleague is away"),
    "workload": N_("To share out the work"),
    "expertise": N_("Needs other expertise"),
    "escalated": N_("The regisseur takes it on"),
    "other": N_("Other"),
}


@dataclass(frozen=True)
class Action:
    """A staff action on a signal: from which statuses, to which status, by which roles.

    ``target`` None: the status stays (the action is only recorded, or starts something
    like a question to the reporter). ``options``: the action needs one of these ids
    (a referral target, a closing outcome). ``assignee_only``: loket staff may do it only
    on a signal they picked up; a regisseur or admin may always. ``others_only``: only
    someone who does not have the signal (taking it over from whoever has it).
    """

    id: str
    label: str
    sources: frozenset[str]
    target: str | None
    roles: frozenset[str] = STAFF_ROLES
    assignee_only: bool = True
    options: dict[str, str] = field(default_factory=dict)
    option_prompt: str | None = None
    others_only: bool = False


_WORKING = frozenset({CLAIMED, IN_CONTACT, REFERRED, REOPENED})

ACTIONS: dict[str, Action] = {
    action.id: action
    for action in (
        Action("claim", N_("Pick up"), frozenset({NEW}), CLAIMED, assignee_only=False),
        Action("contact", N_("Contact made"), frozenset({CLAIMED, REOPENED}), IN_CONTACT),
        Action(
            "refer",
            N_("Referred"),
            frozenset({IN_CONTACT, REOPENED}),
            REFERRED,
            options=REFERRALS,
            option_prompt=N_("Referred to whom?"),
        ),
        Action(
            "close",
            N_("Close"),
            _WORKING,
            CLOSED,
            options=OUTCOMES,
            option_prompt=N_("What was the outcome?"),
        ),
        Action(
            "cannot_follow_up",
            N_("Cannot be followed up"),
            _WORKING,
            CANNOT_FOLLOW_UP,
            options=NO_FOLLOW_UP_REASONS,
            option_prompt=N_("Why can it not be followed up?"),
        ),
        Action("on_track", N_("Follow-up is on track"), frozenset({REFERRED}), None),
        Action("needs_help", N_("Need help (regisseur)"), _WORKING, None),
        Action("ask_reporter", N_("Ask the reporter"), _WORKING, None),
        Action("release", N_("Release"), frozenset({CLAIMED, REOPENED}), NEW),
        Action(
            "take_over",
            N_("Take over"),
            _WORKING,
            None,
            assignee_only=False,
            options=TAKE_OVER_REASONS,
            option_prompt=N_("Why do you take it over?"),
            others_only=True,
        ),
        Action(
            "reopen",
            N_("Reopen"),
            FINISHED_STATUSES,
            REOPENED,
            roles=STAFF_ROLES | {REPORTER},
        ),
    )
}


@dataclass(frozen=True)
class Refusal:
    """Why an action was refused; ``reason`` is one of the ids below."""

    reason: str


NOT_STAFF = "not_staff"
NOT_ALLOWED = "not_allowed"
WRONG_STATUS = "wrong_status"
NOT_ASSIGNEE = "not_assignee"
UNKNOWN_ACTION = "unknown_action"
NEEDS_OPTION = "needs_option"
UNKNOWN_OPTION = "unknown_option"
ALREADY_ASSIGNEE = "already_assignee"
# Taken by the assignee from somebody else, not chosen on one's own card.
_NOT_ON_THE_CARD = frozenset({"claim", "take_over"})


def check_action(
    action_id: str,
    status: str,
    *,
    role: str | None,
    is_assignee: bool,
    option: str | None = None,
) -> Action | Refusal:
    """The only place that decides whether someone in ``role`` may take ``action_id`` now.

    ``NEEDS_OPTION`` is not an error for the channel: it shows the action's options.
    """
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
    if action.others_only and is_assignee:
        return Refusal(ALREADY_ASSIGNEE)
    if action.options and option is None:
        return Refusal(NEEDS_OPTION)
    if option is not None and option not in action.options:
        return Refusal(UNKNOWN_OPTION)
    return action


def next_actions(status: str) -> tuple[Action, ...]:
    """The buttons offered to staff on a signal in ``status``, in table order (claiming
    is offered on the group card instead, taking over to whoever does not have it)."""
    return tuple(
        a for a in ACTIONS.values() if status in a.sources and a.id not in _NOT_ON_THE_CARD
    )


def transitions() -> list[tuple[str, str, str]]:
    """(source, action, target) for every status change, for the generated diagram."""
    return [
        (source, action.id, action.target)
        for action in ACTIONS.values()
        if action.target is not None
        for source in sorted(action.sources, key=list(STATUS_LABELS).index)
    ]
