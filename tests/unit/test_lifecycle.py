"""The lifecycle table and the one function that checks staff actions."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from core.lifecycle import table as lifecycle
from core.lifecycle.table import Refusal, check_action, next_actions


def test_claim_is_allowed_for_every_role_on_a_new_signal() -> None:
    for role in lifecycle.ROLES:
        action = check_action("claim", lifecycle.NEW, role=role, is_assignee=False)
        assert not isinstance(action, Refusal)
        assert action.target == lifecycle.CLAIMED


@pytest.mark.parametrize(
    ("action", "status", "role", "assignee", "reason"),
    [
        ("claim", lifecycle.NEW, None, False, lifecycle.NOT_STAFF),
        ("claim", lifecycle.CLAIMED, "loket", False, lifecycle.WRONG_STATUS),
        ("contact", lifecycle.CLAIMED, "loket", False, lifecycle.NOT_ASSIGNEE),
        ("release", lifecycle.NEW, "admin", False, lifecycle.WRONG_STATUS),
        ("forged", lifecycle.NEW, "admin", True, lifecycle.UNKNOWN_ACTION),
        ("claim", lifecycle.NEW, "intern", False, lifecycle.NOT_ALLOWED),
    ],
)
def test_refusals(action: str, status: str, role: str | None, assignee: bool, reason: str) -> None:
    assert check_action(action, status, role=role, is_assignee=assignee) == Refusal(reason)


def test_a_regisseur_may_act_on_a_colleagues_signal() -> None:
    action = check_action("contact", lifecycle.CLAIMED, role="regisseur", is_assignee=False)
    assert not isinstance(action, Refusal)


def test_next_actions_never_offer_claim_and_follow_the_table() -> None:
    assert [a.id for a in next_actions(lifecycle.CLAIMED)] == [
        "contact",
        "close",
        "cannot_follow_up",
        "needs_help",
        "ask_reporter",
        "release",
    ]
    assert next_actions(lifecycle.NEW) == ()
    for status in lifecycle.STATUS_LABELS:
        for action in next_actions(status):
            assert status in action.sources


def test_every_target_status_has_a_label() -> None:
    for action in lifecycle.ACTIONS.values():
        assert action.target is None or action.target in lifecycle.STATUS_LABELS
        assert action.sources <= set(lifecycle.STATUS_LABELS)


# --- The whole table, checked against an independent copy ------------------------------------
# Written out literally on purpose: a change to lifecycle.ACTIONS must show up here as a
# failing test, not silently flow into the expectation.

_STATUSES = ("new", "claimed", "in_contact", "referred", "closed", "cannot_follow_up", "reopened")
_WORKING = frozenset({"claimed", "in_contact", "referred", "reopened"})
_STAFF = frozenset({"loket", "regisseur", "admin"})
_REFERRAL_IDS = frozenset({"team_welzijn", "team_eenzaamheid", "volunteer", "external"})
_OUTCOME_IDS = frozenset(
    {"help_started", "buddy", "welfare", "known", "no_help_wanted", "not_reached", "other"}
)
_NO_FOLLOW_UP_IDS = frozenset(
    {"unreachable", "not_reached", "elsewhere", "duplicate", "not_lonely", "other"}
)
_TAKE_OVER_IDS = frozenset({"absent", "workload", "expertise", "escalated", "other"})


class _Expected(NamedTuple):
    sources: frozenset[str]
    target: str | None
    roles: frozenset[str] = _STAFF
    assignee_only: bool = True
    options: frozenset[str] = frozenset()
    others_only: bool = False  # refused to whoever has the signal already


# In table order (next_actions keeps it).
EXPECTED_ACTIONS: dict[str, _Expected] = {
    "claim": _Expected(frozenset({"new"}), "claimed", assignee_only=False),
    "contact": _Expected(frozenset({"claimed", "reopened"}), "in_contact"),
    "refer": _Expected(frozenset({"in_contact", "reopened"}), "referred", options=_REFERRAL_IDS),
    "close": _Expected(_WORKING, "closed", options=_OUTCOME_IDS),
    "cannot_follow_up": _Expected(_WORKING, "cannot_follow_up", options=_NO_FOLLOW_UP_IDS),
    "on_track": _Expected(frozenset({"referred"}), None),
    "needs_help": _Expected(_WORKING, None),
    "ask_reporter": _Expected(_WORKING, None),
    "release": _Expected(frozenset({"claimed", "reopened"}), "new"),
    "take_over": _Expected(
        _WORKING, None, assignee_only=False, options=_TAKE_OVER_IDS, others_only=True
    ),
    "reopen": _Expected(
        frozenset({"closed", "cannot_follow_up"}), "reopened", roles=_STAFF | {"reporter"}
    ),
}
EXPECTED_TRANSITIONS: frozenset[tuple[str, str, str]] = frozenset(
    (source, action_id, spec.target)
    for action_id, spec in EXPECTED_ACTIONS.items()
    if spec.target is not None
    for source in spec.sources
)
_ROLES_TO_TRY: tuple[str | None, ...] = ("loket", "regisseur", "admin", "reporter", None)


def _expected_refusal(
    action_id: str, status: str, role: str | None, is_assignee: bool, option: str | None
) -> str | None:
    """The refusal reason check_action should give, in its order of checks; None: allowed."""
    spec = EXPECTED_ACTIONS.get(action_id)
    if spec is None:
        return "unknown_action"
    if role is None:
        return "not_staff"
    if role not in spec.roles:
        return "not_allowed"
    if status not in spec.sources:
        return "wrong_status"
    if spec.assignee_only and not is_assignee and role == "loket":
        return "not_assignee"
    if spec.others_only and is_assignee:
        return "already_assignee"
    if spec.options and option is None:
        return "needs_option"
    if option is not None and option not in spec.options:
        return "unknown_option"
    return None


def _options_to_try(action_id: str) -> list[str | None]:
    spec = EXPECTED_ACTIONS.get(action_id)
    valid = sorted(spec.options)[:1] if spec is not None else []
    return [None, *valid, "bogus"]


def test_the_literal_copies_match_the_module_constants() -> None:
    assert tuple(lifecycle.STATUS_LABELS) == _STATUSES
    assert lifecycle.ROLES == ("loket", "regisseur", "admin")
    assert lifecycle.REPORTER == "reporter"
    assert list(lifecycle.ACTIONS) == list(EXPECTED_ACTIONS)
    assert set(lifecycle.REFERRALS) == _REFERRAL_IDS
    assert set(lifecycle.OUTCOMES) == _OUTCOME_IDS
    assert set(lifecycle.NO_FOLLOW_UP_REASONS) == _NO_FOLLOW_UP_IDS
    assert set(lifecycle.TAKE_OVER_REASONS) == _TAKE_OVER_IDS
    reasons = (
        lifecycle.UNKNOWN_ACTION,
        lifecycle.NOT_STAFF,
        lifecycle.NOT_ALLOWED,
        lifecycle.WRONG_STATUS,
        lifecycle.NOT_ASSIGNEE,
        lifecycle.NEEDS_OPTION,
        lifecycle.UNKNOWN_OPTION,
        lifecycle.ALREADY_ASSIGNEE,
    )
    assert reasons == (
        "unknown_action",
        "not_staff",
        "not_allowed",
        "wrong_status",
        "not_assignee",
        "needs_option",
        "unknown_option",
        "already_assignee",
    )


@pytest.mark.parametrize("status", _STATUSES)
@pytest.mark.parametrize("action_id", [*EXPECTED_ACTIONS, "forged"])
def test_check_action_matches_the_literal_table(action_id: str, status: str) -> None:
    mismatches: list[tuple[object, ...]] = []
    for role in _ROLES_TO_TRY:
        for is_assignee in (True, False):
            for option in _options_to_try(action_id):
                got = check_action(
                    action_id, status, role=role, is_assignee=is_assignee, option=option
                )
                reason = _expected_refusal(action_id, status, role, is_assignee, option)
                case = (role, is_assignee, option)
                if reason is not None:
                    if got != Refusal(reason):
                        mismatches.append((case, reason, got))
                elif not isinstance(got, lifecycle.Action) or got.id != action_id:
                    mismatches.append((case, "allowed", got))
                elif got.target != EXPECTED_ACTIONS[action_id].target:
                    mismatches.append((case, EXPECTED_ACTIONS[action_id].target, got.target))
    assert mismatches == []


@pytest.mark.parametrize(
    ("action_id", "status", "role", "is_assignee", "option", "reason"),
    [
        # An unknown action is refused before anything else is looked at.
        ("forged", "bogus-status", None, False, "bogus", "unknown_action"),
        # No role before a wrong status or a missing option.
        ("close", "new", None, False, None, "not_staff"),
        # A role the action does not allow before a wrong status.
        ("contact", "closed", "reporter", True, None, "not_allowed"),
        ("claim", "new", "intern", True, None, "not_allowed"),
        # Wrong status before the assignee check.
        ("contact", "new", "loket", False, None, "wrong_status"),
        # Not the assignee before a missing or unknown option.
        ("close", "claimed", "loket", False, None, "not_assignee"),
        ("refer", "in_contact", "loket", False, "bogus", "not_assignee"),
        # A missing option before anything about the option.
        ("refer", "in_contact", "regisseur", False, None, "needs_option"),
        ("close", "claimed", "loket", True, "bogus", "unknown_option"),
        # An option where the action takes none is unknown too.
        ("contact", "claimed", "loket", True, "team_welzijn", "unknown_option"),
        ("refer", "in_contact", "admin", False, "help_started", "unknown_option"),
        ("close", "referred", "admin", False, "team_welzijn", "unknown_option"),
    ],
)
def test_refusals_come_in_the_implemented_order(
    action_id: str,
    status: str,
    role: str | None,
    is_assignee: bool,
    option: str | None,
    reason: str,
) -> None:
    got = check_action(action_id, status, role=role, is_assignee=is_assignee, option=option)
    assert got == Refusal(reason)


@pytest.mark.parametrize("role", ["regisseur", "admin", "reporter"])
def test_only_loket_staff_are_held_to_being_the_assignee(role: str) -> None:
    got = check_action("reopen", "closed", role=role, is_assignee=False)
    assert isinstance(got, lifecycle.Action)
    assert check_action("reopen", "closed", role="loket", is_assignee=False) == Refusal(
        "not_assignee"
    )


@pytest.mark.parametrize("status", _STATUSES)
def test_the_reporter_may_only_reopen_a_finished_signal(status: str) -> None:
    for action_id in EXPECTED_ACTIONS:
        got = check_action(action_id, status, role=lifecycle.REPORTER, is_assignee=False)
        if action_id == "reopen" and status in {"closed", "cannot_follow_up"}:
            assert isinstance(got, lifecycle.Action)
            assert got.target == "reopened"
        elif action_id == "reopen":
            assert got == Refusal("wrong_status")
        else:
            assert got == Refusal("not_allowed")


@pytest.mark.parametrize("status", _STATUSES)
def test_next_actions_are_the_table_rows_for_the_status_without_claim(status: str) -> None:
    # Claiming is on the group card; taking over is for whoever does not have the signal,
    # never on its assignee's own card.
    elsewhere = {"claim", "take_over"}
    expected = [
        a for a, spec in EXPECTED_ACTIONS.items() if status in spec.sources and a not in elsewhere
    ]
    assert [a.id for a in next_actions(status)] == expected
    assert not elsewhere & {a.id for a in next_actions(status)}


def test_next_actions_of_an_unknown_status_is_empty() -> None:
    assert next_actions("bogus") == ()


def test_transitions_are_exactly_the_status_changing_edges() -> None:
    edges = lifecycle.transitions()
    assert len(edges) == len(set(edges))
    assert set(edges) == EXPECTED_TRANSITIONS
    # Actions that only record something draw no edge.
    assert {action for _, action, _ in edges}.isdisjoint({"on_track", "needs_help", "ask_reporter"})


def test_transitions_list_sources_in_status_order_within_each_action() -> None:
    by_action: dict[str, list[str]] = {}
    for source, action_id, _ in lifecycle.transitions():
        by_action.setdefault(action_id, []).append(source)
    for sources in by_action.values():
        assert sources == sorted(sources, key=_STATUSES.index)


def test_no_action_leads_to_or_from_an_unknown_status() -> None:
    for action in lifecycle.ACTIONS.values():
        assert action.target is None or action.target in _STATUSES
        assert action.sources
        assert action.sources <= set(_STATUSES)
        assert action.roles <= _STAFF | {"reporter"}


def test_status_groups_cover_every_status_once() -> None:
    assert set(_STATUSES) == lifecycle.OPEN_STATUSES | lifecycle.FINISHED_STATUSES
    assert lifecycle.OPEN_STATUSES.isdisjoint(lifecycle.FINISHED_STATUSES)
    assert set(lifecycle.REPORTER_STATUS) == set(_STATUSES)


def test_every_label_is_a_non_empty_string() -> None:
    labels: list[object] = [
        *lifecycle.STATUS_LABELS.values(),
        *lifecycle.ROLE_LABELS.values(),
        *lifecycle.REFERRALS.values(),
        *lifecycle.OUTCOMES.values(),
    ]
    for action in lifecycle.ACTIONS.values():
        labels.append(action.label)
        labels.extend(action.options.values())
        if action.options:
            labels.append(action.option_prompt)
    for label in labels:
        assert isinstance(label, str)
        assert label.strip()
    assert set(lifecycle.ROLE_LABELS) == _STAFF
